//! What makes a change risky, for both targets: data a replacement or deletion loses, and
//! changes that widen access or weaken protection.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Change, DataLoss};

/// What replacing or deleting a resource of this type loses, and the safer path; `None` for
/// types that hold no data.
pub fn data_loss(resource_type: &str) -> Option<DataLoss> {
    let (lost, safer) = match resource_type {
        "AWS::Kinesis::Stream" => (
            "the stream's unread records (up to its retention period) and every consumer's checkpoints",
            "add a stream under a new id beside it, move producers and consumers over, then remove the old one",
        ),
        "AWS::DynamoDB::Table" => (
            "every item in the table and its stream",
            "export the table (point-in-time recovery is on) and import it into the new one, or keep the old name",
        ),
        "AWS::S3::Bucket" => {
            ("every object in the bucket", "copy the objects to a new bucket first, or keep the old name")
        }
        "AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster" => (
            "every topic's records and the consumer groups' offsets",
            "create a new cluster beside it and mirror the topics (MirrorMaker 2) before moving clients",
        ),
        "AWS::MSK::Topic" => (
            "the topic's records and its consumer groups' offsets",
            "create a topic under a new name and move clients over",
        ),
        "AWS::OpenSearchService::Domain" => {
            ("every index in the domain", "take a manual snapshot and restore it into the new domain")
        }
        "AWS::Redshift::Cluster" | "AWS::RedshiftServerless::Namespace" | "AWS::RedshiftServerless::Workgroup" => {
            ("every table in the warehouse", "take a snapshot and restore it into the new warehouse")
        }
        "AWS::SecretsManager::Secret" => ("the stored credentials", "keep the secret's name"),
        _ => return None,
    };
    Some(DataLoss { lost: lost.into(), safer_path: safer.into() })
}

/// Plain-language lines for the changes that grant more access or remove protection.
pub fn security(changes: &[Change]) -> Vec<String> {
    let mut lines = Vec::new();
    for change in changes {
        let last = change.path.rsplit('.').next().unwrap_or(&change.path);
        if matches!(last, "Policies" | "PolicyDocument" | "AssumeRolePolicyDocument") {
            let before = grants(change.before.as_ref());
            for (effect_target, action) in grants(change.after.as_ref()).difference(&before) {
                let verb = if last == "AssumeRolePolicyDocument" { "lets" } else { "grants" };
                lines.push(format!("{verb} `{action}` on `{effect_target}` ({})", change.path));
            }
        } else if is_encryption(&change.path) && is_off(change.after.as_ref()) {
            lines.push(format!("removes encryption: {} is unset", change.path));
        } else if last == "PubliclyAccessible" && change.after == Some(Value::Bool(true)) {
            lines.push(format!("makes the resource publicly accessible ({})", change.path));
        }
    }
    lines
}

/// (resource or principal, action) pairs allowed by a policy, a list of inline policies, or a
/// trust policy.
fn grants(value: Option<&Value>) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    collect(value, &mut out);
    out
}

fn collect(value: Option<&Value>, out: &mut BTreeSet<(String, String)>) {
    match value {
        Some(Value::Array(items)) => items.iter().for_each(|v| collect(Some(v), out)),
        Some(Value::Object(map)) if map.get("Effect").and_then(Value::as_str) == Some("Allow") => {
            let targets = match (map.get("Resource"), map.get("Principal")) {
                (Some(resource), _) => strings(resource),
                (None, Some(principal)) => strings(principal),
                (None, None) => vec!["*".to_string()],
            };
            for action in map.get("Action").map(strings).unwrap_or_default() {
                for target in &targets {
                    out.insert((target.clone(), action.clone()));
                }
            }
        }
        Some(Value::Object(map)) => map.values().for_each(|v| collect(Some(v), out)),
        _ => {}
    }
}

/// Every string inside a value: `"a"`, `["a", "b"]`, `{"Service": "x"}`.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(text) => vec![text.clone()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::Object(map) => map.values().flat_map(strings).collect(),
        other => vec![other.to_string()],
    }
}

fn is_encryption(path: &str) -> bool {
    ["Encryption", "KmsKeyId", "KmsMasterKeyId", "SSESpecification", "KMSKey"].iter().any(|word| path.contains(word))
}

fn is_off(value: Option<&Value>) -> bool {
    matches!(value, None | Some(Value::Null) | Some(Value::Bool(false)))
        || value.and_then(Value::as_str).is_some_and(|text| text.eq_ignore_ascii_case("NONE") || text.is_empty())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn broadened_policies_and_removed_encryption_are_named() {
        let statement = |actions: Value| {
            json!([{ "PolicyName": "pipe", "PolicyDocument": { "Statement": [
            { "Effect": "Allow", "Action": actions, "Resource": "arn:s" } ] } }])
        };
        let changes = [
            Change {
                path: "Policies".into(),
                before: Some(statement(json!(["kinesis:GetRecords"]))),
                after: Some(statement(json!(["kinesis:GetRecords", "kinesis:PutRecord"]))),
                forces_replacement: false,
            },
            Change { path: "StreamEncryption".into(), before: Some(json!({})), after: None, forces_replacement: false },
            Change {
                path: "Policies".into(),
                before: Some(statement(json!("a:B"))),
                after: None,
                forces_replacement: false,
            },
        ];
        assert_eq!(
            security(&changes),
            ["grants `kinesis:PutRecord` on `arn:s` (Policies)", "removes encryption: StreamEncryption is unset"]
        );
    }
}
