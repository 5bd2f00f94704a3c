//! Lambda functions, one event source mapping per source, and the function's role.

use serde_json::{Map, Value, json};

use crate::blueprint::spec::Component;
use crate::blueprint::spec::common::StartingPosition;
use crate::blueprint::spec::lambda::{Architecture, Lambda};

use super::super::cfn::{get_att, ref_};
use super::super::iam;
use super::super::naming::{logical, physical};
use super::super::needs::{self, Feature};
use super::super::refs::{arn_of, logical_id};
use super::super::{Builder, Packaging, Resource, Suppression};
use crate::blueprint::contract::{self, Access, Reach};

const ASYNC_DLQ: Suppression = Suppression {
    check: "CKV_AWS_116",
    reason: "invoked synchronously by event source mappings; failed batches go to the mapping's on-failure destination",
};
const CONCURRENCY: Suppression = Suppression {
    check: "CKV_AWS_115",
    reason: "concurrency follows the source's shards × parallelization; `reserved_concurrency` caps it when set",
};
const ENV_KEY: Suppression = Suppression {
    check: "CKV_AWS_173",
    reason: "the environment holds resource names only, encrypted at rest with the Lambda service key",
};
const NO_VPC: Suppression = Suppression {
    check: "CKV_AWS_117",
    reason: "the function calls only AWS service APIs and reaches nothing inside a VPC",
};

pub fn function(b: &mut Builder, id: String, lambda: &Lambda) -> std::io::Result<()> {
    let name = physical(b.name, &lambda.id);
    let key = b.artifact(&lambda.id, &lambda.code, Packaging::Zip)?;
    let log_group = b.log_group(&lambda.id, json!(format!("/aws/lambda/{name}")));

    let component = b.component(&lambda.id);
    let sources: Vec<&Component> = b.graph.inputs_of(&lambda.id).map(|e| e.from.component).collect();
    let on_failure = lambda.on_failure.as_deref().and_then(|f| b.graph.get(f)).map(|p| p.component);

    let mut statements = vec![
        needs::grant(Feature::LambdaLogs, vec![get_att(&log_group, "Arn")]),
        // Active tracing (below): CreateFunction refuses a role that cannot send traces.
        needs::unscoped(Feature::LambdaTracing),
    ];
    if let Some(network) = &lambda.network {
        statements.extend(needs::networking(Feature::LambdaVpc, network));
    }
    // MSK pollers run in the cluster's subnets, on the function's role.
    for acting in contract::acting(&b.graph, &lambda.id) {
        if acting.contract.reach == Reach::EventSourcePoller
            && let Some(network) = contract::vpc_of(acting.other)
        {
            statements.extend(needs::networking(Feature::LambdaMskSource, network));
        }
    }
    statements.extend(b.connection_grants(component, lambda.batch.enhanced_fan_out));
    match on_failure {
        Some(topic @ Component::SnsTopic(_)) => {
            statements.push(needs::grant(Feature::LambdaOnFailureSns, vec![arn_of(topic, b.name)]));
        }
        Some(bucket @ Component::S3Bucket(_)) => {
            let resources = vec![arn_of(bucket, b.name), iam::everything_in(bucket)];
            statements.push(needs::grant(Feature::LambdaOnFailureS3, resources));
        }
        _ => {}
    }
    // Lambda writes a failed batch with the function's role, which a customer managed key of
    // the destination must let encrypt it.
    if let Some(destination) = on_failure {
        statements.extend(iam::customer_key(Access::Write, destination, b.made_key(destination)));
    }
    let role = b.role(&lambda.id, "lambda.amazonaws.com", &statements);

    let mut variables: Map<String, Value> =
        super::super::refs::configuration(&b.graph, component).into_iter().collect();
    variables.extend(lambda.environment.iter().map(|(k, v)| (k.clone(), json!(v))));
    let architecture = match lambda.architecture {
        Architecture::Arm64 => "arm64",
        Architecture::X86_64 => "x86_64",
    };
    let mut properties = json!({
        "FunctionName": name,
        "Runtime": lambda.runtime,
        "Handler": lambda.handler,
        "Architectures": [architecture],
        "Code": { "S3Bucket": ref_("ArtifactsBucket"), "S3Key": key },
        "MemorySize": lambda.memory_mib,
        "Timeout": lambda.timeout_seconds,
        "Role": get_att(&role, "Arn"),
        "TracingConfig": { "Mode": "Active" },
        "LoggingConfig": { "LogGroup": ref_(&log_group) },
        "Environment": { "Variables": variables },
        "ReservedConcurrentExecutions": lambda.reserved_concurrency,
        "Tags": b.tags(&lambda.id),
    });
    let mut suppressions = vec![ASYNC_DLQ, ENV_KEY];
    if lambda.reserved_concurrency.is_none() {
        suppressions.push(CONCURRENCY);
    }
    match &lambda.network {
        Some(network) => {
            properties["VpcConfig"] =
                json!({ "SubnetIds": network.subnets, "SecurityGroupIds": network.security_groups })
        }
        None => suppressions.push(NO_VPC),
    }
    b.add(id.clone(), Resource::new("AWS::Lambda::Function", &lambda.id, properties).suppress(&suppressions));
    b.output(format!("{id}Arn"), format!("ARN of the `{}` function", lambda.id), get_att(&id, "Arn"));

    for source in sources {
        mapping(b, lambda, &id, source, on_failure);
    }
    Ok(())
}

fn mapping(b: &mut Builder, lambda: &Lambda, function: &str, source: &Component, on_failure: Option<&Component>) {
    let batch = &lambda.batch;
    let starting = match batch.starting_position {
        StartingPosition::Latest => "LATEST",
        StartingPosition::TrimHorizon => "TRIM_HORIZON",
    };
    let mut properties = json!({
        "FunctionName": ref_(function),
        "StartingPosition": starting,
        "BatchSize": batch.size,
        "MaximumBatchingWindowInSeconds": batch.window_seconds,
    });
    match source {
        Component::KinesisStream(_) | Component::DynamodbTable(_) => {
            let source_arn = match source {
                Component::KinesisStream(stream) if batch.enhanced_fan_out => {
                    let consumer = logical(&format!("{}-{}", lambda.id, stream.id), "Consumer");
                    let properties =
                        json!({ "StreamARN": arn_of(source, b.name), "ConsumerName": physical(b.name, &lambda.id) });
                    b.add(consumer.clone(), Resource::new("AWS::Kinesis::StreamConsumer", &lambda.id, properties));
                    get_att(&consumer, "ConsumerARN")
                }
                Component::DynamodbTable(_) => get_att(&logical_id(source), "StreamArn"),
                _ => arn_of(source, b.name),
            };
            properties["EventSourceArn"] = source_arn;
            properties["ParallelizationFactor"] = json!(batch.parallelization);
            properties["MaximumRecordAgeInSeconds"] = json!(batch.max_record_age_seconds);
            properties["MaximumRetryAttempts"] = json!(batch.retries);
            properties["BisectBatchOnFunctionError"] = json!(batch.bisect_on_error);
            if batch.report_batch_item_failures {
                properties["FunctionResponseTypes"] = json!(["ReportBatchItemFailures"]);
            }
            if let Some(destination) = on_failure {
                properties["DestinationConfig"] =
                    json!({ "OnFailure": { "Destination": arn_of(destination, b.name) } });
            }
        }
        Component::MskCluster(_) => {
            properties["EventSourceArn"] = arn_of(source, b.name);
            properties["Topics"] = json!([lambda.topic]);
            properties["AmazonManagedKafkaEventSourceConfig"] =
                json!({ "ConsumerGroupId": physical(b.name, &lambda.id) });
        }
        _ => return,
    }
    let id = logical(&format!("{}-{}", lambda.id, source.id()), "Mapping");
    b.add(id, Resource::new("AWS::Lambda::EventSourceMapping", &lambda.id, properties));
}
