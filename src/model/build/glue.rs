//! Glue streaming jobs, with the Data Catalog database and table that describe their source stream.

use serde_json::json;

use crate::blueprint::spec::Component;
use crate::blueprint::spec::common::{Network, StartingPosition};
use crate::blueprint::spec::glue::GlueStreamingJob;

use super::super::cfn::{arn, ref_, sub};
use super::super::iam::{self, Statement};
use super::super::naming::{logical, physical};
use super::super::needs::{self, Feature};
use super::super::refs::arn_of;
use super::super::{Builder, Packaging, Resource, Suppression};

const GIVEN_ZONE: Suppression = Suppression {
    check: "W3010",
    reason: "Glue asks for the subnet's Availability Zone alongside the subnet; it is the blueprint's `network.availability_zone`, not a guess",
};
const SECURITY_KMS: Suppression = Suppression {
    check: "CKV_AWS_99",
    reason: "streaming jobs keep no bookmarks, and their logs and S3 output are encrypted by the service keys",
};

pub fn job(b: &mut Builder, id: String, job: &GlueStreamingJob) -> std::io::Result<()> {
    // The job, its connection and its security configuration share the name: the last two carry
    // no tags, and the SDK target finds whose they are through the job's.
    let name = physical(b.name, &job.id);
    let script = b.artifact(&job.id, &job.code, Packaging::File)?;
    let component = b.component(&job.id);
    let source = b
        .graph
        .inputs_of(&job.id)
        .map(|e| e.from.component)
        .find(|c| matches!(c, Component::KinesisStream(_) | Component::MskCluster(_)));

    let catalog = &job.catalog;
    let database = b.catalog_database(&job.id, &catalog.database);
    let columns: Vec<_> = catalog.columns.iter().map(|c| json!({ "Name": c.name, "Type": c.type_ })).collect();
    // The table tells Glue (and Athena) what the stream holds and where it is.
    let stream = match source {
        Some(cluster @ Component::MskCluster(_)) => {
            json!({ "classification": "json", "typeOfData": "kafka", "topicName": job.topic, "clusterArn": arn_of(cluster, b.name) })
        }
        _ => {
            json!({ "classification": "json", "typeOfData": "kinesis", "streamARN": source.map(|s| arn_of(s, b.name)) })
        }
    };
    let table = logical(&job.id, "StreamTable");
    let table_resource = Resource::new(
        "AWS::Glue::Table",
        &job.id,
        json!({
            "CatalogId": ref_("AWS::AccountId"),
            "DatabaseName": ref_(&database),
            "TableInput": {
                "Name": catalog.table,
                "TableType": "EXTERNAL_TABLE",
                "Parameters": stream,
                "StorageDescriptor": {
                    "Columns": columns,
                    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    "SerdeInfo": { "SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe" },
                    "Parameters": stream,
                },
            },
        }),
    );
    b.add(table.clone(), table_resource);

    let prefix = format!("pipe/{}/{}", b.name, job.id);
    let mut statements = b.connection_grants(component, false);
    statements.push(iam::glue_table(needs::of(Feature::GlueCatalog).actions, &catalog.database, &catalog.table));
    // `--enable-metrics` below: CloudWatch's PutMetricData takes no resource.
    statements.push(needs::unscoped(Feature::GlueMetrics));
    let connection = job.network.as_ref().map(|network| {
        let subnets =
            Network { subnets: vec![network.subnet.clone()], security_groups: network.security_groups.clone() };
        statements.extend(needs::networking(Feature::GlueConnection, &subnets));
        statements.push(Statement::new(
            &needs::actions(Feature::GlueConnection, "glue:"),
            vec![arn("glue", "catalog"), arn("glue", &format!("connection/{name}"))],
        ));
        let id = logical(&job.id, "Connection");
        let properties = json!({
            "CatalogId": ref_("AWS::AccountId"),
            "ConnectionInput": {
                "Name": name,
                "Description": format!("Network the `{}` job's workers join", job.id),
                "ConnectionType": "NETWORK",
                "PhysicalConnectionRequirements": {
                    "SubnetId": network.subnet,
                    "AvailabilityZone": network.availability_zone,
                    "SecurityGroupIdList": network.security_groups,
                },
            },
        });
        (id, properties)
    });
    if let Some((id, properties)) = &connection {
        b.add(id.clone(), Resource::new("AWS::Glue::Connection", &job.id, properties.clone()).suppress(&[GIVEN_ZONE]));
    }
    statements.push(needs::grant(Feature::GlueScript, vec![iam::artifact_arn(&script)]));
    statements.extend(iam::checkpoints(Feature::GlueCheckpoints, &prefix));
    statements.push(needs::grant(Feature::GlueLogs, vec![arn("logs", "log-group:/aws-glue/*")]));
    let role = b.role(&job.id, "glue.amazonaws.com", &statements);

    let mut arguments = json!({
        "--job-language": "python",
        "--enable-metrics": "true",
        "--enable-continuous-cloudwatch-log": "true",
        "--source_database": catalog.database,
        "--source_table": catalog.table,
        "--window_size": format!("{} seconds", job.window_seconds),
        "--starting_position": match job.starting_position { StartingPosition::Latest => "LATEST", StartingPosition::TrimHorizon => "TRIM_HORIZON" },
        "--checkpoint_location": sub(format!("s3://${{ArtifactsBucket}}/{prefix}/checkpoints/")),
    });
    // Every connected component by convention: `--orders_table_name`, `--telemetry_cluster_arn`.
    for (key, value) in super::super::refs::configuration(&b.graph, component) {
        arguments[key] = value;
    }
    for (key, value) in &job.arguments {
        arguments[key.as_str()] = json!(value);
    }
    let security = logical(&job.id, "SecurityConfiguration");
    let security_properties = json!({
        "Name": name,
        "EncryptionConfiguration": {
            "S3Encryptions": [{ "S3EncryptionMode": "SSE-S3" }],
            "CloudWatchEncryption": { "CloudWatchEncryptionMode": "DISABLED" },
            "JobBookmarksEncryption": { "JobBookmarksEncryptionMode": "DISABLED" },
        },
    });
    b.add(
        security.clone(),
        Resource::new("AWS::Glue::SecurityConfiguration", &job.id, security_properties).suppress(&[SECURITY_KMS]),
    );
    let mut properties = json!({
        "SecurityConfiguration": ref_(&security),
        "Name": name,
        "Role": super::super::cfn::get_att(&role, "Arn"),
        "GlueVersion": job.glue_version,
        "WorkerType": job.worker_type.name(),
        "NumberOfWorkers": crate::capacity::glue::workers(&b.graph, job).value(),
        "Command": { "Name": "gluestreaming", "PythonVersion": "3", "ScriptLocation": sub(format!("s3://${{ArtifactsBucket}}/{script}")) },
        "DefaultArguments": arguments,
        "Tags": b.tag_map(&job.id),
    });
    if let Some((connection, _)) = &connection {
        properties["Connections"] = json!({ "Connections": [ref_(connection)] });
    }
    b.add(id, Resource::new("AWS::Glue::Job", &job.id, properties).depends_on(&table));
    Ok(())
}
