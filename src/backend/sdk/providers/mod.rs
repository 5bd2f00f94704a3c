//! One provider per resource type family; [`for_type`] picks the one for a CloudFormation type.

mod iam;
mod kinesis;
mod lambda;
mod logs;
mod sns;

pub use kinesis::shard_steps;

use serde_json::{Map, Value};

use super::provider::{Desired, Provider, tag_pairs};
use super::resolve::is_known;

/// The provider for `resource_type`, or `None` when the SDK target cannot manage it yet.
pub fn for_type(resource_type: &str) -> Option<&'static dyn Provider> {
    Some(match resource_type {
        "AWS::IAM::Role" => &iam::Role,
        "AWS::IAM::ManagedPolicy" => &iam::ManagedPolicy,
        "AWS::Kinesis::Stream" => &kinesis::Stream,
        "AWS::Lambda::Function" => &lambda::Function,
        "AWS::Lambda::EventSourceMapping" => &lambda::EventSourceMapping,
        "AWS::Logs::LogGroup" => &logs::LogGroup,
        "AWS::Logs::LogStream" => &logs::LogStream,
        "AWS::SNS::Topic" => &sns::Topic,
        "AWS::SNS::Subscription" => &sns::Subscription,
        _ => return None,
    })
}

/// The property that names a resource of `resource_type`, for the types that have one.
fn name_property(resource_type: &str) -> Option<&'static str> {
    Some(match resource_type {
        "AWS::IAM::Role" => "RoleName",
        "AWS::IAM::ManagedPolicy" => "ManagedPolicyName",
        "AWS::Kinesis::Stream" => "Name",
        "AWS::Lambda::Function" => "FunctionName",
        "AWS::Logs::LogGroup" => "LogGroupName",
        "AWS::Logs::LogStream" => "LogStreamName",
        "AWS::SNS::Topic" => "TopicName",
        _ => return None,
    })
}

/// What an unnamed resource is looked up by.
fn lookup_keys(resource_type: &str) -> &'static [&'static str] {
    match resource_type {
        "AWS::Lambda::EventSourceMapping" => &["FunctionName", "EventSourceArn"],
        "AWS::Logs::LogStream" => &["LogGroupName"],
        "AWS::SNS::Subscription" => &["TopicArn", "Protocol", "Endpoint"],
        _ => &[],
    }
}

/// Whether resources of this type have a name (set by the template, or derived by the engine).
pub fn is_named(resource_type: &str) -> bool {
    name_property(resource_type).is_some()
}

/// The resource's name when its template sets one; otherwise the engine derives one.
pub fn name_of(resource_type: &str, properties: &Map<String, Value>) -> Option<String> {
    properties.get(name_property(resource_type)?).and_then(Value::as_str).map(str::to_string)
}

/// Whether the resource can be looked up now: what identifies it no longer waits on a
/// resource still to be created.
pub fn identity_known(desired: &Desired) -> bool {
    is_known(&Value::String(desired.name.clone()))
        && lookup_keys(desired.resource_type).iter().all(|key| desired.get(key).is_some_and(is_known))
}

/// Tags to add or change and keys to remove, to go from `live` to `desired` (template `Tags`).
fn tag_delta(live: Option<&Value>, desired: Option<&Value>) -> (Vec<(String, String)>, Vec<String>) {
    let live = tag_pairs(live);
    let desired = tag_pairs(desired);
    let add = desired.iter().filter(|pair| !live.contains(pair)).cloned().collect();
    let remove = live.iter().filter(|(k, _)| !desired.iter().any(|(d, _)| d == k)).map(|(k, _)| k.clone()).collect();
    (add, remove)
}
