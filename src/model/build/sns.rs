//! SNS topics, their subscriptions, and the key of a topic CloudWatch alarms notify.

use serde_json::{Value, json};

use crate::blueprint::spec::Blueprint;
use crate::blueprint::spec::monitoring::AlarmSet;
use crate::blueprint::spec::sns::{Protocol, SnsTopic};

use super::super::cfn::{get_att, ref_, sub};
use super::super::naming::{logical, physical};
use super::super::{Builder, Resource};

/// The logical id of the customer managed key pipe makes for `topic`, when it makes one.
///
/// CloudWatch cannot publish to a topic encrypted with the AWS managed key `alias/aws/sns`: that
/// key's policy cannot be changed to let the service use it, so alarm notifications would be
/// dropped (sns/latest/dg/sns-key-management.html, "Compatibility with AWS services"). A topic the
/// alarms notify, encrypted and with no key of the blueprint's, gets a key of its own instead.
pub fn alarm_key(blueprint: &Blueprint, topic: &SnsTopic) -> Option<String> {
    let notified = blueprint.monitoring.alarms != AlarmSet::None
        && blueprint.monitoring.notify.as_deref() == Some(topic.id.as_str());
    (notified && topic.encryption.enabled && topic.encryption.kms_key.is_none()).then(|| logical(&topic.id, "Key"))
}

pub fn topic(b: &mut Builder, id: String, topic: &SnsTopic) {
    let mut properties = json!({ "TopicName": physical(b.name, &topic.id), "Tags": b.tags(&topic.id) });
    if let Some(key) = alarm_key(b.blueprint(), topic) {
        alarm_key_resource(b, &key, topic);
        properties["KmsMasterKeyId"] = get_att(&key, "Arn");
    } else if topic.encryption.enabled {
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

/// The key [`alarm_key`] names: the account administers it, as with any key AWS makes, and
/// CloudWatch may make and read the data keys SNS encrypts each notification with. Deleted a
/// week after the topic, the shortest wait KMS allows: it guards notifications, not stored data.
fn alarm_key_resource(b: &mut Builder, key: &str, topic: &SnsTopic) {
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": { "AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root") },
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": { "Service": "cloudwatch.amazonaws.com" },
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
            },
        ],
    });
    let properties = json!({
        "Description": format!("Encrypts the `{}` topic of pipeline {}; lets CloudWatch alarms publish to it", topic.id, b.name),
        "EnableKeyRotation": true,
        "PendingWindowInDays": 7,
        "KeyPolicy": policy,
        "Tags": b.tags(&topic.id),
    });
    b.add(key.to_string(), Resource::new("AWS::KMS::Key", &topic.id, properties));
}
