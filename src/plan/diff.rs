//! Property-level differences between what the blueprint wants and what is live, in the
//! template's shape, shared by both targets.

use serde_json::{Map, Value};

use super::create_only::CREATE_ONLY;
use super::replaced;
use super::{Change, SENSITIVE};

/// Properties whose values are secrets: shown as `(sensitive)` in every view.
const SENSITIVE_PROPERTIES: &[&str] = &["AdminUserPassword", "MasterUserPassword", "SecretString"];

/// Compares the properties the blueprint sets with the live ones. Properties the blueprint leaves
/// unset are AWS's to choose and never a change; inside a property every field counts. Lists of
/// the same length are compared item by item (`Policies[0].PolicyDocument.Statement[2].Resource`),
/// so a change names the statement it touches; lists that grew or shrank, whole.
pub fn changes(resource_type: &str, desired: &Map<String, Value>, live: &Map<String, Value>) -> Vec<Change> {
    let mut changes = Vec::new();
    for (key, after) in desired {
        compare(key, live.get(key), Some(after), &mut changes);
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

fn compare(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<Change>) {
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let mut keys: Vec<&String> = a.keys().collect();
            keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
            for key in keys {
                compare(&format!("{path}.{key}"), b.get(key), a.get(key), out);
            }
        }
        (Some(Value::Array(b)), Some(Value::Array(a))) if a.len() == b.len() => {
            for (index, (before, after)) in b.iter().zip(a).enumerate() {
                compare(&format!("{path}[{index}]"), Some(before), Some(after), out);
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

/// Whether changing `path` replaces a resource of `resource_type`: the path lies inside a
/// create-only property, or holds one.
pub fn forces_replacement(resource_type: &str, path: &str) -> bool {
    let Some((_, create_only)) = CREATE_ONLY.iter().find(|(t, _)| *t == resource_type) else {
        return false;
    };
    let path = strip_items(path);
    create_only.iter().map(|p| strip_items(p)).any(|fixed| nested(&path, &fixed) || nested(&fixed, &path))
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
    fn nested_fields_and_whole_lists_are_compared() {
        let desired =
            map(json!({ "A": { "B": 1, "C": [1, 2], "E": [{ "F": 1 }, { "F": 2 }] }, "G": [1, 2], "Name": "x" }));
        let live = map(
            json!({ "A": { "B": 2, "C": [1, 2], "D": 3, "E": [{ "F": 1 }, { "F": 3 }] }, "G": [1], "Name": "x", "Extra": true }),
        );
        let paths: Vec<_> = changes("AWS::Kinesis::Stream", &desired, &live).into_iter().map(|c| c.path).collect();
        assert_eq!(paths, ["A.B", "A.E[1].F", "A.D", "G"]);
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
