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

/// A number as a template writes it: a whole one as an integer (`60`, not `60.0`), so a value read
/// back from AWS compares equal to the one rendered.
pub fn number(value: f64) -> Value {
    match value.fract() == 0.0 && value.abs() < 1e15 {
        true => json!(value as i64),
        false => json!(value),
    }
}
