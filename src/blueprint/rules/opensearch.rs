//! OpenSearch Service domains: cluster shape and the security settings no scanner checks.

use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::limits::opensearch::{INSTANCE_COUNT, STORAGE_GIB, ZONES};

use super::super::spec::Component;
use super::Context;

pub static ENGINE_VERSION: Rule = Rule {
    id: "opensearch::engine-version",
    severity: Severity::Error,
    summary: "engine versions read `OpenSearch_X.Y` or `Elasticsearch_X.Y`",
};
pub static INSTANCE_TYPE: Rule =
    Rule { id: "opensearch::instance-type", severity: Severity::Error, summary: "instance types end in `.search`" };
pub static ZONE_LAYOUT: Rule = Rule {
    id: "opensearch::zone-layout",
    severity: Severity::Error,
    summary: "zone awareness matches the subnet count, and data nodes spread evenly over the zones",
};
pub static MASTERS: Rule = Rule {
    id: "opensearch::dedicated-masters",
    severity: Severity::Error,
    summary: "dedicated master nodes number 3 or 5 or more",
};
pub static TRANSPORT: Rule = Rule {
    id: "opensearch::https",
    severity: Severity::Error,
    summary: "HTTPS with TLS 1.2 is enforced and nodes encrypt traffic between them",
};
pub static FINE_GRAINED: Rule = Rule {
    id: "opensearch::fine-grained-access",
    severity: Severity::Error,
    summary: "fine-grained access control requires HTTPS, node-to-node encryption and encryption at rest",
};
pub static PUBLIC: Rule =
    Rule { id: "opensearch::public", severity: Severity::Warning, summary: "domains live in a VPC" };

pub static RULES: &[&Rule] =
    &[&ENGINE_VERSION, &INSTANCE_TYPE, &ZONE_LAYOUT, &MASTERS, &TRANSPORT, &FINE_GRAINED, &PUBLIC];

fn is_engine_version(text: &str) -> bool {
    let Some(number) = text.strip_prefix("OpenSearch_").or_else(|| text.strip_prefix("Elasticsearch_")) else {
        return false;
    };
    let mut parts = number.split('.');
    let numeric = |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    numeric(parts.next()) && numeric(parts.next()) && parts.next().is_none()
}

pub fn check(cx: &mut Context) {
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        let Component::OpensearchDomain(domain) = placed.component else { continue };
        cx.range(&INSTANCE_COUNT, placed.field("instance_count"), i64::from(domain.instance_count));
        let storage = crate::capacity::opensearch::storage(&cx.graph, domain).value();
        cx.range(&STORAGE_GIB, placed.field("storage_gib"), i64::from(storage));
        if !is_engine_version(&domain.engine_version) {
            found.push(
                Diagnostic::new(&ENGINE_VERSION, format!("`{}` is not an engine version", domain.engine_version))
                    .at(placed.field("engine_version"))
                    .expected("`OpenSearch_X.Y` or `Elasticsearch_X.Y`, e.g. `OpenSearch_2.19`"),
            );
        }
        for (field, instance) in std::iter::once(("instance_type", &domain.instance_type))
            .chain(domain.dedicated_masters.as_ref().map(|m| ("dedicated_masters.instance_type", &m.instance_type)))
        {
            if !instance.ends_with(".search") {
                found.push(
                    Diagnostic::new(&INSTANCE_TYPE, format!("`{instance}` is not an OpenSearch instance type"))
                        .at(placed.field(field))
                        .expected("a type ending in `.search`, e.g. `r6g.large.search`"),
                );
            }
        }
        if let Some(zones) = domain.zone_awareness {
            cx.range(&ZONES, placed.field("zone_awareness"), i64::from(zones));
            if let Some(network) = &domain.network
                && network.subnets.len() != zones as usize
            {
                found.push(
                    Diagnostic::new(
                        &ZONE_LAYOUT,
                        format!("zone awareness over {zones} zones with {} subnets", network.subnets.len()),
                    )
                    .at(placed.field("network.subnets"))
                    .expected(format!("{zones} subnets, one per zone")),
                );
            }
            if zones > 0 && domain.instance_count % zones != 0 {
                found.push(
                    Diagnostic::new(
                        &ZONE_LAYOUT,
                        format!("{} data nodes cannot be spread evenly over {zones} zones", domain.instance_count),
                    )
                    .at(placed.field("instance_count"))
                    .expected(format!("a multiple of {zones}")),
                );
            }
        }
        if let Some(masters) = &domain.dedicated_masters
            && (masters.count < 3 || masters.count == 4)
        {
            found.push(
                Diagnostic::new(&MASTERS, format!("{} dedicated master nodes", masters.count))
                    .at(placed.field("dedicated_masters.count"))
                    .expected("3, or 5 or more")
                    .hint(
                        "masters elect by majority: 3 survive one failure and 5 survive two, while 4 still survive only one",
                    ),
            );
        }
        for (field, on, what) in [
            ("enforce_https", domain.enforce_https, "clients could connect over plain HTTP"),
            ("node_to_node_encryption", domain.node_to_node_encryption, "nodes would exchange data unencrypted"),
        ] {
            if !on {
                found.push(Diagnostic::new(&TRANSPORT, what).at(placed.field(field)).hint(format!(
                    "remove `{field}: false`; pipe enforces HTTPS with TLS 1.2 and node-to-node encryption"
                )));
            }
        }
        if domain.fine_grained_access && !domain.encryption.enabled {
            found.push(
                Diagnostic::new(&FINE_GRAINED, "fine-grained access control requires encryption at rest")
                    .at(placed.field("encryption.enabled"))
                    .hint("turn encryption back on, or fine-grained access control off"),
            );
        }
        if domain.network.is_none() {
            found.push(
                Diagnostic::new(&PUBLIC, format!("`{}` gets a public endpoint", domain.id))
                    .at(placed.path())
                    .hint("add `network:` with subnets and security groups to keep the domain inside a VPC"),
            );
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}
