//! CloudFormation values: intrinsic functions in their long form, built as data.

use serde_json::{Value, json};

pub fn ref_(logical_id: &str) -> Value {
    json!({ "Ref": logical_id })
}

pub fn get_att(logical_id: &str, attribute: &str) -> Value {
    json!({ "Fn::GetAtt": [logical_id, attribute] })
}

/// `Fn::Sub` with `${...}` placeholders resolved by CloudFormation.
pub fn sub(text: impl Into<String>) -> Value {
    json!({ "Fn::Sub": text.into() })
}

/// An ARN in this stack's partition, region and account: `arn(service, "stream/name")`.
pub fn arn(service: &str, resource: &str) -> Value {
    sub(format!("arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"))
}

/// Optional fields left unset are omitted, not written as `null`.
pub fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}
