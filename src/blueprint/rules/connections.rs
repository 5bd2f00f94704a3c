//! What each connection needs at run time, per its edge contract (`model::contract`): the Kafka
//! topic an MSK client names, the network a component joins to reach a VPC, the cluster settings
//! Firehose's private connection relies on, and the catalog tables format conversion reads.

use std::collections::HashMap;

use crate::blueprint::contract::{self, Actor, Catalog, Reach};
use crate::diagnostic::{Diagnostic, Rule, Severity};

use super::super::graph::Edge;
use super::super::spec::msk::MskDeployment;
use super::super::spec::{Component, Placed};
use super::Context;

pub static MSK_TOPIC: Rule = Rule {
    id: "connection::msk-topic",
    severity: Severity::Error,
    summary: "every component that reads or writes an MSK cluster names its topic, one the cluster declares",
};
pub static NETWORK: Rule = Rule {
    id: "connection::network",
    severity: Severity::Error,
    summary: "a component that reaches a VPC-only service has one network to run in",
};
pub static PRIVATE_LINK: Rule = Rule {
    id: "connection::private-link",
    severity: Severity::Error,
    summary: "Firehose reads MSK over multi-VPC private connectivity, which needs IAM auth and a broker larger than t3",
};
pub static EXTERNAL_SCHEMA: Rule = Rule {
    id: "connection::external-schema",
    severity: Severity::Warning,
    summary: "format conversion without `columns` reads a Glue table pipe does not create; `pipe plan` checks it exists",
};
pub static CATALOG_TABLE: Rule = Rule {
    id: "connection::catalog-table",
    severity: Severity::Error,
    summary: "each Glue Data Catalog table pipe creates is defined once",
};

pub static RULES: &[&Rule] = &[&MSK_TOPIC, &NETWORK, &PRIVATE_LINK, &EXTERNAL_SCHEMA, &CATALOG_TABLE];

pub fn check(cx: &mut Context) {
    let mut found = Vec::new();
    for edge in &cx.edges {
        let Some(contract) =
            contract::find(edge.from.component.kind(), edge.to.component.kind(), contract::via_of(edge))
        else {
            continue; // reported by graph::edge
        };
        msk_topic(edge, contract.actor, &mut found);
        if contract.reach == Reach::PrivateLink {
            private_link(edge, &mut found);
        }
    }
    for placed in cx.blueprint.components() {
        network(cx, placed, &mut found);
    }
    catalog(cx, &mut found);
    found.into_iter().for_each(|d| cx.report(d));
}

/// The actor and the cluster of an edge that touches MSK, and whether the actor reads.
fn msk_topic(edge: &Edge, actor: Actor, found: &mut Vec<Diagnostic>) {
    let (acting, cluster, reads) = match (actor, edge.from.component, edge.to.component) {
        (Actor::To, Component::MskCluster(_), _) => (edge.to, edge.from, true),
        (Actor::From, _, Component::MskCluster(_)) => (edge.from, edge.to, false),
        _ => return,
    };
    let Component::MskCluster(spec) = cluster.component else { return };
    let field = contract::topic_field(reads, acting.component);
    match contract::topic_of(acting.component, reads) {
        None => found.push(
            Diagnostic::new(
                &MSK_TOPIC,
                format!(
                    "`{}` {} MSK cluster `{}` but names no topic",
                    acting.component.id(),
                    if reads { "reads" } else { "writes to" },
                    spec.id
                ),
            )
            .at(acting.path())
            .hint(format!("add `{field}: <name>`, one of the cluster's `topics`")),
        ),
        Some(topic) => found.extend(super::msk::unknown_topic(spec, &cluster, topic, acting.field(field))),
    }
}

fn private_link(edge: &Edge, found: &mut Vec<Diagnostic>) {
    let Component::MskCluster(cluster) = edge.from.component else { return };
    if cluster.deployment == MskDeployment::Serverless {
        return; // serverless clusters always authenticate with IAM
    }
    if !cluster.auth.iam {
        found.push(
            Diagnostic::new(
                &PRIVATE_LINK,
                format!(
                    "`{}` reads `{}` privately, which needs IAM client authentication",
                    edge.to.component.id(),
                    cluster.id
                ),
            )
            .at(edge.from.field("auth.iam"))
            .hint(
                "set `auth: { iam: true }`; Firehose connects through multi-VPC private connectivity for IAM clients",
            ),
        );
    }
    if cluster.broker_type.as_deref().is_some_and(|t| t.starts_with("kafka.t3.")) {
        found.push(
            Diagnostic::new(
                &PRIVATE_LINK,
                format!(
                    "`{}` runs `kafka.t3` brokers, which do not support multi-VPC private connectivity",
                    cluster.id
                ),
            )
            .at(edge.from.field("broker_type"))
            .hint("use `kafka.m7g.large` or larger so Firehose can connect privately"),
        );
    }
}

/// A component that must join a VPC has a network to join, and only one.
fn network(cx: &Context, placed: Placed, found: &mut Vec<Diagnostic>) {
    let actor = placed.component;
    let peers = contract::vpc_peers(&cx.graph, actor.id());
    let Some(first) = peers.first() else { return };
    if let Component::GlueStreamingJob(job) = actor {
        if job.network.is_none() {
            let example = contract::vpc_of(first).and_then(|n| n.subnets.first()).map_or("subnet-…", String::as_str);
            found.push(
                Diagnostic::new(&NETWORK, format!("`{}` reaches `{}`, which lives in a VPC, but has no network", job.id, first.id()))
                    .at(placed.path())
                    .hint(format!("add `network: {{ subnet: {example}, availability_zone: <its zone>, security_groups: [...] }}`; the job's workers join that subnet through a Glue network connection")),
            );
        }
        return;
    }
    if contract::declared_network(actor).is_some() {
        return;
    }
    let networks: Vec<(&str, Vec<&String>)> =
        peers.iter().filter_map(|p| contract::vpc_of(p).map(|n| (p.id(), n.subnets.iter().collect()))).collect();
    if networks.windows(2).any(|pair| pair[0].1 != pair[1].1) {
        let ids: Vec<&str> = networks.iter().map(|(id, _)| *id).collect();
        found.push(
            Diagnostic::new(
                &NETWORK,
                format!(
                    "`{}` reaches {} in different subnets, and runs in one network",
                    actor.id(),
                    crate::diagnostic::one_of(&ids)
                ),
            )
            .at(placed.path())
            .hint("add `network:` with subnets and security groups from which all of them can be reached"),
        );
    }
}

/// Format conversion schemas: created from declared columns, or an external table to check; and
/// no Data Catalog table defined twice.
fn catalog(cx: &Context, found: &mut Vec<Diagnostic>) {
    let mut defined: HashMap<(String, String), String> = HashMap::new();
    for placed in cx.blueprint.components() {
        let (database, table, path) = match placed.component {
            Component::GlueStreamingJob(job) => (&job.catalog.database, &job.catalog.table, placed.field("catalog")),
            Component::Firehose(firehose) => {
                let Some(conversion) = &firehose.format_conversion else { continue };
                let converts_to_s3 = cx.readers_of(&firehose.id).any(|e| {
                    contract::find("firehose", e.to.component.kind(), contract::via_of(e))
                        .is_some_and(|c| c.catalog == Catalog::ConversionSchema)
                });
                if !converts_to_s3 {
                    continue; // reported by firehose::format-conversion
                }
                if conversion.columns.is_empty() {
                    found.push(
                        Diagnostic::new(
                            &EXTERNAL_SCHEMA,
                            format!(
                                "`{}` converts records with table `{}.{}`, which pipe does not create",
                                firehose.id, conversion.database, conversion.table
                            ),
                        )
                        .at(placed.field("format_conversion"))
                        .hint("list the records' `columns:` and pipe creates the database and table; otherwise create the table first (`pipe plan` checks that it exists)"),
                    );
                    continue;
                }
                (&conversion.database, &conversion.table, placed.field("format_conversion"))
            }
            _ => continue,
        };
        if let Some(first) = defined.get(&(database.clone(), table.clone())) {
            found.push(
                Diagnostic::new(&CATALOG_TABLE, format!("table `{database}.{table}` is already defined at `{first}`"))
                    .at(path)
                    .hint("give each table its own name, or declare the columns in one place"),
            );
        } else {
            defined.insert((database.clone(), table.clone()), path);
        }
    }
}
