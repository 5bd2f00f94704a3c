//! One provider per resource type family, and the registry of the types they converge
//! ([`TYPES`]): [`for_type`] picks the provider for a CloudFormation type.

mod cloudwatch;
mod dynamodb;
mod emr;
mod firehose;
mod flink;
mod glue;
mod iam;
mod kinesis;
mod kms;
mod lambda;
mod logs;
mod msk;
mod msk_topic;
mod opensearch;
mod redshift;
mod s3;
mod sagemaker;
mod secretsmanager;
mod sns;

use serde_json::{Map, Value};

use super::provider::{Desired, Provider};
use super::resolve::is_known;

/// What the engine knows of one CloudFormation type: who converges it, how it is named and
/// looked up, and whether leftovers of it are looked for.
pub struct TypeEntry {
    pub cfn_type: &'static str,
    pub provider: &'static dyn Provider,
    /// The property that names a resource of the type, a path of keys joined by dots when the
    /// name is inside an object; `None` for types named otherwise (or not at all).
    name: Option<&'static str>,
    /// What an unnamed resource is looked up by, besides its name.
    lookup: &'static [&'static str],
    pub discovery: Discovery,
}

/// How leftovers of a type are found.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Discovery {
    /// Not looked for: the type goes with the resource it belongs to.
    No,
    /// Listed by the pipeline's name prefix and kept when it carries the pipeline's tag.
    Named,
    /// Found through a resource of the parent type: the blueprint lists all of a parent's.
    Child(&'static str),
}

const fn entry(
    cfn_type: &'static str,
    provider: &'static dyn Provider,
    name: Option<&'static str>,
    lookup: &'static [&'static str],
    discovery: Discovery,
) -> TypeEntry {
    TypeEntry { cfn_type, provider, name, lookup, discovery }
}

/// Every type the SDK target converges. Those looked for by name come first, in the order
/// leftovers are deleted: what uses a resource (reads it, writes to it, runs as it) before the
/// resource. Lambda event source mappings are found through their function; SNS subscriptions
/// are not looked for: others subscribe to a pipeline's topic, and a subscription cannot carry
/// a tag that would tell pipe's from theirs.
static TYPES: &[TypeEntry] = &[
    entry("AWS::CloudWatch::Alarm", &cloudwatch::Alarm, Some("AlarmName"), &[], Discovery::Named),
    entry("AWS::CloudWatch::Dashboard", &cloudwatch::Dashboard, Some("DashboardName"), &[], Discovery::No),
    entry("AWS::Lambda::Function", &lambda::Function, Some("FunctionName"), &[], Discovery::Named),
    entry("AWS::KinesisAnalyticsV2::Application", &flink::Application, Some("ApplicationName"), &[], Discovery::Named),
    entry("AWS::Glue::Job", &glue::Job, Some("Name"), &[], Discovery::Named),
    entry("AWS::Glue::SecurityConfiguration", &glue::SecurityConfiguration, Some("Name"), &[], Discovery::Named),
    entry("AWS::Glue::Connection", &glue::Connection, Some("ConnectionInput.Name"), &[], Discovery::Named),
    entry("AWS::EMR::Cluster", &emr::Cluster, Some("Name"), &[], Discovery::Named),
    entry("AWS::IAM::InstanceProfile", &iam::InstanceProfile, Some("InstanceProfileName"), &[], Discovery::Named),
    entry(
        "AWS::KinesisFirehose::DeliveryStream",
        &firehose::DeliveryStream,
        Some("DeliveryStreamName"),
        &[],
        Discovery::Named,
    ),
    entry("AWS::SageMaker::Endpoint", &sagemaker::Endpoint, Some("EndpointName"), &[], Discovery::Named),
    entry("AWS::SageMaker::EndpointConfig", &sagemaker::EndpointConfig, None, &[], Discovery::Named),
    entry("AWS::SageMaker::Model", &sagemaker::Model, None, &[], Discovery::Named),
    entry("AWS::OpenSearchService::Domain", &opensearch::Domain, Some("DomainName"), &[], Discovery::Named),
    entry("AWS::RedshiftServerless::Workgroup", &redshift::Workgroup, Some("WorkgroupName"), &[], Discovery::Named),
    entry("AWS::RedshiftServerless::Namespace", &redshift::Namespace, Some("NamespaceName"), &[], Discovery::Named),
    entry("AWS::Redshift::Cluster", &redshift::Cluster, Some("ClusterIdentifier"), &[], Discovery::Named),
    entry("AWS::Redshift::ClusterSubnetGroup", &redshift::ClusterSubnetGroup, None, &[], Discovery::Named),
    entry("AWS::SecretsManager::Secret", &secretsmanager::Secret, Some("Name"), &[], Discovery::Named),
    entry("AWS::MSK::Cluster", &msk::Cluster, Some("ClusterName"), &[], Discovery::Named),
    entry("AWS::MSK::ServerlessCluster", &msk::ServerlessCluster, Some("ClusterName"), &[], Discovery::Named),
    entry("AWS::IAM::Role", &iam::Role, Some("RoleName"), &[], Discovery::Named),
    entry("AWS::IAM::ManagedPolicy", &iam::ManagedPolicy, Some("ManagedPolicyName"), &[], Discovery::Named),
    entry("AWS::Logs::LogGroup", &logs::LogGroup, Some("LogGroupName"), &[], Discovery::Named),
    entry("AWS::SNS::Topic", &sns::Topic, Some("TopicName"), &[], Discovery::Named),
    entry("AWS::DynamoDB::Table", &dynamodb::Table, Some("TableName"), &[], Discovery::Named),
    entry("AWS::Kinesis::Stream", &kinesis::Stream, Some("Name"), &[], Discovery::Named),
    entry("AWS::S3::Bucket", &s3::Bucket, Some("BucketName"), &[], Discovery::Named),
    entry("AWS::KMS::Key", &kms::Key, None, &[], Discovery::Named),
    entry("AWS::EMR::Step", &emr::Step, Some("Name"), &["JobFlowId"], Discovery::No),
    entry(
        "AWS::Kinesis::StreamConsumer",
        &kinesis::StreamConsumer,
        Some("ConsumerName"),
        &["StreamARN"],
        Discovery::No,
    ),
    entry(
        "AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption",
        &flink::LoggingOption,
        None,
        &["ApplicationName"],
        Discovery::No,
    ),
    entry("AWS::MSK::ClusterPolicy", &msk::ClusterPolicy, None, &["ClusterArn"], Discovery::No),
    entry("AWS::MSK::Topic", &msk_topic::Topic, Some("TopicName"), &["ClusterArn"], Discovery::No),
    entry(
        "AWS::Lambda::EventSourceMapping",
        &lambda::EventSourceMapping,
        None,
        &["FunctionName", "EventSourceArn"],
        Discovery::Child("AWS::Lambda::Function"),
    ),
    entry("AWS::Logs::LogStream", &logs::LogStream, Some("LogStreamName"), &["LogGroupName"], Discovery::No),
    entry("AWS::Logs::ResourcePolicy", &logs::ResourcePolicy, Some("PolicyName"), &[], Discovery::No),
    entry("AWS::S3::BucketPolicy", &s3::BucketPolicy, None, &["Bucket"], Discovery::No),
    entry("AWS::SNS::Subscription", &sns::Subscription, None, &["TopicArn", "Protocol", "Endpoint"], Discovery::No),
    entry("AWS::Glue::Database", &glue::Database, Some("DatabaseInput.Name"), &[], Discovery::No),
    entry("AWS::Glue::Table", &glue::Table, Some("TableInput.Name"), &["DatabaseName"], Discovery::No),
];

/// What the engine knows of `resource_type`, or `None` when the SDK target cannot manage it yet.
pub fn entry_for(resource_type: &str) -> Option<&'static TypeEntry> {
    TYPES.iter().find(|entry| entry.cfn_type == resource_type)
}

/// The provider for `resource_type`, or `None` when the SDK target cannot manage it yet.
pub fn for_type(resource_type: &str) -> Option<&'static dyn Provider> {
    entry_for(resource_type).map(|entry| entry.provider)
}

/// The types whose leftovers are looked for, in the order they are deleted.
pub fn discovered() -> impl Iterator<Item = &'static TypeEntry> {
    TYPES.iter().filter(|entry| entry.discovery != Discovery::No)
}

/// The property that names a resource of `resource_type` (keys joined by dots), for named types.
pub fn name_path(resource_type: &str) -> Option<&'static str> {
    entry_for(resource_type)?.name
}

/// Whether resources of this type have a name (set by the template, or derived by the engine).
pub fn is_named(resource_type: &str) -> bool {
    entry_for(resource_type).is_some_and(|entry| entry.name.is_some())
}

/// The resource's name when its template sets one; otherwise the engine derives one.
pub fn name_of(resource_type: &str, properties: &Map<String, Value>) -> Option<String> {
    let mut path = entry_for(resource_type)?.name?.split('.');
    let top = properties.get(path.next()?)?;
    path.try_fold(top, |value, key| value.get(key)).and_then(Value::as_str).map(str::to_string)
}

/// Whether the resource can be looked up now: what identifies it no longer waits on a
/// resource still to be created.
pub fn identity_known(desired: &Desired) -> bool {
    is_known(&Value::String(desired.name.clone()))
        && entry_for(desired.resource_type)
            .is_none_or(|entry| entry.lookup.iter().all(|key| desired.get(key).is_some_and(is_known)))
}
