//! MSK clusters, provisioned or serverless, and the private connectivity Firehose readers need.

use serde_json::json;

use crate::blueprint::spec::common::Size;
use crate::blueprint::spec::msk::{InTransit, MskCluster, MskDeployment};

use super::super::cfn::ref_;
use super::super::naming::{logical, physical};
use super::super::topic_configs;
use super::super::{Builder, Resource};
use super::kms_key;
use crate::blueprint::contract::{self, Reach};

/// Where a provisioned cluster's storage per broker sits in its properties.
pub const BROKER_STORAGE: &str = "/BrokerNodeGroupInfo/StorageInfo/EBSStorageInfo/VolumeSize";

pub fn cluster(b: &mut Builder, id: String, cluster: &MskCluster) {
    let name = physical(b.name, &cluster.id);
    let private_link =
        contract::acting_on(&b.graph, &cluster.id).iter().any(|a| a.contract.reach == Reach::PrivateLink);
    let auth = &cluster.auth;
    let (resource_type, properties) = match cluster.deployment {
        MskDeployment::Serverless => (
            "AWS::MSK::ServerlessCluster",
            json!({
                "ClusterName": name,
                "ClientAuthentication": { "Sasl": { "Iam": { "Enabled": true } } },
                "VpcConfigs": [{ "SubnetIds": cluster.network.subnets, "SecurityGroups": cluster.network.security_groups }],
                "Tags": b.tag_map(&cluster.id),
            }),
        ),
        MskDeployment::Provisioned => {
            let log_group = b.log_group(&cluster.id, json!(format!("/aws/msk/{name}")));
            let mut sasl = serde_json::Map::new();
            if auth.iam {
                sasl.insert("Iam".into(), json!({ "Enabled": true }));
            }
            if auth.scram {
                sasl.insert("Scram".into(), json!({ "Enabled": true }));
            }
            let mut client_auth = json!({ "Sasl": sasl, "Unauthenticated": { "Enabled": auth.unauthenticated } });
            if auth.tls {
                client_auth["Tls"] = json!({ "Enabled": true });
            }
            let client_broker = match cluster.in_transit {
                InTransit::Tls => "TLS",
                InTransit::TlsPlaintext => "TLS_PLAINTEXT",
                InTransit::Plaintext => "PLAINTEXT",
            };
            let mut encryption = json!({ "EncryptionInTransit": { "ClientBroker": client_broker, "InCluster": true } });
            if let Some(key) = kms_key(&cluster.encryption) {
                encryption["EncryptionAtRest"] = json!({ "DataVolumeKMSKeyId": key });
            }
            let brokers = crate::capacity::msk::brokers(&b.graph, cluster).map(|f| f.value());
            let storage = brokers.and_then(|n| crate::capacity::msk::storage(&b.graph, cluster, n)).map(|f| f.value());
            let mut properties = json!({
                    "ClusterName": name,
                    "KafkaVersion": cluster.kafka_version,
                    "NumberOfBrokerNodes": brokers,
                    "BrokerNodeGroupInfo": {
                        "InstanceType": cluster.broker_type,
                        "ClientSubnets": cluster.network.subnets,
                        "SecurityGroups": cluster.network.security_groups,
                        "StorageInfo": { "EBSStorageInfo": { "VolumeSize": storage } },
                    },
                    "ClientAuthentication": client_auth,
                    "EncryptionInfo": encryption,
                    "EnhancedMonitoring": "PER_BROKER",
                    "LoggingInfo": { "BrokerLogs": { "CloudWatchLogs": { "Enabled": true, "LogGroup": ref_(&log_group) } } },
                    "Tags": b.tag_map(&cluster.id),
            });
            if private_link {
                properties["BrokerNodeGroupInfo"]["ConnectivityInfo"] = json!({ "VpcConnectivity": { "ClientAuthentication": { "Sasl": { "Iam": { "Enabled": true } } } } });
            }
            ("AWS::MSK::Cluster", properties)
        }
    };
    let mut resource = Resource::new(resource_type, &cluster.id, properties).retain(cluster.retain);
    if cluster.storage_gib == Some(Size::Auto) {
        resource.sized.push(BROKER_STORAGE);
    }
    b.add(id.clone(), resource);
    topics(b, &id, cluster);
    if private_link {
        // Firehose reaches the brokers through a managed VPC connection it creates itself.
        let policy = json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": { "Service": "firehose.amazonaws.com" },
                "Action": ["kafka:CreateVpcConnection", "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers"],
                "Resource": ref_(&id),
            }],
        });
        b.add(
            logical(&cluster.id, "ClusterPolicy"),
            Resource::new("AWS::MSK::ClusterPolicy", &cluster.id, json!({ "ClusterArn": ref_(&id), "Policy": policy })),
        );
    }
    b.output(
        format!("{id}Arn"),
        format!(
            "ARN of the `{}` cluster; `aws kafka get-bootstrap-brokers --cluster-arn` gives its brokers",
            cluster.id
        ),
        ref_(&id),
    );
}

/// Provisioned MSK on Kafka 3.6 or later has a topic API, so its topics are resources
/// (`AWS::MSK::Topic`); elsewhere creating a topic takes a Kafka client, and the plan says so.
fn topics(b: &mut Builder, cluster_id: &str, cluster: &MskCluster) {
    let topic_api = cluster.deployment == MskDeployment::Provisioned
        && cluster.kafka_version.as_deref().and_then(major_minor).is_some_and(|version| version >= (3, 6));
    for topic in &cluster.topics {
        if !topic_api {
            let why = match cluster.deployment {
                MskDeployment::Serverless => "MSK Serverless has no topic API".to_string(),
                MskDeployment::Provisioned => {
                    format!(
                        "MSK has a topic API only from Kafka 3.6 (this cluster runs {})",
                        cluster.kafka_version.as_deref().unwrap_or("?")
                    )
                }
            };
            b.manual_step(
                &cluster.id,
                format!(
                    "{why}: create topic `{}` ({} partitions, replication factor {}) with a Kafka client, e.g. `kafka-topics.sh --create --topic {} --partitions {} --replication-factor {}` with IAM authentication",
                    topic.name, topic.partitions, topic.replication_factor, topic.name, topic.partitions, topic.replication_factor
                ),
            );
            continue;
        }
        let mut properties = json!({
            "ClusterArn": ref_(cluster_id),
            "TopicName": topic.name,
            "PartitionCount": topic.partitions,
            "ReplicationFactor": topic.replication_factor,
        });
        if let Some(hours) = topic.retention_hours {
            let retention_ms = (u64::from(hours) * 3_600_000).to_string();
            properties["Configs"] = json!(topic_configs::encode([("retention.ms", retention_ms.as_str())]));
        }
        let logical_id = b.unique_id(&logical(&format!("{}-{}", cluster.id, alphanumeric(&topic.name)), "Topic"));
        b.add(logical_id, Resource::new("AWS::MSK::Topic", &cluster.id, properties).retain(cluster.retain));
    }
}

/// `3.8.x` → (3, 8).
fn major_minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Kafka topic names may hold `.` and `_`; logical ids may not.
fn alphanumeric(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
}
