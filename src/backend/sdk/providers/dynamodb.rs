//! DynamoDB: `AWS::DynamoDB::Table`.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, PointInTimeRecoverySpecification,
    PointInTimeRecoveryStatus, ProvisionedThroughput, ScalarAttributeType, SseSpecification, SseStatus, SseType,
    StreamSpecification, StreamViewType, TableStatus, Tag, TimeToLiveSpecification, TimeToLiveStatus,
};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api};
use crate::backend::sdk::propagation;
use crate::backend::sdk::provider::{
    ALL_TAGS, Clients, Desired, Live, Provider, converge, converge_tags, found, list_all, tag_list, touched, wait_for,
};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

const READY: Duration = Duration::from_secs(30 * 60);

pub struct Table;

#[async_trait]
impl Provider for Table {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|start| async move {
            let page = aws
                .dynamodb
                .list_tables()
                .set_exclusive_start_table_name(start)
                .send()
                .await
                .map_err(api("ListTables"))?;
            Ok((page.table_names().to_vec(), page.last_evaluated_table_name().map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        read(aws, &desired.name, desired).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let name = &desired.name;
        let mut request = aws
            .dynamodb
            .create_table()
            .table_name(name)
            .set_attribute_definitions(Some(attribute_definitions(desired)?))
            .set_key_schema(Some(key_schema(desired)?))
            .billing_mode(billing_mode(desired))
            .set_provisioned_throughput(throughput(desired)?)
            .set_sse_specification(sse(desired))
            .set_tags(Some(dynamodb_tags(desired.tags())?));
        if let Some(view) = stream_view(desired.get("StreamSpecification")) {
            request = request.stream_specification(stream(true, Some(view))?);
        }
        match request.send().await.map_err(api("CreateTable")) {
            // A retry after a lost response: the table is ours to adopt.
            Err(e) if e.is("ResourceInUseException") => {}
            other => {
                other?;
            }
        }
        let live = wait_active(aws, desired).await?;
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
        let current = &live.properties;
        let differs = |key: &str| touched(changes, key);

        // UpdateTable takes one kind of change at a time; the table is UPDATING after each.
        if differs("BillingMode") || differs("ProvisionedThroughput") {
            aws.dynamodb
                .update_table()
                .table_name(name)
                .billing_mode(billing_mode(desired))
                .set_provisioned_throughput(throughput(desired)?)
                .send()
                .await
                .map_err(api("UpdateTable"))?;
            wait_active(aws, desired).await?;
        }
        let want_view = stream_view(desired.get("StreamSpecification"));
        let have_view = stream_view(current.get("StreamSpecification"));
        if want_view != have_view {
            // A stream's view type cannot change while it is enabled: disable it first.
            if have_view.is_some() {
                aws.dynamodb
                    .update_table()
                    .table_name(name)
                    .stream_specification(stream(false, None)?)
                    .send()
                    .await
                    .map_err(api("UpdateTable"))?;
                wait_active(aws, desired).await?;
            }
            if let Some(view) = want_view {
                aws.dynamodb
                    .update_table()
                    .table_name(name)
                    .stream_specification(stream(true, Some(view))?)
                    .send()
                    .await
                    .map_err(api("UpdateTable"))?;
                wait_active(aws, desired).await?;
            }
        }
        if differs("SSESpecification") {
            let specification = sse(desired).unwrap_or_else(|| SseSpecification::builder().enabled(false).build());
            aws.dynamodb
                .update_table()
                .table_name(name)
                .sse_specification(specification)
                .send()
                .await
                .map_err(api("UpdateTable"))?;
            wait_active(aws, desired).await?;
        }
        if differs("PointInTimeRecoverySpecification") {
            let enabled = desired
                .get("PointInTimeRecoverySpecification")
                .and_then(|p| p.get("PointInTimeRecoveryEnabled"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let specification = PointInTimeRecoverySpecification::builder()
                .point_in_time_recovery_enabled(enabled)
                .build()
                .map_err(built("UpdateContinuousBackups"))?;
            let request = aws
                .dynamodb
                .update_continuous_backups()
                .table_name(name)
                .point_in_time_recovery_specification(specification);
            propagation::retry(|| async { request.clone().send().await.map_err(api("UpdateContinuousBackups")) })
                .await?;
        }
        if differs("TimeToLiveSpecification") {
            let wanted = desired.get("TimeToLiveSpecification");
            let enabled = wanted.and_then(|t| t.get("Enabled")).and_then(Value::as_bool).unwrap_or(false);
            // Disabling names the attribute TTL is on now.
            let attribute = if enabled { wanted } else { current.get("TimeToLiveSpecification") }
                .and_then(|t| t.get("AttributeName"))
                .and_then(Value::as_str);
            if let Some(attribute) = attribute
                && (enabled || ttl_enabled(current))
            {
                let specification = TimeToLiveSpecification::builder()
                    .enabled(enabled)
                    .attribute_name(attribute)
                    .build()
                    .map_err(built("UpdateTimeToLive"))?;
                aws.dynamodb
                    .update_time_to_live()
                    .table_name(name)
                    .time_to_live_specification(specification)
                    .send()
                    .await
                    .map_err(api("UpdateTimeToLive"))?;
            }
        }

        let arn = live.handle.attributes.get("Arn").and_then(Value::as_str).unwrap_or_default();
        converge_tags(
            current.get("Tags"),
            desired.get("Tags"),
            ALL_TAGS,
            ("UntagResource", |keys| aws.dynamodb.untag_resource().resource_arn(arn).set_tag_keys(Some(keys)).send()),
            ("TagResource", |pairs| async move {
                aws.dynamodb
                    .tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(dynamodb_tags(pairs)?))
                    .send()
                    .await
                    .map_err(api("TagResource"))
            }),
        )
        .await?;
        read(aws, name, desired).await?.ok_or_else(|| ApiError::new("DescribeTable", format!("table {name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let name = &live.handle.physical_id;
        match aws.dynamodb.delete_table().table_name(name).send().await.map_err(api("DeleteTable")) {
            Err(e) if e.is("ResourceNotFoundException") => return Ok(()),
            other => {
                other?;
            }
        }
        wait_for("DeleteTable", READY, || async {
            match aws.dynamodb.describe_table().table_name(name).send().await.map_err(api("DescribeTable")) {
                Err(e) if e.is("ResourceNotFoundException") => Ok(Some(())),
                Err(e) => Err(e),
                Ok(_) => Ok(None),
            }
        })
        .await
    }

    fn steps(&self, live: &Live, changes: &[Change]) -> Vec<String> {
        let changed = |key: &str| touched(changes, key);
        let mut steps = Vec::new();
        if changed("BillingMode") || changed("ProvisionedThroughput") {
            steps.push("UpdateTable (billing), then wait for ACTIVE".to_string());
        }
        if changed("StreamSpecification") {
            if stream_view(live.properties.get("StreamSpecification")).is_some() {
                steps.push("UpdateTable (disable the stream: its ARN changes), then wait for ACTIVE".to_string());
            }
            steps.push("UpdateTable (enable the stream), then wait for ACTIVE".to_string());
        }
        if changed("SSESpecification") {
            steps.push("UpdateTable (encryption), then wait for ACTIVE".to_string());
        }
        if changed("PointInTimeRecoverySpecification") {
            steps.push("UpdateContinuousBackups".to_string());
        }
        if changed("TimeToLiveSpecification") {
            steps.push("UpdateTimeToLive".to_string());
        }
        if changed("Tags") {
            steps.push("TagResource / UntagResource".to_string());
        }
        if steps.len() > 1 { steps } else { Vec::new() }
    }
}

/// A builder refused what pipe gave it (a required field missing from the template).
fn built(operation: &'static str) -> impl FnOnce(aws_sdk_dynamodb::error::BuildError) -> ApiError {
    move |e| ApiError::new(operation, e.to_string())
}

fn ttl_enabled(properties: &Map<String, Value>) -> bool {
    properties.get("TimeToLiveSpecification").and_then(|t| t.get("Enabled")).and_then(Value::as_bool) == Some(true)
}

fn items<'a>(desired: &'a Desired, key: &str) -> impl Iterator<Item = &'a Value> {
    desired.get(key).and_then(Value::as_array).into_iter().flatten()
}

fn field<'a>(item: &'a Value, key: &str) -> Option<&'a str> {
    item.get(key).and_then(Value::as_str)
}

fn attribute_definitions(desired: &Desired) -> Result<Vec<AttributeDefinition>, ApiError> {
    items(desired, "AttributeDefinitions")
        .map(|a| {
            AttributeDefinition::builder()
                .set_attribute_name(field(a, "AttributeName").map(str::to_string))
                .set_attribute_type(field(a, "AttributeType").map(ScalarAttributeType::from))
                .build()
                .map_err(built("CreateTable"))
        })
        .collect()
}

fn key_schema(desired: &Desired) -> Result<Vec<KeySchemaElement>, ApiError> {
    items(desired, "KeySchema")
        .map(|k| {
            KeySchemaElement::builder()
                .set_attribute_name(field(k, "AttributeName").map(str::to_string))
                .set_key_type(field(k, "KeyType").map(KeyType::from))
                .build()
                .map_err(built("CreateTable"))
        })
        .collect()
}

fn billing_mode(desired: &Desired) -> BillingMode {
    match desired.str("BillingMode") {
        Some("PAY_PER_REQUEST") => BillingMode::PayPerRequest,
        _ => BillingMode::Provisioned,
    }
}

fn throughput(desired: &Desired) -> Result<Option<ProvisionedThroughput>, ApiError> {
    if billing_mode(desired) != BillingMode::Provisioned {
        return Ok(None);
    }
    let given = desired.get("ProvisionedThroughput");
    let units = |key: &str| given.and_then(|t| t.get(key)).and_then(Value::as_i64);
    ProvisionedThroughput::builder()
        .set_read_capacity_units(units("ReadCapacityUnits"))
        .set_write_capacity_units(units("WriteCapacityUnits"))
        .build()
        .map(Some)
        .map_err(built("ProvisionedThroughput"))
}

fn stream_view(specification: Option<&Value>) -> Option<&str> {
    specification?.get("StreamViewType")?.as_str()
}

fn stream(enabled: bool, view: Option<&str>) -> Result<StreamSpecification, ApiError> {
    StreamSpecification::builder()
        .stream_enabled(enabled)
        .set_stream_view_type(view.map(StreamViewType::from))
        .build()
        .map_err(built("StreamSpecification"))
}

fn sse(desired: &Desired) -> Option<SseSpecification> {
    let given = desired.get("SSESpecification")?;
    let enabled = given.get("SSEEnabled").and_then(Value::as_bool).unwrap_or(false);
    let mut builder = SseSpecification::builder().enabled(enabled);
    if enabled {
        builder = builder
            .sse_type(SseType::from(field(given, "SSEType").unwrap_or("KMS")))
            .set_kms_master_key_id(field(given, "KMSMasterKeyId").map(str::to_string));
    }
    Some(builder.build())
}

fn dynamodb_tags(pairs: Vec<(String, String)>) -> Result<Vec<Tag>, ApiError> {
    pairs.into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(built("Tag"))).collect()
}

async fn wait_active(aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
    let name = &desired.name;
    wait_for("DescribeTable", READY, || async {
        let described = aws.dynamodb.describe_table().table_name(name).send().await.map_err(api("DescribeTable"));
        match described {
            Ok(out) if out.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) => {
                read(aws, name, desired).await
            }
            Ok(_) => Ok(None),
            Err(e) if e.is("ResourceNotFoundException") => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
}

/// The table in the template's shape. `desired` says which optional settings to report and in
/// which form the template names the encryption key.
async fn read(aws: &Clients, name: &str, desired: &Desired) -> Result<Option<Live>, ApiError> {
    let Some(described) =
        found(aws.dynamodb.describe_table().table_name(name).send().await.map_err(api("DescribeTable")), |e| {
            e.is("ResourceNotFoundException")
        })?
    else {
        return Ok(None);
    };
    let Some(table) = described.table() else { return Ok(None) };
    let arn = table.table_arn().unwrap_or_default().to_string();
    let mut properties = Map::new();
    properties.insert("TableName".into(), json!(name));

    // Key attributes first, in key schema order (as the template lists them), then the rest.
    let schema = table.key_schema();
    let position =
        |attribute: &str| schema.iter().position(|k| k.attribute_name() == attribute).unwrap_or(schema.len());
    let mut definitions: Vec<&AttributeDefinition> = table.attribute_definitions().iter().collect();
    definitions.sort_by(|a, b| {
        (position(a.attribute_name()), a.attribute_name()).cmp(&(position(b.attribute_name()), b.attribute_name()))
    });
    properties.insert(
        "AttributeDefinitions".into(),
        Value::Array(
            definitions
                .iter()
                .map(|a| json!({ "AttributeName": a.attribute_name(), "AttributeType": a.attribute_type().as_str() }))
                .collect(),
        ),
    );
    properties.insert(
        "KeySchema".into(),
        Value::Array(
            schema
                .iter()
                .map(|k| json!({ "AttributeName": k.attribute_name(), "KeyType": k.key_type().as_str() }))
                .collect(),
        ),
    );

    let mode = table.billing_mode_summary().and_then(|b| b.billing_mode()).cloned().unwrap_or(BillingMode::Provisioned);
    properties.insert("BillingMode".into(), json!(mode.as_str()));
    if mode == BillingMode::Provisioned
        && let Some(t) = table.provisioned_throughput()
    {
        properties.insert(
            "ProvisionedThroughput".into(),
            json!({ "ReadCapacityUnits": t.read_capacity_units(), "WriteCapacityUnits": t.write_capacity_units() }),
        );
    }

    let mut attributes = Map::from_iter([("Arn".to_string(), json!(arn))]);
    if let Some(s) = table.stream_specification().filter(|s| s.stream_enabled()) {
        if let Some(view) = s.stream_view_type() {
            properties.insert("StreamSpecification".into(), json!({ "StreamViewType": view.as_str() }));
        }
        if let Some(stream_arn) = table.latest_stream_arn() {
            attributes.insert("StreamArn".into(), json!(stream_arn));
        }
    }

    let sse = table.sse_description().filter(|s| matches!(s.status(), Some(SseStatus::Enabled | SseStatus::Enabling)));
    let sse = match sse {
        Some(s) => {
            let mut spec = json!({ "SSEEnabled": true, "SSEType": s.sse_type().map_or("KMS", |t| t.as_str()) });
            // AWS reports the key's ARN, also for the AWS managed key; the template names a key only
            // when it is customer managed, by ARN, id or alias.
            let wanted = desired.get("SSESpecification").and_then(|w| field(w, "KMSMasterKeyId"));
            if let (Some(wanted), Some(key)) = (wanted, s.kms_master_key_arn()) {
                let same = key == wanted || key.ends_with(&format!("/{wanted}"));
                spec["KMSMasterKeyId"] = json!(if same { wanted } else { key });
            }
            spec
        }
        None => json!({ "SSEEnabled": false }),
    };
    properties.insert("SSESpecification".into(), sse);

    let backups = aws
        .dynamodb
        .describe_continuous_backups()
        .table_name(name)
        .send()
        .await
        .map_err(api("DescribeContinuousBackups"))?;
    let recovery = backups
        .continuous_backups_description()
        .and_then(|c| c.point_in_time_recovery_description())
        .and_then(|p| p.point_in_time_recovery_status())
        == Some(&PointInTimeRecoveryStatus::Enabled);
    properties.insert("PointInTimeRecoverySpecification".into(), json!({ "PointInTimeRecoveryEnabled": recovery }));

    if let Some(wanted) = desired.get("TimeToLiveSpecification") {
        let ttl =
            aws.dynamodb.describe_time_to_live().table_name(name).send().await.map_err(api("DescribeTimeToLive"))?;
        let description = ttl.time_to_live_description();
        let status = description.and_then(|d| d.time_to_live_status());
        let enabled = matches!(status, Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling));
        let attribute = description.and_then(|d| d.attribute_name()).or_else(|| field(wanted, "AttributeName"));
        let mut spec = json!({ "Enabled": enabled });
        if let Some(attribute) = attribute.filter(|_| enabled || wanted.get("AttributeName").is_some()) {
            spec["AttributeName"] = json!(attribute);
        }
        properties.insert("TimeToLiveSpecification".into(), spec);
    }

    let mut tags = Vec::new();
    let mut token = None;
    loop {
        let page = aws
            .dynamodb
            .list_tags_of_resource()
            .resource_arn(&arn)
            .set_next_token(token)
            .send()
            .await
            .map_err(api("ListTagsOfResource"))?;
        tags.extend(page.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())));
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    properties.insert("Tags".into(), tag_list(tags));

    let handle = Handle { physical_id: name.to_string(), attributes };
    Ok(Some(Live { handle, properties }))
}
