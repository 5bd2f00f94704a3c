//! SageMaker real-time endpoints: `AWS::SageMaker::Model`, `AWS::SageMaker::EndpointConfig` and
//! `AWS::SageMaker::Endpoint`.
//!
//! Models and endpoint configurations cannot change (only their tags can), and an endpoint runs a
//! copy of the configuration it was last pointed at: re-creating a configuration under the same
//! name would leave the endpoint on the old one. So, as CloudFormation does by generating a new
//! name on replacement, each gets a name that ends with a hash of its settings,
//! `<pipeline>-<LogicalId>-<hash>`. A changed model then has a new name, its configuration names
//! it and is replaced too, and the endpoint switches to the new configuration with UpdateEndpoint.
//! `read` finds the live one by the name's stem and reports the name the desired settings give
//! (`ModelName`, `EndpointConfigName`), so the plan shows every step of that chain.

use std::collections::BTreeSet;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sagemaker::primitives::DateTime;
use aws_sdk_sagemaker::types::{
    ContainerDefinition, EndpointStatus, ProductionVariant, ProductionVariantInstanceType, Tag,
};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api};
use crate::backend::sdk::propagation;
use crate::backend::sdk::provider::{
    ALL_TAGS, Clients, Desired, Live, Provider, converge, converge_tags, found, list_all, mark_failed, tag_list,
    touched, wait_for,
};
use crate::backend::sdk::resolve::{Handle, is_known};
use crate::plan::{Change, KNOWN_AFTER_APPLY};

/// An endpoint takes minutes to provision instances and load the model.
const IN_SERVICE: Duration = Duration::from_secs(60 * 60);
/// SageMaker names are at most 63 characters.
const NAME_LIMIT: usize = 63;

/// SageMaker answers a missing resource with a ValidationException.
fn not_found(e: &ApiError) -> bool {
    e.is("ValidationException") && e.message.contains("Could not find")
}

fn exists(e: &ApiError) -> bool {
    e.is("ValidationException") && e.message.contains("already existing")
}

/// `<stem>-<hash>`: the hash of every setting but the tags, in a canonical form.
fn versioned_name(stem: &str, desired: &Desired) -> Option<String> {
    let mut settings = desired.properties.clone();
    settings.remove("Tags");
    let settings = Value::Object(settings);
    if !is_known(&settings) {
        return None;
    }
    let digest = crate::backend::sdk::hash(&canonical(&settings));
    Some(format!("{stem}-{}", &digest[..8]))
}

/// The name without its hash, short enough for the hash to fit.
fn stem(desired: &Desired) -> String {
    let mut stem: String = desired.name.chars().take(NAME_LIMIT - 9).collect();
    while stem.ends_with('-') {
        stem.pop();
    }
    stem
}

/// Objects with sorted keys, so that the hash does not depend on the template's key order.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(keys.into_iter().map(|k| (k.clone(), canonical(&map[k]))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// Whether `name` is `<stem>-<8 hex digits>` (SageMaker compares names without regard to case).
fn is_version_of(name: &str, stem: &str) -> bool {
    let (head, tail) = name.split_at(name.len().saturating_sub(9));
    head.eq_ignore_ascii_case(stem)
        && tail.len() == 9
        && tail.starts_with('-')
        && tail[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// The live version among `listed` (names and when each was created): the one the desired
/// settings name (`wanted`), else the newest version of `stem`.
fn pick(listed: Vec<(String, Option<DateTime>)>, stem: &str, wanted: Option<&str>) -> Option<String> {
    let mut found: Vec<_> = listed.into_iter().filter(|(name, _)| is_version_of(name, stem)).collect();
    if let Some(wanted) = wanted.filter(|w| found.iter().any(|(name, _)| name == w)) {
        return Some(wanted.to_string());
    }
    found.sort_by_key(|(_, created)| created.map(|c| (c.secs(), c.subsec_nanos())));
    found.pop().map(|(name, _)| name)
}

/// The resources that versions among `names` are of, by the pipe name they have in common (the
/// stem, which is what `read` finds them by): those under `prefix`, once each.
fn stems(prefix: &str, names: impl Iterator<Item = String>) -> Vec<String> {
    let stems: BTreeSet<String> = names
        .filter_map(|name| {
            let stem = name.get(..name.len().saturating_sub(9))?;
            (stem.starts_with(prefix) && is_version_of(&name, stem)).then(|| stem.to_string())
        })
        .collect();
    stems.into_iter().collect()
}

/// The name that `read` reports for a live version: the one the desired settings give.
fn reported_name(stem: &str, desired: &Desired) -> Value {
    json!(versioned_name(stem, desired).unwrap_or_else(|| KNOWN_AFTER_APPLY.to_string()))
}

fn sagemaker_tags(pairs: Vec<(String, String)>) -> Vec<Tag> {
    pairs.into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect()
}

async fn list_tags(aws: &Clients, arn: &str) -> Result<Value, ApiError> {
    let mut tags = Vec::new();
    let mut token = None;
    loop {
        let page =
            aws.sagemaker.list_tags().resource_arn(arn).set_next_token(token).send().await.map_err(api("ListTags"))?;
        tags.extend(
            page.tags().iter().filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string()))),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(tag_list(tags));
        }
    }
}

/// Adds and removes tags to go from `live` to `desired`.
async fn retag(aws: &Clients, arn: &str, live: &Live, desired: &Desired) -> Result<(), ApiError> {
    converge_tags(
        live.properties.get("Tags"),
        desired.get("Tags"),
        ALL_TAGS,
        ("DeleteTags", |keys| aws.sagemaker.delete_tags().resource_arn(arn).set_tag_keys(Some(keys)).send()),
        ("AddTags", |pairs| aws.sagemaker.add_tags().resource_arn(arn).set_tags(Some(sagemaker_tags(pairs))).send()),
    )
    .await?;
    Ok(())
}

/// A JSON number as the template writes it: `1`, not `1.0`.
fn number(value: f32) -> Value {
    if value.fract() == 0.0 && value.abs() < 1e9 { json!(value as i64) } else { json!(value) }
}

// ---------------------------------------------------------------------------------------------
// Model

pub struct Model;

impl Model {
    /// Every model whose name contains `text`, with when it was created.
    async fn listed(aws: &Clients, text: &str) -> Result<Vec<(String, Option<DateTime>)>, ApiError> {
        list_all(|token| async move {
            let page = aws
                .sagemaker
                .list_models()
                .name_contains(text)
                .set_next_token(token)
                .send()
                .await
                .map_err(api("ListModels"))?;
            let models =
                page.models().iter().filter_map(|m| Some((m.model_name()?.to_string(), m.creation_time().cloned())));
            Ok((models.collect(), page.next_token().map(str::to_string)))
        })
        .await
    }

    async fn describe(aws: &Clients, name: &str, reported: Value) -> Result<Option<Live>, ApiError> {
        let described = aws.sagemaker.describe_model().model_name(name).send().await;
        let Some(model) = found(described.map_err(api("DescribeModel")), not_found)? else { return Ok(None) };
        let arn = model.model_arn().unwrap_or_default().to_string();
        let mut properties = Map::new();
        // The live name, which the template leaves out; `ModelName` in the handle is the desired one.
        properties.insert("ModelName".into(), json!(name));
        properties.insert("ExecutionRoleArn".into(), json!(model.execution_role_arn()));
        if let Some(c) = model.primary_container() {
            let mut container = Map::new();
            if let Some(host) = c.container_hostname() {
                container.insert("ContainerHostname".into(), json!(host));
            }
            container.insert("Image".into(), json!(c.image()));
            if let Some(data) = c.model_data_url() {
                container.insert("ModelDataUrl".into(), json!(data));
            }
            if let Some(environment) = c.environment().filter(|e| !e.is_empty()) {
                let sorted: std::collections::BTreeMap<_, _> = environment.iter().collect();
                container.insert("Environment".into(), json!(sorted));
            }
            properties.insert("PrimaryContainer".into(), Value::Object(container));
        }
        properties.insert("EnableNetworkIsolation".into(), json!(model.enable_network_isolation().unwrap_or(false)));
        properties.insert("Tags".into(), list_tags(aws, &arn).await?);
        let handle = Handle { physical_id: arn, attributes: Map::from_iter([("ModelName".to_string(), reported)]) };
        Ok(Some(Live { handle, properties }))
    }

    fn container(desired: &Desired) -> Option<ContainerDefinition> {
        let c = desired.get("PrimaryContainer")?;
        let text = |key: &str| c.get(key).and_then(Value::as_str).map(str::to_string);
        let environment = c.get("Environment").and_then(Value::as_object).map(|e| {
            e.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect()
        });
        Some(
            ContainerDefinition::builder()
                .set_container_hostname(text("ContainerHostname"))
                .set_image(text("Image"))
                .set_model_data_url(text("ModelDataUrl"))
                .set_environment(environment)
                .build(),
        )
    }
}

#[async_trait]
impl Provider for Model {
    fn creates_before_deleting(&self) -> bool {
        true
    }

    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        Ok(stems(prefix, Self::listed(aws, prefix).await?.into_iter().map(|(name, _)| name)))
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let stem = stem(desired);
        let wanted = versioned_name(&stem, desired);
        match pick(Self::listed(aws, &stem).await?, &stem, wanted.as_deref()) {
            Some(name) => Self::describe(aws, &name, reported_name(&stem, desired)).await,
            None => Ok(None),
        }
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let stem = stem(desired);
        let name = versioned_name(&stem, desired)
            .ok_or_else(|| ApiError::new("CreateModel", "the model's settings are not all known yet"))?;
        let request = aws
            .sagemaker
            .create_model()
            .model_name(&name)
            .set_execution_role_arn(desired.str("ExecutionRoleArn").map(str::to_string))
            .set_primary_container(Self::container(desired))
            .set_enable_network_isolation(desired.get("EnableNetworkIsolation").and_then(Value::as_bool))
            .set_tags(Some(sagemaker_tags(desired.tags())));
        match propagation::retry(|| async { request.clone().send().await.map_err(api("CreateModel")) }).await {
            Err(e) if !exists(&e) => return Err(e),
            _ => {}
        }
        let live = Self::describe(aws, &name, json!(name))
            .await?
            .ok_or_else(|| ApiError::new("DescribeModel", format!("model {name} not found after creating it")))?;
        converge(self, aws, desired, &live).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        _changes: &[Change],
    ) -> Result<Live, ApiError> {
        retag(aws, &live.handle.physical_id, live, desired).await?;
        let name = live.properties.get("ModelName").and_then(Value::as_str).unwrap_or_default().to_string();
        Self::describe(aws, &name, json!(name))
            .await?
            .ok_or_else(|| ApiError::new("DescribeModel", format!("model {name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let Some(name) = live.properties.get("ModelName").and_then(Value::as_str) else { return Ok(()) };
        match aws.sagemaker.delete_model().model_name(name).send().await.map_err(api("DeleteModel")) {
            Err(e) if !not_found(&e) => Err(e),
            _ => Ok(()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// EndpointConfig

pub struct EndpointConfig;

impl EndpointConfig {
    /// Every configuration whose name contains `text`, with when it was created.
    async fn listed(aws: &Clients, text: &str) -> Result<Vec<(String, Option<DateTime>)>, ApiError> {
        list_all(|token| async move {
            let page = aws
                .sagemaker
                .list_endpoint_configs()
                .name_contains(text)
                .set_next_token(token)
                .send()
                .await
                .map_err(api("ListEndpointConfigs"))?;
            let configs = page
                .endpoint_configs()
                .iter()
                .filter_map(|c| Some((c.endpoint_config_name()?.to_string(), c.creation_time().cloned())));
            Ok((configs.collect(), page.next_token().map(str::to_string)))
        })
        .await
    }

    async fn describe(aws: &Clients, name: &str, reported: Value) -> Result<Option<Live>, ApiError> {
        let described = aws.sagemaker.describe_endpoint_config().endpoint_config_name(name).send().await;
        let Some(config) = found(described.map_err(api("DescribeEndpointConfig")), not_found)? else {
            return Ok(None);
        };
        let arn = config.endpoint_config_arn().unwrap_or_default().to_string();
        let variants: Vec<Value> = config
            .production_variants()
            .iter()
            .map(|v| {
                let mut variant = Map::new();
                let mut put = |key: &str, value: Option<Value>| {
                    if let Some(value) = value {
                        variant.insert(key.into(), value);
                    }
                };
                put("ModelName", v.model_name().map(|m| json!(m)));
                put("VariantName", v.variant_name().map(|n| json!(n)));
                put("InitialInstanceCount", v.initial_instance_count().map(|c| json!(c)));
                put("InstanceType", v.instance_type().map(|t| json!(t.as_str())));
                put("InitialVariantWeight", v.initial_variant_weight().map(number));
                Value::Object(variant)
            })
            .collect();
        // The live name, which the template leaves out; the handle has the desired one.
        let mut properties = Map::from_iter([
            ("EndpointConfigName".to_string(), json!(name)),
            ("ProductionVariants".to_string(), Value::Array(variants)),
        ]);
        if let Some(key) = config.kms_key_id() {
            properties.insert("KmsKeyId".into(), json!(key));
        }
        properties.insert("Tags".into(), list_tags(aws, &arn).await?);
        let handle =
            Handle { physical_id: arn, attributes: Map::from_iter([("EndpointConfigName".to_string(), reported)]) };
        Ok(Some(Live { handle, properties }))
    }

    fn variants(desired: &Desired) -> Vec<ProductionVariant> {
        let items = desired.get("ProductionVariants").and_then(Value::as_array).cloned().unwrap_or_default();
        items
            .iter()
            .map(|v| {
                let text = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
                ProductionVariant::builder()
                    .set_variant_name(text("VariantName"))
                    .set_model_name(text("ModelName"))
                    .set_initial_instance_count(
                        v.get("InitialInstanceCount").and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok()),
                    )
                    .set_instance_type(text("InstanceType").map(|t| ProductionVariantInstanceType::from(t.as_str())))
                    .set_initial_variant_weight(v.get("InitialVariantWeight").and_then(Value::as_f64).map(|w| w as f32))
                    .build()
            })
            .collect()
    }
}

#[async_trait]
impl Provider for EndpointConfig {
    fn creates_before_deleting(&self) -> bool {
        true
    }

    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        Ok(stems(prefix, Self::listed(aws, prefix).await?.into_iter().map(|(name, _)| name)))
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let stem = stem(desired);
        let wanted = versioned_name(&stem, desired);
        match pick(Self::listed(aws, &stem).await?, &stem, wanted.as_deref()) {
            Some(name) => Self::describe(aws, &name, reported_name(&stem, desired)).await,
            None => Ok(None),
        }
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let stem = stem(desired);
        let name = versioned_name(&stem, desired).ok_or_else(|| {
            ApiError::new("CreateEndpointConfig", "the configuration's settings are not all known yet")
        })?;
        let sent = aws
            .sagemaker
            .create_endpoint_config()
            .endpoint_config_name(&name)
            .set_production_variants(Some(Self::variants(desired)))
            .set_kms_key_id(desired.str("KmsKeyId").map(str::to_string))
            .set_tags(Some(sagemaker_tags(desired.tags())))
            .send()
            .await
            .map_err(api("CreateEndpointConfig"));
        match sent {
            Err(e) if exists(&e) => {}
            other => {
                other?;
            }
        }
        let live = Self::describe(aws, &name, json!(name)).await?.ok_or_else(|| {
            ApiError::new("DescribeEndpointConfig", format!("configuration {name} not found after creating it"))
        })?;
        converge(self, aws, desired, &live).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        _changes: &[Change],
    ) -> Result<Live, ApiError> {
        retag(aws, &live.handle.physical_id, live, desired).await?;
        let name = live.properties.get("EndpointConfigName").and_then(Value::as_str).unwrap_or_default().to_string();
        Self::describe(aws, &name, json!(name))
            .await?
            .ok_or_else(|| ApiError::new("DescribeEndpointConfig", format!("configuration {name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let Some(name) = live.properties.get("EndpointConfigName").and_then(Value::as_str) else { return Ok(()) };
        let deleted = aws.sagemaker.delete_endpoint_config().endpoint_config_name(name).send().await;
        match deleted.map_err(api("DeleteEndpointConfig")) {
            Err(e) if !not_found(&e) => Err(e),
            _ => Ok(()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Endpoint

pub struct Endpoint;

impl Endpoint {
    async fn describe(aws: &Clients, name: &str) -> Result<Option<Live>, ApiError> {
        let Some(endpoint) = found(
            aws.sagemaker.describe_endpoint().endpoint_name(name).send().await.map_err(api("DescribeEndpoint")),
            not_found,
        )?
        else {
            return Ok(None);
        };
        let arn = endpoint.endpoint_arn().unwrap_or_default().to_string();
        let properties = Map::from_iter([
            ("EndpointName".to_string(), json!(name)),
            ("EndpointConfigName".to_string(), json!(endpoint.endpoint_config_name())),
            ("Tags".to_string(), list_tags(aws, &arn).await?),
        ]);
        let handle =
            Handle { physical_id: arn, attributes: Map::from_iter([("EndpointName".to_string(), json!(name))]) };
        let mut live = Live { handle, properties };
        if endpoint.endpoint_status() == Some(&EndpointStatus::Failed) {
            let why = endpoint.failure_reason().unwrap_or("no reason given");
            mark_failed(&mut live, format!("Failed ({why})"));
        }
        Ok(Some(live))
    }

    /// Waits until the endpoint has settled: InService (or OutOfService), or an error when it
    /// failed. `None` when it is gone.
    async fn settle(aws: &Clients, name: &str) -> Result<Option<EndpointStatus>, ApiError> {
        wait_for("DescribeEndpoint", IN_SERVICE, || async {
            let described = aws.sagemaker.describe_endpoint().endpoint_name(name).send().await;
            let endpoint = match described.map_err(api("DescribeEndpoint")) {
                Ok(endpoint) => endpoint,
                Err(e) if not_found(&e) => return Ok(Some(None)),
                Err(e) => return Err(e),
            };
            match endpoint.endpoint_status() {
                Some(EndpointStatus::Failed) => Err(ApiError::new(
                    "DescribeEndpoint",
                    format!("endpoint {name} failed: {}", endpoint.failure_reason().unwrap_or("no reason given")),
                )),
                Some(status @ (EndpointStatus::InService | EndpointStatus::OutOfService)) => {
                    Ok(Some(Some(status.clone())))
                }
                _ => Ok(None),
            }
        })
        .await
    }

    async fn ready(aws: &Clients, name: &str) -> Result<Live, ApiError> {
        Self::settle(aws, name).await?;
        Self::describe(aws, name)
            .await?
            .ok_or_else(|| ApiError::new("DescribeEndpoint", format!("endpoint {name} vanished")))
    }
}

#[async_trait]
impl Provider for Endpoint {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|token| async move {
            let page = aws
                .sagemaker
                .list_endpoints()
                .name_contains(prefix)
                .set_next_token(token)
                .send()
                .await
                .map_err(api("ListEndpoints"))?;
            let names = page.endpoints().iter().filter_map(|e| e.endpoint_name()).map(str::to_string).collect();
            Ok((names, page.next_token().map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        Self::describe(aws, &desired.name).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let sent = aws
            .sagemaker
            .create_endpoint()
            .endpoint_name(&desired.name)
            .endpoint_config_name(desired.str("EndpointConfigName").unwrap_or_default())
            .set_tags(Some(sagemaker_tags(desired.tags())))
            .send()
            .await
            .map_err(api("CreateEndpoint"));
        match sent {
            Err(e) if exists(&e) => {}
            other => {
                other?;
            }
        }
        let live = Self::ready(aws, &desired.name).await?;
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
        if let Some(config) = desired.str("EndpointConfigName")
            && touched(changes, "EndpointConfigName")
        {
            // An endpoint still creating or updating refuses another update.
            Self::settle(aws, name).await?;
            aws.sagemaker
                .update_endpoint()
                .endpoint_name(name)
                .endpoint_config_name(config)
                .send()
                .await
                .map_err(api("UpdateEndpoint"))?;
            Self::settle(aws, name).await?;
        }
        retag(aws, &live.handle.physical_id, live, desired).await?;
        Self::ready(aws, name).await
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let Some(name) = live.handle.attributes.get("EndpointName").and_then(Value::as_str) else { return Ok(()) };
        // An endpoint still creating or updating cannot be deleted yet; a failed one can.
        if let Ok(None) = Self::settle(aws, name).await {
            return Ok(());
        }
        match aws.sagemaker.delete_endpoint().endpoint_name(name).send().await.map_err(api("DeleteEndpoint")) {
            Err(e) if not_found(&e) => return Ok(()),
            other => {
                other?;
            }
        }
        wait_for("DeleteEndpoint", IN_SERVICE, || async {
            Ok(Self::describe(aws, name).await?.is_none().then_some(()))
        })
        .await
    }

    fn steps(&self, _live: &Live, changes: &[Change]) -> Vec<String> {
        if changes.iter().any(|c| c.path == "EndpointConfigName") {
            vec![
                "UpdateEndpoint to the new configuration: SageMaker starts new instances, shifts traffic, then stops the old ones".into(),
                "wait for InService".into(),
            ]
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_the_stem_and_a_hash() {
        assert!(is_version_of("p-PricingModel-0a1b2c3d", "p-PricingModel"));
        assert!(is_version_of("p-pricingmodel-0A1B2C3D", "p-PricingModel"));
        assert!(!is_version_of("p-PricingModel2-0a1b2c3d", "p-PricingModel"));
        assert!(!is_version_of("p-PricingModel-0a1b2c3", "p-PricingModel"));
        assert!(!is_version_of("short", "p-PricingModel"));
    }

    #[test]
    fn leftovers_are_listed_by_stem_once() {
        let listed = ["p-AModel-0a1b2c3d", "p-AModel-ffffffff", "p-BModel-12345678", "p-CModel", "q-AModel-0a1b2c3d"];
        let stems = stems("p-", listed.into_iter().map(str::to_string));
        assert_eq!(stems, ["p-AModel", "p-BModel"]);
    }

    #[test]
    fn whole_weights_read_as_integers() {
        assert_eq!(number(1.0), json!(1));
        assert_eq!(number(0.5), json!(0.5));
    }
}
