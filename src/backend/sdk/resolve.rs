//! Evaluates the model's intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Sub`, pseudo parameters and the
//! `ArtifactsBucket` parameter) from live attributes, as CloudFormation would. A reference to a
//! resource not yet created resolves to [`KNOWN_AFTER_APPLY`]; dynamic references
//! (`{{resolve:...}}`) are left for the provider that reads the secret.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::backend::aws::Account;
use crate::plan::KNOWN_AFTER_APPLY;

/// What other resources may refer to: `Ref` gives the physical id, `Fn::GetAtt` an attribute.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Handle {
    pub physical_id: String,
    pub attributes: Map<String, Value>,
}

pub struct Resolver<'a> {
    pub account: &'a Account,
    pub parameters: &'a HashMap<String, String>,
    pub handles: &'a HashMap<String, Handle>,
}

impl Resolver<'_> {
    pub fn resolve(&self, value: &Value) -> Value {
        match value {
            Value::Object(map) if map.len() == 1 => {
                let (key, arg) = map.iter().next().expect("one entry");
                match (key.as_str(), arg) {
                    ("Ref", Value::String(name)) => self.reference(name),
                    ("Fn::GetAtt", Value::Array(args)) => match (args.first(), args.get(1)) {
                        (Some(Value::String(id)), Some(Value::String(attribute))) => self.attribute(id, attribute),
                        _ => unknown(),
                    },
                    ("Fn::Sub", Value::String(text)) => self.sub(text),
                    _ => Value::Object(map.iter().map(|(k, v)| (k.clone(), self.resolve(v))).collect()),
                }
            }
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), self.resolve(v))).collect()),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.resolve(v)).collect()),
            other => other.clone(),
        }
    }

    pub fn resolve_map(&self, properties: &Map<String, Value>) -> Map<String, Value> {
        properties.iter().map(|(k, v)| (k.clone(), self.resolve(v))).collect()
    }

    fn reference(&self, name: &str) -> Value {
        match name {
            "AWS::AccountId" => Value::String(self.account.id.clone()),
            "AWS::Region" => Value::String(self.account.region.clone()),
            "AWS::Partition" => Value::String(self.account.partition.clone()),
            "AWS::URLSuffix" => Value::String(url_suffix(&self.account.partition).into()),
            _ => match (self.parameters.get(name), self.handles.get(name)) {
                (Some(value), _) => Value::String(value.clone()),
                (None, Some(handle)) => Value::String(handle.physical_id.clone()),
                (None, None) => unknown(),
            },
        }
    }

    fn attribute(&self, id: &str, attribute: &str) -> Value {
        self.handles.get(id).and_then(|h| h.attributes.get(attribute)).cloned().unwrap_or_else(unknown)
    }

    fn sub(&self, text: &str) -> Value {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else { break };
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else {
                let value = match name.split_once('.') {
                    Some((id, attribute)) if !name.starts_with("AWS::") => self.attribute(id, attribute),
                    _ => self.reference(name),
                };
                match value {
                    Value::String(text) if text != KNOWN_AFTER_APPLY => out.push_str(&text),
                    Value::String(_) => return unknown(),
                    other => out.push_str(&other.to_string()),
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Value::String(out)
    }
}

fn unknown() -> Value {
    Value::String(KNOWN_AFTER_APPLY.to_string())
}

pub fn url_suffix(partition: &str) -> &'static str {
    if partition == "aws-cn" { "amazonaws.com.cn" } else { "amazonaws.com" }
}

/// Whether a resolved value still waits on a resource to be created.
pub fn is_known(value: &Value) -> bool {
    match value {
        Value::String(text) => text != KNOWN_AFTER_APPLY,
        Value::Array(items) => items.iter().all(is_known),
        Value::Object(map) => map.values().all(is_known),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn intrinsics_resolve_from_handles() {
        let account = Account {
            config: aws_config::SdkConfig::builder().build(),
            id: "123456789012".into(),
            region: "eu-west-1".into(),
            partition: "aws".into(),
        };
        let parameters = HashMap::from([("ArtifactsBucket".to_string(), "bucket".to_string())]);
        let handles = HashMap::from([(
            "Stream".to_string(),
            Handle { physical_id: "s".into(), attributes: Map::from_iter([("Arn".into(), json!("arn:s"))]) },
        )]);
        let resolver = Resolver { account: &account, parameters: &parameters, handles: &handles };
        let resolved = resolver.resolve(&json!({
            "A": { "Ref": "Stream" },
            "B": { "Fn::GetAtt": ["Stream", "Arn"] },
            "C": { "Fn::Sub": "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:job/${!x}/${Stream}" },
            "D": { "Ref": "ArtifactsBucket" },
            "E": { "Fn::GetAtt": ["Missing", "Arn"] },
            "F": { "Fn::Sub": "${Missing.Arn}/x" },
        }));
        assert_eq!(
            resolved,
            json!({
                "A": "s", "B": "arn:s", "C": "arn:aws:glue:eu-west-1:123456789012:job/${x}/s", "D": "bucket",
                "E": KNOWN_AFTER_APPLY, "F": KNOWN_AFTER_APPLY,
            })
        );
        assert!(!is_known(&resolved));
    }
}
