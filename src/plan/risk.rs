//! What makes a change risky, for both targets: data a replacement, deletion or shorter
//! retention loses, and changes that widen access or weaken protection.

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

/// How long a store keeps what it holds, in seconds; `None` keeps it for ever.
type Kept = Option<u64>;

/// Reads how long a resource keeps its data from its properties.
type Keeps = fn(&Map<String, Value>) -> Kept;

const HOUR: u64 = 3600;
const DAY: u64 = 24 * HOUR;

/// Data a change deletes without replacing anything: a shorter retention or expiry on a stream,
/// topic, bucket or log group. `before` is live (or deployed), `after` what the blueprint wants.
/// `unfinished`: pipe made the live resource from this very configuration (its `pipe:applied`
/// tag says so), so a retention it lacks altogether is one an interrupted apply did not set yet,
/// not one anybody chose; setting it loses nothing anybody kept on purpose.
pub fn shortened(
    resource_type: &str,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    unfinished: bool,
) -> Option<DataLoss> {
    let (what, kept): (&str, Keeps) = match resource_type {
        "AWS::Kinesis::Stream" => ("records", |p| {
            // A stream without the property keeps records 24 hours.
            Some(p.get("RetentionPeriodHours").and_then(Value::as_u64).unwrap_or(24) * HOUR)
        }),
        "AWS::MSK::Topic" => ("records", |p| {
            let configs = p.get("Configs").and_then(Value::as_str).and_then(crate::model::topic_configs::decode);
            let ms = configs.as_ref().and_then(|c| c.get("retention.ms")).and_then(|v| v.parse::<i64>().ok());
            match ms {
                Some(ms) if ms < 0 => None,
                Some(ms) => Some(ms as u64 / 1000),
                // Kafka's default, `log.retention.hours`.
                None => Some(u64::from(crate::limits::msk::DEFAULT_RETENTION_HOURS) * HOUR),
            }
        }),
        "AWS::Logs::LogGroup" => ("log events", |p| p.get("RetentionInDays").and_then(Value::as_u64).map(|d| d * DAY)),
        "AWS::S3::Bucket" => ("objects", |p| bucket_expiry(p).map(|d| d * DAY)),
        _ => return None,
    };
    let (was, now) = (kept(before), kept(after));
    let shorter = match (was, now) {
        (_, None) => false,
        (None, Some(_)) => !unfinished,
        (Some(was), Some(now)) => now < was,
    };
    shorter.then(|| DataLoss {
        lost: format!("{what} older than {} (kept {} until now) are deleted", duration(now), duration(was)),
        safer_path: format!(
            "keep the longer period until what reads these {what} has what it needs, or copy them out first"
        ),
    })
}

/// The fewest days an enabled lifecycle rule keeps current or noncurrent objects.
fn bucket_expiry(properties: &Map<String, Value>) -> Option<u64> {
    let rules = properties.get("LifecycleConfiguration")?.get("Rules")?.as_array()?;
    rules
        .iter()
        .filter(|rule| rule.get("Status").and_then(Value::as_str) == Some("Enabled"))
        .flat_map(|rule| {
            [rule.get("ExpirationInDays"), rule.pointer("/NoncurrentVersionExpiration/NoncurrentDays")]
                .into_iter()
                .flatten()
                .filter_map(Value::as_u64)
        })
        .min()
}

/// "7 days", "36 hours", "for ever".
fn duration(kept: Kept) -> String {
    match kept {
        None => "for ever".to_string(),
        Some(seconds) if seconds % DAY == 0 => plural(seconds / DAY, "day"),
        Some(seconds) if seconds % HOUR == 0 => plural(seconds / HOUR, "hour"),
        Some(seconds) => plural(seconds, "second"),
    }
}

fn plural(n: u64, unit: &str) -> String {
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Properties that hold IAM-style policies: what they allow is compared as a whole.
const POLICY_PROPERTIES: &[&str] = &["Policies", "PolicyDocument", "AssumeRolePolicyDocument", "AccessPolicies"];

/// Whether a property path lies inside an IAM-style policy.
pub fn is_policy(path: &str) -> bool {
    POLICY_PROPERTIES.iter().any(|key| super::diff::within(path, key))
}

/// Plain-language lines for the changes that grant more access or remove protection, given the
/// resource's live (`before`) and desired (`after`) properties.
pub fn security(changes: &[Change], before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<String> {
    let mut lines = Vec::new();
    for key in POLICY_PROPERTIES {
        let touched = changes.iter().any(|c| super::diff::within(&c.path, key));
        if !touched {
            continue;
        }
        let verb = if *key == "AssumeRolePolicyDocument" { "lets" } else { "grants" };
        for (target, action) in grants(after.get(*key)).difference(&grants(before.get(*key))) {
            lines.push(format!("{verb} `{action}` on `{target}` ({key})"));
        }
    }
    // The list an item change belongs to (`A.B[2]` → `A.B`).
    let list_of =
        |path: &str| path.strip_suffix(']').and_then(|p| p.rsplit_once('[')).map(|(list, _)| list.to_string());
    let added_to: Vec<String> =
        changes.iter().filter(|c| c.before.is_none()).filter_map(|c| list_of(&c.path)).collect();
    for change in changes {
        let last = change.path.rsplit('.').next().unwrap_or(&change.path);
        // An item removed from a list that gains another in its place is replaced, not unset.
        let replaced = change.after.is_none() && list_of(&change.path).is_some_and(|list| added_to.contains(&list));
        if is_encryption(&change.path) && is_off(change.after.as_ref()) && !replaced {
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
    fn shorter_retention_and_expiry_lose_data() {
        let map = |v: Value| v.as_object().cloned().unwrap();
        let stream = |hours: u64| map(json!({ "RetentionPeriodHours": hours }));
        let lost = shortened("AWS::Kinesis::Stream", &stream(168), &stream(48), false).expect("shorter");
        assert_eq!(lost.lost, "records older than 2 days (kept 7 days until now) are deleted");
        assert!(shortened("AWS::Kinesis::Stream", &stream(48), &stream(168), false).is_none(), "longer keeps all");
        let bucket = |days: Option<u64>| {
            let mut rules = vec![json!({ "Status": "Enabled", "AbortIncompleteMultipartUpload": {} })];
            rules.extend(days.map(|d| json!({ "Status": "Enabled", "ExpirationInDays": d })));
            map(json!({ "LifecycleConfiguration": { "Rules": rules } }))
        };
        let lost = shortened("AWS::S3::Bucket", &bucket(None), &bucket(Some(30)), false).expect("a new expiry");
        assert_eq!(lost.lost, "objects older than 30 days (kept for ever until now) are deleted");
        assert!(shortened("AWS::S3::Bucket", &bucket(Some(30)), &bucket(None), false).is_none());
        let group = |days: Option<u64>| map(days.map_or(json!({}), |d| json!({ "RetentionInDays": d })));
        assert!(shortened("AWS::Logs::LogGroup", &group(Some(14)), &group(Some(7)), false).is_some());
        assert!(
            shortened("AWS::Logs::LogGroup", &group(None), &group(Some(7)), true).is_none(),
            "a retention an interrupted apply did not set yet loses nothing kept on purpose"
        );
        assert!(shortened("AWS::Logs::LogGroup", &group(Some(14)), &group(Some(7)), true).is_some());
        let topic = |ms: &str| map(json!({ "Configs": crate::model::topic_configs::encode([("retention.ms", ms)]) }));
        let lost = shortened("AWS::MSK::Topic", &topic("604800000"), &topic("86400000"), false).expect("shorter");
        assert_eq!(lost.lost, "records older than 1 day (kept 7 days until now) are deleted");
        assert!(shortened("AWS::MSK::Topic", &topic("86400000"), &topic("-1"), false).is_none(), "-1 keeps for ever");
    }

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
