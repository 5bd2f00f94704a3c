//! How one resource refers to another: logical ids and ARNs of the resource that stands for each
//! component.

use serde_json::Value;

use crate::blueprint::contract::{self, Known};
use crate::blueprint::graph::Graph;
use crate::blueprint::spec::Component;
use crate::blueprint::spec::redshift::{Redshift, RedshiftDeployment};

use super::cfn::{arn, get_att, ref_};
use super::naming::{logical, physical};

/// The suffix of the logical id of a component's main resource.
pub fn suffix(kind: &str) -> &'static str {
    match kind {
        "kinesis-stream" => "Stream",
        "firehose" => "DeliveryStream",
        "lambda" => "Function",
        "dynamodb-table" => "Table",
        "s3-bucket" => "Bucket",
        "sns-topic" => "Topic",
        "sagemaker-endpoint" => "Endpoint",
        "msk-cluster" => "Cluster",
        "opensearch-domain" => "Domain",
        "glue-streaming-job" => "Job",
        "flink-application" => "Application",
        "emr-spark-streaming" => "Cluster",

        "kinesis-producer" | "kinesis-agent" | "kafka-producer" => "Policy",
        _ => "",
    }
}

pub fn logical_id(component: &Component) -> String {
    match component {
        Component::Redshift(warehouse) => redshift_id(warehouse),
        _ => logical(component.id(), suffix(component.kind())),
    }
}

/// A warehouse's main resource: its serverless workgroup, or its cluster.
pub fn redshift_id(warehouse: &Redshift) -> String {
    match warehouse.deployment {
        RedshiftDeployment::Serverless => logical(&warehouse.id, "Workgroup"),
        RedshiftDeployment::Cluster => logical(&warehouse.id, "Cluster"),
    }
}

/// The ARN of the component's main resource, as a template value.
pub fn arn_of(component: &Component, pipeline: &str) -> Value {
    let id = logical_id(component);
    match component {
        Component::SnsTopic(_) | Component::SagemakerEndpoint(_) | Component::MskCluster(_) => ref_(&id),
        Component::GlueStreamingJob(c) => arn("glue", &format!("job/{}", physical(pipeline, &c.id))),
        Component::FlinkApplication(c) => {
            arn("kinesisanalytics", &format!("application/{}", physical(pipeline, &c.id)))
        }
        Component::EmrSparkStreaming(_) => get_att(&id, "Id"),
        _ => get_att(&id, "Arn"),
    }
}

/// The Secrets Manager secret holding a warehouse's admin credentials: the one Redshift manages
/// for a cluster, or the one pipe generates for a serverless namespace.
pub fn admin_secret(warehouse: &Redshift) -> Value {
    match warehouse.deployment {
        RedshiftDeployment::Serverless => ref_(&secret_id(warehouse)),
        RedshiftDeployment::Cluster => get_att(&redshift_id(warehouse), "MasterPasswordSecretArn"),
    }
}

/// The logical id of the secret pipe generates for a serverless namespace.
pub fn secret_id(warehouse: &Redshift) -> String {
    logical(&warehouse.id, "AdminSecret")
}

/// The configuration entries an actor gets by convention (`contract::configuration`), with
/// each value as the template refers to it.
pub fn configuration(graph: &Graph, actor: &Component) -> Vec<(String, Value)> {
    let entries = contract::configuration(graph, actor);
    entries
        .into_iter()
        .map(|entry| {
            let id = logical_id(entry.of);
            let value = match entry.value {
                Known::Ref => ref_(&id),
                Known::Attribute(attribute) => get_att(&id, attribute),
                Known::Text(text) => Value::String(text),
            };
            (entry.key, value)
        })
        .collect()
}
