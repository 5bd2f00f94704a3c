//! SNS topics and their subscriptions.

use serde_json::{Value, json};

use crate::blueprint::spec::sns::{Protocol, SnsTopic};

use super::super::cfn::ref_;
use super::super::naming::{logical, physical};
use super::super::{Builder, Resource};

pub fn topic(b: &mut Builder, id: String, topic: &SnsTopic) {
    let mut properties = json!({ "TopicName": physical(b.name, &topic.id), "Tags": b.tags(&topic.id) });
    if topic.encryption.enabled {
        properties["KmsMasterKeyId"] = json!(topic.encryption.kms_key.as_deref().unwrap_or("alias/aws/sns"));
    }
    b.add(id.clone(), Resource::new("AWS::SNS::Topic", &topic.id, properties));
    for (n, subscription) in topic.subscriptions.iter().enumerate() {
        let protocol = match subscription.protocol {
            Protocol::Email => "email",
            Protocol::Sms => "sms",
            Protocol::Https => "https",
        };
        let mut properties = json!({ "TopicArn": ref_(&id), "Protocol": protocol, "Endpoint": subscription.endpoint });
        if !subscription.filter.is_empty() {
            let filter: serde_json::Map<String, Value> =
                subscription.filter.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            properties["FilterPolicy"] = Value::Object(filter);
        }
        b.add(
            logical(&topic.id, &format!("Subscription{}", n + 1)),
            Resource::new("AWS::SNS::Subscription", &topic.id, properties),
        );
    }
    b.output(format!("{id}Arn"), format!("ARN of the `{}` topic", topic.id), ref_(&id));
}
