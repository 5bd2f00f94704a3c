//! SNS: `AWS::SNS::Topic` and `AWS::SNS::Subscription`.

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api, tolerate};
use crate::backend::sdk::provider::{
    ALL_TAGS, Clients, Desired, Live, Provider, converge, converge_tags, found, list_all, tag_list, touched,
};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

/// Topic attributes pipe sets, by template property.
const TOPIC_ATTRIBUTES: &[&str] = &["KmsMasterKeyId"];
/// Subscription attributes pipe sets, by template property.
const SUBSCRIPTION_ATTRIBUTES: &[&str] = &["FilterPolicy", "RawMessageDelivery"];

pub struct Topic;

impl Topic {
    fn arn(aws: &Clients, name: &str) -> String {
        format!("arn:{}:sns:{}:{}:{name}", aws.account.partition, aws.account.region, aws.account.id)
    }
}

#[async_trait]
impl Provider for Topic {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|token| async move {
            let page = aws.sns.list_topics().set_next_token(token).send().await.map_err(api("ListTopics"))?;
            let names = page.topics().iter().filter_map(|t| t.topic_arn()?.rsplit(':').next()).map(str::to_string);
            Ok((names.collect(), page.next_token().map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let arn = Self::arn(aws, &desired.name);
        let Some(attributes) = found(
            aws.sns
                .get_topic_attributes()
                .topic_arn(&arn)
                .send()
                .await
                .map_err(api("GetTopicAttributes"))
                .map(|out| out.attributes.unwrap_or_default()),
            |e| e.is("NotFound") || e.is("NotFoundException"),
        )?
        else {
            return Ok(None);
        };
        let tags =
            aws.sns.list_tags_for_resource().resource_arn(&arn).send().await.map_err(api("ListTagsForResource"))?;
        let mut properties = Map::new();
        properties.insert("TopicName".into(), json!(desired.name));
        for key in TOPIC_ATTRIBUTES {
            if let Some(value) = attributes.get(*key).filter(|v| !v.is_empty()) {
                properties.insert(key.to_string(), json!(value));
            }
        }
        properties
            .insert("Tags".into(), tag_list(tags.tags().iter().map(|t| (t.key().to_string(), t.value().to_string()))));
        let handle = Handle {
            physical_id: arn.clone(),
            attributes: Map::from_iter([
                ("TopicArn".to_string(), json!(arn)),
                ("TopicName".to_string(), json!(desired.name)),
            ]),
        };
        Ok(Some(Live { handle, properties }))
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        // CreateTopic is idempotent for the same name and attributes.
        let attributes: HashMap<String, String> =
            TOPIC_ATTRIBUTES.iter().filter_map(|key| Some((key.to_string(), desired.str(key)?.to_string()))).collect();
        aws.sns
            .create_topic()
            .name(&desired.name)
            .set_attributes(Some(attributes))
            .set_tags(Some(sns_tags(desired.tags())))
            .send()
            .await
            .map_err(api("CreateTopic"))?;
        let live = self.read(aws, desired).await?.unwrap_or_default();
        converge(self, aws, desired, &live).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        let arn = &live.handle.physical_id;
        for key in TOPIC_ATTRIBUTES {
            if touched(changes, key) {
                aws.sns
                    .set_topic_attributes()
                    .topic_arn(arn)
                    .attribute_name(*key)
                    .attribute_value(desired.str(key).unwrap_or_default())
                    .send()
                    .await
                    .map_err(api("SetTopicAttributes"))?;
            }
        }
        converge_tags(
            live.properties.get("Tags"),
            desired.get("Tags"),
            ALL_TAGS,
            ("UntagResource", |keys| aws.sns.untag_resource().resource_arn(arn).set_tag_keys(Some(keys)).send()),
            ("TagResource", |pairs| aws.sns.tag_resource().resource_arn(arn).set_tags(Some(sns_tags(pairs))).send()),
        )
        .await?;
        self.read(aws, desired)
            .await?
            .ok_or_else(|| ApiError::new("GetTopicAttributes", format!("topic {arn} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        // DeleteTopic succeeds for a topic that is already gone.
        aws.sns.delete_topic().topic_arn(&live.handle.physical_id).send().await.map_err(api("DeleteTopic"))?;
        Ok(())
    }
}

pub struct Subscription;

#[async_trait]
impl Provider for Subscription {
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let (Some(topic), Some(protocol), Some(endpoint)) =
            (desired.str("TopicArn"), desired.str("Protocol"), desired.str("Endpoint"))
        else {
            return Ok(None);
        };
        let mut token = None;
        loop {
            let page = aws.sns.list_subscriptions_by_topic().topic_arn(topic).set_next_token(token).send().await;
            let Some(page) = found(page.map_err(api("ListSubscriptionsByTopic")), |e| {
                e.is("NotFound") || e.is("NotFoundException")
            })?
            else {
                return Ok(None);
            };
            let found =
                page.subscriptions().iter().find(|s| s.protocol() == Some(protocol) && s.endpoint() == Some(endpoint));
            if let Some(subscription) = found {
                let arn = subscription.subscription_arn().unwrap_or_default().to_string();
                let mut properties = Map::from_iter([
                    ("TopicArn".to_string(), json!(topic)),
                    ("Protocol".to_string(), json!(protocol)),
                    ("Endpoint".to_string(), json!(endpoint)),
                ]);
                // An email subscription waits for its recipient: until then it has no ARN to ask about.
                if arn.starts_with("arn:") {
                    let got = aws
                        .sns
                        .get_subscription_attributes()
                        .subscription_arn(&arn)
                        .send()
                        .await
                        .map_err(api("GetSubscriptionAttributes"))?;
                    let attributes = got.attributes.unwrap_or_default();
                    for key in SUBSCRIPTION_ATTRIBUTES {
                        if let Some(value) = attributes.get(*key) {
                            properties.insert(key.to_string(), attribute_value(key, value));
                        }
                    }
                }
                let handle = Handle { physical_id: arn, attributes: Map::new() };
                return Ok(Some(Live { handle, properties }));
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(None);
            }
        }
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let attributes: HashMap<String, String> = SUBSCRIPTION_ATTRIBUTES
            .iter()
            .filter_map(|key| Some((key.to_string(), attribute_text(desired.get(key)?))))
            .collect();
        aws.sns
            .subscribe()
            .topic_arn(desired.str("TopicArn").unwrap_or_default())
            .protocol(desired.str("Protocol").unwrap_or_default())
            .endpoint(desired.str("Endpoint").unwrap_or_default())
            .set_attributes(Some(attributes))
            .return_subscription_arn(true)
            .send()
            .await
            .map_err(api("Subscribe"))?;
        self.read(aws, desired)
            .await?
            .ok_or_else(|| ApiError::new("ListSubscriptionsByTopic", "the new subscription is not found"))
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        for key in SUBSCRIPTION_ATTRIBUTES {
            if touched(changes, key)
                && let Some(value) = desired.get(key)
            {
                aws.sns
                    .set_subscription_attributes()
                    .subscription_arn(&live.handle.physical_id)
                    .attribute_name(*key)
                    .attribute_value(attribute_text(value))
                    .send()
                    .await
                    .map_err(api("SetSubscriptionAttributes"))?;
            }
        }
        self.read(aws, desired)
            .await?
            .ok_or_else(|| ApiError::new("ListSubscriptionsByTopic", "the subscription is not found"))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        // A pending email subscription cannot be removed; SNS drops it after three days.
        if live.handle.physical_id.starts_with("arn:") {
            tolerate(
                aws.sns
                    .unsubscribe()
                    .subscription_arn(&live.handle.physical_id)
                    .send()
                    .await
                    .map_err(api("Unsubscribe")),
                &["NotFound"],
            )?;
        }
        Ok(())
    }
}

/// SNS keeps attribute values as text; the template has JSON and booleans.
fn attribute_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn attribute_value(key: &str, text: &str) -> Value {
    match key {
        "FilterPolicy" => serde_json::from_str(text).unwrap_or(json!(text)),
        "RawMessageDelivery" => json!(text == "true"),
        _ => json!(text),
    }
}

fn sns_tags(pairs: Vec<(String, String)>) -> Vec<aws_sdk_sns::types::Tag> {
    pairs
        .into_iter()
        .map(|(k, v)| aws_sdk_sns::types::Tag::builder().key(k).value(v).build().expect("key and value set"))
        .collect()
}
