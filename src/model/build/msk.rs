//! MSK clusters, provisioned or serverless, and the private connectivity Firehose readers need.

use serde_json::json;

use crate::blueprint::spec::msk::{InTransit, MskCluster, MskDeployment};

use super::super::cfn::ref_;
use super::super::contract::{self, Reach};
use super::super::naming::{logical, physical};
use super::super::{Builder, Resource};
use super::kms_key;

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
            let mut properties = json!({
                    "ClusterName": name,
                    "KafkaVersion": cluster.kafka_version,
                    "NumberOfBrokerNodes": cluster.brokers,
                    "BrokerNodeGroupInfo": {
                        "InstanceType": cluster.broker_type,
                        "ClientSubnets": cluster.network.subnets,
                        "SecurityGroups": cluster.network.security_groups,
                        "StorageInfo": { "EBSStorageInfo": { "VolumeSize": cluster.storage_gib } },
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
    b.add(id.clone(), Resource::new(resource_type, &cluster.id, properties).retain(cluster.retain));
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
