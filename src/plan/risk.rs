//! What makes a change risky, for both targets: data a replacement or deletion loses, and
//! changes that widen access or weaken protection.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

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

/// Properties that hold IAM-style policies: what they allow is compared as a whole.
const POLICY_PROPERTIES: &[&str] = &["Policies", "PolicyDocument", "AssumeRolePolicyDocument", "AccessPolicies"];

/// Whether a property path lies inside an IAM-style policy.
pub fn is_policy(path: &str) -> bool {
    POLICY_PROPERTIES
        .iter()
        .any(|key| path == *key || path.starts_with(&format!("{key}.")) || path.starts_with(&format!("{key}[")))
}

/// Plain-language lines for the changes that grant more access or remove protection, given the
/// resource's live (`before`) and desired (`after`) properties.
pub fn security(changes: &[Change], before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<String> {
    let mut lines = Vec::new();
    for key in POLICY_PROPERTIES {
        let touched = changes.iter().any(|c| {
            c.path == *key || c.path.starts_with(&format!("{key}.")) || c.path.starts_with(&format!("{key}["))
        });
        if !touched {
            continue;
        }
        let verb = if *key == "AssumeRolePolicyDocument" { "lets" } else { "grants" };
        for (target, action) in grants(after.get(*key)).difference(&grants(before.get(*key))) {
            lines.push(format!("{verb} `{action}` on `{target}` ({key})"));
        }
    }
    for change in changes {
        let last = change.path.rsplit('.').next().unwrap_or(&change.path);
        if is_encryption(&change.path) && is_off(change.after.as_ref()) {
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
        let change = |path: &str| Change {
            path: path.into(),
            before: None,
            after: None,
            forces_replacement: false,
            field: None,
        };
        let before = json!({ "Policies": statement(json!(["kinesis:GetRecords"])), "StreamEncryption": {} });
        let after = json!({ "Policies": statement(json!(["kinesis:GetRecords", "kinesis:PutRecord"])) });
        let changes = [change("Policies[0].PolicyDocument.Statement[0].Action[1]"), change("StreamEncryption")];
        let (before, after) = (before.as_object().unwrap(), after.as_object().unwrap());
        assert_eq!(
            security(&changes, before, after),
            ["grants `kinesis:PutRecord` on `arn:s` (Policies)", "removes encryption: StreamEncryption is unset"]
        );
        let narrowed = security(&changes, after, before);
        assert!(narrowed.iter().all(|line| !line.starts_with("grants")), "narrowing is no risk: {narrowed:?}");
    }
}
