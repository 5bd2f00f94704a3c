//! Property-level differences between what the blueprint wants and what is live, in the
//! template's shape, shared by both targets.

use serde_json::{Map, Value};

use super::create_only::CREATE_ONLY;
use super::replaced;
use super::{Change, SENSITIVE};

/// Properties whose values are secrets: shown as `(sensitive)` in every view.
const SENSITIVE_PROPERTIES: &[&str] = &["AdminUserPassword", "MasterUserPassword", "SecretString"];

/// Compares the properties the blueprint sets with the live ones. Properties the blueprint leaves
/// unset are AWS's to choose and never a change; inside a property every field counts. Lists are
/// compared item by item (`Policies[0].PolicyDocument.Statement[2].Resource`), so a change names
/// the statement it touches, and a list that grew or shrank shows the items added (`before`
/// unset, indexed as after) and removed (`after` unset, indexed as before), never the whole list.
pub fn changes(resource_type: &str, desired: &Map<String, Value>, live: &Map<String, Value>) -> Vec<Change> {
    let mut changes = Vec::new();
    for (key, after) in desired {
        match (document(resource_type, key, live.get(key)), document(resource_type, key, Some(after))) {
            (Some(before), Some(after)) => compare(key, Some(&before), Some(&after), &mut changes),
            _ => compare(key, live.get(key), Some(after), &mut changes),
        }
    }
    for change in &mut changes {
        change.forces_replacement = forces_replacement(resource_type, &change.path)
            || replaced::replaces(resource_type, &change.path, change.before.as_ref(), change.after.as_ref());
        if is_sensitive(&change.path) {
            change.before = change.before.as_ref().map(|_| Value::String(SENSITIVE.into()));
            change.after = change.after.as_ref().map(|_| Value::String(SENSITIVE.into()));
        }
    }
    changes
}

/// Properties whose value is a JSON document in a string: compared as the document, so a change
/// names the part it touches (`DashboardBody.widgets[1].properties.annotations...`).
const JSON_DOCUMENTS: &[(&str, &str)] = &[("AWS::CloudWatch::Dashboard", "DashboardBody")];

fn document(resource_type: &str, key: &str, value: Option<&Value>) -> Option<Value> {
    JSON_DOCUMENTS.contains(&(resource_type, key)).then(|| serde_json::from_str(value?.as_str()?).ok()).flatten()
}

fn compare(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<Change>) {
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let mut keys: Vec<&String> = a.keys().collect();
            keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
            for key in keys {
                compare(&format!("{path}.{key}"), b.get(key), a.get(key), out);
            }
        }
        (Some(Value::Array(b)), Some(Value::Array(a))) if b.len() * a.len() <= MAX_ALIGNED => {
            for (before, after) in align(b, a) {
                let index = after.or(before).expect("one side at least");
                compare(&format!("{path}[{index}]"), before.map(|i| &b[i]), after.map(|j| &a[j]), out);
            }
        }
        (b, a) if b == a => {}
        (b, a) => out.push(Change {
            path: path.to_string(),
            before: b.cloned(),
            after: a.cloned(),
            forces_replacement: false,
            field: None,
        }),
    }
}

/// Lists longer than this (items before × after) are shown whole rather than aligned: no
/// template pipe renders comes near it.
const MAX_ALIGNED: usize = 250_000;

/// Pairs the items of `before` and `after` (by index): equal items in order (their longest common
/// run), then in each gap between them items with the same identity (`Sid`, `Name`, ...) and the
/// rest side by side; what is left is added (`(None, Some)`) or removed (`(Some, None)`).
fn align(before: &[Value], after: &[Value]) -> Vec<(Option<usize>, Option<usize>)> {
    let (n, m) = (before.len(), after.len());
    // Longest common subsequence, by suffix lengths.
    let mut longest = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            longest[i][j] = match before[i] == after[j] {
                true => longest[i + 1][j + 1] + 1,
                false => longest[i + 1][j].max(longest[i][j + 1]),
            };
        }
    }
    let (mut pairs, mut i, mut j, mut gap) = (Vec::new(), 0, 0, (0, 0));
    while i < n && j < m {
        if before[i] == after[j] {
            pairs.extend(pair_gap(before, after, gap.0..i, gap.1..j));
            pairs.push((Some(i), Some(j)));
            (i, j) = (i + 1, j + 1);
            gap = (i, j);
        } else if longest[i + 1][j] >= longest[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs.extend(pair_gap(before, after, gap.0..n, gap.1..m));
    pairs
}

/// Keys that name a list item across versions of it.
const IDENTITY: &[&str] = &["Sid", "Name", "Key", "AttributeName", "IndexName", "Id", "Endpoint", "DestinationId"];

fn pair_gap(
    before: &[Value],
    after: &[Value],
    removed: std::ops::Range<usize>,
    added: std::ops::Range<usize>,
) -> Vec<(Option<usize>, Option<usize>)> {
    let identity = |item: &Value| IDENTITY.iter().find_map(|key| item.get(*key).map(|v| (*key, v.clone())));
    let mut left: Vec<usize> = removed.collect();
    let mut pairs = Vec::new();
    let mut unmatched = Vec::new();
    for j in added {
        let same =
            identity(&after[j]).and_then(|id| left.iter().position(|&i| identity(&before[i]) == Some(id.clone())));
        match same {
            Some(at) => pairs.push((Some(left.remove(at)), Some(j))),
            None => unmatched.push(j),
        }
    }
    // Items without a shared identity pair in order with one of their own shape (objects with
    // objects), unless either has an identity: a statement whose resources grew is one statement
    // changed, not one removed and one added.
    for j in unmatched {
        let partner = match identity(&after[j]) {
            Some(_) => None,
            None => left.iter().position(|&i| identity(&before[i]).is_none() && same_shape(&before[i], &after[j])),
        };
        match partner {
            Some(at) => pairs.push((Some(left.remove(at)), Some(j))),
            None => pairs.push((None, Some(j))),
        }
    }
    pairs.extend(left.into_iter().map(|i| (Some(i), None)));
    // Shown by position, an item removed before the one added in its place.
    pairs.sort_by_key(|&(i, j)| (j.or(i), j.is_some()));
    pairs
}

fn same_shape(a: &Value, b: &Value) -> bool {
    matches!((a, b), (Value::Object(_), Value::Object(_)) | (Value::Array(_), Value::Array(_)))
        || !(a.is_object() || a.is_array() || b.is_object() || b.is_array())
}

/// Whether changing `path` replaces a resource of `resource_type`: the path lies inside a
/// create-only property, or holds one.
pub fn forces_replacement(resource_type: &str, path: &str) -> bool {
    let Some((_, create_only)) = CREATE_ONLY.iter().find(|(t, _)| *t == resource_type) else {
        return false;
    };
    let path = strip_items(path);
    create_only.iter().map(|p| strip_items(p)).any(|fixed| nested(&path, &fixed) || nested(&fixed, &path))
}

/// The paths of `changes`, each once, in order: how a reason names what changed (an item replaced
/// in a list is one path removed and added).
pub fn paths<'c>(changes: impl IntoIterator<Item = &'c Change>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for change in changes {
        if !seen.contains(&change.path.as_str()) {
            seen.push(&change.path);
        }
    }
    seen.join(", ")
}

/// Whether the change at `path` is the property `top` or lies inside it (a field or a list item).
pub fn within(path: &str, top: &str) -> bool {
    path.strip_prefix(top).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// `a` equals `b` or lies inside it.
pub(super) fn nested(a: &str, b: &str) -> bool {
    a == b || a.strip_prefix(b).is_some_and(|rest| rest.starts_with('.'))
}

/// Create-only paths name list items as `[]` and changes as `[0]`: both are the list itself.
pub(super) fn strip_items(path: &str) -> String {
    path.split('.').map(|segment| segment.split('[').next().unwrap_or(segment)).collect::<Vec<_>>().join(".")
}

fn is_sensitive(path: &str) -> bool {
    path.split('.').any(|segment| SENSITIVE_PROPERTIES.contains(&segment))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn nested_fields_and_lists_are_compared() {
        let desired =
            map(json!({ "A": { "B": 1, "C": [1, 2], "E": [{ "F": 1 }, { "F": 2 }] }, "G": [1, 2], "Name": "x" }));
        let live = map(
            json!({ "A": { "B": 2, "C": [1, 2], "D": 3, "E": [{ "F": 1 }, { "F": 3 }] }, "G": [1], "Name": "x", "Extra": true }),
        );
        let paths: Vec<_> = changes("AWS::Kinesis::Stream", &desired, &live).into_iter().map(|c| c.path).collect();
        assert_eq!(paths, ["A.B", "A.E[1].F", "A.D", "G[1]"]);
    }

    #[test]
    fn a_list_that_grew_shows_each_item_added_removed_or_changed() {
        let statement =
            |actions: &str, resources: Value| json!({ "Effect": "Allow", "Action": actions, "Resource": resources });
        let live = map(json!({ "Statement": [
            statement("kinesis:GetRecords", json!(["arn:a"])),
            statement("logs:PutLogEvents", json!("*")),
            { "Sid": "TlsOnly", "Effect": "Deny" },
        ] }));
        let desired = map(json!({ "Statement": [
            statement("kinesis:GetRecords", json!(["arn:a", "arn:b"])),
            statement("logs:PutLogEvents", json!("*")),
            statement("sns:Publish", json!("arn:t")),
        ] }));
        let lines: Vec<String> = changes("AWS::IAM::Role", &desired, &live).iter().map(Change::line).collect();
        assert_eq!(
            lines,
            [
                r#"Statement[0].Resource[1]: + "arn:b""#,
                r#"Statement[2]: - {"Sid":"TlsOnly","Effect":"Deny"}"#,
                r#"Statement[2]: + {"Effect":"Allow","Action":"sns:Publish","Resource":"arn:t"}"#,
            ]
        );
    }

    #[test]
    fn create_only_paths_force_replacement() {
        assert!(forces_replacement("AWS::Kinesis::Stream", "Name"));
        assert!(!forces_replacement("AWS::Kinesis::Stream", "ShardCount"));
        assert!(!forces_replacement("AWS::Kinesis::Stream", "Names"));
        assert!(forces_replacement("AWS::SageMaker::Model", "Containers[0].Image"));
    }

    #[test]
    fn secrets_never_show() {
        let desired = map(json!({ "MasterUserPassword": "new" }));
        let live = map(json!({ "MasterUserPassword": "old" }));
        let change = &changes("AWS::Redshift::Cluster", &desired, &live)[0];
        assert_eq!(change.before, Some(json!(SENSITIVE)));
        assert_eq!(change.after, Some(json!(SENSITIVE)));
    }
}
