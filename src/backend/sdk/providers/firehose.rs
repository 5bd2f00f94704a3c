//! Firehose: `AWS::KinesisFirehose::DeliveryStream` from a Kinesis stream, an MSK topic or direct
//! put, into S3 (extended), Redshift or OpenSearch, as pipe's model sets them.
//!
//! Describe answers with many fields AWS fills in (backup modes, retry options, encryption of
//! the backup bucket, disabled processing): `read` keeps the fields pipe sets and drops the
//! ones that only say "off", so a stream that matches its template reads back as the template.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_firehose::types::{
    AmazonopensearchserviceBufferingHints, AmazonopensearchserviceDestinationConfiguration,
    AmazonopensearchserviceDestinationUpdate, AmazonopensearchserviceS3BackupMode, AuthenticationConfiguration,
    BufferingHints, CloudWatchLoggingOptions, CompressionFormat, Connectivity, CopyCommand,
    DataFormatConversionConfiguration, DeliveryStreamDescription, DeliveryStreamEncryptionConfigurationInput,
    DeliveryStreamEncryptionStatus, DeliveryStreamStatus, DeliveryStreamType, Deserializer, DestinationDescription,
    DynamicPartitioningConfiguration, ExtendedS3DestinationConfiguration, ExtendedS3DestinationUpdate, HiveJsonSerDe,
    InputFormatConfiguration, KeyType, KinesisStreamSourceConfiguration, MskSourceConfiguration, OpenXJsonSerDe,
    OrcSerDe, OutputFormatConfiguration, ParquetSerDe, ProcessingConfiguration, Processor, ProcessorParameter,
    ProcessorParameterName, ProcessorType, RedshiftDestinationConfiguration, RedshiftDestinationUpdate, RetryOptions,
    S3DestinationConfiguration, S3DestinationDescription, S3DestinationUpdate, SchemaConfiguration,
    SecretsManagerConfiguration, Serializer, Tag, VpcConfiguration,
};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api};
use crate::backend::sdk::propagation;
use crate::backend::sdk::provider::{
    Clients, Desired, Live, Provider, converge, converge_tags, list_all, mark_failed, tag_list, touched, wait_for,
};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

const READY: Duration = Duration::from_secs(15 * 60);
/// Where the version token and destination id of the last read are kept on the handle.
const VERSION: &str = "pipe:VersionId";
const DESTINATION: &str = "pipe:DestinationId";
/// Firehose's own buffering for a backup bucket when none is given.
const DEFAULT_BUFFERING: (i32, i32) = (5, 300);

pub struct DeliveryStream;

#[async_trait]
impl Provider for DeliveryStream {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|start| async move {
            let page = aws
                .firehose
                .list_delivery_streams()
                .set_exclusive_start_delivery_stream_name(start)
                .send()
                .await
                .map_err(api("ListDeliveryStreams"))?;
            // The next page starts after the last name of this one.
            let next = page.delivery_stream_names().last().filter(|_| page.has_more_delivery_streams()).cloned();
            Ok((page.delivery_stream_names().to_vec(), next))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        read(aws, &desired.name, desired).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let name = &desired.name;
        let p = &desired.properties;
        let stream_type = p.get("DeliveryStreamType").and_then(Value::as_str).unwrap_or("DirectPut");
        let tags: Vec<Tag> =
            desired.tags().into_iter().filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok()).collect();
        let mut request = aws
            .firehose
            .create_delivery_stream()
            .delivery_stream_name(name)
            .delivery_stream_type(DeliveryStreamType::from(stream_type))
            .set_tags((!tags.is_empty()).then_some(tags));
        if let Some(source) = p.get("KinesisStreamSourceConfiguration") {
            request = request.kinesis_stream_source_configuration(
                KinesisStreamSourceConfiguration::builder()
                    .set_kinesis_stream_arn(text(source, "KinesisStreamARN"))
                    .set_role_arn(text(source, "RoleARN"))
                    .build()
                    .map_err(invalid)?,
            );
        }
        if let Some(source) = p.get("MSKSourceConfiguration") {
            let auth = source.get("AuthenticationConfiguration").unwrap_or(&Value::Null);
            request = request.msk_source_configuration(
                MskSourceConfiguration::builder()
                    .set_msk_cluster_arn(text(source, "MSKClusterARN"))
                    .set_topic_name(text(source, "TopicName"))
                    .authentication_configuration(
                        AuthenticationConfiguration::builder()
                            .set_role_arn(text(auth, "RoleARN"))
                            .connectivity(Connectivity::from(auth["Connectivity"].as_str().unwrap_or("PRIVATE")))
                            .build()
                            .map_err(invalid)?,
                    )
                    .build()
                    .map_err(invalid)?,
            );
        }
        if let Some(input) = encryption_input(p.get("DeliveryStreamEncryptionConfigurationInput"))? {
            request = request.delivery_stream_encryption_configuration_input(input);
        }
        if let Some(s3) = p.get("ExtendedS3DestinationConfiguration") {
            request = request.extended_s3_destination_configuration(extended_s3_configuration(s3)?);
        }
        if let Some(redshift) = p.get("RedshiftDestinationConfiguration") {
            request = request.redshift_destination_configuration(redshift_configuration(redshift)?);
        }
        if let Some(search) = p.get("AmazonopensearchserviceDestinationConfiguration") {
            request = request.amazonopensearchservice_destination_configuration(opensearch_configuration(search)?);
        }

        let sent =
            propagation::retry(|| async { request.clone().send().await.map_err(api("CreateDeliveryStream")) }).await;
        match sent {
            Ok(_) => wait_active(aws, desired).await,
            // A retry after a lost response: the stream is ours to adopt.
            Err(e) if e.is("ResourceInUseException") => {
                let live = wait_active(aws, desired).await?;
                converge(self, aws, desired, &live).await
            }
            Err(e) => Err(e),
        }
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        let name = &desired.name;
        let current = &live.properties;
        let changed = |key: &str| touched(changes, key);

        let destinations = [
            "ExtendedS3DestinationConfiguration",
            "RedshiftDestinationConfiguration",
            "AmazonopensearchserviceDestinationConfiguration",
        ];
        if destinations.iter().any(|key| desired.get(key).is_some() && changed(key)) {
            let attribute = |key: &str| live.handle.attributes.get(key).and_then(Value::as_str).map(str::to_string);
            let mut request = aws
                .firehose
                .update_destination()
                .delivery_stream_name(name)
                // The version read with the plan: a change made since fails with
                // ConcurrentModificationException instead of being overwritten.
                .set_current_delivery_stream_version_id(attribute(VERSION))
                .set_destination_id(attribute(DESTINATION));
            if let Some(s3) = desired.get("ExtendedS3DestinationConfiguration") {
                request = request.extended_s3_destination_update(extended_s3_update(
                    s3,
                    current.get("ExtendedS3DestinationConfiguration"),
                )?);
            }
            if let Some(redshift) = desired.get("RedshiftDestinationConfiguration") {
                request = request.redshift_destination_update(redshift_update(
                    redshift,
                    current.get("RedshiftDestinationConfiguration"),
                )?);
            }
            if let Some(search) = desired.get("AmazonopensearchserviceDestinationConfiguration") {
                request = request.amazonopensearchservice_destination_update(opensearch_update(
                    search,
                    current.get("AmazonopensearchserviceDestinationConfiguration"),
                )?);
            }
            request.send().await.map_err(api("UpdateDestination"))?;
        }

        let key = "DeliveryStreamEncryptionConfigurationInput";
        if changed(key) && desired.str("DeliveryStreamType") == Some("DirectPut") {
            match encryption_input(desired.get(key))? {
                Some(input) => {
                    aws.firehose
                        .start_delivery_stream_encryption()
                        .delivery_stream_name(name)
                        .delivery_stream_encryption_configuration_input(input)
                        .send()
                        .await
                        .map_err(api("StartDeliveryStreamEncryption"))?;
                }
                None => {
                    aws.firehose
                        .stop_delivery_stream_encryption()
                        .delivery_stream_name(name)
                        .send()
                        .await
                        .map_err(api("StopDeliveryStreamEncryption"))?;
                }
            }
        }

        // TagDeliveryStream takes at most 50 tags per call.
        converge_tags(
            current.get("Tags"),
            desired.get("Tags"),
            50,
            ("UntagDeliveryStream", |keys| {
                aws.firehose.untag_delivery_stream().delivery_stream_name(name).set_tag_keys(Some(keys)).send()
            }),
            ("TagDeliveryStream", |pairs| async move {
                let tags = pairs.iter().filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok()).collect();
                aws.firehose
                    .tag_delivery_stream()
                    .delivery_stream_name(name)
                    .set_tags(Some(tags))
                    .send()
                    .await
                    .map_err(api("TagDeliveryStream"))
            }),
        )
        .await?;
        wait_active(aws, desired).await
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let name = &live.handle.physical_id;
        match aws
            .firehose
            .delete_delivery_stream()
            .delivery_stream_name(name)
            .send()
            .await
            .map_err(api("DeleteDeliveryStream"))
        {
            Err(e) if e.is("ResourceNotFoundException") => return Ok(()),
            other => {
                other?;
            }
        }
        wait_for("DescribeDeliveryStream", READY, || async {
            match describe(aws, name).await? {
                None => Ok(Some(())),
                Some(d) if d.delivery_stream_status() == &DeliveryStreamStatus::DeletingFailed => {
                    Err(ApiError::new("DeleteDeliveryStream", format!("{name} could not be deleted: {}", failure(&d))))
                }
                Some(_) => Ok(None),
            }
        })
        .await
    }
}

fn invalid(error: impl std::fmt::Display) -> ApiError {
    ApiError::new("CreateDeliveryStream", format!("the template's configuration is incomplete: {error}"))
}

fn failure(d: &DeliveryStreamDescription) -> String {
    d.failure_description().map(|f| format!("{}: {}", f.r#type().as_str(), f.details())).unwrap_or_default()
}

async fn describe(aws: &Clients, name: &str) -> Result<Option<DeliveryStreamDescription>, ApiError> {
    match aws
        .firehose
        .describe_delivery_stream()
        .delivery_stream_name(name)
        .send()
        .await
        .map_err(api("DescribeDeliveryStream"))
    {
        Ok(out) => Ok(out.delivery_stream_description),
        Err(e) if e.is("ResourceNotFoundException") => Ok(None),
        Err(e) => Err(e),
    }
}

/// Waits until the stream is ACTIVE and its encryption settled, and reads it.
async fn wait_active(aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
    let name = &desired.name;
    wait_for("DescribeDeliveryStream", READY, || async {
        let Some(d) = describe(aws, name).await? else { return Ok(None) };
        match d.delivery_stream_status() {
            DeliveryStreamStatus::CreatingFailed => {
                return Err(ApiError::new("CreateDeliveryStream", format!("{name} failed: {}", failure(&d))));
            }
            DeliveryStreamStatus::Active => {}
            _ => return Ok(None),
        }
        let settling = d.delivery_stream_encryption_configuration().and_then(|e| e.status()).is_some_and(|s| {
            matches!(s, DeliveryStreamEncryptionStatus::Enabling | DeliveryStreamEncryptionStatus::Disabling)
        });
        if settling {
            return Ok(None);
        }
        read(aws, name, desired).await
    })
    .await
}

async fn read(aws: &Clients, name: &str, desired: &Desired) -> Result<Option<Live>, ApiError> {
    let Some(d) = describe(aws, name).await? else { return Ok(None) };
    if d.delivery_stream_status() == &DeliveryStreamStatus::Deleting {
        return Ok(None);
    }
    let mut tags = Vec::new();
    let mut start: Option<String> = None;
    loop {
        let page = aws
            .firehose
            .list_tags_for_delivery_stream()
            .delivery_stream_name(name)
            .set_exclusive_start_tag_key(start.clone())
            .send()
            .await
            .map_err(api("ListTagsForDeliveryStream"))?;
        tags.extend(page.tags().iter().map(|t| (t.key().to_string(), t.value().unwrap_or_default().to_string())));
        start = page.tags().last().map(|t| t.key().to_string());
        if !page.has_more_tags() || start.is_none() {
            break;
        }
    }

    let mut p = Map::new();
    p.insert("DeliveryStreamName".into(), json!(d.delivery_stream_name()));
    p.insert("DeliveryStreamType".into(), json!(d.delivery_stream_type().as_str()));
    if let Some(source) = d.source() {
        if let Some(k) = source.kinesis_stream_source_description() {
            p.insert(
                "KinesisStreamSourceConfiguration".into(),
                json!({ "KinesisStreamARN": k.kinesis_stream_arn(), "RoleARN": k.role_arn() }),
            );
        }
        if let Some(m) = source.msk_source_description() {
            let mut msk = json!({ "MSKClusterARN": m.msk_cluster_arn(), "TopicName": m.topic_name() });
            if let Some(auth) = m.authentication_configuration() {
                msk["AuthenticationConfiguration"] =
                    json!({ "RoleARN": auth.role_arn(), "Connectivity": auth.connectivity().as_str() });
            }
            p.insert("MSKSourceConfiguration".into(), msk);
        }
    }
    if let Some(e) = d.delivery_stream_encryption_configuration()
        && let Some(key_type) = e.key_type()
        && !matches!(
            e.status(),
            Some(DeliveryStreamEncryptionStatus::Disabled | DeliveryStreamEncryptionStatus::Disabling)
        )
    {
        let mut input = json!({ "KeyType": key_type.as_str() });
        if key_type == &KeyType::CustomerManagedCmk
            && let Some(arn) = e.key_arn()
        {
            input["KeyARN"] = json!(arn);
        }
        p.insert("DeliveryStreamEncryptionConfigurationInput".into(), input);
    }
    if let Some(destination) = d.destinations().first() {
        destination_json(destination, &mut p, desired);
    }
    p.insert("Tags".into(), tag_list(tags));
    align(&mut p, &desired.properties);

    let mut attributes = Map::new();
    attributes.insert("Arn".into(), json!(d.delivery_stream_arn()));
    attributes.insert(VERSION.into(), json!(d.version_id()));
    if let Some(destination) = d.destinations().first() {
        attributes.insert(DESTINATION.into(), json!(destination.destination_id()));
    }
    let mut live =
        Live { handle: Handle { physical_id: d.delivery_stream_name().to_string(), attributes }, properties: p };
    if d.delivery_stream_status() == &DeliveryStreamStatus::CreatingFailed {
        mark_failed(&mut live, format!("CREATING_FAILED ({})", failure(&d)));
    }
    Ok(Some(live))
}

/// The destination in the template's shape.
fn destination_json(destination: &DestinationDescription, p: &mut Map<String, Value>, desired: &Desired) {
    if let Some(s3) = destination.extended_s3_destination_description() {
        let mut out = Map::new();
        out.insert("BucketARN".into(), json!(s3.bucket_arn()));
        out.insert("RoleARN".into(), json!(s3.role_arn()));
        if let Some(hints) = s3.buffering_hints() {
            out.insert("BufferingHints".into(), buffering_json(hints.size_in_mbs(), hints.interval_in_seconds()));
        }
        out.insert("CompressionFormat".into(), json!(s3.compression_format().as_str()));
        insert_logging(&mut out, s3.cloud_watch_logging_options());
        insert_prefixes(&mut out, s3.prefix(), s3.error_output_prefix());
        if let Some(dp) = s3.dynamic_partitioning_configuration()
            && dp.enabled() == Some(true)
        {
            let mut entry = json!({ "Enabled": true });
            if let Some(seconds) = dp.retry_options().and_then(RetryOptions::duration_in_seconds) {
                entry["RetryOptions"] = json!({ "DurationInSeconds": seconds });
            }
            out.insert("DynamicPartitioningConfiguration".into(), entry);
        }
        insert_processing(&mut out, s3.processing_configuration());
        if let Some(conversion) = s3.data_format_conversion_configuration()
            && conversion.enabled() != Some(false)
        {
            out.insert("DataFormatConversionConfiguration".into(), conversion_json(conversion));
        }
        p.insert("ExtendedS3DestinationConfiguration".into(), Value::Object(out));
    }
    if let Some(r) = destination.redshift_destination_description() {
        let wanted = desired.get("RedshiftDestinationConfiguration");
        let mut out = Map::new();
        out.insert("ClusterJDBCURL".into(), json!(r.cluster_jdbcurl()));
        if let Some(copy) = r.copy_command() {
            let mut entry = Map::new();
            entry.insert("DataTableName".into(), json!(copy.data_table_name()));
            if let Some(columns) = copy.data_table_columns() {
                entry.insert("DataTableColumns".into(), json!(columns));
            }
            if let Some(options) = copy.copy_options() {
                entry.insert("CopyOptions".into(), json!(options));
            }
            out.insert("CopyCommand".into(), Value::Object(entry));
        }
        out.insert("RoleARN".into(), json!(r.role_arn()));
        if let Some(secrets) = r.secrets_manager_configuration() {
            let mut entry = json!({ "Enabled": secrets.enabled() });
            if let Some(arn) = secrets.secret_arn() {
                entry["SecretARN"] = json!(arn);
            }
            if let Some(role) = secrets.role_arn() {
                entry["RoleARN"] = json!(role);
            }
            out.insert("SecretsManagerConfiguration".into(), entry);
        }
        if let Some(s3) = r.s3_destination_description() {
            out.insert("S3Configuration".into(), s3_json(s3, wanted.and_then(|w| w.get("S3Configuration"))));
        }
        insert_logging(&mut out, r.cloud_watch_logging_options());
        insert_processing(&mut out, r.processing_configuration());
        p.insert("RedshiftDestinationConfiguration".into(), Value::Object(out));
    }
    if let Some(o) = destination.amazonopensearchservice_destination_description() {
        let wanted = desired.get("AmazonopensearchserviceDestinationConfiguration");
        let mut out = Map::new();
        if let Some(domain) = o.domain_arn() {
            out.insert("DomainARN".into(), json!(domain));
        }
        if let Some(index) = o.index_name() {
            out.insert("IndexName".into(), json!(index));
        }
        if let Some(role) = o.role_arn() {
            out.insert("RoleARN".into(), json!(role));
        }
        if let Some(hints) = o.buffering_hints() {
            out.insert("BufferingHints".into(), buffering_json(hints.size_in_mbs(), hints.interval_in_seconds()));
        }
        if let Some(mode) = o.s3_backup_mode() {
            out.insert("S3BackupMode".into(), json!(mode.as_str()));
        }
        if let Some(s3) = o.s3_destination_description() {
            out.insert("S3Configuration".into(), s3_json(s3, wanted.and_then(|w| w.get("S3Configuration"))));
        }
        insert_logging(&mut out, o.cloud_watch_logging_options());
        if let Some(vpc) = o.vpc_configuration_description() {
            out.insert(
                "VpcConfiguration".into(),
                json!({ "RoleARN": vpc.role_arn(), "SubnetIds": vpc.subnet_ids(), "SecurityGroupIds": vpc.security_group_ids() }),
            );
        }
        insert_processing(&mut out, o.processing_configuration());
        p.insert("AmazonopensearchserviceDestinationConfiguration".into(), Value::Object(out));
    }
}

/// A backup or staging bucket's settings: buffering only where the template sets it or it
/// differs from Firehose's default; the bucket's encryption and logging are Firehose's defaults.
fn s3_json(s3: &S3DestinationDescription, wanted: Option<&Value>) -> Value {
    let mut out = Map::new();
    out.insert("BucketARN".into(), json!(s3.bucket_arn()));
    out.insert("RoleARN".into(), json!(s3.role_arn()));
    if let Some(hints) = s3.buffering_hints() {
        let pair = (
            hints.size_in_mbs().unwrap_or(DEFAULT_BUFFERING.0),
            hints.interval_in_seconds().unwrap_or(DEFAULT_BUFFERING.1),
        );
        if wanted.is_some_and(|w| w.get("BufferingHints").is_some()) || pair != DEFAULT_BUFFERING {
            out.insert("BufferingHints".into(), buffering_json(hints.size_in_mbs(), hints.interval_in_seconds()));
        }
    }
    out.insert("CompressionFormat".into(), json!(s3.compression_format().as_str()));
    insert_prefixes(&mut out, s3.prefix(), s3.error_output_prefix());
    Value::Object(out)
}

fn buffering_json(size: Option<i32>, interval: Option<i32>) -> Value {
    let mut out = Map::new();
    if let Some(size) = size {
        out.insert("SizeInMBs".into(), json!(size));
    }
    if let Some(interval) = interval {
        out.insert("IntervalInSeconds".into(), json!(interval));
    }
    Value::Object(out)
}

fn insert_prefixes(out: &mut Map<String, Value>, prefix: Option<&str>, error_prefix: Option<&str>) {
    if let Some(prefix) = prefix.filter(|p| !p.is_empty()) {
        out.insert("Prefix".into(), json!(prefix));
    }
    if let Some(prefix) = error_prefix.filter(|p| !p.is_empty()) {
        out.insert("ErrorOutputPrefix".into(), json!(prefix));
    }
}

fn insert_logging(out: &mut Map<String, Value>, logging: Option<&CloudWatchLoggingOptions>) {
    let Some(logging) = logging else { return };
    let enabled = logging.enabled().unwrap_or(false);
    let mut entry = json!({ "Enabled": enabled });
    if let Some(group) = logging.log_group_name().filter(|g| !g.is_empty()) {
        entry["LogGroupName"] = json!(group);
    }
    if let Some(stream) = logging.log_stream_name().filter(|s| !s.is_empty()) {
        entry["LogStreamName"] = json!(stream);
    }
    // Logging off with no names is Firehose's default: the template leaves it unset.
    if enabled || entry.as_object().is_some_and(|e| e.len() > 1) {
        out.insert("CloudWatchLoggingOptions".into(), entry);
    }
}

/// Processing when it is on, with the parameters pipe sets (Firehose adds its defaults).
fn insert_processing(out: &mut Map<String, Value>, processing: Option<&ProcessingConfiguration>) {
    let Some(processing) = processing else { return };
    if processing.enabled() == Some(false) || (processing.enabled().is_none() && processing.processors().is_empty()) {
        return;
    }
    let processors: Vec<Value> = processing
        .processors()
        .iter()
        .map(|processor| {
            let kind = processor.r#type();
            // The parameters pipe sets; Firehose reports its defaults too. `None`: keep them all.
            let known: Option<&[&str]> = match kind {
                ProcessorType::Lambda => Some(&["LambdaArn"]),
                ProcessorType::MetadataExtraction => Some(&["MetadataExtractionQuery", "JsonParsingEngine"]),
                ProcessorType::AppendDelimiterToRecord => Some(&[]),
                _ => None,
            };
            let parameters: Vec<Value> = processor
                .parameters()
                .iter()
                .filter(|p| known.is_none_or(|known| known.contains(&p.parameter_name().as_str())))
                .map(|p| json!({ "ParameterName": p.parameter_name().as_str(), "ParameterValue": p.parameter_value() }))
                .collect();
            // A processor that takes no parameters (AppendDelimiterToRecord) is written without.
            if parameters.is_empty() {
                json!({ "Type": kind.as_str() })
            } else {
                json!({ "Type": kind.as_str(), "Parameters": parameters })
            }
        })
        .collect();
    out.insert("ProcessingConfiguration".into(), json!({ "Enabled": true, "Processors": processors }));
}

/// Format conversion: which SerDes (pipe sets none of their options) and the schema.
fn conversion_json(conversion: &DataFormatConversionConfiguration) -> Value {
    let mut out = json!({ "Enabled": true });
    if let Some(deserializer) = conversion.input_format_configuration().and_then(|i| i.deserializer()) {
        let serde = if deserializer.hive_json_ser_de().is_some() {
            json!({ "HiveJsonSerDe": {} })
        } else {
            json!({ "OpenXJsonSerDe": {} })
        };
        out["InputFormatConfiguration"] = json!({ "Deserializer": serde });
    }
    if let Some(serializer) = conversion.output_format_configuration().and_then(|o| o.serializer()) {
        let serde =
            if serializer.orc_ser_de().is_some() { json!({ "OrcSerDe": {} }) } else { json!({ "ParquetSerDe": {} }) };
        out["OutputFormatConfiguration"] = json!({ "Serializer": serde });
    }
    if let Some(schema) = conversion.schema_configuration() {
        let mut entry = Map::new();
        for (key, value) in [
            ("CatalogId", schema.catalog_id()),
            ("DatabaseName", schema.database_name()),
            ("TableName", schema.table_name()),
            ("Region", schema.region()),
            ("RoleARN", schema.role_arn()),
            ("VersionId", schema.version_id()),
        ] {
            if let Some(value) = value {
                entry.insert(key.into(), json!(value));
            }
        }
        out["SchemaConfiguration"] = Value::Object(entry);
    }
    out
}

/// Brings live values into the template's spelling where they mean the same: lists that are
/// sets (subnets, security groups) in the template's order, an empty string the template sets
/// where AWS returns nothing.
fn align(live: &mut Map<String, Value>, desired: &Map<String, Value>) {
    for (key, wanted) in desired {
        match (live.get_mut(key), wanted) {
            (Some(Value::Object(l)), Value::Object(w)) => align(l, w),
            (Some(Value::Array(l)), Value::Array(w)) if matches!(key.as_str(), "SubnetIds" | "SecurityGroupIds") => {
                let mut a: Vec<String> = l.iter().map(Value::to_string).collect();
                let mut b: Vec<String> = w.iter().map(Value::to_string).collect();
                a.sort();
                b.sort();
                if a == b {
                    *l = w.clone();
                }
            }
            (None, Value::String(s)) if s.is_empty() => {
                live.insert(key.clone(), json!(""));
            }
            _ => {}
        }
    }
}

// ---- template → API ----

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

fn int(value: &Value, key: &str) -> Option<i32> {
    value.get(key).and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok())
}

fn flag(value: &Value, key: &str) -> Option<bool> {
    value.get(key).and_then(Value::as_bool)
}

fn strings(value: &Value, key: &str) -> Option<Vec<String>> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_string).collect())
}

fn encryption_input(value: Option<&Value>) -> Result<Option<DeliveryStreamEncryptionConfigurationInput>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    let input = DeliveryStreamEncryptionConfigurationInput::builder()
        .key_type(KeyType::from(value.get("KeyType").and_then(Value::as_str).unwrap_or("AWS_OWNED_CMK")))
        .set_key_arn(text(value, "KeyARN"))
        .build()
        .map_err(invalid)?;
    Ok(Some(input))
}

fn buffering(value: Option<&Value>) -> Option<BufferingHints> {
    let value = value?;
    Some(
        BufferingHints::builder()
            .set_size_in_mbs(int(value, "SizeInMBs"))
            .set_interval_in_seconds(int(value, "IntervalInSeconds"))
            .build(),
    )
}

fn compression(value: &Value) -> Option<CompressionFormat> {
    value.get("CompressionFormat").and_then(Value::as_str).map(CompressionFormat::from)
}

fn logging(value: Option<&Value>) -> Option<CloudWatchLoggingOptions> {
    let value = value?;
    Some(
        CloudWatchLoggingOptions::builder()
            .set_enabled(flag(value, "Enabled"))
            .set_log_group_name(text(value, "LogGroupName"))
            .set_log_stream_name(text(value, "LogStreamName"))
            .build(),
    )
}

/// The template's processing, or "off" when the template drops processing that is live.
fn processing(value: Option<&Value>, live: Option<&Value>) -> Result<Option<ProcessingConfiguration>, ApiError> {
    let Some(value) = value else {
        return Ok(live.map(|_| ProcessingConfiguration::builder().enabled(false).build()));
    };
    let mut processors = Vec::new();
    for processor in value.get("Processors").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
        let mut parameters = Vec::new();
        for parameter in processor.get("Parameters").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
            parameters.push(
                ProcessorParameter::builder()
                    .parameter_name(ProcessorParameterName::from(
                        parameter["ParameterName"].as_str().unwrap_or_default(),
                    ))
                    .set_parameter_value(text(parameter, "ParameterValue"))
                    .build()
                    .map_err(invalid)?,
            );
        }
        processors.push(
            Processor::builder()
                .r#type(ProcessorType::from(processor["Type"].as_str().unwrap_or_default()))
                .set_parameters(Some(parameters))
                .build()
                .map_err(invalid)?,
        );
    }
    Ok(Some(
        ProcessingConfiguration::builder().set_enabled(flag(value, "Enabled")).set_processors(Some(processors)).build(),
    ))
}

fn partitioning(value: Option<&Value>) -> Option<DynamicPartitioningConfiguration> {
    let value = value?;
    let retry = value
        .get("RetryOptions")
        .map(|r| RetryOptions::builder().set_duration_in_seconds(int(r, "DurationInSeconds")).build());
    Some(
        DynamicPartitioningConfiguration::builder()
            .set_enabled(flag(value, "Enabled"))
            .set_retry_options(retry)
            .build(),
    )
}

/// The template's format conversion, or "off" when the template drops a live one.
fn conversion(value: Option<&Value>, live: Option<&Value>) -> Option<DataFormatConversionConfiguration> {
    let Some(value) = value else {
        return live.map(|_| DataFormatConversionConfiguration::builder().enabled(false).build());
    };
    let deserializer = value.pointer("/InputFormatConfiguration/Deserializer").map(|d| {
        if d.get("HiveJsonSerDe").is_some() {
            Deserializer::builder().hive_json_ser_de(HiveJsonSerDe::builder().build()).build()
        } else {
            Deserializer::builder().open_x_json_ser_de(OpenXJsonSerDe::builder().build()).build()
        }
    });
    let serializer = value.pointer("/OutputFormatConfiguration/Serializer").map(|s| {
        if s.get("OrcSerDe").is_some() {
            Serializer::builder().orc_ser_de(OrcSerDe::builder().build()).build()
        } else {
            Serializer::builder().parquet_ser_de(ParquetSerDe::builder().build()).build()
        }
    });
    let schema = value.get("SchemaConfiguration").map(|s| {
        SchemaConfiguration::builder()
            .set_catalog_id(text(s, "CatalogId"))
            .set_database_name(text(s, "DatabaseName"))
            .set_table_name(text(s, "TableName"))
            .set_region(text(s, "Region"))
            .set_role_arn(text(s, "RoleARN"))
            .set_version_id(text(s, "VersionId"))
            .build()
    });
    Some(
        DataFormatConversionConfiguration::builder()
            .set_enabled(flag(value, "Enabled"))
            .set_input_format_configuration(
                deserializer.map(|d| InputFormatConfiguration::builder().deserializer(d).build()),
            )
            .set_output_format_configuration(
                serializer.map(|s| OutputFormatConfiguration::builder().serializer(s).build()),
            )
            .set_schema_configuration(schema)
            .build(),
    )
}

fn secrets(value: Option<&Value>) -> Result<Option<SecretsManagerConfiguration>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    Ok(Some(
        SecretsManagerConfiguration::builder()
            .enabled(flag(value, "Enabled").unwrap_or(false))
            .set_secret_arn(text(value, "SecretARN"))
            .set_role_arn(text(value, "RoleARN"))
            .build()
            .map_err(invalid)?,
    ))
}

fn copy(value: Option<&Value>) -> Result<Option<CopyCommand>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    Ok(Some(
        CopyCommand::builder()
            .set_data_table_name(text(value, "DataTableName"))
            .set_data_table_columns(text(value, "DataTableColumns"))
            .set_copy_options(text(value, "CopyOptions"))
            .build()
            .map_err(invalid)?,
    ))
}

/// Prefixes the template drops are cleared, not kept.
fn prefix(value: &Value, live: Option<&Value>, key: &str) -> Option<String> {
    text(value, key).or_else(|| live.and_then(|l| l.get(key)).map(|_| String::new()))
}

fn extended_s3_configuration(v: &Value) -> Result<ExtendedS3DestinationConfiguration, ApiError> {
    ExtendedS3DestinationConfiguration::builder()
        .set_bucket_arn(text(v, "BucketARN"))
        .set_role_arn(text(v, "RoleARN"))
        .set_buffering_hints(buffering(v.get("BufferingHints")))
        .set_compression_format(compression(v))
        .set_cloud_watch_logging_options(logging(v.get("CloudWatchLoggingOptions")))
        .set_prefix(text(v, "Prefix"))
        .set_error_output_prefix(text(v, "ErrorOutputPrefix"))
        .set_dynamic_partitioning_configuration(partitioning(v.get("DynamicPartitioningConfiguration")))
        .set_processing_configuration(processing(v.get("ProcessingConfiguration"), None)?)
        .set_data_format_conversion_configuration(conversion(v.get("DataFormatConversionConfiguration"), None))
        .build()
        .map_err(invalid)
}

fn extended_s3_update(v: &Value, live: Option<&Value>) -> Result<ExtendedS3DestinationUpdate, ApiError> {
    Ok(ExtendedS3DestinationUpdate::builder()
        .set_bucket_arn(text(v, "BucketARN"))
        .set_role_arn(text(v, "RoleARN"))
        .set_buffering_hints(buffering(v.get("BufferingHints")))
        .set_compression_format(compression(v))
        .set_cloud_watch_logging_options(logging(v.get("CloudWatchLoggingOptions")))
        .set_prefix(prefix(v, live, "Prefix"))
        .set_error_output_prefix(prefix(v, live, "ErrorOutputPrefix"))
        .set_dynamic_partitioning_configuration(partitioning(v.get("DynamicPartitioningConfiguration")))
        .set_processing_configuration(processing(
            v.get("ProcessingConfiguration"),
            live.and_then(|l| l.get("ProcessingConfiguration")),
        )?)
        .set_data_format_conversion_configuration(conversion(
            v.get("DataFormatConversionConfiguration"),
            live.and_then(|l| l.get("DataFormatConversionConfiguration")),
        ))
        .build())
}

fn s3_configuration(v: &Value) -> Result<S3DestinationConfiguration, ApiError> {
    S3DestinationConfiguration::builder()
        .set_bucket_arn(text(v, "BucketARN"))
        .set_role_arn(text(v, "RoleARN"))
        .set_buffering_hints(buffering(v.get("BufferingHints")))
        .set_compression_format(compression(v))
        .set_prefix(text(v, "Prefix"))
        .set_error_output_prefix(text(v, "ErrorOutputPrefix"))
        .set_cloud_watch_logging_options(logging(v.get("CloudWatchLoggingOptions")))
        .build()
        .map_err(invalid)
}

fn s3_update(v: &Value, live: Option<&Value>) -> S3DestinationUpdate {
    S3DestinationUpdate::builder()
        .set_bucket_arn(text(v, "BucketARN"))
        .set_role_arn(text(v, "RoleARN"))
        .set_buffering_hints(buffering(v.get("BufferingHints")))
        .set_compression_format(compression(v))
        .set_prefix(prefix(v, live, "Prefix"))
        .set_error_output_prefix(prefix(v, live, "ErrorOutputPrefix"))
        .set_cloud_watch_logging_options(logging(v.get("CloudWatchLoggingOptions")))
        .build()
}

fn redshift_configuration(v: &Value) -> Result<RedshiftDestinationConfiguration, ApiError> {
    RedshiftDestinationConfiguration::builder()
        .set_cluster_jdbcurl(text(v, "ClusterJDBCURL"))
        .set_copy_command(copy(v.get("CopyCommand"))?)
        .set_role_arn(text(v, "RoleARN"))
        .set_secrets_manager_configuration(secrets(v.get("SecretsManagerConfiguration"))?)
        .set_s3_configuration(v.get("S3Configuration").map(s3_configuration).transpose()?)
        .set_cloud_watch_logging_options(logging(v.get("CloudWatchLoggingOptions")))
        .set_processing_configuration(processing(v.get("ProcessingConfiguration"), None)?)
        .build()
        .map_err(invalid)
}

fn redshift_update(v: &Value, live: Option<&Value>) -> Result<RedshiftDestinationUpdate, ApiError> {
    Ok(RedshiftDestinationUpdate::builder()
        .set_cluster_jdbcurl(text(v, "ClusterJDBCURL"))
        .set_copy_command(copy(v.get("CopyCommand"))?)
        .set_role_arn(text(v, "RoleARN"))
        .set_secrets_manager_configuration(secrets(v.get("SecretsManagerConfiguration"))?)
        .set_s3_update(v.get("S3Configuration").map(|s3| s3_update(s3, live.and_then(|l| l.get("S3Configuration")))))
        .set_cloud_watch_logging_options(logging(v.get("CloudWatchLoggingOptions")))
        .set_processing_configuration(processing(
            v.get("ProcessingConfiguration"),
            live.and_then(|l| l.get("ProcessingConfiguration")),
        )?)
        .build())
}

fn opensearch_buffering(value: Option<&Value>) -> Option<AmazonopensearchserviceBufferingHints> {
    let value = value?;
    Some(
        AmazonopensearchserviceBufferingHints::builder()
            .set_size_in_mbs(int(value, "SizeInMBs"))
            .set_interval_in_seconds(int(value, "IntervalInSeconds"))
            .build(),
    )
}

fn opensearch_configuration(v: &Value) -> Result<AmazonopensearchserviceDestinationConfiguration, ApiError> {
    let vpc = match v.get("VpcConfiguration") {
        Some(vpc) => Some(
            VpcConfiguration::builder()
                .set_role_arn(text(vpc, "RoleARN"))
                .set_subnet_ids(strings(vpc, "SubnetIds"))
                .set_security_group_ids(strings(vpc, "SecurityGroupIds"))
                .build()
                .map_err(invalid)?,
        ),
        None => None,
    };
    AmazonopensearchserviceDestinationConfiguration::builder()
        .set_domain_arn(text(v, "DomainARN"))
        .set_index_name(text(v, "IndexName"))
        .set_role_arn(text(v, "RoleARN"))
        .set_buffering_hints(opensearch_buffering(v.get("BufferingHints")))
        .set_s3_backup_mode(
            v.get("S3BackupMode").and_then(Value::as_str).map(AmazonopensearchserviceS3BackupMode::from),
        )
        .set_s3_configuration(v.get("S3Configuration").map(s3_configuration).transpose()?)
        .set_cloud_watch_logging_options(logging(v.get("CloudWatchLoggingOptions")))
        .set_vpc_configuration(vpc)
        .set_processing_configuration(processing(v.get("ProcessingConfiguration"), None)?)
        .build()
        .map_err(invalid)
}

fn opensearch_update(v: &Value, live: Option<&Value>) -> Result<AmazonopensearchserviceDestinationUpdate, ApiError> {
    Ok(AmazonopensearchserviceDestinationUpdate::builder()
        .set_domain_arn(text(v, "DomainARN"))
        .set_index_name(text(v, "IndexName"))
        .set_role_arn(text(v, "RoleARN"))
        .set_buffering_hints(opensearch_buffering(v.get("BufferingHints")))
        .set_s3_update(v.get("S3Configuration").map(|s3| s3_update(s3, live.and_then(|l| l.get("S3Configuration")))))
        .set_cloud_watch_logging_options(logging(v.get("CloudWatchLoggingOptions")))
        .set_processing_configuration(processing(
            v.get("ProcessingConfiguration"),
            live.and_then(|l| l.get("ProcessingConfiguration")),
        )?)
        .build())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn set_lists_and_empty_strings_take_the_template_spelling() {
        let desired = json!({ "C": { "SubnetIds": ["b", "a"], "Columns": "", "Other": ["y", "x"] } });
        let mut live = json!({ "C": { "SubnetIds": ["a", "b"], "Other": ["x", "y"] } });
        align(live.as_object_mut().unwrap(), desired.as_object().unwrap());
        assert_eq!(live, json!({ "C": { "SubnetIds": ["b", "a"], "Columns": "", "Other": ["x", "y"] } }));
    }

    #[tokio::test]
    async fn a_stream_whose_create_failed_reads_as_broken_not_healthy() {
        let replay = crate::backend::sdk::replay::Replay::start(include_str!(
            "../../../../tests/recorded/firehose-creating-failed.json"
        ))
        .await;
        let desired = Desired {
            logical_id: "ArchiveDeliveryStream".into(),
            resource_type: "AWS::KinesisFirehose::DeliveryStream",
            name: "pipe-dev-archive".into(),
            properties: Map::new(),
        };
        let live = DeliveryStream.read(&replay.clients, &desired).await;
        replay.finish();
        let live = live.expect("read").expect("there");
        assert_eq!(
            crate::backend::sdk::provider::failure(&live),
            Some(
                "CREATING_FAILED (INVALID_KMS_KEY: The KMS key arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab is disabled.)"
            )
        );
    }
}
