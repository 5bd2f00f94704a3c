//! Managed Service for Apache Flink applications.

use serde_json::{Map, Value, json};

use crate::blueprint::spec::Component;
use crate::blueprint::spec::flink::FlinkApplication;

use super::super::cfn::{arn, get_att, ref_, sub};
use super::super::iam::{self, Access, grants};
use super::super::naming::{logical, physical};
use super::super::refs::logical_id;
use super::super::{Builder, Packaging, Resource};

pub fn application(b: &mut Builder, id: String, app: &FlinkApplication) -> std::io::Result<()> {
    let name = physical(b.name, &app.id);
    let key = b.artifact(&app.id, &app.code, Packaging::Zip)?;
    let sources: Vec<&Component> = b.graph.inputs_of(&app.id).map(|e| e.from.component).collect();
    let targets: Vec<&Component> = b.graph.readers_of(&app.id).map(|e| e.to.component).collect();

    let log_group = b.log_group(&app.id, json!(format!("/aws/kinesis-analytics/{name}")));
    let log_stream = b.log_stream(&app.id, &log_group, "application");

    let mut statements = vec![iam::logs(&log_group), iam::read_artifact(&key)];
    if let Some(network) = &app.network {
        statements.extend(iam::vpc_networking(network));
    }
    for source in &sources {
        statements.extend(grants(Access::Read { enhanced_fan_out: false }, source, b.name, None));
    }
    for target in &targets {
        statements.extend(grants(Access::Write, target, b.name, None));
    }
    let role = b.role(&app.id, "kinesisanalytics.amazonaws.com", &statements);

    // The job learns its streams from runtime properties: `input.stream.name` for the source and
    // `<id>.stream.name` / `<id>.delivery.stream.name` for each sink.
    let mut properties = Map::new();
    properties.insert("aws.region".into(), ref_("AWS::Region"));
    if let Some(source @ Component::KinesisStream(_)) = sources.first() {
        properties.insert("input.stream.name".into(), ref_(&logical_id(source)));
    }
    for target in &targets {
        let key = match target {
            Component::KinesisStream(_) => format!("{}.stream.name", target.id()),
            Component::Firehose(_) => format!("{}.delivery.stream.name", target.id()),
            _ => continue,
        };
        properties.insert(key, ref_(&logical_id(target)));
    }
    properties.extend(app.properties.iter().map(|(k, v)| (k.clone(), json!(v))));

    let mut configuration = json!({
        "ApplicationCodeConfiguration": {
            "CodeContent": { "S3ContentLocation": { "BucketARN": sub("arn:${AWS::Partition}:s3:::${ArtifactsBucket}"), "FileKey": key } },
            "CodeContentType": "ZIPFILE",
        },
        "FlinkApplicationConfiguration": {
            "ParallelismConfiguration": {
                "ConfigurationType": "CUSTOM",
                "Parallelism": app.parallelism,
                "ParallelismPerKPU": app.parallelism_per_kpu,
                "AutoScalingEnabled": app.autoscaling,
            },
            "CheckpointConfiguration": checkpoints(app),
            "MonitoringConfiguration": { "ConfigurationType": "CUSTOM", "LogLevel": "INFO", "MetricsLevel": "APPLICATION" },
        },
        "EnvironmentProperties": {
            "PropertyGroups": [
                { "PropertyGroupId": "pipe", "PropertyMap": Value::Object(properties) },
                { "PropertyGroupId": "kinesis.analytics.flink.run.options", "PropertyMap": { "python": "main.py" } },
            ],
        },
        "ApplicationSnapshotConfiguration": { "SnapshotsEnabled": true },
    });
    if let Some(network) = &app.network {
        configuration["VpcConfigurations"] =
            json!([{ "SubnetIds": network.subnets, "SecurityGroupIds": network.security_groups }]);
    }
    let resource = Resource::new(
        "AWS::KinesisAnalyticsV2::Application",
        &app.id,
        json!({
            "ApplicationName": name,
            "RuntimeEnvironment": app.runtime,
            "ServiceExecutionRole": get_att(&role, "Arn"),
            "ApplicationConfiguration": configuration,
            "Tags": b.tags(&app.id),
        }),
    );
    b.add(id.clone(), resource);
    let stream_arn = arn("logs", &format!("log-group:/aws/kinesis-analytics/{name}:log-stream:application"));
    b.add(
        logical(&app.id, "Logging"),
        Resource::new(
            "AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption",
            &app.id,
            json!({ "ApplicationName": ref_(&id), "CloudWatchLoggingOption": { "LogStreamARN": stream_arn } }),
        )
        .depends_on(&log_stream),
    );
    b.output(
        format!("{id}Name"),
        format!("Name of the `{}` application; start it with `aws kinesisanalyticsv2 start-application`", app.id),
        ref_(&id),
    );
    Ok(())
}

fn checkpoints(app: &FlinkApplication) -> Value {
    match app.checkpoint_interval_ms {
        None => json!({ "ConfigurationType": "DEFAULT" }),
        Some(interval) => {
            json!({ "ConfigurationType": "CUSTOM", "CheckpointingEnabled": true, "CheckpointInterval": interval })
        }
    }
}
