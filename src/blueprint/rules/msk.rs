//! Amazon MSK: cluster shape, client security, topics.

use crate::diagnostic::{Diagnostic, Rule, Severity, did_you_mean, one_of};
use crate::limits::msk::{BROKERS, RETIRED_KAFKA_VERSIONS, STORAGE_GIB, SUBNETS};
use crate::limits::retired;

use super::super::spec::msk::{InTransit, MskCluster, MskDeployment};
use super::super::spec::{Component, Placed};
use super::Context;

pub static BROKER_MULTIPLE: Rule = Rule {
    id: "msk::broker-multiple",
    severity: Severity::Error,
    summary: "the broker count is a multiple of the number of subnets (Availability Zones)",
};
pub static DEPLOYMENT_FIELDS: Rule = Rule {
    id: "msk::deployment-fields",
    severity: Severity::Error,
    summary: "provisioned clusters set version, broker type, count and storage; serverless clusters set none",
};
pub static KAFKA_VERSION: Rule = Rule {
    id: "msk::kafka-version",
    severity: Severity::Error,
    summary: "Kafka versions past end of support are rejected",
};
pub static CLIENT_AUTH: Rule = Rule {
    id: "msk::client-auth",
    severity: Severity::Error,
    summary: "clients authenticate (IAM, SASL/SCRAM or TLS); never unauthenticated",
};
pub static TLS: Rule =
    Rule { id: "msk::tls", severity: Severity::Error, summary: "clients talk to brokers over TLS only" };
pub static REPLICATION: Rule = Rule {
    id: "msk::replication",
    severity: Severity::Error,
    summary: "a topic's replication factor is at most the broker count; partitions at least 1",
};
pub static UNKNOWN_TOPIC: Rule = Rule {
    id: "msk::unknown-topic",
    severity: Severity::Error,
    summary: "topics read or written are declared on the cluster",
};

pub static RULES: &[&Rule] =
    &[&BROKER_MULTIPLE, &DEPLOYMENT_FIELDS, &KAFKA_VERSION, &CLIENT_AUTH, &TLS, &REPLICATION, &UNKNOWN_TOPIC];

pub fn check(cx: &mut Context) {
    for placed in cx.blueprint.components() {
        if let Component::MskCluster(cluster) = placed.component {
            cluster_shape(cx, placed, cluster);
        }
    }
}

/// A topic a consumer or producer names that its cluster does not declare (if it declares any).
pub fn unknown_topic(cluster: &MskCluster, cluster_at: &Placed, topic: &str, path: String) -> Option<Diagnostic> {
    let names: Vec<&str> = cluster.topics.iter().map(|t| t.name.as_str()).collect();
    if names.is_empty() || names.contains(&topic) {
        return None;
    }
    let hint = match did_you_mean(topic, names.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!("declare it under `{}`", cluster_at.field("topics")),
    };
    Some(
        Diagnostic::new(&UNKNOWN_TOPIC, format!("cluster `{}` declares no topic `{topic}`", cluster.id))
            .at(path)
            .expected(one_of(&names))
            .hint(hint),
    )
}

fn cluster_shape(cx: &mut Context, placed: Placed, cluster: &MskCluster) {
    let subnets = cluster.network.subnets.len();
    cx.range(&SUBNETS, placed.field("network.subnets"), subnets as i64);
    let mut found = Vec::new();
    let provisioned_fields = [
        ("kafka_version", cluster.kafka_version.is_some()),
        ("broker_type", cluster.broker_type.is_some()),
        ("brokers", cluster.brokers.is_some()),
        ("storage_gib", cluster.storage_gib.is_some()),
    ];
    match cluster.deployment {
        MskDeployment::Provisioned => {
            for (field, _) in provisioned_fields.iter().filter(|(_, set)| !set) {
                found.push(
                    Diagnostic::new(&DEPLOYMENT_FIELDS, format!("a provisioned cluster needs `{field}`"))
                        .at(placed.path())
                        .hint(format!("add `{field}:`, or set `deployment: serverless`")),
                );
            }
        }
        MskDeployment::Serverless => {
            for (field, _) in provisioned_fields.iter().filter(|(_, set)| *set) {
                found.push(
                    Diagnostic::new(&DEPLOYMENT_FIELDS, format!("a serverless cluster takes no `{field}`"))
                        .at(placed.field(field))
                        .hint("MSK Serverless sizes itself; remove the field"),
                );
            }
            if cluster.auth.scram || cluster.auth.tls {
                found.push(
                    Diagnostic::new(&CLIENT_AUTH, "MSK Serverless supports IAM authentication only")
                        .at(placed.field("auth"))
                        .hint("set `auth: { iam: true }`"),
                );
            }
        }
    }
    let sized_brokers = crate::capacity::msk::brokers(&cx.graph, cluster).map(|f| f.value());
    if let (MskDeployment::Provisioned, Some(brokers)) = (cluster.deployment, sized_brokers) {
        cx.range(&BROKERS, placed.field("brokers"), i64::from(brokers));
        if subnets > 0 && !(brokers as usize).is_multiple_of(subnets) {
            found.push(
                Diagnostic::new(
                    &BROKER_MULTIPLE,
                    format!("{brokers} brokers cannot be spread evenly over {subnets} subnets"),
                )
                .at(placed.field("brokers"))
                .expected(format!("a multiple of {subnets}"))
                .hint(format!(
                    "MSK places the same number of brokers in each Availability Zone; use {}",
                    (brokers as usize).div_ceil(subnets) * subnets
                )),
            );
        }
    }
    if let Some(storage) =
        sized_brokers.and_then(|b| crate::capacity::msk::storage(&cx.graph, cluster, b)).map(|f| f.value())
    {
        cx.range(&STORAGE_GIB, placed.field("storage_gib"), i64::from(storage));
    }
    if let Some(version) = &cluster.kafka_version
        && let Some(gone) = retired(RETIRED_KAFKA_VERSIONS, version)
    {
        found.push(
            Diagnostic::new(&KAFKA_VERSION, format!("Kafka {version} reached end of support on MSK on {}", gone.since))
                .at(placed.field("kafka_version"))
                .hint(format!("use `{}` ({})", gone.replacement, gone.source)),
        );
    }
    let auth = &cluster.auth;
    if auth.unauthenticated {
        found.push(
            Diagnostic::new(
                &CLIENT_AUTH,
                "unauthenticated access lets anyone on the network read and write every topic",
            )
            .at(placed.field("auth.unauthenticated"))
            .hint("remove it; producers and consumers authenticate with IAM"),
        );
    } else if !(auth.iam || auth.scram || auth.tls) {
        found.push(
            Diagnostic::new(&CLIENT_AUTH, "no client authentication method is on")
                .at(placed.field("auth"))
                .hint("set `auth: { iam: true }`"),
        );
    }
    if cluster.in_transit != InTransit::Tls {
        found.push(
            Diagnostic::new(&TLS, "clients could reach the brokers without TLS")
                .at(placed.field("in_transit"))
                .expected("`tls`")
                .hint("remove `in_transit`; IAM authentication requires TLS anyway"),
        );
    }
    for (i, topic) in cluster.topics.iter().enumerate() {
        let brokers = match cluster.deployment {
            MskDeployment::Provisioned => sized_brokers.unwrap_or(u32::MAX),
            MskDeployment::Serverless => 3,
        };
        if topic.replication_factor > brokers || topic.replication_factor == 0 {
            found.push(
                Diagnostic::new(
                    &REPLICATION,
                    format!("replication factor {} with {brokers} brokers", topic.replication_factor),
                )
                .at(placed.field(&format!("topics[{i}].replication_factor")))
                .expected(format!("1 to {brokers}"))
                .hint("each replica lives on a different broker"),
            );
        }
        if topic.partitions == 0 {
            found.push(
                Diagnostic::new(&REPLICATION, "a topic needs at least one partition")
                    .at(placed.field(&format!("topics[{i}].partitions")))
                    .expected("at least 1"),
            );
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}
