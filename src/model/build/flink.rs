//! Managed Service for Apache Flink applications.

use serde_json::{Map, Value, json};

use crate::blueprint::spec::flink::FlinkApplication;

use super::super::cfn::{arn, get_att, ref_, sub};
use super::super::iam::{self, Statement};
use super::super::naming::{logical, physical};
use super::super::needs::{self, Feature};
use super::super::{Builder, Packaging, Resource};
use crate::blueprint::contract;

pub fn application(b: &mut Builder, id: String, app: &FlinkApplication) -> std::io::Result<()> {
    let name = physical(b.name, &app.id);
    let key = b.artifact(&app.id, &app.code, Packaging::Zip)?;
    let component = b.component(&app.id);
    let network = contract::network_for(&b.graph, component);

    let log_group = b.log_group(&app.id, json!(format!("/aws/kinesis-analytics/{name}")));
    let log_stream = b.log_stream(&app.id, &log_group, "application");

    // The application lists the account's log groups, then writes to its own.
    let (list, write): (Vec<&'static str>, Vec<&'static str>) =
        needs::of(Feature::FlinkLogging).actions.iter().partition(|action| **action == "logs:DescribeLogGroups");
    let mut statements = vec![
        Statement::new(&list, vec![arn("logs", "log-group:*")]),
        Statement::new(&write, vec![get_att(&log_group, "Arn")]),
        needs::grant(Feature::FlinkCode, vec![iam::artifact_arn(&key)]),
    ];
    if let Some(network) = &network {
        statements.extend(needs::networking(Feature::FlinkVpc, network));
    }
    statements.extend(b.connection_grants(component, false));
    let role = b.role(&app.id, "kinesisanalytics.amazonaws.com", &statements);

    // The job finds each connected component by convention (`readings.stream.name`), in the
    // `pipe` property group, next to the blueprint's own properties.
    let mut properties = Map::new();
    properties.insert("aws.region".into(), ref_("AWS::Region"));
    properties.extend(super::super::refs::configuration(&b.graph, component));
    properties.extend(app.properties.iter().map(|(k, v)| (k.clone(), json!(v))));

    let mut configuration = json!({
        "ApplicationCodeConfiguration": {
            "CodeContent": { "S3ContentLocation": { "BucketARN": sub("arn:${AWS::Partition}:s3:::${ArtifactsBucket}"), "FileKey": key } },
            "CodeContentType": "ZIPFILE",
        },
        "FlinkApplicationConfiguration": {
            "ParallelismConfiguration": {
                "ConfigurationType": "CUSTOM",
                "Parallelism": crate::capacity::flink::parallelism(&b.graph, app).value(),
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
    if let Some(network) = &network {
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
