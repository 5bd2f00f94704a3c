//! Glue streaming jobs, with the Data Catalog database and table that describe their source stream.

use serde_json::json;

use crate::blueprint::spec::Component;
use crate::blueprint::spec::common::StartingPosition;
use crate::blueprint::spec::glue::GlueStreamingJob;

use super::super::cfn::{arn, ref_, sub};
use super::super::iam::{self, Access, Statement, grants};
use super::super::naming::{logical, physical};
use super::super::refs::arn_of;
use super::super::{Builder, Packaging, Resource, Suppression};

const SECURITY_KMS: Suppression = Suppression {
    check: "CKV_AWS_99",
    reason: "streaming jobs keep no bookmarks, and their logs and S3 output are encrypted by the service keys",
};

pub fn job(b: &mut Builder, id: String, job: &GlueStreamingJob) -> std::io::Result<()> {
    let name = physical(b.name, &job.id);
    let script = b.artifact(&job.id, &job.code, Packaging::File)?;
    let source = b
        .graph
        .inputs_of(&job.id)
        .map(|e| e.from.component)
        .find(|c| matches!(c, Component::KinesisStream(_) | Component::MskCluster(_)));
    let lookups: Vec<&Component> = job.lookups.iter().filter_map(|id| b.graph.get(id)).map(|p| p.component).collect();
    let targets: Vec<&Component> = b.graph.readers_of(&job.id).map(|e| e.to.component).collect();

    let catalog = &job.catalog;
    let database = logical(&job.id, "Database");
    b.add(
        database.clone(),
        Resource::new(
            "AWS::Glue::Database",
            &job.id,
            json!({ "CatalogId": ref_("AWS::AccountId"), "DatabaseInput": { "Name": catalog.database, "Description": format!("Streams of pipeline {}", b.name) } }),
        ),
    );
    let columns: Vec<_> = catalog.columns.iter().map(|c| json!({ "Name": c.name, "Type": c.type_ })).collect();
    let stream_arn = source.map(|s| arn_of(s, b.name));
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
                "Parameters": { "classification": "json", "typeOfData": "kinesis", "streamARN": stream_arn },
                "StorageDescriptor": {
                    "Columns": columns,
                    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    "SerdeInfo": { "SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe" },
                    "Parameters": { "typeOfData": "kinesis", "streamARN": stream_arn },
                },
            },
        }),
    );
    b.add(table.clone(), table_resource);

    let prefix = format!("pipe/{}/{}", b.name, job.id);
    let mut statements = Vec::new();
    if let Some(source) = source {
        statements.extend(grants(Access::Read { enhanced_fan_out: false }, source, b.name, None));
    }
    statements.push(iam::glue_table(
        &["glue:GetDatabase", "glue:GetPartitions", "glue:GetTable"],
        &catalog.database,
        &catalog.table,
    ));
    for table in &lookups {
        statements.extend(grants(Access::Lookup, table, b.name, None));
    }
    for target in &targets {
        statements.extend(grants(Access::Write, target, b.name, None));
    }
    statements.push(Statement::new(
        &["s3:GetObject"],
        vec![sub(format!("arn:${{AWS::Partition}}:s3:::${{ArtifactsBucket}}/{script}"))],
    ));
    statements.push(Statement::new(
        &["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
        vec![sub(format!("arn:${{AWS::Partition}}:s3:::${{ArtifactsBucket}}/{prefix}/checkpoints/*"))],
    ));
    statements.push(Statement::new(&["s3:ListBucket"], vec![sub("arn:${AWS::Partition}:s3:::${ArtifactsBucket}")]));
    statements.push(Statement::new(
        &["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        vec![arn("logs", "log-group:/aws-glue/*")],
    ));
    let role = b.role(&job.id, "glue.amazonaws.com", &statements);

    let table_name = |c: &Component| ref_(&super::super::refs::logical_id(c));
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
    // Every table the job reads or writes, as `--<id>_table_name`.
    for component in lookups.iter().chain(&targets).filter(|c| matches!(c, Component::DynamodbTable(_))) {
        arguments[format!("--{}_table_name", component.id().replace('-', "_"))] = table_name(component);
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
    let properties = json!({
        "SecurityConfiguration": ref_(&security),
        "Name": name,
        "Role": super::super::cfn::get_att(&role, "Arn"),
        "GlueVersion": job.glue_version,
        "WorkerType": job.worker_type.name(),
        "NumberOfWorkers": job.workers,
        "Command": { "Name": "gluestreaming", "PythonVersion": "3", "ScriptLocation": sub(format!("s3://${{ArtifactsBucket}}/{script}")) },
        "DefaultArguments": arguments,
        "Tags": b.tag_map(&job.id),
    });
    b.add(id, Resource::new("AWS::Glue::Job", &job.id, properties).depends_on(&table));
    Ok(())
}
