//! The blueprint field behind a property change, so a plan says `storage[0].retention_hours`
//! beside `RetentionPeriodHours: 48 → 72`: the user edits the blueprint, not the template.
//!
//! One table, (component kind, resource type, property path, field), for the settings a blueprint
//! sets; a test checks every field against the blueprint's JSON Schema, so the table cannot name
//! a field that does not exist. Properties pipe derives (IAM, names, tags, the variables that
//! connections add) have no field.

use super::Action;
use crate::model::Pipeline;

/// A path ending in `*` matches any property path that starts with what comes before it; one
/// starting with `*` matches any that ends with what follows. First match wins.
const FIELDS: &[(&str, &str, &str, &str)] = &[
    ("kinesis-stream", "AWS::Kinesis::Stream", "ShardCount", "capacity.shards"),
    ("kinesis-stream", "AWS::Kinesis::Stream", "StreamModeDetails*", "capacity.mode"),
    ("kinesis-stream", "AWS::Kinesis::Stream", "RetentionPeriodHours", "retention_hours"),
    ("kinesis-stream", "AWS::Kinesis::Stream", "StreamEncryption*", "encryption"),
    ("lambda", "AWS::Lambda::Function", "MemorySize", "memory_mib"),
    ("lambda", "AWS::Lambda::Function", "Timeout", "timeout_seconds"),
    ("lambda", "AWS::Lambda::Function", "Runtime", "runtime"),
    ("lambda", "AWS::Lambda::Function", "Handler", "handler"),
    ("lambda", "AWS::Lambda::Function", "Architectures*", "architecture"),
    ("lambda", "AWS::Lambda::Function", "Code*", "code"),
    ("lambda", "AWS::Lambda::Function", "ReservedConcurrentExecutions", "reserved_concurrency"),
    ("lambda", "AWS::Lambda::Function", "VpcConfig*", "network"),
    ("lambda", "AWS::Lambda::EventSourceMapping", "BatchSize", "batch.size"),
    ("lambda", "AWS::Lambda::EventSourceMapping", "MaximumBatchingWindowInSeconds", "batch.window_seconds"),
    ("lambda", "AWS::Lambda::EventSourceMapping", "ParallelizationFactor", "batch.parallelization"),
    ("lambda", "AWS::Lambda::EventSourceMapping", "StartingPosition", "batch.starting_position"),
    ("lambda", "AWS::Lambda::EventSourceMapping", "BisectBatchOnFunctionError", "batch.bisect_on_error"),
    ("lambda", "AWS::Lambda::EventSourceMapping", "MaximumRetryAttempts", "batch.retries"),
    ("lambda", "AWS::Lambda::EventSourceMapping", "MaximumRecordAgeInSeconds", "batch.max_record_age_seconds"),
    ("lambda", "AWS::Lambda::EventSourceMapping", "FunctionResponseTypes*", "batch.report_batch_item_failures"),
    ("lambda", "AWS::Lambda::EventSourceMapping", "DestinationConfig*", "on_failure"),
    (
        "firehose",
        "AWS::KinesisFirehose::DeliveryStream",
        "*BufferingHints.IntervalInSeconds",
        "buffer.interval_seconds",
    ),
    ("firehose", "AWS::KinesisFirehose::DeliveryStream", "*BufferingHints.SizeInMBs", "buffer.size_mib"),
    ("firehose", "AWS::KinesisFirehose::DeliveryStream", "*CompressionFormat", "compression"),
    ("firehose", "AWS::KinesisFirehose::DeliveryStream", "*ErrorOutputPrefix", "error_prefix"),
    ("firehose", "AWS::KinesisFirehose::DeliveryStream", "*.Prefix", "prefix"),
    ("glue-streaming-job", "AWS::Glue::Job", "NumberOfWorkers", "workers"),
    ("glue-streaming-job", "AWS::Glue::Job", "WorkerType", "worker_type"),
    ("glue-streaming-job", "AWS::Glue::Job", "GlueVersion", "glue_version"),
    ("glue-streaming-job", "AWS::Glue::Job", "Command.ScriptLocation", "code"),
    ("glue-streaming-job", "AWS::Glue::Job", "DefaultArguments*", "arguments"),
    (
        "flink-application",
        "AWS::KinesisAnalyticsV2::Application",
        "*ParallelismConfiguration.Parallelism",
        "parallelism",
    ),
    ("flink-application", "AWS::KinesisAnalyticsV2::Application", "*ParallelismPerKPU", "parallelism_per_kpu"),
    ("flink-application", "AWS::KinesisAnalyticsV2::Application", "*AutoScalingEnabled", "autoscaling"),
    ("flink-application", "AWS::KinesisAnalyticsV2::Application", "*CheckpointInterval", "checkpoint_interval_ms"),
    ("flink-application", "AWS::KinesisAnalyticsV2::Application", "RuntimeEnvironment", "runtime"),
    ("flink-application", "AWS::KinesisAnalyticsV2::Application", "*PropertyGroups*", "properties"),
    ("flink-application", "AWS::KinesisAnalyticsV2::Application", "*S3ContentLocation*", "code"),
    ("msk-cluster", "AWS::MSK::Cluster", "NumberOfBrokerNodes", "brokers"),
    ("msk-cluster", "AWS::MSK::Cluster", "BrokerNodeGroupInfo.InstanceType", "broker_type"),
    ("msk-cluster", "AWS::MSK::Cluster", "BrokerNodeGroupInfo.StorageInfo*", "storage_gib"),
    ("msk-cluster", "AWS::MSK::Cluster", "KafkaVersion", "kafka_version"),
    ("msk-cluster", "AWS::MSK::Cluster", "ClientAuthentication*", "auth"),
    ("msk-cluster", "AWS::MSK::Cluster", "EncryptionInfo.EncryptionInTransit*", "in_transit"),
    ("msk-cluster", "AWS::MSK::Cluster", "EncryptionInfo.EncryptionAtRest*", "encryption"),
    ("msk-cluster", "AWS::MSK::Topic", "PartitionCount", "topics[].partitions"),
    ("msk-cluster", "AWS::MSK::Topic", "ReplicationFactor", "topics[].replication_factor"),
    ("msk-cluster", "AWS::MSK::Topic", "Configs", "topics[].retention_hours"),
    ("dynamodb-table", "AWS::DynamoDB::Table", "BillingMode", "billing"),
    ("dynamodb-table", "AWS::DynamoDB::Table", "ProvisionedThroughput.ReadCapacityUnits", "read_capacity"),
    ("dynamodb-table", "AWS::DynamoDB::Table", "ProvisionedThroughput.WriteCapacityUnits", "write_capacity"),
    ("dynamodb-table", "AWS::DynamoDB::Table", "StreamSpecification*", "stream"),
    ("dynamodb-table", "AWS::DynamoDB::Table", "PointInTimeRecoverySpecification*", "point_in_time_recovery"),
    ("dynamodb-table", "AWS::DynamoDB::Table", "SSESpecification*", "encryption"),
    ("s3-bucket", "AWS::S3::Bucket", "LifecycleConfiguration*", "expire_after_days"),
    ("s3-bucket", "AWS::S3::Bucket", "VersioningConfiguration*", "versioning"),
    ("s3-bucket", "AWS::S3::Bucket", "BucketEncryption*", "encryption"),
    ("opensearch-domain", "AWS::OpenSearchService::Domain", "ClusterConfig.InstanceType", "instance_type"),
    ("opensearch-domain", "AWS::OpenSearchService::Domain", "ClusterConfig.InstanceCount", "instance_count"),
    ("opensearch-domain", "AWS::OpenSearchService::Domain", "ClusterConfig.DedicatedMaster*", "dedicated_masters"),
    ("opensearch-domain", "AWS::OpenSearchService::Domain", "ClusterConfig.ZoneAwareness*", "zone_awareness"),
    ("opensearch-domain", "AWS::OpenSearchService::Domain", "EBSOptions.VolumeSize", "storage_gib"),
    ("opensearch-domain", "AWS::OpenSearchService::Domain", "EngineVersion", "engine_version"),
    ("redshift", "AWS::RedshiftServerless::Workgroup", "BaseCapacity", "base_capacity_rpus"),
    ("redshift", "AWS::Redshift::Cluster", "NodeType", "node_type"),
    ("redshift", "AWS::Redshift::Cluster", "NumberOfNodes", "nodes"),
    ("sagemaker-endpoint", "AWS::SageMaker::EndpointConfig", "*InstanceType", "instance_type"),
    ("sagemaker-endpoint", "AWS::SageMaker::EndpointConfig", "*InitialInstanceCount", "instance_count"),
    ("sagemaker-endpoint", "AWS::SageMaker::Model", "*Image", "image"),
    ("sagemaker-endpoint", "AWS::SageMaker::Model", "*ModelDataUrl", "model_data"),
    ("emr-spark-streaming", "AWS::EMR::Cluster", "ReleaseLabel", "release_label"),
    ("emr-spark-streaming", "AWS::EMR::Cluster", "*CoreInstanceGroup.InstanceCount", "core_instances"),
    ("emr-spark-streaming", "AWS::EMR::Cluster", "*InstanceType", "instance_type"),
];

/// The field of a `kind` component that sets `path` of a `resource_type` resource.
fn field(kind: &str, resource_type: &str, path: &str) -> Option<&'static str> {
    FIELDS.iter().find_map(|(k, t, pattern, field)| {
        let hit = if let Some(prefix) = pattern.strip_suffix('*').filter(|_| !pattern.starts_with('*')) {
            path.starts_with(prefix)
        } else if let Some(rest) = pattern.strip_prefix('*') {
            match rest.strip_suffix('*') {
                Some(middle) => path.contains(middle),
                None => path.ends_with(rest),
            }
        } else {
            super::diff::within(path, pattern)
        };
        (*k == kind && *t == resource_type && hit).then_some(*field)
    })
}

/// Names, on each property change of `actions`, the blueprint field it comes from.
pub fn annotate(actions: &mut [Action], pipeline: &Pipeline) {
    for action in actions {
        let Some(place) = pipeline.places.get(&action.component) else { continue };
        for change in &mut action.changes {
            if let Some(field) = field(&place.kind, &action.resource_type, &change.path) {
                change.field = Some(format!("{}.{field}", place.path));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    /// A schema node with its `$ref` followed, and an `anyOf`/`allOf` (an optional field) taken
    /// to the option that has properties.
    fn resolve(definitions: &Value, node: &Value) -> Value {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            return resolve(definitions, &definitions[reference.trim_start_matches("#/definitions/")]);
        }
        let options = node.get("anyOf").or_else(|| node.get("allOf")).and_then(Value::as_array);
        match options.and_then(|o| o.iter().find(|o| o.get("$ref").is_some() || o.get("properties").is_some())) {
            Some(option) => resolve(definitions, option),
            None => node.clone(),
        }
    }

    /// Follows `field` through the schema of a `kind` component: each segment a property (a
    /// `[]` segment an array's items).
    fn in_schema(schema: &Value, kind: &str, field: &str) -> bool {
        let definitions = &schema["definitions"];
        let variants = definitions["Component"]["oneOf"].as_array().expect("component variants");
        let Some(mut node) = variants.iter().find(|v| v["properties"]["kind"]["const"] == kind).cloned() else {
            return false;
        };
        for segment in field.split('.') {
            let (name, items) = segment.strip_suffix("[]").map_or((segment, false), |n| (n, true));
            let Some(next) = node.get("properties").and_then(|p| p.get(name)) else { return false };
            node = resolve(definitions, next);
            if items {
                node = resolve(definitions, &node["items"]);
            }
        }
        true
    }

    #[test]
    fn every_field_exists_in_the_blueprint_schema() {
        let schema: Value = serde_json::from_str(&crate::blueprint::spec::json_schema()).expect("the schema is JSON");
        let missing: Vec<String> = FIELDS
            .iter()
            .filter(|(kind, _, _, field)| !in_schema(&schema, kind, field))
            .map(|(kind, _, _, field)| format!("{kind}: {field}"))
            .collect();
        assert!(missing.is_empty(), "fields the schema does not have: {missing:?}");
        assert!(!in_schema(&schema, "kinesis-stream", "capacity.bogus"), "the check can fail");
        assert!(in_schema(&schema, "msk-cluster", "topics[].partitions"));
    }

    #[test]
    fn paths_match_exactly_by_prefix_or_by_suffix() {
        assert_eq!(field("kinesis-stream", "AWS::Kinesis::Stream", "ShardCount"), Some("capacity.shards"));
        assert_eq!(
            field(
                "firehose",
                "AWS::KinesisFirehose::DeliveryStream",
                "ExtendedS3DestinationConfiguration.BufferingHints.IntervalInSeconds"
            ),
            Some("buffer.interval_seconds")
        );
        assert_eq!(
            field(
                "firehose",
                "AWS::KinesisFirehose::DeliveryStream",
                "ExtendedS3DestinationConfiguration.ErrorOutputPrefix"
            ),
            Some("error_prefix")
        );
        // Variables come from `environment` and from the connections alike: no one field.
        assert_eq!(field("lambda", "AWS::Lambda::Function", "Environment.Variables.OFFERS"), None);
        assert_eq!(field("lambda", "AWS::IAM::Role", "Policies[0]"), None);
    }
}
