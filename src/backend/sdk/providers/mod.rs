//! One provider per resource type family; [`for_type`] picks the one for a CloudFormation type.

mod dynamodb;
mod emr;
mod firehose;
mod flink;
mod glue;
mod iam;
mod kinesis;
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

/// The provider for `resource_type`, or `None` when the SDK target cannot manage it yet.
pub fn for_type(resource_type: &str) -> Option<&'static dyn Provider> {
    Some(match resource_type {
        "AWS::IAM::Role" => &iam::Role,
        "AWS::IAM::ManagedPolicy" => &iam::ManagedPolicy,
        "AWS::IAM::InstanceProfile" => &iam::InstanceProfile,
        "AWS::EMR::Cluster" => &emr::Cluster,
        "AWS::EMR::Step" => &emr::Step,
        "AWS::OpenSearchService::Domain" => &opensearch::Domain,
        "AWS::Kinesis::Stream" => &kinesis::Stream,
        "AWS::Kinesis::StreamConsumer" => &kinesis::StreamConsumer,
        "AWS::KinesisAnalyticsV2::Application" => &flink::Application,
        "AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption" => &flink::LoggingOption,
        "AWS::MSK::Cluster" => &msk::Cluster,
        "AWS::MSK::ServerlessCluster" => &msk::ServerlessCluster,
        "AWS::MSK::ClusterPolicy" => &msk::ClusterPolicy,
        "AWS::MSK::Topic" => &msk_topic::Topic,
        "AWS::Lambda::Function" => &lambda::Function,
        "AWS::Lambda::EventSourceMapping" => &lambda::EventSourceMapping,
        "AWS::Logs::LogGroup" => &logs::LogGroup,
        "AWS::Logs::LogStream" => &logs::LogStream,
        "AWS::Logs::ResourcePolicy" => &logs::ResourcePolicy,
        "AWS::S3::Bucket" => &s3::Bucket,
        "AWS::S3::BucketPolicy" => &s3::BucketPolicy,
        "AWS::KinesisFirehose::DeliveryStream" => &firehose::DeliveryStream,
        "AWS::SecretsManager::Secret" => &secretsmanager::Secret,
        "AWS::Redshift::Cluster" => &redshift::Cluster,
        "AWS::Redshift::ClusterSubnetGroup" => &redshift::ClusterSubnetGroup,
        "AWS::RedshiftServerless::Namespace" => &redshift::Namespace,
        "AWS::RedshiftServerless::Workgroup" => &redshift::Workgroup,
        "AWS::SNS::Topic" => &sns::Topic,
        "AWS::SNS::Subscription" => &sns::Subscription,
        "AWS::DynamoDB::Table" => &dynamodb::Table,
        "AWS::Glue::Database" => &glue::Database,
        "AWS::Glue::Table" => &glue::Table,
        "AWS::Glue::Connection" => &glue::Connection,
        "AWS::Glue::SecurityConfiguration" => &glue::SecurityConfiguration,
        "AWS::Glue::Job" => &glue::Job,
        "AWS::SageMaker::Model" => &sagemaker::Model,
        "AWS::SageMaker::EndpointConfig" => &sagemaker::EndpointConfig,
        "AWS::SageMaker::Endpoint" => &sagemaker::Endpoint,
        _ => return None,
    })
}

/// The property that names a resource of `resource_type`, for the types that have one: a path
/// of keys joined by dots when the name is inside an object.
fn name_property(resource_type: &str) -> Option<&'static str> {
    Some(match resource_type {
        "AWS::IAM::Role" => "RoleName",
        "AWS::IAM::ManagedPolicy" => "ManagedPolicyName",
        "AWS::IAM::InstanceProfile" => "InstanceProfileName",
        "AWS::EMR::Cluster" | "AWS::EMR::Step" => "Name",
        "AWS::OpenSearchService::Domain" => "DomainName",
        "AWS::Kinesis::Stream" => "Name",
        "AWS::Kinesis::StreamConsumer" => "ConsumerName",
        "AWS::KinesisAnalyticsV2::Application" => "ApplicationName",
        "AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster" => "ClusterName",
        "AWS::MSK::Topic" => "TopicName",
        "AWS::Lambda::Function" => "FunctionName",
        "AWS::S3::Bucket" => "BucketName",
        "AWS::KinesisFirehose::DeliveryStream" => "DeliveryStreamName",
        "AWS::SecretsManager::Secret" => "Name",
        "AWS::Redshift::Cluster" => "ClusterIdentifier",
        "AWS::RedshiftServerless::Namespace" => "NamespaceName",
        "AWS::RedshiftServerless::Workgroup" => "WorkgroupName",
        "AWS::Logs::LogGroup" => "LogGroupName",
        "AWS::Logs::LogStream" => "LogStreamName",
        "AWS::Logs::ResourcePolicy" => "PolicyName",
        "AWS::SNS::Topic" => "TopicName",
        "AWS::DynamoDB::Table" => "TableName",
        // Glue databases, tables and connections are named inside their input object.
        "AWS::Glue::Database" => "DatabaseInput.Name",
        "AWS::Glue::Table" => "TableInput.Name",
        "AWS::Glue::Connection" => "ConnectionInput.Name",
        "AWS::Glue::Job" | "AWS::Glue::SecurityConfiguration" => "Name",
        "AWS::SageMaker::Endpoint" => "EndpointName",
        _ => return None,
    })
}

/// What an unnamed resource is looked up by.
fn lookup_keys(resource_type: &str) -> &'static [&'static str] {
    match resource_type {
        "AWS::Kinesis::StreamConsumer" => &["StreamARN"],
        "AWS::EMR::Step" => &["JobFlowId"],
        "AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption" => &["ApplicationName"],
        "AWS::MSK::ClusterPolicy" => &["ClusterArn"],
        "AWS::MSK::Topic" => &["ClusterArn"],
        "AWS::Glue::Table" => &["DatabaseName"],
        "AWS::Lambda::EventSourceMapping" => &["FunctionName", "EventSourceArn"],
        "AWS::Logs::LogStream" => &["LogGroupName"],
        "AWS::S3::BucketPolicy" => &["Bucket"],
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
    let mut path = name_property(resource_type)?.split('.');
    let top = properties.get(path.next()?)?;
    path.try_fold(top, |value, key| value.get(key)).and_then(Value::as_str).map(str::to_string)
}

/// Whether the resource can be looked up now: what identifies it no longer waits on a
/// resource still to be created.
pub fn identity_known(desired: &Desired) -> bool {
    is_known(&Value::String(desired.name.clone()))
        && lookup_keys(desired.resource_type).iter().all(|key| desired.get(key).is_some_and(is_known))
}
