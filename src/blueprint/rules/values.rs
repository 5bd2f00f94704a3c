//! Values that reach AWS as written: tags, network ids, KMS keys, S3 prefixes, catalog, topic and
//! index names. They are checked after variables are substituted, so a value passed with `--var`
//! meets the same rules as a literal one, and the diagnostic names the variable it came from.

use crate::blueprint::contract;
use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::limits::formats::{
    CATALOG_NAME, CONTAINER_IMAGE, ENV_NAME, Format, HANDLER, KAFKA_TOPIC, KEY_ATTRIBUTE, KMS_KEY, KMS_KEY_ARN,
    MODEL_DATA_URL, OPENSEARCH_INDEX, PIPE_TAGS_MAX, REDSHIFT_DATABASE, RESERVED_TAG_PREFIXES, S3_PREFIX,
    SECURITY_GROUP_ID, SUBNET_ID, TAG_KEY, TAG_VALUE, TAGS_PER_RESOURCE, USER_TAGS_MAX,
};
use crate::limits::network::{SECURITY_GROUPS, SECURITY_GROUPS_REQUIRED, SUBNETS};
use crate::limits::s3::EXPIRE_DAYS;

use super::super::spec::Component;
use super::Context;

pub static FORMAT: Rule = Rule {
    id: "value::format",
    severity: Severity::Error,
    summary: "values AWS receives as written (tags, ids, keys, prefixes, names) have the shape AWS accepts",
};
pub static TAGS: Rule = Rule {
    id: "value::tags",
    severity: Severity::Error,
    summary: "tag keys avoid the reserved `aws:` and `pipe:` prefixes, and a resource carries at most 50 tags",
};

pub static RULES: &[&Rule] = &[&FORMAT, &TAGS];

pub fn check(cx: &mut Context) {
    let mut found = Vec::new();
    let blueprint = cx.blueprint;
    for placed in blueprint.components() {
        if let Component::S3Bucket(bucket) = placed.component
            && let Some(days) = bucket.expire_after_days
        {
            cx.range(&EXPIRE_DAYS, placed.field("expire_after_days"), i64::from(days));
        }
    }
    for (key, value) in &blueprint.tags {
        let path = format!("tags.{key}");
        check_value(&mut found, &TAG_KEY, key, &path);
        check_value(&mut found, &TAG_VALUE, value, &path);
        if let Some(prefix) = RESERVED_TAG_PREFIXES.iter().find(|p| key.to_lowercase().starts_with(*p)) {
            found.push(
                Diagnostic::new(&TAGS, format!("tag key `{key}` uses the reserved prefix `{prefix}`"))
                    .at(path.clone())
                    .hint("AWS reserves `aws:`; pipe sets `pipe:pipeline` and `pipe:component` itself"),
            );
        }
    }
    if blueprint.tags.len() > USER_TAGS_MAX {
        found.push(
            Diagnostic::new(
                &TAGS,
                format!("{} tags, and pipe adds up to {PIPE_TAGS_MAX} of its own", blueprint.tags.len()),
            )
            .at("tags")
            .expected(format!("at most {USER_TAGS_MAX} tags (AWS allows {TAGS_PER_RESOURCE} per resource)")),
        );
    }
    for placed in blueprint.components() {
        let mut values: Vec<(&Format, &str, String)> = Vec::new();
        let component = placed.component;
        if let Some(network) = contract::declared_network(component).or_else(|| contract::vpc_of(component)) {
            cx.range(&SUBNETS, placed.field("network.subnets"), network.subnets.len() as i64);
            let fed_by_firehose =
                cx.graph.inputs_of(component.id()).any(|e| matches!(e.from.component, Component::Firehose(_)));
            let groups = match component {
                Component::FlinkApplication(_) => &SECURITY_GROUPS_REQUIRED,
                Component::OpensearchDomain(_) if fed_by_firehose => &SECURITY_GROUPS_REQUIRED,
                _ => &SECURITY_GROUPS,
            };
            cx.range(groups, placed.field("network.security_groups"), network.security_groups.len() as i64);
            for (i, subnet) in network.subnets.iter().enumerate() {
                values.push((&SUBNET_ID, subnet, placed.field(&format!("network.subnets[{i}]"))));
            }
            for (i, group) in network.security_groups.iter().enumerate() {
                values.push((&SECURITY_GROUP_ID, group, placed.field(&format!("network.security_groups[{i}]"))));
            }
        }
        if let Some(key) = super::security::encryption(component).and_then(|e| e.kms_key.as_deref()) {
            // Firehose and MSK take only a key ARN; the other services take any key identifier.
            let format = match component {
                Component::Firehose(_) | Component::MskCluster(_) => &KMS_KEY_ARN,
                _ => &KMS_KEY,
            };
            values.push((format, key, placed.field("encryption.kms_key")));
        }
        match component {
            Component::Firehose(c) => {
                values.extend(c.prefix.as_deref().map(|p| (&S3_PREFIX, p, placed.field("prefix"))));
                values.extend(c.error_prefix.as_deref().map(|p| (&S3_PREFIX, p, placed.field("error_prefix"))));
                values.extend(c.index.as_deref().map(|i| (&OPENSEARCH_INDEX, i, placed.field("index"))));
                values.extend(c.topic.as_deref().map(|t| (&KAFKA_TOPIC, t, placed.field("topic"))));
                if let Some(conversion) = &c.format_conversion {
                    values.push((&CATALOG_NAME, &conversion.database, placed.field("format_conversion.database")));
                    values.push((&CATALOG_NAME, &conversion.table, placed.field("format_conversion.table")));
                }
            }
            Component::GlueStreamingJob(c) => {
                values.push((&CATALOG_NAME, &c.catalog.database, placed.field("catalog.database")));
                values.push((&CATALOG_NAME, &c.catalog.table, placed.field("catalog.table")));
                values.extend(c.topic.as_deref().map(|t| (&KAFKA_TOPIC, t, placed.field("topic"))));
                if let Some(network) = &c.network {
                    values.push((&SUBNET_ID, &network.subnet, placed.field("network.subnet")));
                    for (i, group) in network.security_groups.iter().enumerate() {
                        values.push((
                            &SECURITY_GROUP_ID,
                            group,
                            placed.field(&format!("network.security_groups[{i}]")),
                        ));
                    }
                }
            }
            Component::MskCluster(c) => {
                for (i, topic) in c.topics.iter().enumerate() {
                    values.push((&KAFKA_TOPIC, &topic.name, placed.field(&format!("topics[{i}].name"))));
                }
            }
            Component::Lambda(c) => {
                values.push((&HANDLER, &c.handler, placed.field("handler")));
                values.extend(c.topic.as_deref().map(|t| (&KAFKA_TOPIC, t, placed.field("topic"))));
                for name in c.environment.keys() {
                    values.push((&ENV_NAME, name, placed.field(&format!("environment.{name}"))));
                }
            }
            Component::FlinkApplication(c) => {
                values.extend(c.topic.as_deref().map(|t| (&KAFKA_TOPIC, t, placed.field("topic"))));
                values.extend(c.output_topic.as_deref().map(|t| (&KAFKA_TOPIC, t, placed.field("output_topic"))));
            }
            Component::DynamodbTable(c) => {
                values.push((&KEY_ATTRIBUTE, &c.partition_key.name, placed.field("partition_key.name")));
                values.extend(
                    c.sort_key.as_ref().map(|k| (&KEY_ATTRIBUTE, k.name.as_str(), placed.field("sort_key.name"))),
                );
            }
            Component::Redshift(c) => values.push((&REDSHIFT_DATABASE, &c.database, placed.field("database"))),
            Component::SagemakerEndpoint(c) => {
                values.push((&CONTAINER_IMAGE, &c.image, placed.field("image")));
                values.extend(c.model_data.as_deref().map(|u| (&MODEL_DATA_URL, u, placed.field("model_data"))));
            }
            Component::EmrSparkStreaming(c) => values.push((&KAFKA_TOPIC, &c.topic, placed.field("topic"))),
            Component::KafkaProducer(c) => values.push((&KAFKA_TOPIC, &c.topic, placed.field("topic"))),
            _ => {}
        }
        for (format, value, path) in values {
            check_value(&mut found, format, value, &path);
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

fn check_value(found: &mut Vec<Diagnostic>, format: &Format, value: &str, path: &str) {
    if format.accepts(value) {
        return;
    }
    found.push(
        Diagnostic::new(&FORMAT, format!("{value:?} is not a valid {}", format.what))
            .at(path)
            .expected(format.describe)
            .hint(format!("AWS refuses it at deploy time ({})", format.source)),
    );
}
