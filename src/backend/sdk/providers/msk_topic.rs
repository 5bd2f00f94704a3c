//! Kafka topics of provisioned MSK clusters (Kafka 3.6 or later): `AWS::MSK::Topic`, through the
//! kafka CreateTopic / DescribeTopic / UpdateTopic / DeleteTopic API.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_kafka::types::TopicState;
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api};
use crate::backend::sdk::provider::{Clients, Desired, Live, Provider, converge, found, touched, wait_for};
use crate::backend::sdk::resolve::Handle;
use crate::model::topic_configs;
use crate::plan::Change;

const READY: Duration = Duration::from_secs(10 * 60);

pub struct Topic;

#[async_trait]
impl Provider for Topic {
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        Ok(describe(aws, desired).await?.map(|(live, _)| live))
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let created = aws
            .kafka
            .create_topic()
            .cluster_arn(cluster(desired))
            .topic_name(&desired.name)
            .set_partition_count(desired.i32("PartitionCount"))
            .set_replication_factor(desired.i32("ReplicationFactor"))
            .set_configs(desired.str("Configs").map(str::to_string))
            .send()
            .await
            .map_err(api("CreateTopic"));
        match created {
            // A retry after a lost response: the topic is there; converge it.
            Err(e) if e.is("ConflictException") || e.is("TopicExistsException") => {
                let live = wait_active(aws, desired).await?;
                return converge(self, aws, desired, &live).await;
            }
            other => {
                other?;
            }
        }
        wait_active(aws, desired).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        let differs = |key: &str| touched(changes, key);
        if !differs("PartitionCount") && !differs("Configs") {
            return Ok(live.clone());
        }
        aws.kafka
            .update_topic()
            .cluster_arn(cluster(desired))
            .topic_name(&desired.name)
            .set_partition_count(desired.i32("PartitionCount").filter(|_| differs("PartitionCount")))
            .set_configs(desired.str("Configs").filter(|_| differs("Configs")).map(str::to_string))
            .send()
            .await
            .map_err(api("UpdateTopic"))?;
        wait_active(aws, desired).await
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let cluster = live.properties.get("ClusterArn").and_then(Value::as_str).unwrap_or_default();
        let name = live.properties.get("TopicName").and_then(Value::as_str).unwrap_or_default();
        match aws.kafka.delete_topic().cluster_arn(cluster).topic_name(name).send().await.map_err(api("DeleteTopic")) {
            Err(e) if e.is("NotFoundException") => return Ok(()),
            other => {
                other?;
            }
        }
        wait_for("DescribeTopic", READY, || async {
            match aws
                .kafka
                .describe_topic()
                .cluster_arn(cluster)
                .topic_name(name)
                .send()
                .await
                .map_err(api("DescribeTopic"))
            {
                Err(e) if e.is("NotFoundException") => Ok(Some(())),
                Err(e) => Err(e),
                Ok(_) => Ok(None),
            }
        })
        .await
    }
}

fn cluster(desired: &Desired) -> &str {
    desired.str("ClusterArn").unwrap_or_default()
}

/// The topic in the template's shape, with its state; `None` when it does not exist.
async fn describe(aws: &Clients, desired: &Desired) -> Result<Option<(Live, Option<TopicState>)>, ApiError> {
    let described = aws.kafka.describe_topic().cluster_arn(cluster(desired)).topic_name(&desired.name).send().await;
    let Some(topic) = found(described.map_err(api("DescribeTopic")), |e| e.is("NotFoundException"))? else {
        return Ok(None);
    };
    let mut properties = Map::new();
    properties.insert("ClusterArn".into(), json!(cluster(desired)));
    properties.insert("TopicName".into(), json!(desired.name));
    properties.insert("PartitionCount".into(), json!(topic.partition_count()));
    properties.insert("ReplicationFactor".into(), json!(topic.replication_factor()));
    if let Some(configs) = configs_as_desired(topic.configs(), desired.str("Configs")) {
        properties.insert("Configs".into(), json!(configs));
    }
    let arn = topic.topic_arn().unwrap_or_default().to_string();
    let handle =
        Handle { physical_id: arn.clone(), attributes: Map::from_iter([("TopicArn".to_string(), json!(arn))]) };
    Ok(Some((Live { handle, properties }, topic.status().cloned())))
}

async fn wait_active(aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
    wait_for("DescribeTopic", READY, || async {
        Ok(describe(aws, desired).await?.and_then(|(live, state)| (state == Some(TopicState::Active)).then_some(live)))
    })
    .await
}

/// The live settings as the template spells them: MSK answers with every setting of the topic,
/// the template names a few; keep those, in the template's order, and encode them the same way.
/// A setting the template names and live lacks shows as a change.
fn configs_as_desired(live: Option<&str>, desired: Option<&str>) -> Option<String> {
    let live = topic_configs::decode(live?)?;
    let wanted = topic_configs::decode(desired?)?;
    let kept = wanted.keys().filter_map(|key| Some((key.as_str(), live.get(key)?.as_str())));
    Some(topic_configs::encode(kept))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sdk::replay::Replay;

    const CLUSTER: &str = "arn:aws:kafka:eu-west-1:123456789012:cluster/pipe-dev-kafka-telemetry-telemetry/7c1d2a4e-5b3f-4c6d-9e8f-0a1b2c3d4e5f-4";

    fn desired(partitions: i64) -> Desired {
        let configs = topic_configs::encode([("retention.ms", "259200000")]);
        Desired {
            logical_id: "TelemetryTopicVehicleTelemetry".into(),
            resource_type: "AWS::MSK::Topic",
            name: "vehicle-telemetry".into(),
            properties: json!({
                "ClusterArn": CLUSTER,
                "TopicName": "vehicle-telemetry",
                "PartitionCount": partitions,
                "ReplicationFactor": 3,
                "Configs": configs,
            })
            .as_object()
            .cloned()
            .expect("an object"),
        }
    }

    #[tokio::test]
    async fn a_topic_is_created_and_awaited_until_active() {
        let replay = Replay::start(include_str!("../../../../tests/recorded/msk-create-topic.json")).await;
        let created = Topic.create(&replay.clients, &desired(12)).await;
        replay.finish();
        let created = created.expect("created");
        assert_eq!(created.properties, desired(12).properties, "live reads back as the template wrote it");
        assert!(created.handle.physical_id.ends_with(
            ":topic/pipe-dev-kafka-telemetry-telemetry/7c1d2a4e-5b3f-4c6d-9e8f-0a1b2c3d4e5f-4/vehicle-telemetry"
        ));
    }

    #[tokio::test]
    async fn an_update_sends_only_what_changed() {
        let replay = Replay::start(include_str!("../../../../tests/recorded/msk-update-topic-partitions.json")).await;
        let live = Live { handle: Handle::default(), properties: desired(12).properties };
        let updated = converge(&Topic, &replay.clients, &desired(24), &live).await;
        replay.finish();
        assert_eq!(updated.expect("updated").properties["PartitionCount"], json!(24));
    }

    #[test]
    fn live_configs_compare_on_the_settings_the_template_names() {
        let desired = topic_configs::encode([("retention.ms", "259200000")]);
        let live = topic_configs::encode([("cleanup.policy", "delete"), ("retention.ms", "259200000")]);
        assert_eq!(configs_as_desired(Some(&live), Some(&desired)), Some(desired.clone()));
        let changed = topic_configs::encode([("retention.ms", "1")]);
        assert_ne!(configs_as_desired(Some(&changed), Some(&desired)), Some(desired));
    }
}
