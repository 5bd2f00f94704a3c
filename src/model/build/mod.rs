//! One builder per service: each turns a component into its resources.

mod dynamodb;
mod emr;
mod firehose;
mod flink;
mod glue;
mod kinesis;
mod lambda;
mod msk;
mod opensearch;
mod producers;
mod redshift;
mod s3;
mod sagemaker;
mod sns;

use crate::blueprint::spec::Component;

use super::{Builder, Suppression};

/// Log groups use the CloudWatch Logs service key, not a customer managed key.
pub const LOGS_SERVICE_KEY: Suppression = Suppression {
    check: "CKV_AWS_158",
    reason: "CloudWatch Logs encrypts log data at rest with its service key; operational logs hold no record payloads",
};

pub fn all(b: &mut Builder) -> std::io::Result<()> {
    let blueprint = b.blueprint();
    for placed in blueprint.components() {
        match placed.component {
            // Sources run outside AWS: their throughput shapes the design, they own no resource.
            Component::Application(_) | Component::Devices(_) | Component::LogFiles(_) => {}
            Component::KinesisProducer(c) => producers::kinesis(b, &c.id),
            Component::KinesisAgent(c) => {
                producers::kinesis(b, &c.id);
                producers::agent_config(b, c);
            }
            Component::KafkaProducer(c) => producers::kafka(b, c),
            Component::KinesisStream(c) => kinesis::stream(b, c),
            Component::MskCluster(c) => msk::cluster(b, c),
            Component::Firehose(c) => firehose::delivery_stream(b, c),
            Component::Lambda(c) => lambda::function(b, c)?,
            Component::GlueStreamingJob(c) => glue::job(b, c)?,
            Component::FlinkApplication(c) => flink::application(b, c)?,
            Component::EmrSparkStreaming(c) => emr::cluster(b, c)?,
            Component::SagemakerEndpoint(c) => sagemaker::endpoint(b, c),
            Component::DynamodbTable(c) => dynamodb::table(b, c),
            Component::S3Bucket(c) => s3::bucket(b, c),
            Component::Redshift(c) => redshift::warehouse(b, c),
            Component::OpensearchDomain(c) => opensearch::domain(b, c),
            Component::SnsTopic(c) => sns::topic(b, c),
        }
    }
    Ok(())
}

/// `Some(key)` when the blueprint names a KMS key, for the services that take one.
fn kms_key(encryption: &crate::blueprint::spec::common::Encryption) -> Option<&str> {
    encryption.kms_key.as_deref().filter(|_| encryption.enabled)
}
