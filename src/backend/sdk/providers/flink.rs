//! Managed Service for Apache Flink: `AWS::KinesisAnalyticsV2::Application` and
//! `AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption`. pipe creates, updates and
//! deletes applications; starting one is a separate step, never done here.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_kinesisanalyticsv2::types::{
    ApplicationCodeConfiguration, ApplicationCodeConfigurationUpdate, ApplicationConfiguration,
    ApplicationConfigurationUpdate, ApplicationDetail, ApplicationSnapshotConfiguration,
    ApplicationSnapshotConfigurationUpdate, ApplicationStatus, CheckpointConfiguration, CheckpointConfigurationUpdate,
    CloudWatchLoggingOption, CloudWatchLoggingOptionUpdate, CodeContent, CodeContentType, CodeContentUpdate,
    ConfigurationType, EnvironmentProperties, EnvironmentPropertyUpdates, FlinkApplicationConfiguration,
    FlinkApplicationConfigurationUpdate, LogLevel, MetricsLevel, MonitoringConfiguration,
    MonitoringConfigurationUpdate, ParallelismConfiguration, ParallelismConfigurationUpdate, PropertyGroup,
    RuntimeEnvironment, S3ContentLocation, S3ContentLocationUpdate, Tag, VpcConfiguration, VpcConfigurationUpdate,
};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api, tolerate};
use crate::backend::sdk::propagation;
use crate::backend::sdk::provider::{
    ALL_TAGS, Clients, Desired, Live, Provider, converge, converge_tags, list_all, tag_list, touched, wait_for,
};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

const READY: Duration = Duration::from_secs(20 * 60);
/// The application version the last read saw, for UpdateApplication's optimistic lock.
const VERSION: &str = "ApplicationVersionId";

pub struct Application;

#[async_trait]
impl Provider for Application {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|token| async move {
            let page =
                aws.flink.list_applications().set_next_token(token).send().await.map_err(api("ListApplications"))?;
            let names = page.application_summaries().iter().map(|a| a.application_name().to_string()).collect();
            Ok((names, page.next_token().map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let Some(detail) = describe(aws, &desired.name).await? else { return Ok(None) };
        read_application(aws, &detail, desired).await.map(Some)
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let configuration = configuration(desired)?;
        let tags = desired
            .tags()
            .into_iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(invalid("CreateApplication")))
            .collect::<Result<Vec<_>, _>>()?;
        let created = propagation::retry(|| async {
            let sent = aws
                .flink
                .create_application()
                .application_name(&desired.name)
                .runtime_environment(RuntimeEnvironment::from(desired.str("RuntimeEnvironment").unwrap_or_default()))
                .set_service_execution_role(desired.str("ServiceExecutionRole").map(str::to_string))
                .application_configuration(configuration.clone())
                .set_tags((!tags.is_empty()).then(|| tags.clone()))
                .send()
                .await
                .map_err(api("CreateApplication"));
            match sent {
                Ok(_) => Ok(false),
                // A retry after a lost response: the application exists; adopt it.
                Err(e) if e.is("ResourceInUseException") => Ok(true),
                Err(e) => Err(e),
            }
        })
        .await?;
        let detail = wait_settled(aws, &desired.name).await?;
        let live = read_application(aws, &detail, desired).await?;
        if created { converge(self, aws, desired, &live).await } else { Ok(live) }
    }

    /// UpdateApplication for the configuration, role and runtime; then the VPC attached or
    /// detached (calls of their own); then the tags.
    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        let name = &desired.name;
        let want = desired.get("ApplicationConfiguration").cloned().unwrap_or(Value::Null);
        let now = live.properties.get("ApplicationConfiguration").cloned().unwrap_or(Value::Null);
        let mut version = version_of(aws, live, name).await?;
        let configuration = configuration_update(&want, &now, live, changes)?;
        let differs = |key: &str| touched(changes, key);
        if configuration.is_some() || differs("ServiceExecutionRole") || differs("RuntimeEnvironment") {
            let request = aws
                .flink
                .update_application()
                .application_name(name)
                .current_application_version_id(version)
                .set_service_execution_role_update(
                    differs("ServiceExecutionRole")
                        .then(|| desired.str("ServiceExecutionRole").map(str::to_string))
                        .flatten(),
                )
                .set_runtime_environment_update(
                    differs("RuntimeEnvironment")
                        .then(|| desired.str("RuntimeEnvironment").map(RuntimeEnvironment::from))
                        .flatten(),
                )
                .set_application_configuration_update(configuration);
            let out =
                propagation::retry(|| async { request.clone().send().await.map_err(api("UpdateApplication")) }).await?;
            version = out.application_detail().map_or(version + 1, ApplicationDetail::application_version_id);
            wait_settled(aws, name).await?;
        }
        if touched(changes, "ApplicationConfiguration.VpcConfigurations") {
            attach_or_detach_vpc(aws, name, live, &want, &now, version).await?;
        }
        let arn = live.handle.attributes.get("Arn").and_then(Value::as_str).unwrap_or_default();
        converge_tags(
            live.properties.get("Tags"),
            desired.get("Tags"),
            ALL_TAGS,
            ("UntagResource", |keys| aws.flink.untag_resource().resource_arn(arn).set_tag_keys(Some(keys)).send()),
            ("TagResource", |pairs| async move {
                let tags = pairs
                    .into_iter()
                    .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(invalid("TagResource")))
                    .collect::<Result<Vec<_>, _>>()?;
                aws.flink.tag_resource().resource_arn(arn).set_tags(Some(tags)).send().await.map_err(api("TagResource"))
            }),
        )
        .await?;
        let detail = wait_settled(aws, name).await?;
        read_application(aws, &detail, desired).await
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let name = &live.handle.physical_id;
        let Some(detail) = describe(aws, name).await? else { return Ok(()) };
        if detail.application_status() != &ApplicationStatus::Deleting {
            let Some(created) = detail.create_timestamp() else {
                return Err(ApiError::new("DeleteApplication", format!("application {name} has no CreateTimestamp")));
            };
            tolerate(
                aws.flink
                    .delete_application()
                    .application_name(name)
                    .create_timestamp(*created)
                    .send()
                    .await
                    .map_err(api("DeleteApplication")),
                &["ResourceNotFoundException"],
            )?;
        }
        wait_for("DeleteApplication", READY, || async { Ok(describe(aws, name).await?.is_none().then_some(())) }).await
    }
}

pub struct LoggingOption;

#[async_trait]
impl Provider for LoggingOption {
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let Some(application) = desired.str("ApplicationName") else { return Ok(None) };
        let want = desired.get("CloudWatchLoggingOption").and_then(|o| o.get("LogStreamARN")).and_then(Value::as_str);
        read_option(aws, application, want).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let Some(application) = desired.str("ApplicationName") else {
            return Err(ApiError::new("AddApplicationCloudWatchLoggingOption", "no ApplicationName"));
        };
        let stream = log_stream(desired).unwrap_or_default();
        let detail = wait_settled(aws, application).await?;
        let sent = aws
            .flink
            .add_application_cloud_watch_logging_option()
            .application_name(application)
            .current_application_version_id(detail.application_version_id())
            .cloud_watch_logging_option(
                CloudWatchLoggingOption::builder()
                    .log_stream_arn(stream)
                    .build()
                    .map_err(invalid("AddApplicationCloudWatchLoggingOption"))?,
            )
            .send()
            .await
            .map_err(api("AddApplicationCloudWatchLoggingOption"));
        if let Err(e) = sent {
            // A retry after a lost response: the option is there already; adopt it.
            match read_option(aws, application, Some(stream)).await? {
                Some(live)
                    if live.properties.get("CloudWatchLoggingOption") == desired.get("CloudWatchLoggingOption") => {}
                _ => return Err(e),
            }
        }
        wait_settled(aws, application).await?;
        read_option(aws, application, Some(stream)).await?.ok_or_else(|| {
            ApiError::new("DescribeApplication", format!("the logging option of {application} vanished"))
        })
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        _changes: &[Change],
    ) -> Result<Live, ApiError> {
        let application = desired.str("ApplicationName").unwrap_or_default();
        let stream = log_stream(desired).unwrap_or_default();
        let detail = wait_settled(aws, application).await?;
        aws.flink
            .update_application()
            .application_name(application)
            .current_application_version_id(detail.application_version_id())
            .cloud_watch_logging_option_updates(
                CloudWatchLoggingOptionUpdate::builder()
                    .cloud_watch_logging_option_id(&live.handle.physical_id)
                    .log_stream_arn_update(stream)
                    .build()
                    .map_err(invalid("UpdateApplication"))?,
            )
            .send()
            .await
            .map_err(api("UpdateApplication"))?;
        wait_settled(aws, application).await?;
        read_option(aws, application, Some(stream)).await?.ok_or_else(|| {
            ApiError::new("DescribeApplication", format!("the logging option of {application} vanished"))
        })
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let Some(application) = live.properties.get("ApplicationName").and_then(Value::as_str) else { return Ok(()) };
        let Some(detail) = describe(aws, application).await? else { return Ok(()) };
        let present = detail
            .cloud_watch_logging_option_descriptions()
            .iter()
            .any(|o| o.cloud_watch_logging_option_id() == Some(&live.handle.physical_id));
        if !present {
            return Ok(());
        }
        let detail = wait_settled(aws, application).await?;
        match aws
            .flink
            .delete_application_cloud_watch_logging_option()
            .application_name(application)
            .current_application_version_id(detail.application_version_id())
            .cloud_watch_logging_option_id(&live.handle.physical_id)
            .send()
            .await
            .map_err(api("DeleteApplicationCloudWatchLoggingOption"))
        {
            Err(e) if e.is("ResourceNotFoundException") => return Ok(()),
            other => {
                other?;
            }
        }
        wait_settled(aws, application).await.map(|_| ())
    }
}

fn log_stream(desired: &Desired) -> Option<&str> {
    desired.get("CloudWatchLoggingOption")?.get("LogStreamARN")?.as_str()
}

/// The application's logging option: the one for `want` when there is one, else the one it has
/// (an application takes one, so a different stream is the same option changed).
async fn read_option(aws: &Clients, application: &str, want: Option<&str>) -> Result<Option<Live>, ApiError> {
    let Some(detail) = describe(aws, application).await? else { return Ok(None) };
    let options = detail.cloud_watch_logging_option_descriptions();
    let Some(option) = options.iter().find(|o| Some(o.log_stream_arn()) == want).or_else(|| options.first()) else {
        return Ok(None);
    };
    let id = option.cloud_watch_logging_option_id().unwrap_or_default().to_string();
    let properties = Map::from_iter([
        ("ApplicationName".to_string(), json!(application)),
        ("CloudWatchLoggingOption".to_string(), json!({ "LogStreamARN": option.log_stream_arn() })),
    ]);
    let handle = Handle { physical_id: id.clone(), attributes: Map::from_iter([("Id".to_string(), json!(id))]) };
    Ok(Some(Live { handle, properties }))
}

async fn describe(aws: &Clients, name: &str) -> Result<Option<ApplicationDetail>, ApiError> {
    match aws.flink.describe_application().application_name(name).send().await.map_err(api("DescribeApplication")) {
        Ok(out) => Ok(out.application_detail().cloned()),
        Err(e) if e.is("ResourceNotFoundException") => Ok(None),
        Err(e) => Err(e),
    }
}

/// The version to update from: the one the plan read, so that a change made since fails with
/// ConcurrentModificationException instead of being overwritten.
async fn version_of(aws: &Clients, live: &Live, name: &str) -> Result<i64, ApiError> {
    if let Some(version) = live.handle.attributes.get(VERSION).and_then(Value::as_i64) {
        return Ok(version);
    }
    let detail = describe(aws, name).await?;
    detail
        .map(|d| d.application_version_id())
        .ok_or_else(|| ApiError::new("DescribeApplication", format!("application {name} vanished")))
}

/// Waits until the application takes changes: READY, or RUNNING when it was started.
async fn wait_settled(aws: &Clients, name: &str) -> Result<ApplicationDetail, ApiError> {
    wait_for("DescribeApplication", READY, || async {
        let Some(detail) = describe(aws, name).await? else {
            return Err(ApiError::new("DescribeApplication", format!("application {name} does not exist")));
        };
        match detail.application_status() {
            ApplicationStatus::Ready | ApplicationStatus::Running => Ok(Some(detail)),
            ApplicationStatus::RolledBack => Err(ApiError::new(
                "DescribeApplication",
                format!("application {name} rolled its last update back; see its CloudWatch logs"),
            )),
            _ => Ok(None),
        }
    })
    .await
}

/// The application in the template's shape: the settings pipe sets, AWS's defaults dropped.
async fn read_application(aws: &Clients, detail: &ApplicationDetail, desired: &Desired) -> Result<Live, ApiError> {
    let arn = detail.application_arn();
    let tags = aws.flink.list_tags_for_resource().resource_arn(arn).send().await.map_err(api("ListTagsForResource"))?;
    let mut properties = Map::new();
    properties.insert("ApplicationName".into(), json!(detail.application_name()));
    properties.insert("RuntimeEnvironment".into(), json!(detail.runtime_environment().as_str()));
    if let Some(role) = detail.service_execution_role() {
        properties.insert("ServiceExecutionRole".into(), json!(role));
    }
    let mut vpc_id = None;
    if let Some(config) = detail.application_configuration_description() {
        let mut out = Map::new();
        if let Some(code) = config.application_code_configuration_description() {
            let mut shaped = json!({ "CodeContentType": code.code_content_type().as_str() });
            if let Some(s3) = code.code_content_description().and_then(|c| c.s3_application_code_location_description())
            {
                let mut location = json!({ "BucketARN": s3.bucket_arn(), "FileKey": s3.file_key() });
                if let Some(version) = s3.object_version() {
                    location["ObjectVersion"] = json!(version);
                }
                shaped["CodeContent"] = json!({ "S3ContentLocation": location });
            }
            out.insert("ApplicationCodeConfiguration".into(), shaped);
        }
        if let Some(flink) = config.flink_application_configuration_description() {
            let mut shaped = Map::new();
            if let Some(p) = flink.parallelism_configuration_description() {
                shaped.insert(
                    "ParallelismConfiguration".into(),
                    match p.configuration_type() {
                        Some(ConfigurationType::Custom) => json!({
                            "ConfigurationType": "CUSTOM",
                            "Parallelism": p.parallelism(),
                            "ParallelismPerKPU": p.parallelism_per_kpu(),
                            "AutoScalingEnabled": p.auto_scaling_enabled(),
                        }),
                        _ => json!({ "ConfigurationType": "DEFAULT" }),
                    },
                );
            }
            if let Some(c) = flink.checkpoint_configuration_description() {
                shaped.insert(
                    "CheckpointConfiguration".into(),
                    match c.configuration_type() {
                        Some(ConfigurationType::Custom) => {
                            let mut custom = json!({
                                "ConfigurationType": "CUSTOM",
                                "CheckpointingEnabled": c.checkpointing_enabled(),
                                "CheckpointInterval": c.checkpoint_interval(),
                            });
                            // 5 s is AWS's default pause, which the template leaves unset.
                            if let Some(pause) = c.min_pause_between_checkpoints().filter(|p| *p != 5000) {
                                custom["MinPauseBetweenCheckpoints"] = json!(pause);
                            }
                            custom
                        }
                        _ => json!({ "ConfigurationType": "DEFAULT" }),
                    },
                );
            }
            if let Some(m) = flink.monitoring_configuration_description() {
                shaped.insert(
                    "MonitoringConfiguration".into(),
                    match m.configuration_type() {
                        Some(ConfigurationType::Custom) => json!({
                            "ConfigurationType": "CUSTOM",
                            "LogLevel": m.log_level().map(LogLevel::as_str),
                            "MetricsLevel": m.metrics_level().map(MetricsLevel::as_str),
                        }),
                        _ => json!({ "ConfigurationType": "DEFAULT" }),
                    },
                );
            }
            out.insert("FlinkApplicationConfiguration".into(), Value::Object(shaped));
        }
        if let Some(env) = config.environment_property_descriptions() {
            // Groups in the template's order: AWS does not promise to keep it.
            let order: Vec<&str> = desired
                .get("ApplicationConfiguration")
                .and_then(|c| c.pointer("/EnvironmentProperties/PropertyGroups"))
                .and_then(Value::as_array)
                .map(|groups| groups.iter().filter_map(|g| g.get("PropertyGroupId")?.as_str()).collect())
                .unwrap_or_default();
            let mut groups: Vec<&PropertyGroup> = env.property_group_descriptions().iter().collect();
            groups.sort_by_key(|g| order.iter().position(|id| *id == g.property_group_id()).unwrap_or(usize::MAX));
            let groups: Vec<Value> = groups
                .into_iter()
                .map(|g| {
                    let map: std::collections::BTreeMap<_, _> = g.property_map().iter().collect();
                    json!({ "PropertyGroupId": g.property_group_id(), "PropertyMap": map })
                })
                .collect();
            out.insert("EnvironmentProperties".into(), json!({ "PropertyGroups": groups }));
        }
        if let Some(snapshots) = config.application_snapshot_configuration_description() {
            out.insert(
                "ApplicationSnapshotConfiguration".into(),
                json!({ "SnapshotsEnabled": snapshots.snapshots_enabled() }),
            );
        }
        let vpcs = config.vpc_configuration_descriptions();
        if let Some(vpc) = vpcs.first() {
            vpc_id = Some(vpc.vpc_configuration_id().to_string());
            out.insert(
                "VpcConfigurations".into(),
                Value::Array(
                    vpcs.iter()
                        .map(|v| json!({ "SubnetIds": v.subnet_ids(), "SecurityGroupIds": v.security_group_ids() }))
                        .collect(),
                ),
            );
        }
        properties.insert("ApplicationConfiguration".into(), Value::Object(out));
    }
    properties.insert(
        "Tags".into(),
        tag_list(tags.tags().iter().map(|t| (t.key().to_string(), t.value().unwrap_or_default().to_string()))),
    );
    let mut attributes = Map::from_iter([
        ("Arn".to_string(), json!(arn)),
        (VERSION.to_string(), json!(detail.application_version_id())),
    ]);
    if let Some(id) = vpc_id {
        attributes.insert("VpcConfigurationId".into(), json!(id));
    }
    Ok(Live { handle: Handle { physical_id: detail.application_name().to_string(), attributes }, properties })
}

fn invalid<E: std::fmt::Display>(operation: &'static str) -> impl Fn(E) -> ApiError {
    move |error| ApiError::new(operation, error.to_string())
}

fn strings(value: Option<&Value>, key: &str) -> Option<Vec<String>> {
    let list = value?.get(key)?.as_array()?;
    Some(list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
}

fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

fn configuration_type(value: &Value, pointer: &str) -> ConfigurationType {
    match text(value, pointer) {
        Some("CUSTOM") => ConfigurationType::Custom,
        _ => ConfigurationType::Default,
    }
}

fn property_groups(configuration: &Value, operation: &'static str) -> Result<Vec<PropertyGroup>, ApiError> {
    let groups = configuration.pointer("/EnvironmentProperties/PropertyGroups").and_then(Value::as_array);
    groups
        .into_iter()
        .flatten()
        .map(|group| {
            let map = group
                .get("PropertyMap")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string)));
            PropertyGroup::builder()
                .property_group_id(group.get("PropertyGroupId").and_then(Value::as_str).unwrap_or_default())
                .set_property_map(Some(map.collect()))
                .build()
                .map_err(invalid(operation))
        })
        .collect()
}

/// The template's `ApplicationConfiguration` as CreateApplication takes it.
fn configuration(desired: &Desired) -> Result<ApplicationConfiguration, ApiError> {
    const OP: &str = "CreateApplication";
    let config = desired.get("ApplicationConfiguration").cloned().unwrap_or(Value::Null);
    let mut builder = ApplicationConfiguration::builder();
    if let Some(code) = config.get("ApplicationCodeConfiguration") {
        let location = code.pointer("/CodeContent/S3ContentLocation");
        let field = |key: &str| location.and_then(|l| l.get(key)).and_then(Value::as_str).map(str::to_string);
        let content = CodeContent::builder()
            .set_s3_content_location(
                location
                    .map(|_| {
                        S3ContentLocation::builder()
                            .set_bucket_arn(field("BucketARN"))
                            .set_file_key(field("FileKey"))
                            .set_object_version(field("ObjectVersion"))
                            .build()
                            .map_err(invalid(OP))
                    })
                    .transpose()?,
            )
            .build();
        builder = builder.application_code_configuration(
            ApplicationCodeConfiguration::builder()
                .code_content(content)
                .code_content_type(CodeContentType::from(text(code, "/CodeContentType").unwrap_or("ZIPFILE")))
                .build()
                .map_err(invalid(OP))?,
        );
    }
    if let Some(flink) = config.get("FlinkApplicationConfiguration") {
        let mut f = FlinkApplicationConfiguration::builder();
        if let Some(p) = flink.get("ParallelismConfiguration") {
            f = f.parallelism_configuration(
                ParallelismConfiguration::builder()
                    .configuration_type(configuration_type(p, "/ConfigurationType"))
                    .set_parallelism(int(p, "Parallelism"))
                    .set_parallelism_per_kpu(int(p, "ParallelismPerKPU"))
                    .set_auto_scaling_enabled(p.get("AutoScalingEnabled").and_then(Value::as_bool))
                    .build()
                    .map_err(invalid(OP))?,
            );
        }
        if let Some(c) = flink.get("CheckpointConfiguration") {
            f = f.checkpoint_configuration(
                CheckpointConfiguration::builder()
                    .configuration_type(configuration_type(c, "/ConfigurationType"))
                    .set_checkpointing_enabled(c.get("CheckpointingEnabled").and_then(Value::as_bool))
                    .set_checkpoint_interval(c.get("CheckpointInterval").and_then(Value::as_i64))
                    .set_min_pause_between_checkpoints(c.get("MinPauseBetweenCheckpoints").and_then(Value::as_i64))
                    .build()
                    .map_err(invalid(OP))?,
            );
        }
        if let Some(m) = flink.get("MonitoringConfiguration") {
            f = f.monitoring_configuration(
                MonitoringConfiguration::builder()
                    .configuration_type(configuration_type(m, "/ConfigurationType"))
                    .set_log_level(text(m, "/LogLevel").map(LogLevel::from))
                    .set_metrics_level(text(m, "/MetricsLevel").map(MetricsLevel::from))
                    .build()
                    .map_err(invalid(OP))?,
            );
        }
        builder = builder.flink_application_configuration(f.build());
    }
    if config.get("EnvironmentProperties").is_some() {
        builder = builder.environment_properties(
            EnvironmentProperties::builder()
                .set_property_groups(Some(property_groups(&config, OP)?))
                .build()
                .map_err(invalid(OP))?,
        );
    }
    if let Some(enabled) = config.pointer("/ApplicationSnapshotConfiguration/SnapshotsEnabled").and_then(Value::as_bool)
    {
        builder = builder.application_snapshot_configuration(
            ApplicationSnapshotConfiguration::builder().snapshots_enabled(enabled).build().map_err(invalid(OP))?,
        );
    }
    for vpc in config.get("VpcConfigurations").and_then(Value::as_array).into_iter().flatten() {
        builder = builder.vpc_configurations(
            VpcConfiguration::builder()
                .set_subnet_ids(strings(Some(vpc), "SubnetIds"))
                .set_security_group_ids(strings(Some(vpc), "SecurityGroupIds"))
                .build()
                .map_err(invalid(OP))?,
        );
    }
    Ok(builder.build())
}

fn int(value: &Value, key: &str) -> Option<i32> {
    value.get(key).and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok())
}

/// The parts of the application's configuration that change, as one update; `None` when none
/// does. A VPC changed in place is part of it; one attached or detached is not (see
/// [`attach_or_detach_vpc`]).
fn configuration_update(
    want: &Value,
    now: &Value,
    live: &Live,
    changes: &[Change],
) -> Result<Option<ApplicationConfigurationUpdate>, ApiError> {
    let part_differs = |key: &str| touched(changes, &format!("ApplicationConfiguration.{key}"));
    let mut update = ApplicationConfigurationUpdate::builder();
    let mut any = false;
    if part_differs("ApplicationCodeConfiguration") {
        update = update.application_code_configuration_update(code_update(want));
        any = true;
    }
    if part_differs("FlinkApplicationConfiguration") {
        update = update.flink_application_configuration_update(flink_update(want, changes));
        any = true;
    }
    if part_differs("EnvironmentProperties") {
        let groups = property_groups(want, "UpdateApplication")?;
        update = update.environment_property_updates(
            EnvironmentPropertyUpdates::builder()
                .set_property_groups(Some(groups))
                .build()
                .map_err(invalid("UpdateApplication"))?,
        );
        any = true;
    }
    if part_differs("ApplicationSnapshotConfiguration") {
        let enabled = want.pointer("/ApplicationSnapshotConfiguration/SnapshotsEnabled").and_then(Value::as_bool);
        update = update.application_snapshot_configuration_update(
            ApplicationSnapshotConfigurationUpdate::builder()
                .snapshots_enabled_update(enabled.unwrap_or(false))
                .build()
                .map_err(invalid("UpdateApplication"))?,
        );
        any = true;
    }
    let (want_vpc, now_vpc) = (want.pointer("/VpcConfigurations/0"), now.pointer("/VpcConfigurations/0"));
    if part_differs("VpcConfigurations") && want_vpc.is_some() && now_vpc.is_some() {
        let Some(id) = live.handle.attributes.get("VpcConfigurationId").and_then(Value::as_str) else {
            return Err(ApiError::new("UpdateApplication", "the live VPC configuration has no id"));
        };
        update = update.vpc_configuration_updates(
            VpcConfigurationUpdate::builder()
                .vpc_configuration_id(id)
                .set_subnet_id_updates(strings(want_vpc, "SubnetIds"))
                .set_security_group_id_updates(strings(want_vpc, "SecurityGroupIds"))
                .build()
                .map_err(invalid("UpdateApplication"))?,
        );
        any = true;
    }
    Ok(any.then(|| update.build()))
}

/// Attaches a VPC to an application that had none, or detaches the one it has, each a call of
/// its own at the application's `version`.
async fn attach_or_detach_vpc(
    aws: &Clients,
    name: &str,
    live: &Live,
    want: &Value,
    now: &Value,
    version: i64,
) -> Result<(), ApiError> {
    let (want_vpc, now_vpc) = (want.pointer("/VpcConfigurations/0"), now.pointer("/VpcConfigurations/0"));
    if want_vpc.is_none()
        && let Some(id) = live.handle.attributes.get("VpcConfigurationId").and_then(Value::as_str)
    {
        aws.flink
            .delete_application_vpc_configuration()
            .application_name(name)
            .current_application_version_id(version)
            .vpc_configuration_id(id)
            .send()
            .await
            .map_err(api("DeleteApplicationVpcConfiguration"))?;
        wait_settled(aws, name).await?;
    }
    if now_vpc.is_none()
        && let Some(vpc) = want_vpc
    {
        aws.flink
            .add_application_vpc_configuration()
            .application_name(name)
            .current_application_version_id(version)
            .vpc_configuration(
                VpcConfiguration::builder()
                    .set_subnet_ids(strings(Some(vpc), "SubnetIds"))
                    .set_security_group_ids(strings(Some(vpc), "SecurityGroupIds"))
                    .build()
                    .map_err(invalid("AddApplicationVpcConfiguration"))?,
            )
            .send()
            .await
            .map_err(api("AddApplicationVpcConfiguration"))?;
        wait_settled(aws, name).await?;
    }
    Ok(())
}

fn code_update(want: &Value) -> ApplicationCodeConfigurationUpdate {
    let location = want.pointer("/ApplicationCodeConfiguration/CodeContent/S3ContentLocation");
    let field = |key: &str| location.and_then(|l| l.get(key)).and_then(Value::as_str).map(str::to_string);
    ApplicationCodeConfigurationUpdate::builder()
        .set_code_content_type_update(
            text(want, "/ApplicationCodeConfiguration/CodeContentType").map(CodeContentType::from),
        )
        .code_content_update(
            CodeContentUpdate::builder()
                .s3_content_location_update(
                    S3ContentLocationUpdate::builder()
                        .set_bucket_arn_update(field("BucketARN"))
                        .set_file_key_update(field("FileKey"))
                        .set_object_version_update(field("ObjectVersion"))
                        .build(),
                )
                .build(),
        )
        .build()
}

/// The Flink settings `changes` touch, as `want` (`ApplicationConfiguration`) has them.
fn flink_update(want: &Value, changes: &[Change]) -> FlinkApplicationConfigurationUpdate {
    let part = |value: &Value, key: &str| value.pointer(&format!("/FlinkApplicationConfiguration/{key}")).cloned();
    let changed =
        |key: &str| touched(changes, &format!("ApplicationConfiguration.FlinkApplicationConfiguration.{key}"));
    let mut update = FlinkApplicationConfigurationUpdate::builder();
    if changed("ParallelismConfiguration") {
        let p = part(want, "ParallelismConfiguration").unwrap_or(Value::Null);
        update = update.parallelism_configuration_update(
            ParallelismConfigurationUpdate::builder()
                .configuration_type_update(configuration_type(&p, "/ConfigurationType"))
                .set_parallelism_update(int(&p, "Parallelism"))
                .set_parallelism_per_kpu_update(int(&p, "ParallelismPerKPU"))
                .set_auto_scaling_enabled_update(p.get("AutoScalingEnabled").and_then(Value::as_bool))
                .build(),
        );
    }
    if changed("CheckpointConfiguration") {
        let c = part(want, "CheckpointConfiguration").unwrap_or(Value::Null);
        update = update.checkpoint_configuration_update(
            CheckpointConfigurationUpdate::builder()
                .configuration_type_update(configuration_type(&c, "/ConfigurationType"))
                .set_checkpointing_enabled_update(c.get("CheckpointingEnabled").and_then(Value::as_bool))
                .set_checkpoint_interval_update(c.get("CheckpointInterval").and_then(Value::as_i64))
                .set_min_pause_between_checkpoints_update(c.get("MinPauseBetweenCheckpoints").and_then(Value::as_i64))
                .build(),
        );
    }
    if changed("MonitoringConfiguration") {
        let m = part(want, "MonitoringConfiguration").unwrap_or(Value::Null);
        update = update.monitoring_configuration_update(
            MonitoringConfigurationUpdate::builder()
                .configuration_type_update(configuration_type(&m, "/ConfigurationType"))
                .set_log_level_update(text(&m, "/LogLevel").map(LogLevel::from))
                .set_metrics_level_update(text(&m, "/MetricsLevel").map(MetricsLevel::from))
                .build(),
        );
    }
    update.build()
}
