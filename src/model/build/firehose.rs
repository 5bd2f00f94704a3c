//! Firehose delivery streams: source, destination, buffering, and the role that ties them.

use serde_json::{Value, json};

use crate::blueprint::spec::Component;
use crate::blueprint::spec::firehose::{Compression, Firehose, FormatConversion, OutputFormat};

use super::super::cfn::{arn, get_att, ref_, sub};
use super::super::iam;
use super::super::naming::{logical, physical};
use super::super::needs::{self, Feature};
use super::super::refs::{admin_secret, arn_of, logical_id};
use super::super::{Builder, Prerequisite, Resource};
use crate::blueprint::contract;

/// The log stream delivery errors go to.
const DELIVERY_LOG_STREAM: &str = "delivery";

pub fn delivery_stream(b: &mut Builder, id: String, firehose: &Firehose) {
    let name = physical(b.name, &firehose.id);
    let source = b
        .graph
        .inputs_of(&firehose.id)
        .map(|e| e.from.component)
        .find(|c| matches!(c, Component::KinesisStream(_) | Component::MskCluster(_)));
    let destination = b.graph.readers_of(&firehose.id).map(|e| e.to.component).next();
    let intermediate = firehose.intermediate.as_deref().and_then(|i| b.graph.get(i)).map(|p| p.component);

    let log_group_name = format!("/aws/kinesisfirehose/{name}");
    let log_group = b.log_group(&firehose.id, json!(log_group_name));
    let log_stream = b.log_stream(&firehose.id, &log_group, DELIVERY_LOG_STREAM);
    let logging = json!({ "Enabled": true, "LogGroupName": ref_(&log_group), "LogStreamName": ref_(&log_stream) });

    let component = b.component(&firehose.id);
    let network = contract::network_for(&b.graph, component);
    let log_stream_arn = arn("logs", &format!("log-group:{log_group_name}:log-stream:{DELIVERY_LOG_STREAM}"));
    let mut statements = vec![needs::grant(Feature::FirehoseLogging, vec![log_stream_arn])];
    statements.extend(b.connection_grants(component, false));
    if let Some(msk @ Component::MskCluster(cluster)) = source {
        let resources = iam::kafka_resources(cluster, b.name, arn_of(msk, b.name), firehose.topic.as_deref());
        statements.push(needs::grant(Feature::FirehoseMskSource, resources.to_vec()));
    }
    for bucket in [destination, intermediate].into_iter().flatten().filter(|c| matches!(c, Component::S3Bucket(_))) {
        statements.push(needs::grant(Feature::FirehoseS3, vec![arn_of(bucket, b.name), iam::everything_in(bucket)]));
    }
    if let Some(domain @ Component::OpensearchDomain(_)) = destination {
        let resources = vec![arn_of(domain, b.name), iam::everything_in(domain)];
        statements.push(needs::grant(Feature::FirehoseOpensearch, resources));
    }
    if let Some(network) = &network {
        statements.extend(needs::networking(Feature::FirehoseVpc, network));
    }
    let schema = firehose.format_conversion.as_ref().map(|conversion| {
        statements.push(iam::glue_table(
            needs::of(Feature::FirehoseConversion).actions,
            &conversion.database,
            &conversion.table,
        ));
        conversion_schema(b, firehose, destination, conversion)
    });
    let processor = firehose.processor.as_deref().and_then(|p| b.graph.get(p)).map(|p| p.component);
    if let Some(processor) = processor {
        statements.push(needs::grant(Feature::FirehoseProcessor, vec![arn_of(processor, b.name)]));
    }
    let role = b.role(&firehose.id, "firehose.amazonaws.com", &statements);
    let role_arn = get_att(&role, "Arn");

    let mut properties = json!({ "DeliveryStreamName": name, "Tags": b.tags(&firehose.id) });
    match source {
        Some(stream @ Component::KinesisStream(_)) => {
            properties["DeliveryStreamType"] = json!("KinesisStreamAsSource");
            properties["KinesisStreamSourceConfiguration"] =
                json!({ "KinesisStreamARN": arn_of(stream, b.name), "RoleARN": role_arn });
        }
        Some(cluster @ Component::MskCluster(_)) => {
            properties["DeliveryStreamType"] = json!("MSKAsSource");
            properties["MSKSourceConfiguration"] = json!({
                "MSKClusterARN": arn_of(cluster, b.name),
                "TopicName": firehose.topic,
                "AuthenticationConfiguration": { "RoleARN": role_arn, "Connectivity": "PRIVATE" },
            });
        }
        _ => {
            properties["DeliveryStreamType"] = json!("DirectPut");
            if firehose.encryption.enabled {
                properties["DeliveryStreamEncryptionConfigurationInput"] = match &firehose.encryption.kms_key {
                    Some(key) => json!({ "KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key }),
                    None => json!({ "KeyType": "AWS_OWNED_CMK" }),
                };
            }
        }
    }
    let buffering =
        json!({ "SizeInMBs": firehose.buffer.size_mib, "IntervalInSeconds": firehose.buffer.interval_seconds });
    match destination {
        Some(bucket @ Component::S3Bucket(_)) => {
            let mut s3 = json!({
                "BucketARN": arn_of(bucket, b.name),
                "RoleARN": role_arn,
                "BufferingHints": buffering,
                "CompressionFormat": compression(firehose),
                "CloudWatchLoggingOptions": logging,
            });
            if let Some(prefix) = &firehose.prefix {
                s3["Prefix"] = json!(prefix);
            }
            if let Some(prefix) = &firehose.error_prefix {
                s3["ErrorOutputPrefix"] = json!(prefix);
            }
            if let Some(partitioning) = &firehose.dynamic_partitioning {
                let query: Vec<String> = partitioning.keys.iter().map(|(key, jq)| format!("{key}: {jq}")).collect();
                s3["DynamicPartitioningConfiguration"] =
                    json!({ "Enabled": true, "RetryOptions": { "DurationInSeconds": 300 } });
                s3["ProcessingConfiguration"] = json!({
                    "Enabled": true,
                    "Processors": [{
                        "Type": "MetadataExtraction",
                        "Parameters": [
                            { "ParameterName": "MetadataExtractionQuery", "ParameterValue": format!("{{{}}}", query.join(", ")) },
                            { "ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6" },
                        ],
                    }],
                });
            } else if let Some(processor) = processor {
                s3["ProcessingConfiguration"] = lambda_processor(processor, b.name);
            }
            if firehose.newline_delimited {
                let processing = s3
                    .as_object_mut()
                    .expect("an object")
                    .entry("ProcessingConfiguration")
                    .or_insert_with(|| json!({ "Enabled": true, "Processors": [] }));
                processing["Processors"]
                    .as_array_mut()
                    .expect("a list")
                    .push(json!({ "Type": "AppendDelimiterToRecord" }));
            }
            if let (Some(conversion), Some((database, table))) = (&firehose.format_conversion, &schema) {
                let serializer = match conversion.output {
                    OutputFormat::Parquet => json!({ "ParquetSerDe": {} }),
                    OutputFormat::Orc => json!({ "OrcSerDe": {} }),
                };
                s3["DataFormatConversionConfiguration"] = json!({
                    "Enabled": true,
                    "InputFormatConfiguration": { "Deserializer": { "OpenXJsonSerDe": {} } },
                    "OutputFormatConfiguration": { "Serializer": serializer },
                    "SchemaConfiguration": {
                        "CatalogId": ref_("AWS::AccountId"),
                        "DatabaseName": database,
                        "TableName": table,
                        "Region": ref_("AWS::Region"),
                        "RoleARN": role_arn,
                        "VersionId": "LATEST",
                    },
                });
            }
            properties["ExtendedS3DestinationConfiguration"] = s3;
        }
        Some(Component::Redshift(warehouse)) => {
            let staging = intermediate.map(|bucket| arn_of(bucket, b.name)).unwrap_or(Value::Null);
            let copy = firehose.copy.as_ref();
            let mut config = json!({
                "ClusterJDBCURL": super::redshift::jdbc_url(warehouse),
                "CopyCommand": {
                    "DataTableName": copy.map(|c| c.table.as_str()),
                    "DataTableColumns": copy.map(|c| c.columns.join(",")),
                    "CopyOptions": copy.map(|c| c.options_for(firehose.compression)),
                },
                "RoleARN": role_arn,
                "SecretsManagerConfiguration": { "Enabled": true, "SecretARN": admin_secret(warehouse), "RoleARN": role_arn },
                "S3Configuration": {
                    "BucketARN": staging,
                    "RoleARN": role_arn,
                    "BufferingHints": buffering,
                    "CompressionFormat": compression(firehose),
                    "Prefix": firehose.prefix,
                    "ErrorOutputPrefix": firehose.error_prefix,
                },
                "CloudWatchLoggingOptions": logging,
            });
            if let Some(processor) = processor {
                config["ProcessingConfiguration"] = lambda_processor(processor, b.name);
            }
            properties["RedshiftDestinationConfiguration"] = config;
        }
        Some(domain @ Component::OpensearchDomain(_)) => {
            let backup = intermediate.map(|bucket| arn_of(bucket, b.name)).unwrap_or(Value::Null);
            let mut config = json!({
                "DomainARN": arn_of(domain, b.name),
                "IndexName": firehose.index,
                "RoleARN": role_arn,
                "BufferingHints": buffering,
                "S3BackupMode": "FailedDocumentsOnly",
                "S3Configuration": { "BucketARN": backup, "RoleARN": role_arn, "CompressionFormat": "GZIP" },
                "CloudWatchLoggingOptions": logging,
            });
            if let Some(network) = &network {
                config["VpcConfiguration"] = json!({
                    "RoleARN": role_arn,
                    "SubnetIds": network.subnets,
                    "SecurityGroupIds": network.security_groups,
                });
            }
            if let Some(processor) = processor {
                config["ProcessingConfiguration"] = lambda_processor(processor, b.name);
            }
            properties["AmazonopensearchserviceDestinationConfiguration"] = config;
        }
        _ => {}
    }
    b.add(id.clone(), Resource::new("AWS::KinesisFirehose::DeliveryStream", &firehose.id, properties));
    b.output(format!("{id}Arn"), format!("ARN of the `{}` delivery stream", firehose.id), get_att(&id, "Arn"));
}

/// The Glue table format conversion reads its schema from, as `(database, table)` values: the
/// table pipe creates from the declared columns, or an existing one named as a prerequisite.
fn conversion_schema(
    b: &mut Builder,
    firehose: &Firehose,
    destination: Option<&Component>,
    conversion: &FormatConversion,
) -> (Value, Value) {
    if conversion.columns.is_empty() {
        b.prerequisite(Prerequisite::GlueTable {
            component: firehose.id.clone(),
            database: conversion.database.clone(),
            table: conversion.table.clone(),
        });
        return (json!(conversion.database), json!(conversion.table));
    }
    let database = b.catalog_database(&firehose.id, &conversion.database);
    let (input, output, serde) = match conversion.output {
        OutputFormat::Parquet => (
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        ),
        OutputFormat::Orc => (
            "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
            "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
            "org.apache.hadoop.hive.ql.io.orc.OrcSerde",
        ),
    };
    // The objects' location up to the first Firehose expression (`!{timestamp:...}`), so Athena
    // reads what Firehose writes.
    let prefix = firehose.prefix.as_deref().unwrap_or_default();
    let fixed = prefix.split("!{").next().unwrap_or_default();
    let location = destination.map(|bucket| sub(format!("s3://${{{}}}/{fixed}", logical_id(bucket))));
    let columns: Vec<Value> = conversion.columns.iter().map(|c| json!({ "Name": c.name, "Type": c.type_ })).collect();
    let table = logical(&firehose.id, "SchemaTable");
    let properties = json!({
        "CatalogId": ref_("AWS::AccountId"),
        "DatabaseName": ref_(&database),
        "TableInput": {
            "Name": conversion.table,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": { "classification": match conversion.output { OutputFormat::Parquet => "parquet", OutputFormat::Orc => "orc" } },
            "StorageDescriptor": {
                "Columns": columns,
                "Location": location,
                "InputFormat": input,
                "OutputFormat": output,
                "SerdeInfo": { "SerializationLibrary": serde },
            },
        },
    });
    b.add(table.clone(), Resource::new("AWS::Glue::Table", &firehose.id, properties));
    (ref_(&database), ref_(&table))
}

fn compression(firehose: &Firehose) -> &'static str {
    if firehose.format_conversion.is_some() {
        return "UNCOMPRESSED"; // the Parquet/ORC serializer compresses; Firehose requires this
    }
    match firehose.compression {
        Compression::Uncompressed => "UNCOMPRESSED",
        Compression::Gzip => "GZIP",
        Compression::Zip => "ZIP",
        Compression::Snappy => "Snappy",
        Compression::HadoopSnappy => "HADOOP_SNAPPY",
    }
}

fn lambda_processor(processor: &Component, pipeline: &str) -> Value {
    json!({
        "Enabled": true,
        "Processors": [{ "Type": "Lambda", "Parameters": [{ "ParameterName": "LambdaArn", "ParameterValue": arn_of(processor, pipeline) }] }],
    })
}
