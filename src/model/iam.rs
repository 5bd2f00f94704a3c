//! IAM derived from the graph: each edge grants its principal exactly the actions that edge needs,
//! on exactly the resources at its other end. No `*` actions; `*` resources only where AWS offers
//! nothing narrower (ENI management for VPC functions), each named below.

use serde_json::{Value, json};

use crate::blueprint::contract::Access;
use crate::blueprint::spec::Component;
use crate::blueprint::spec::msk::MskCluster;

use super::cfn::{arn, get_att, sub};
use super::naming::physical;
use super::needs;
use super::refs::{admin_secret, arn_of, logical_id};

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub actions: Vec<&'static str>,
    pub resources: Vec<Value>,
    /// An IAM `Condition` block, where the resource alone cannot say what is allowed.
    pub condition: Option<Value>,
}

impl Statement {
    pub fn new(actions: &[&'static str], resources: Vec<Value>) -> Self {
        Statement { actions: actions.to_vec(), resources, condition: None }
    }
}

/// The statements `access` to `target` needs. `topic` names the Kafka topic for MSK; `made_key`
/// is the ARN of the customer managed key pipe makes for `target`, when it makes one.
pub fn grants(
    access: Access,
    target: &Component,
    pipeline: &str,
    topic: Option<&str>,
    made_key: Option<Value>,
) -> Vec<Statement> {
    let mut statements = data_grants(access, target, pipeline, topic);
    statements.extend(customer_key(access, target, made_key));
    statements
}

/// The data-plane statements of [`grants`].
fn data_grants(access: Access, target: &Component, pipeline: &str, topic: Option<&str>) -> Vec<Statement> {
    let arn = arn_of(target, pipeline);
    match (access, target) {
        (Access::Read { enhanced_fan_out }, Component::KinesisStream(_)) => {
            let stream_actions = [
                "kinesis:DescribeStream",
                "kinesis:DescribeStreamSummary",
                "kinesis:GetRecords",
                "kinesis:GetShardIterator",
                "kinesis:ListShards",
            ];
            let mut statements = vec![Statement::new(&stream_actions, vec![arn])];
            if enhanced_fan_out {
                statements.push(Statement::new(
                    &["kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"],
                    vec![sub(format!("${{{}.Arn}}/consumer/*", logical_id(target)))],
                ));
            }
            statements
        }
        (Access::Read { .. }, Component::DynamodbTable(_)) => vec![Statement::new(
            &["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
            vec![get_att(&logical_id(target), "StreamArn")],
        )],
        (Access::Read { .. }, Component::MskCluster(cluster)) => kafka(cluster, pipeline, arn, topic, false),
        (Access::Write, Component::MskCluster(cluster)) => kafka(cluster, pipeline, arn, topic, true),
        (Access::Write, Component::KinesisStream(_)) => vec![Statement::new(
            &["kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords"],
            vec![arn],
        )],
        (Access::Write, Component::Firehose(_)) => {
            vec![Statement::new(&["firehose:PutRecord", "firehose:PutRecordBatch"], vec![arn])]
        }
        (Access::Write, Component::DynamodbTable(_)) => vec![Statement::new(
            &[
                "dynamodb:BatchWriteItem",
                "dynamodb:DescribeTable",
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
            ],
            vec![arn],
        )],
        (Access::Lookup, Component::DynamodbTable(_)) => vec![Statement::new(
            &["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"],
            vec![arn],
        )],
        (Access::Write, Component::S3Bucket(_)) => {
            let objects = everything_in(target);
            vec![
                Statement::new(&["s3:GetBucketLocation", "s3:ListBucket"], vec![arn]),
                Statement::new(&["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"], vec![objects]),
            ]
        }
        // Firehose loads Redshift with COPY, signed in with the warehouse's admin secret.
        (Access::Write, Component::Redshift(warehouse)) => {
            vec![Statement::new(&["secretsmanager:GetSecretValue"], vec![admin_secret(warehouse)])]
        }
        (Access::Write, Component::SnsTopic(_)) => vec![Statement::new(&["sns:Publish"], vec![arn])],
        (Access::Write, Component::SagemakerEndpoint(_)) => {
            vec![Statement::new(&["sagemaker:InvokeEndpoint"], vec![arn])]
        }
        (Access::Write, Component::OpensearchDomain(_)) => vec![
            Statement::new(&["es:DescribeDomain", "es:DescribeDomainConfig"], vec![arn]),
            Statement::new(
                &["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"],
                vec![everything_in(target)],
            ),
        ],
        _ => Vec::new(),
    }
}

/// The key calls `access` to `target` makes when its data is encrypted with a customer managed
/// key (`encryption.kms_key`): AWS checks the caller's own permission on that key. Kinesis
/// producers generate data keys and consumers decrypt (streams/latest/dev/permissions-user-key-KMS.html);
/// S3 writers do both, a multipart upload reading its parts back (AmazonS3/latest/userguide/UsingKMSEncryption.html);
/// SNS publishers do both (sns/latest/dg/sns-key-management.html). DynamoDB and MSK use the key
/// themselves, through grants made when the table or cluster is created, and ask nothing of callers.
pub fn customer_key(access: Access, target: &Component, made_key: Option<Value>) -> Option<Statement> {
    let (encryption, actions): (_, &[&'static str]) = match (access, target) {
        (Access::Read { .. }, Component::KinesisStream(c)) => (&c.encryption, &["kms:Decrypt"]),
        (Access::Write, Component::KinesisStream(c)) => (&c.encryption, &["kms:GenerateDataKey"]),
        (Access::Write, Component::S3Bucket(c)) => (&c.encryption, &["kms:Decrypt", "kms:GenerateDataKey"]),
        (Access::Write, Component::SnsTopic(c)) => (&c.encryption, &["kms:Decrypt", "kms:GenerateDataKey"]),
        _ => return None,
    };
    if let Some(made_key) = made_key {
        return Some(Statement::new(actions, vec![made_key]));
    }
    let key = encryption.kms_key.as_deref().filter(|_| encryption.enabled)?;
    let alias = key.find("alias/").map(|at| &key[at..]);
    Some(match alias {
        // IAM authorises keys, not aliases: any key of the account, as long as it has the alias.
        Some(alias) => Statement {
            condition: Some(json!({ "ForAnyValue:StringEquals": { "kms:ResourceAliases": alias } })),
            ..Statement::new(actions, vec![arn("kms", "key/*")])
        },
        None if key.starts_with("arn:") => Statement::new(actions, vec![json!(key)]),
        None => Statement::new(actions, vec![arn("kms", &format!("key/{key}"))]),
    })
}

/// Everything inside `target`: a bucket's objects, a domain's indices and paths (`${Bucket.Arn}/*`).
pub fn everything_in(target: &Component) -> Value {
    sub(format!("${{{}.Arn}}/*", logical_id(target)))
}

/// Kafka data-plane permissions on one cluster, its topic, and the consumer groups of its topics.
fn kafka(cluster: &MskCluster, pipeline: &str, cluster_arn: Value, topic: Option<&str>, write: bool) -> Vec<Statement> {
    let [cluster_arn, topic_arn, groups] = kafka_resources(cluster, pipeline, cluster_arn, topic);
    let mut statements = vec![
        Statement::new(&["kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers"], vec![cluster_arn.clone()]),
        Statement::new(&["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"], vec![cluster_arn]),
    ];
    if write {
        statements.push(Statement::new(&["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"], vec![topic_arn]));
    } else {
        statements.push(Statement::new(&["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"], vec![topic_arn]));
        statements.push(Statement::new(&["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"], vec![groups]));
    }
    statements
}

/// The ARNs IAM authorises Kafka calls on: the cluster, `topic` (every topic when `None`), and
/// the consumer groups.
pub fn kafka_resources(cluster: &MskCluster, pipeline: &str, cluster_arn: Value, topic: Option<&str>) -> [Value; 3] {
    let name = physical(pipeline, &cluster.id);
    let scoped = |kind: &str, rest: &str| {
        sub(format!("arn:${{AWS::Partition}}:kafka:${{AWS::Region}}:${{AWS::AccountId}}:{kind}/{name}/*/{rest}"))
    };
    [cluster_arn, scoped("topic", topic.unwrap_or("*")), scoped("group", "*")]
}

/// Reading one Data Catalog table: Glue authorises the catalog, the database and the table.
pub fn glue_table(actions: &[&'static str], database: &str, table: &str) -> Statement {
    Statement::new(
        actions,
        vec![
            arn("glue", "catalog"),
            arn("glue", &format!("database/{database}")),
            arn("glue", &format!("table/{database}/{table}")),
        ],
    )
}

/// An object in the artifacts bucket.
pub fn artifact_arn(key: &str) -> Value {
    sub(format!("arn:${{AWS::Partition}}:s3:::${{ArtifactsBucket}}/{key}"))
}

/// A streaming job's checkpoints under `prefix` of the artifacts bucket: `feature`'s listing on the
/// bucket, its object actions under `<prefix>/checkpoints/`.
pub fn checkpoints(feature: needs::Feature, prefix: &str) -> Vec<Statement> {
    let (list, objects): (Vec<&'static str>, Vec<&'static str>) =
        needs::of(feature).actions.iter().partition(|action| **action == "s3:ListBucket");
    vec![
        Statement::new(&objects, vec![artifact_arn(&format!("{prefix}/checkpoints/*"))]),
        Statement::new(&list, vec![sub("arn:${AWS::Partition}:s3:::${ArtifactsBucket}")]),
    ]
}

pub fn document(statements: &[Statement]) -> Value {
    let statements: Vec<Value> = statements
        .iter()
        .map(|s| {
            let mut statement = json!({ "Effect": "Allow", "Action": s.actions, "Resource": s.resources });
            if let Some(condition) = &s.condition {
                statement["Condition"] = condition.clone();
            }
            statement
        })
        .collect();
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// The trust policy that lets `service` assume a role.
pub fn trust(service: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{ "Effect": "Allow", "Principal": { "Service": service }, "Action": "sts:AssumeRole" }]
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn from<T: serde::de::DeserializeOwned>(yaml: &str) -> T {
        serde_saphyr::from_str(yaml).expect("a component")
    }

    fn key_statement(access: Access, target: &Component) -> Value {
        let statements = grants(access, target, "p", None, None);
        let document = document(&statements);
        let found = document["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Action"][0].as_str().unwrap().starts_with("kms:"));
        found.cloned().unwrap_or(Value::Null)
    }

    #[test]
    fn customer_keys_are_granted_to_whoever_reads_or_writes_the_data() {
        let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let stream = Component::KinesisStream(from(&format!("{{ id: events, encryption: {{ kms_key: \"{key}\" }} }}")));
        let read = key_statement(Access::Read { enhanced_fan_out: false }, &stream);
        assert_eq!(read, json!({ "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [key] }));
        let write = key_statement(Access::Write, &stream);
        assert_eq!(write["Action"], json!(["kms:GenerateDataKey"]));

        let bucket = Component::S3Bucket(from("{ id: lake, encryption: { kms_key: alias/lake } }"));
        let write = key_statement(Access::Write, &bucket);
        assert_eq!(write["Action"], json!(["kms:Decrypt", "kms:GenerateDataKey"]));
        assert_eq!(write["Condition"], json!({ "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/lake" } }));

        let aws_managed = Component::KinesisStream(from("{ id: events }"));
        assert_eq!(key_statement(Access::Write, &aws_managed), Value::Null, "AWS managed keys ask nothing of callers");
        let table = Component::DynamodbTable(from(&format!(
            "{{ id: t, partition_key: {{ name: k, type: S }}, encryption: {{ kms_key: \"{key}\" }} }}"
        )));
        assert_eq!(key_statement(Access::Write, &table), Value::Null, "DynamoDB uses its own grants");
    }
}
