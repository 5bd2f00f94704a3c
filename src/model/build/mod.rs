//! One builder per service: each turns a component into its resources.

mod alarms;
mod dashboard;
mod dynamodb;
mod emr;
mod firehose;
mod flink;
mod glue;
mod kinesis;
mod lambda;
pub(crate) mod msk;
mod opensearch;
mod producers;
mod redshift;
mod s3;
mod sagemaker;
pub(crate) mod sns;

use crate::blueprint::spec::Component;

use super::refs::logical_id;
use super::{Builder, Suppression};

/// Log groups use the CloudWatch Logs service key, not a customer managed key.
pub const LOGS_SERVICE_KEY: Suppression = Suppression {
    check: "CKV_AWS_158",
    reason: "CloudWatch Logs encrypts log data at rest with its service key; operational logs hold no record payloads",
};

pub fn all(b: &mut Builder) -> std::io::Result<()> {
    let blueprint = b.blueprint();
    for placed in blueprint.components() {
        // The main resource's logical id, which other resources use to refer to it.
        let id = logical_id(placed.component);
        match placed.component {
            // Sources run outside AWS: their throughput shapes the design, they own no resource.
            Component::Application(_) | Component::Devices(_) | Component::LogFiles(_) => {}
            Component::KinesisProducer(c) => producers::policy(b, id, &c.id),
            Component::KinesisAgent(c) => {
                producers::policy(b, id, &c.id);
                producers::agent_config(b, c);
            }
            Component::KafkaProducer(c) => producers::policy(b, id, &c.id),
            Component::KinesisStream(c) => kinesis::stream(b, id, c),
            Component::MskCluster(c) => msk::cluster(b, id, c),
            Component::Firehose(c) => firehose::delivery_stream(b, id, c),
            Component::Lambda(c) => lambda::function(b, id, c)?,
            Component::GlueStreamingJob(c) => glue::job(b, id, c)?,
            Component::FlinkApplication(c) => flink::application(b, id, c)?,
            Component::EmrSparkStreaming(c) => emr::cluster(b, id, c)?,
            Component::SagemakerEndpoint(c) => sagemaker::endpoint(b, id, c),
            Component::DynamodbTable(c) => dynamodb::table(b, id, c),
            Component::S3Bucket(c) => s3::bucket(b, id, c),
            Component::Redshift(c) => redshift::warehouse(b, id, c)?,
            Component::OpensearchDomain(c) => opensearch::domain(b, id, c),
            Component::SnsTopic(c) => sns::topic(b, id, c),
        }
    }
    opensearch::role_mappings(b);
    alarms::all(b);
    dashboard::dashboard(b);
    Ok(())
}

/// `Some(key)` when the blueprint names a KMS key, for the services that take one.
fn kms_key(encryption: &crate::blueprint::spec::common::Encryption) -> Option<&str> {
    encryption.kms_key.as_deref().filter(|_| encryption.enabled)
}
