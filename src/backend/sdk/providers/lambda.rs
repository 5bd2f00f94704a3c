//! Lambda: `AWS::Lambda::Function` and `AWS::Lambda::EventSourceMapping`.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_lambda::types::{
    AmazonManagedKafkaEventSourceConfig, Architecture, DestinationConfig, Environment, EventSourcePosition,
    FunctionCode, FunctionResponseType, LastUpdateStatus, LoggingConfig, OnFailure, Runtime, State, TracingConfig,
    TracingMode, VpcConfig,
};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api, tolerate};
use crate::backend::sdk::propagation;
use crate::backend::sdk::provider::{
    ALL_TAGS, Clients, Desired, Live, Provider, converge, converge_tags, found, list_all, tag_list, touched, wait_for,
};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

/// Lambda cannot report which S3 object its code came from, so pipe records it in this tag.
const CODE_TAG: &str = "pipe:code";
const READY: Duration = Duration::from_secs(10 * 60);

/// Configuration properties, changed together by UpdateFunctionConfiguration.
const CONFIGURATION: &[&str] = &[
    "Runtime",
    "Handler",
    "MemorySize",
    "Timeout",
    "Role",
    "TracingConfig",
    "LoggingConfig",
    "Environment",
    "VpcConfig",
];

pub struct Function;

#[async_trait]
impl Provider for Function {
    /// GetFunction gives code only as a download URL: where it came from is the `pipe:code` tag.
    fn recorded_only(&self) -> &'static [&'static str] {
        &["Code"]
    }

    /// Reads report reserved concurrency and a VPC only when set; leaving either out of the
    /// blueprint removes it (DeleteFunctionConcurrency, an empty VpcConfig).
    fn cleared_when_absent(&self) -> &'static [&'static str] {
        &["ReservedConcurrentExecutions", "VpcConfig"]
    }

    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|marker| async move {
            let page = aws.lambda.list_functions().set_marker(marker).send().await.map_err(api("ListFunctions"))?;
            let names = page.functions().iter().filter_map(|f| f.function_name()).map(str::to_string).collect();
            Ok((names, page.next_marker().map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        read_function(aws, &desired.name).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let mut tags: std::collections::HashMap<String, String> = desired.tags().into_iter().collect();
        tags.insert(CODE_TAG.into(), code_tag(desired));
        let created = propagation::retry(|| async {
            let sent = aws
                .lambda
                .create_function()
                .function_name(&desired.name)
                .set_runtime(desired.str("Runtime").map(Runtime::from))
                .set_handler(desired.str("Handler").map(str::to_string))
                .set_architectures(architectures(desired))
                .code(code(desired))
                .set_memory_size(desired.i32("MemorySize"))
                .set_timeout(desired.i32("Timeout"))
                .set_role(desired.str("Role").map(str::to_string))
                .set_tracing_config(tracing(desired))
                .set_logging_config(logging(desired))
                .set_environment(environment(desired))
                .set_vpc_config(vpc(desired))
                .set_tags(Some(tags.clone()))
                .send()
                .await
                .map_err(api("CreateFunction"));
            match sent {
                // A retry after a lost response: the function exists.
                Err(e) if e.is("ResourceConflictException") => Ok(()),
                other => other.map(|_| ()),
            }
        })
        .await;
        created?;
        let live = wait_ready(aws, &desired.name).await?;
        converge(self, aws, desired, &live).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        let name = &desired.name;
        let differs = |key: &str| touched(changes, key);
        if CONFIGURATION.iter().any(|key| differs(key)) {
            let request = aws
                .lambda
                .update_function_configuration()
                .function_name(name)
                .set_runtime(desired.str("Runtime").map(Runtime::from))
                .set_handler(desired.str("Handler").map(str::to_string))
                .set_memory_size(desired.i32("MemorySize"))
                .set_timeout(desired.i32("Timeout"))
                .set_role(desired.str("Role").map(str::to_string))
                .set_tracing_config(tracing(desired))
                .set_logging_config(logging(desired))
                .set_environment(Some(environment(desired).unwrap_or_else(|| Environment::builder().build())))
                .set_vpc_config(Some(vpc(desired).unwrap_or_else(|| VpcConfig::builder().build())));
            propagation::retry(|| async { request.clone().send().await.map_err(api("UpdateFunctionConfiguration")) })
                .await?;
            wait_ready(aws, name).await?;
        }
        if differs("Code") || differs("Architectures") {
            let Some(Value::Object(code)) = desired.get("Code") else {
                return Err(ApiError::new("UpdateFunctionCode", "the function has no S3 code location"));
            };
            aws.lambda
                .update_function_code()
                .function_name(name)
                .set_s3_bucket(code.get("S3Bucket").and_then(Value::as_str).map(str::to_string))
                .set_s3_key(code.get("S3Key").and_then(Value::as_str).map(str::to_string))
                .set_architectures(architectures(desired))
                .send()
                .await
                .map_err(api("UpdateFunctionCode"))?;
            wait_ready(aws, name).await?;
        }
        if differs("ReservedConcurrentExecutions") {
            match desired.i32("ReservedConcurrentExecutions") {
                Some(limit) => {
                    aws.lambda
                        .put_function_concurrency()
                        .function_name(name)
                        .reserved_concurrent_executions(limit)
                        .send()
                        .await
                        .map_err(api("PutFunctionConcurrency"))?;
                }
                None => {
                    aws.lambda
                        .delete_function_concurrency()
                        .function_name(name)
                        .send()
                        .await
                        .map_err(api("DeleteFunctionConcurrency"))?;
                }
            }
        }
        let arn = live.handle.attributes.get("Arn").and_then(Value::as_str).unwrap_or_default();
        let mut wanted = desired.tags();
        wanted.push((CODE_TAG.into(), code_tag(desired)));
        let mut current = crate::backend::sdk::provider::tag_pairs(live.properties.get("Tags"));
        if let Some(Value::Object(code)) = live.properties.get("Code") {
            current.push((CODE_TAG.into(), code_text(code)));
        }
        converge_tags(
            Some(&tag_list(current)),
            Some(&tag_list(wanted)),
            ALL_TAGS,
            ("UntagResource", |keys| aws.lambda.untag_resource().resource(arn).set_tag_keys(Some(keys)).send()),
            ("TagResource", |pairs| {
                aws.lambda.tag_resource().resource(arn).set_tags(Some(pairs.into_iter().collect())).send()
            }),
        )
        .await?;
        read_function(aws, name).await?.ok_or_else(|| ApiError::new("GetFunction", format!("function {name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        tolerate(
            aws.lambda
                .delete_function()
                .function_name(&live.handle.physical_id)
                .send()
                .await
                .map_err(api("DeleteFunction")),
            &["ResourceNotFoundException"],
        )
    }
}

async fn read_function(aws: &Clients, name: &str) -> Result<Option<Live>, ApiError> {
    let Some(got) =
        found(aws.lambda.get_function().function_name(name).send().await.map_err(api("GetFunction")), |e| {
            e.is("ResourceNotFoundException")
        })?
    else {
        return Ok(None);
    };
    let Some(config) = got.configuration() else { return Ok(None) };
    let mut properties = Map::new();
    properties.insert("FunctionName".into(), json!(name));
    if let Some(runtime) = config.runtime() {
        properties.insert("Runtime".into(), json!(runtime.as_str()));
    }
    properties.insert("Handler".into(), json!(config.handler()));
    properties
        .insert("Architectures".into(), json!(config.architectures().iter().map(|a| a.as_str()).collect::<Vec<_>>()));
    properties.insert("MemorySize".into(), json!(config.memory_size()));
    properties.insert("Timeout".into(), json!(config.timeout()));
    properties.insert("Role".into(), json!(config.role()));
    if let Some(mode) = config.tracing_config().and_then(|t| t.mode()) {
        properties.insert("TracingConfig".into(), json!({ "Mode": mode.as_str() }));
    }
    if let Some(group) = config.logging_config().and_then(|l| l.log_group()) {
        properties.insert("LoggingConfig".into(), json!({ "LogGroup": group }));
    }
    // No environment and an empty one are the same function: both read as `Variables: {}`.
    let variables: std::collections::BTreeMap<_, _> =
        config.environment().and_then(|e| e.variables()).into_iter().flatten().collect();
    properties.insert("Environment".into(), json!({ "Variables": variables }));
    if let Some(vpc) = config.vpc_config().filter(|v| !v.subnet_ids().is_empty()) {
        properties.insert(
            "VpcConfig".into(),
            json!({ "SubnetIds": vpc.subnet_ids(), "SecurityGroupIds": vpc.security_group_ids() }),
        );
    }
    if let Some(limit) = got.concurrency().and_then(|c| c.reserved_concurrent_executions()) {
        properties.insert("ReservedConcurrentExecutions".into(), json!(limit));
    }
    let mut tags: Vec<(String, String)> =
        got.tags().map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
    tags.sort();
    if let Some(index) = tags.iter().position(|(k, _)| k == CODE_TAG) {
        let (_, location) = tags.remove(index);
        if let Some((bucket, key)) = location.split_once('/') {
            properties.insert("Code".into(), json!({ "S3Bucket": bucket, "S3Key": key }));
        }
    }
    properties.insert("Tags".into(), tag_list(tags));
    let handle = Handle {
        physical_id: name.to_string(),
        attributes: Map::from_iter([("Arn".to_string(), json!(config.function_arn()))]),
    };
    Ok(Some(Live { handle, properties }))
}

/// Waits until the function is Active and its last update done: Lambda refuses changes before.
async fn wait_ready(aws: &Clients, name: &str) -> Result<Live, ApiError> {
    wait_for("GetFunction", READY, || async {
        let got = aws.lambda.get_function_configuration().function_name(name).send().await;
        let config = got.map_err(api("GetFunctionConfiguration"))?;
        if config.state() == Some(&State::Failed) || config.last_update_status() == Some(&LastUpdateStatus::Failed) {
            let reason = config.state_reason().or(config.last_update_status_reason()).unwrap_or("no reason given");
            return Err(ApiError::new("GetFunctionConfiguration", format!("function {name} failed: {reason}")));
        }
        let ready = config.state() == Some(&State::Active)
            && config.last_update_status().is_none_or(|s| *s == LastUpdateStatus::Successful);
        if ready { read_function(aws, name).await } else { Ok(None) }
    })
    .await
}

fn code(desired: &Desired) -> FunctionCode {
    let code = desired.get("Code");
    let field = |key: &str| code.and_then(|c| c.get(key)).and_then(Value::as_str).map(str::to_string);
    FunctionCode::builder().set_s3_bucket(field("S3Bucket")).set_s3_key(field("S3Key")).build()
}

fn code_tag(desired: &Desired) -> String {
    match desired.get("Code") {
        Some(Value::Object(code)) => code_text(code),
        _ => String::new(),
    }
}

fn code_text(code: &Map<String, Value>) -> String {
    let field = |key: &str| code.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    format!("{}/{}", field("S3Bucket"), field("S3Key"))
}

fn architectures(desired: &Desired) -> Option<Vec<Architecture>> {
    let list = desired.get("Architectures")?.as_array()?;
    Some(list.iter().filter_map(Value::as_str).map(Architecture::from).collect())
}

fn tracing(desired: &Desired) -> Option<TracingConfig> {
    let mode = desired.get("TracingConfig")?.get("Mode")?.as_str()?;
    Some(TracingConfig::builder().mode(TracingMode::from(mode)).build())
}

fn logging(desired: &Desired) -> Option<LoggingConfig> {
    let group = desired.get("LoggingConfig")?.get("LogGroup")?.as_str()?;
    Some(LoggingConfig::builder().log_group(group).build())
}

fn environment(desired: &Desired) -> Option<Environment> {
    let variables = desired.get("Environment")?.get("Variables")?.as_object()?;
    let variables =
        variables.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string)));
    Some(Environment::builder().set_variables(Some(variables.collect())).build())
}

fn vpc(desired: &Desired) -> Option<VpcConfig> {
    let config = desired.get("VpcConfig")?;
    let list = |key: &str| {
        config
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
    };
    Some(
        VpcConfig::builder().set_subnet_ids(list("SubnetIds")).set_security_group_ids(list("SecurityGroupIds")).build(),
    )
}

pub struct EventSourceMapping;

#[async_trait]
impl Provider for EventSourceMapping {
    /// UpdateEventSourceMapping takes no topic, and a Kafka consumer group id "cannot be updated"
    /// once the mapping exists (API reference, AmazonManagedKafkaEventSourceConfig).
    fn fixed(&self) -> &'static [&'static str] {
        &["Topics", "AmazonManagedKafkaEventSourceConfig"]
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let (Some(function), Some(source)) = (desired.str("FunctionName"), desired.str("EventSourceArn")) else {
            return Ok(None);
        };
        let listed =
            aws.lambda.list_event_source_mappings().function_name(function).event_source_arn(source).send().await;
        let Some(listed) =
            found(listed.map_err(api("ListEventSourceMappings")), |e| e.is("ResourceNotFoundException"))?
        else {
            return Ok(None);
        };
        let Some(uuid) = listed.event_source_mappings().first().and_then(|m| m.uuid()) else { return Ok(None) };
        read_mapping(aws, uuid, function).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let int = |key: &str| desired.i32(key);
        let request = aws
            .lambda
            .create_event_source_mapping()
            .function_name(desired.str("FunctionName").unwrap_or_default())
            .event_source_arn(desired.str("EventSourceArn").unwrap_or_default())
            .set_starting_position(desired.str("StartingPosition").map(EventSourcePosition::from))
            .set_batch_size(int("BatchSize"))
            .set_maximum_batching_window_in_seconds(int("MaximumBatchingWindowInSeconds"))
            .set_parallelization_factor(int("ParallelizationFactor"))
            .set_maximum_record_age_in_seconds(int("MaximumRecordAgeInSeconds"))
            .set_maximum_retry_attempts(int("MaximumRetryAttempts"))
            .set_bisect_batch_on_function_error(desired.get("BisectBatchOnFunctionError").and_then(Value::as_bool))
            .set_function_response_types(response_types(desired))
            .set_destination_config(destination(desired))
            .set_topics(
                desired
                    .get("Topics")
                    .and_then(Value::as_array)
                    .map(|t| t.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()),
            )
            .set_amazon_managed_kafka_event_source_config(kafka(desired));
        let created =
            propagation::retry(|| async { request.clone().send().await.map_err(api("CreateEventSourceMapping")) })
                .await;
        let uuid = match created {
            Ok(out) => out.uuid().unwrap_or_default().to_string(),
            // A retry after a lost response: the mapping exists; adopt it.
            Err(e) if e.is("ResourceConflictException") => {
                let live = self.read(aws, desired).await?.ok_or(e)?;
                return converge(self, aws, desired, &live).await;
            }
            Err(e) => return Err(e),
        };
        wait_mapping(aws, &uuid, desired.str("FunctionName").unwrap_or_default()).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        _changes: &[Change],
    ) -> Result<Live, ApiError> {
        let int = |key: &str| desired.i32(key);
        let uuid = &live.handle.physical_id;
        let request = aws
            .lambda
            .update_event_source_mapping()
            .uuid(uuid)
            .function_name(desired.str("FunctionName").unwrap_or_default())
            .set_batch_size(int("BatchSize"))
            .set_maximum_batching_window_in_seconds(int("MaximumBatchingWindowInSeconds"))
            .set_parallelization_factor(int("ParallelizationFactor"))
            .set_maximum_record_age_in_seconds(int("MaximumRecordAgeInSeconds"))
            .set_maximum_retry_attempts(int("MaximumRetryAttempts"))
            .set_bisect_batch_on_function_error(desired.get("BisectBatchOnFunctionError").and_then(Value::as_bool))
            .set_function_response_types(Some(response_types(desired).unwrap_or_default()))
            .set_destination_config(Some(destination(desired).unwrap_or_else(|| DestinationConfig::builder().build())));
        propagation::retry(|| async { request.clone().send().await.map_err(api("UpdateEventSourceMapping")) }).await?;
        wait_mapping(aws, uuid, desired.str("FunctionName").unwrap_or_default()).await
    }

    /// Every mapping of the function `parent`, each in the template's shape.
    async fn children(&self, aws: &Clients, parent: &Live) -> Result<Vec<Live>, ApiError> {
        let function = parent.handle.physical_id.as_str();
        let uuids = list_all(|marker| async move {
            let listed =
                aws.lambda.list_event_source_mappings().function_name(function).set_marker(marker).send().await;
            let page = match listed.map_err(api("ListEventSourceMappings")) {
                Ok(page) => page,
                Err(e) if e.is("ResourceNotFoundException") => return Ok((Vec::new(), None)),
                Err(e) => return Err(e),
            };
            let uuids = page.event_source_mappings().iter().filter_map(|m| m.uuid()).map(str::to_string).collect();
            Ok((uuids, page.next_marker().map(str::to_string)))
        })
        .await?;
        let mut mappings = Vec::new();
        for uuid in uuids {
            mappings.extend(read_mapping(aws, &uuid, function).await?);
        }
        Ok(mappings)
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let uuid = &live.handle.physical_id;
        match aws.lambda.delete_event_source_mapping().uuid(uuid).send().await.map_err(api("DeleteEventSourceMapping"))
        {
            Err(e) if e.is("ResourceNotFoundException") => return Ok(()),
            other => {
                other?;
            }
        }
        wait_for("DeleteEventSourceMapping", READY, || async {
            match aws.lambda.get_event_source_mapping().uuid(uuid).send().await.map_err(api("GetEventSourceMapping")) {
                Err(e) if e.is("ResourceNotFoundException") => Ok(Some(())),
                Err(e) => Err(e),
                Ok(_) => Ok(None),
            }
        })
        .await
    }
}

/// Waits while the mapping is Creating, Enabling or Updating.
async fn wait_mapping(aws: &Clients, uuid: &str, function: &str) -> Result<Live, ApiError> {
    wait_for("GetEventSourceMapping", READY, || async {
        let got =
            aws.lambda.get_event_source_mapping().uuid(uuid).send().await.map_err(api("GetEventSourceMapping"))?;
        match got.state() {
            Some("Creating" | "Enabling" | "Updating") => Ok(None),
            _ => read_mapping(aws, uuid, function).await,
        }
    })
    .await
}

/// The mapping in the template's shape; `function` is the name the template gave, since Lambda
/// answers with the function's ARN.
async fn read_mapping(aws: &Clients, uuid: &str, function: &str) -> Result<Option<Live>, ApiError> {
    let Some(m) = found(
        aws.lambda.get_event_source_mapping().uuid(uuid).send().await.map_err(api("GetEventSourceMapping")),
        |e| e.is("ResourceNotFoundException"),
    )?
    else {
        return Ok(None);
    };
    let mut properties = Map::new();
    properties.insert("FunctionName".into(), json!(function));
    properties.insert("EventSourceArn".into(), json!(m.event_source_arn()));
    if let Some(position) = m.starting_position() {
        properties.insert("StartingPosition".into(), json!(position.as_str()));
    }
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            properties.insert(key.into(), value);
        }
    };
    put("BatchSize", m.batch_size().map(|v| json!(v)));
    put("MaximumBatchingWindowInSeconds", m.maximum_batching_window_in_seconds().map(|v| json!(v)));
    put("ParallelizationFactor", m.parallelization_factor().map(|v| json!(v)));
    put("MaximumRecordAgeInSeconds", m.maximum_record_age_in_seconds().map(|v| json!(v)));
    put("MaximumRetryAttempts", m.maximum_retry_attempts().map(|v| json!(v)));
    put("BisectBatchOnFunctionError", m.bisect_batch_on_function_error().map(|v| json!(v)));
    let types: Vec<&str> = m.function_response_types().iter().map(|t| t.as_str()).collect();
    put("FunctionResponseTypes", (!types.is_empty()).then(|| json!(types)));
    let on_failure = m.destination_config().and_then(|d| d.on_failure()).and_then(|f| f.destination());
    put("DestinationConfig", on_failure.map(|d| json!({ "OnFailure": { "Destination": d } })));
    put("Topics", (!m.topics().is_empty()).then(|| json!(m.topics())));
    let group = m.amazon_managed_kafka_event_source_config().and_then(|k| k.consumer_group_id());
    put("AmazonManagedKafkaEventSourceConfig", group.map(|g| json!({ "ConsumerGroupId": g })));
    let handle =
        Handle { physical_id: uuid.to_string(), attributes: Map::from_iter([("Id".to_string(), json!(uuid))]) };
    Ok(Some(Live { handle, properties }))
}

fn response_types(desired: &Desired) -> Option<Vec<FunctionResponseType>> {
    let list = desired.get("FunctionResponseTypes")?.as_array()?;
    Some(list.iter().filter_map(Value::as_str).map(FunctionResponseType::from).collect())
}

fn destination(desired: &Desired) -> Option<DestinationConfig> {
    let target = desired.get("DestinationConfig")?.get("OnFailure")?.get("Destination")?.as_str()?;
    Some(DestinationConfig::builder().on_failure(OnFailure::builder().destination(target).build()).build())
}

fn kafka(desired: &Desired) -> Option<AmazonManagedKafkaEventSourceConfig> {
    let group = desired.get("AmazonManagedKafkaEventSourceConfig")?.get("ConsumerGroupId")?.as_str()?;
    Some(AmazonManagedKafkaEventSourceConfig::builder().consumer_group_id(group).build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sdk::replay::Replay;

    #[tokio::test]
    async fn a_mapping_refused_while_its_roles_policy_propagates_is_created_once_iam_catches_up() {
        let replay =
            Replay::start(include_str!("../../../../tests/recorded/lambda-create-mapping-role-not-yet.json")).await;
        let desired = Desired {
            logical_id: "EnrichSignupsMapping".into(),
            resource_type: "AWS::Lambda::EventSourceMapping",
            name: "pipe-dev-EnrichSignupsMapping".into(),
            properties: json!({
                "FunctionName": "pipe-dev-enrich",
                "EventSourceArn": "arn:aws:kinesis:eu-west-1:123456789012:stream/pipe-dev-signups",
                "StartingPosition": "LATEST",
                "BatchSize": 100,
            })
            .as_object()
            .cloned()
            .expect("an object"),
        };
        let created = EventSourceMapping.create(&replay.clients, &desired).await;
        replay.finish();
        let created = created.expect("created after the refusal");
        assert_eq!(created.handle.physical_id, "2f1e0d3c-4b5a-4968-8776-a5b4c3d2e1f0");
        assert_eq!(created.properties["BatchSize"], json!(100));
    }
}
