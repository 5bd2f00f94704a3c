//! OpenSearch Service: `AWS::OpenSearchService::Domain` (cluster, storage, encryption, endpoint
//! options, VPC, fine-grained access, log publishing, access policy, tags).

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_opensearch::types::{
    AdvancedSecurityOptionsInput, ChangeProgressStatusDetails, ClusterConfig, DomainEndpointOptions, DomainStatus,
    EbsOptions, EncryptionAtRestOptions, LogPublishingOption, LogType, MasterUserOptions, NodeToNodeEncryptionOptions,
    OpenSearchPartitionInstanceType, OpenSearchWarmPartitionInstanceType, OverallChangeStatus, Tag, TlsSecurityPolicy,
    VolumeType, VpcOptions, ZoneAwarenessConfig,
};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api};
use crate::backend::sdk::operation::{Progress, follow};
use crate::backend::sdk::propagation;
use crate::backend::sdk::provider::{
    ALL_TAGS, Clients, Desired, Live, Provider, converge, converge_tags, tag_list, touched, wait_for,
};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

/// A new domain takes 15 to 45 minutes (longer inside a VPC); a blue/green change about as long.
const READY: Duration = Duration::from_secs(90 * 60);

/// The configuration sections `UpdateDomainConfig` changes in place.
const SECTIONS: &[&str] = &[
    "ClusterConfig",
    "EBSOptions",
    "EncryptionAtRestOptions",
    "NodeToNodeEncryptionOptions",
    "DomainEndpointOptions",
    "VPCOptions",
    "AdvancedSecurityOptions",
    "LogPublishingOptions",
    "AccessPolicies",
];

pub struct Domain;

#[async_trait]
impl Provider for Domain {
    /// ListDomainNames answers with every domain at once.
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let listed = aws.opensearch.list_domain_names().send().await.map_err(api("ListDomainNames"))?;
        let names = listed.domain_names().iter().filter_map(|d| d.domain_name());
        Ok(names.filter(|n| n.starts_with(prefix)).map(str::to_string).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let Some(status) = describe(aws, &desired.name).await? else { return Ok(None) };
        // A domain being deleted is on its way out: it is not the one the blueprint wants.
        if status.deleted() == Some(true) {
            return Ok(None);
        }
        let tags = aws.opensearch.list_tags().arn(status.arn()).send().await.map_err(api("ListTags"))?;
        let pairs = tags.tag_list().iter().map(|t| (t.key().to_string(), t.value().to_string()));
        let mut properties = properties(&status, desired);
        properties.insert("Tags".into(), tag_list(pairs));
        Ok(Some(Live { handle: handle(&status), properties }))
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let props = &desired.properties;
        let request = aws
            .opensearch
            .create_domain()
            .domain_name(&desired.name)
            .set_engine_version(desired.str("EngineVersion").map(str::to_string))
            .set_cluster_config(props.get("ClusterConfig").map(cluster_config))
            .set_ebs_options(props.get("EBSOptions").map(ebs_options))
            .set_encryption_at_rest_options(props.get("EncryptionAtRestOptions").map(encryption_at_rest))
            .set_node_to_node_encryption_options(props.get("NodeToNodeEncryptionOptions").map(node_to_node))
            .set_domain_endpoint_options(props.get("DomainEndpointOptions").map(endpoint_options))
            .set_vpc_options(props.get("VPCOptions").map(vpc_options))
            .set_advanced_security_options(props.get("AdvancedSecurityOptions").map(security_options))
            .set_log_publishing_options(props.get("LogPublishingOptions").map(log_publishing))
            .set_access_policies(props.get("AccessPolicies").map(policy_text))
            .set_tag_list(Some(tags(desired.tags())));
        let created = propagation::retry(|| async { request.clone().send().await.map_err(api("CreateDomain")) }).await;
        match created {
            // A retry after a lost response: the domain is ours to adopt.
            Err(e) if e.is("ResourceAlreadyExistsException") => {}
            other => {
                other?;
            }
        }
        let live = wait_ready(aws, desired).await?;
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
        let props = &desired.properties;
        let differs = |key: &str| touched(changes, key);
        let mut live = live.clone();

        if SECTIONS.iter().any(|key| differs(key)) {
            let mut request = aws.opensearch.update_domain_config().domain_name(name);
            if differs("ClusterConfig") {
                request = request.set_cluster_config(props.get("ClusterConfig").map(cluster_config));
            }
            if differs("EBSOptions") {
                request = request.set_ebs_options(props.get("EBSOptions").map(ebs_options));
            }
            if differs("EncryptionAtRestOptions") {
                request = request
                    .set_encryption_at_rest_options(props.get("EncryptionAtRestOptions").map(encryption_at_rest));
            }
            if differs("NodeToNodeEncryptionOptions") {
                request = request
                    .set_node_to_node_encryption_options(props.get("NodeToNodeEncryptionOptions").map(node_to_node));
            }
            if differs("DomainEndpointOptions") {
                request = request.set_domain_endpoint_options(props.get("DomainEndpointOptions").map(endpoint_options));
            }
            if differs("VPCOptions") {
                request = request.set_vpc_options(props.get("VPCOptions").map(vpc_options));
            }
            if differs("AdvancedSecurityOptions") {
                request =
                    request.set_advanced_security_options(props.get("AdvancedSecurityOptions").map(security_options));
            }
            if differs("LogPublishingOptions") {
                // Types published now but no longer wanted are switched off, not left running.
                let mut options = props.get("LogPublishingOptions").map(log_publishing).unwrap_or_default();
                if let Some(Value::Object(current)) = live.properties.get("LogPublishingOptions") {
                    for (kind, option) in current {
                        options.entry(LogType::from(kind.as_str())).or_insert_with(|| {
                            LogPublishingOption::builder()
                                .set_cloud_watch_logs_log_group_arn(str_at(option, "CloudWatchLogsLogGroupArn"))
                                .enabled(false)
                                .build()
                        });
                    }
                }
                request = request.set_log_publishing_options(Some(options));
            }
            if differs("AccessPolicies") {
                request = request.set_access_policies(props.get("AccessPolicies").map(policy_text));
            }
            let sent = propagation::retry(|| async { request.clone().send().await.map_err(api("UpdateDomainConfig")) })
                .await?;
            let change = sent.domain_config().and_then(|c| c.change_progress_details()).and_then(|d| d.change_id());
            live = settle(aws, desired, change).await?;
        }

        if let Some(version) = desired.str("EngineVersion")
            && live.properties.get("EngineVersion") != Some(&json!(version))
        {
            let sent = aws
                .opensearch
                .upgrade_domain()
                .domain_name(name)
                .target_version(version)
                .send()
                .await
                .map_err(api("UpgradeDomain"))?;
            live = settle(aws, desired, sent.change_progress_details().and_then(|d| d.change_id())).await?;
        }

        let arn = live.handle.attributes.get("Arn").and_then(Value::as_str).unwrap_or_default().to_string();
        converge_tags(
            live.properties.get("Tags"),
            desired.get("Tags"),
            ALL_TAGS,
            ("RemoveTags", |keys| aws.opensearch.remove_tags().arn(&arn).set_tag_keys(Some(keys)).send()),
            ("AddTags", |pairs| aws.opensearch.add_tags().arn(&arn).set_tag_list(Some(tags(pairs))).send()),
        )
        .await?;
        self.read(aws, desired).await?.ok_or_else(|| ApiError::new("DescribeDomain", format!("domain {name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let name = live.handle.physical_id.as_str();
        match aws.opensearch.delete_domain().domain_name(name).send().await.map_err(api("DeleteDomain")) {
            Err(e) if e.is("ResourceNotFoundException") => return Ok(()),
            other => {
                other?;
            }
        }
        wait_for("DescribeDomain", READY, || async { Ok(describe(aws, name).await?.is_none().then_some(())) }).await
    }

    fn steps(&self, live: &Live, changes: &[Change]) -> Vec<String> {
        let top = |path: &str| path.split('.').next().unwrap_or(path).to_string();
        let sections: Vec<String> =
            SECTIONS.iter().filter(|s| changes.iter().any(|c| top(&c.path) == **s)).map(|s| s.to_string()).collect();
        let mut steps = Vec::new();
        if !sections.is_empty() {
            steps.push(format!("UpdateDomainConfig ({}), then follow its change to COMPLETED", sections.join(", ")));
        }
        if let Some(change) = changes.iter().find(|c| c.path == "EngineVersion") {
            let from = live.properties.get("EngineVersion").and_then(Value::as_str).unwrap_or("?");
            let to = change.after.as_ref().and_then(Value::as_str).unwrap_or("?");
            steps.push(format!("UpgradeDomain {from} → {to}, then follow its change to COMPLETED"));
        }
        if changes.iter().any(|c| top(&c.path) == "Tags") {
            steps.push("AddTags / RemoveTags".into());
        }
        if steps.len() > 1 { steps } else { Vec::new() }
    }
}

async fn describe(aws: &Clients, name: &str) -> Result<Option<DomainStatus>, ApiError> {
    match aws.opensearch.describe_domain().domain_name(name).send().await.map_err(api("DescribeDomain")) {
        Ok(out) => Ok(out.domain_status),
        Err(e) if e.is("ResourceNotFoundException") => Ok(None),
        Err(e) => Err(e),
    }
}

/// Waits until the domain has its endpoint and no change or upgrade is in progress.
async fn wait_ready(aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
    wait_for("DescribeDomain", READY, || async {
        match describe(aws, &desired.name).await? {
            Some(s)
                if s.processing() != Some(true) && s.upgrade_processing() != Some(true) && endpoint(&s).is_some() =>
            {
                Ok(Some(()))
            }
            _ => Ok(None),
        }
    })
    .await?;
    Domain
        .read(aws, desired)
        .await?
        .ok_or_else(|| ApiError::new("DescribeDomain", format!("domain {} vanished", desired.name)))
}

/// Follows the change an UpdateDomainConfig or UpgradeDomain call started (its change id) until
/// it has ended, then waits for the domain to be ready. Right after the call DescribeDomain may
/// still say it is not processing: only the change's own progress says when it is done.
async fn settle(aws: &Clients, desired: &Desired, change: Option<&str>) -> Result<Live, ApiError> {
    if let Some(change) = change {
        let what = format!("domain {}", desired.name);
        follow("DescribeDomainChangeProgress", &what, change, READY, || async {
            let described = aws
                .opensearch
                .describe_domain_change_progress()
                .domain_name(&desired.name)
                .change_id(change)
                .send()
                .await
                .map_err(api("DescribeDomainChangeProgress"))?;
            let status = described.change_progress_status();
            Ok(match status.and_then(|s| s.status()) {
                Some(OverallChangeStatus::Completed) => Progress::Succeeded,
                Some(OverallChangeStatus::Failed) => Progress::Failed(status.map(failure).unwrap_or_default()),
                _ => Progress::Running,
            })
        })
        .await?;
    }
    wait_ready(aws, desired).await
}

/// Why a change failed, in the service's words: its validation failures, else its failed stages.
fn failure(status: &ChangeProgressStatusDetails) -> String {
    let validation = status
        .validation_failures()
        .iter()
        .map(|f| format!("{}: {}", f.code().unwrap_or("ValidationFailure"), f.message().unwrap_or_default()));
    let stages = status
        .change_progress_stages()
        .iter()
        .filter(|stage| stage.status() == Some("FAILED"))
        .map(|stage| format!("{}: {}", stage.name().unwrap_or("stage"), stage.description().unwrap_or("failed")));
    let reasons: Vec<String> = validation.chain(stages).collect();
    if reasons.is_empty() { "no reason given".to_string() } else { reasons.join("; ") }
}

/// The endpoint clients use: the public one, or the VPC one for a domain inside a VPC.
fn endpoint(status: &DomainStatus) -> Option<&str> {
    status.endpoint().or_else(|| {
        let endpoints = status.endpoints()?;
        endpoints.get("vpc").or_else(|| endpoints.values().next()).map(String::as_str)
    })
}

fn handle(status: &DomainStatus) -> Handle {
    let mut attributes = Map::from_iter([
        ("Arn".to_string(), json!(status.arn())),
        ("DomainArn".to_string(), json!(status.arn())),
        ("Id".to_string(), json!(status.domain_id())),
    ]);
    if let Some(endpoint) = endpoint(status) {
        attributes.insert("DomainEndpoint".into(), json!(endpoint));
    }
    Handle { physical_id: status.domain_name().to_string(), attributes }
}

/// The live domain in the template's shape. Fields AWS adds that the template does not set are
/// left out; flags appear when on, or when the template sets them.
fn properties(status: &DomainStatus, desired: &Desired) -> Map<String, Value> {
    let want = |key: &str| desired.get(key).cloned().unwrap_or(Value::Null);
    let mut properties = Map::new();
    properties.insert("DomainName".into(), json!(status.domain_name()));
    if let Some(version) = status.engine_version() {
        properties.insert("EngineVersion".into(), json!(version));
    }
    if let Some(c) = status.cluster_config() {
        let want = want("ClusterConfig");
        let mut out = Map::new();
        if let Some(t) = c.instance_type() {
            out.insert("InstanceType".into(), json!(t.as_str()));
        }
        if let Some(n) = c.instance_count() {
            out.insert("InstanceCount".into(), json!(n));
        }
        if flag(&mut out, &want, "ZoneAwarenessEnabled", c.zone_awareness_enabled())
            && let Some(n) = c.zone_awareness_config().and_then(|z| z.availability_zone_count())
        {
            out.insert("ZoneAwarenessConfig".into(), json!({ "AvailabilityZoneCount": n }));
        }
        if flag(&mut out, &want, "DedicatedMasterEnabled", c.dedicated_master_enabled()) {
            if let Some(t) = c.dedicated_master_type() {
                out.insert("DedicatedMasterType".into(), json!(t.as_str()));
            }
            if let Some(n) = c.dedicated_master_count() {
                out.insert("DedicatedMasterCount".into(), json!(n));
            }
        }
        if flag(&mut out, &want, "WarmEnabled", c.warm_enabled()) {
            if let Some(t) = c.warm_type() {
                out.insert("WarmType".into(), json!(t.as_str()));
            }
            if let Some(n) = c.warm_count() {
                out.insert("WarmCount".into(), json!(n));
            }
        }
        // AWS turns Multi-AZ with standby on by itself for some layouts: it counts only when
        // the template says.
        if want.get("MultiAZWithStandbyEnabled").is_some() {
            out.insert("MultiAZWithStandbyEnabled".into(), json!(c.multi_az_with_standby_enabled().unwrap_or(false)));
        }
        properties.insert("ClusterConfig".into(), Value::Object(out));
    }
    if let Some(e) = status.ebs_options() {
        let want = want("EBSOptions");
        let mut out = Map::new();
        out.insert("EBSEnabled".into(), json!(e.ebs_enabled().unwrap_or(false)));
        if let Some(t) = e.volume_type() {
            out.insert("VolumeType".into(), json!(t.as_str()));
        }
        if let Some(n) = e.volume_size() {
            out.insert("VolumeSize".into(), json!(n));
        }
        // gp3 volumes get a baseline IOPS and throughput the template leaves to AWS.
        if want.get("Iops").is_some() {
            out.insert("Iops".into(), json!(e.iops()));
        }
        if want.get("Throughput").is_some() {
            out.insert("Throughput".into(), json!(e.throughput()));
        }
        properties.insert("EBSOptions".into(), Value::Object(out));
    }
    if let Some(e) = status.encryption_at_rest_options() {
        let mut out = Map::from_iter([("Enabled".to_string(), json!(e.enabled().unwrap_or(false)))]);
        // Without a key of its own the domain uses the AWS-managed one, which the template leaves out.
        if let Some(wanted) = want("EncryptionAtRestOptions").get("KmsKeyId").and_then(Value::as_str) {
            out.insert("KmsKeyId".into(), json!(same_key(e.kms_key_id(), wanted)));
        }
        properties.insert("EncryptionAtRestOptions".into(), Value::Object(out));
    }
    if let Some(n) = status.node_to_node_encryption_options() {
        properties.insert("NodeToNodeEncryptionOptions".into(), json!({ "Enabled": n.enabled().unwrap_or(false) }));
    }
    if let Some(d) = status.domain_endpoint_options() {
        let want = want("DomainEndpointOptions");
        let mut out = Map::new();
        out.insert("EnforceHTTPS".into(), json!(d.enforce_https().unwrap_or(false)));
        if let Some(policy) = d.tls_security_policy() {
            out.insert("TLSSecurityPolicy".into(), json!(policy.as_str()));
        }
        if flag(&mut out, &want, "CustomEndpointEnabled", d.custom_endpoint_enabled()) {
            if let Some(endpoint) = d.custom_endpoint() {
                out.insert("CustomEndpoint".into(), json!(endpoint));
            }
            if let Some(arn) = d.custom_endpoint_certificate_arn() {
                out.insert("CustomEndpointCertificateArn".into(), json!(arn));
            }
        }
        properties.insert("DomainEndpointOptions".into(), Value::Object(out));
    }
    if let Some(text) = status.access_policies().filter(|t| !t.trim().is_empty()) {
        let policy = serde_json::from_str(text).unwrap_or_else(|_| json!(text));
        let wanted = want("AccessPolicies");
        let same = super::logs::same_policy(&policy, &parsed(&wanted));
        properties.insert("AccessPolicies".into(), if same { wanted } else { policy });
    }
    if let Some(a) = status.advanced_security_options() {
        let want = want("AdvancedSecurityOptions");
        let enabled = a.enabled().unwrap_or(false);
        let mut out = Map::new();
        out.insert("Enabled".into(), json!(enabled));
        if enabled || want.get("InternalUserDatabaseEnabled").is_some() {
            out.insert(
                "InternalUserDatabaseEnabled".into(),
                json!(a.internal_user_database_enabled().unwrap_or(false)),
            );
        }
        if want.get("AnonymousAuthEnabled").is_some() {
            out.insert("AnonymousAuthEnabled".into(), json!(a.anonymous_auth_enabled().unwrap_or(false)));
        }
        // The master user is write-only: AWS never returns it (CloudFormation cannot read it
        // either). It stands as the template has it while fine-grained access stays on.
        if enabled && let Some(master) = want.get("MasterUserOptions") {
            out.insert("MasterUserOptions".into(), master.clone());
        }
        if enabled || desired.get("AdvancedSecurityOptions").is_some() {
            properties.insert("AdvancedSecurityOptions".into(), Value::Object(out));
        }
    }
    if let Some(options) = status.log_publishing_options() {
        let want = want("LogPublishingOptions");
        let mut out = Map::new();
        let mut kinds: Vec<(&LogType, &LogPublishingOption)> = options.iter().collect();
        kinds.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        for (kind, option) in kinds {
            let enabled = option.enabled().unwrap_or(false);
            // A type switched off after the template dropped it is as good as absent.
            if !enabled && want.get(kind.as_str()).is_none() {
                continue;
            }
            let mut entry = Map::new();
            if let Some(arn) = option.cloud_watch_logs_log_group_arn() {
                entry.insert("CloudWatchLogsLogGroupArn".into(), json!(arn));
            }
            entry.insert("Enabled".into(), json!(enabled));
            out.insert(kind.as_str().to_string(), Value::Object(entry));
        }
        if !out.is_empty() || desired.get("LogPublishingOptions").is_some() {
            properties.insert("LogPublishingOptions".into(), Value::Object(out));
        }
    }
    if let Some(v) = status.vpc_options() {
        let want = want("VPCOptions");
        properties.insert(
            "VPCOptions".into(),
            json!({
                "SubnetIds": in_order(v.subnet_ids(), want.get("SubnetIds")),
                "SecurityGroupIds": in_order(v.security_group_ids(), want.get("SecurityGroupIds")),
            }),
        );
    }
    properties
}

/// Puts a boolean into `out` when it is on or the template sets it; returns whether it is on.
fn flag(out: &mut Map<String, Value>, want: &Value, key: &str, live: Option<bool>) -> bool {
    let on = live.unwrap_or(false);
    if on || want.get(key).is_some() {
        out.insert(key.into(), json!(on));
    }
    on
}

/// The live key as the template names it: AWS answers with the key's ARN for an id or alias ARN.
fn same_key(live: Option<&str>, wanted: &str) -> String {
    match live {
        Some(arn) if arn == wanted || arn.ends_with(&format!("/{wanted}")) => wanted.to_string(),
        Some(arn) => arn.to_string(),
        None => String::new(),
    }
}

/// A list AWS may reorder, in the template's order when it holds the same items.
fn in_order(live: &[String], wanted: Option<&Value>) -> Value {
    let wanted: Vec<String> = wanted
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let mut sorted_live = live.to_vec();
    sorted_live.sort();
    let mut sorted_wanted = wanted.clone();
    sorted_wanted.sort();
    if sorted_live == sorted_wanted { json!(wanted) } else { json!(live) }
}

/// A policy given as JSON text, as data.
fn parsed(value: &Value) -> Value {
    match value {
        Value::String(text) => serde_json::from_str(text).unwrap_or_else(|_| value.clone()),
        other => other.clone(),
    }
}

fn policy_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn str_at(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

fn i32_at(value: &Value, key: &str) -> Option<i32> {
    value.get(key).and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok())
}

fn bool_at(value: &Value, key: &str) -> Option<bool> {
    value.get(key).and_then(Value::as_bool)
}

fn cluster_config(v: &Value) -> ClusterConfig {
    // The switches go out as false when the template leaves them unset, so an update turns off
    // what was turned on outside pipe.
    ClusterConfig::builder()
        .set_instance_type(str_at(v, "InstanceType").map(|t| OpenSearchPartitionInstanceType::from(t.as_str())))
        .set_instance_count(i32_at(v, "InstanceCount"))
        .zone_awareness_enabled(bool_at(v, "ZoneAwarenessEnabled").unwrap_or(false))
        .set_zone_awareness_config(v.get("ZoneAwarenessConfig").map(|z| {
            ZoneAwarenessConfig::builder().set_availability_zone_count(i32_at(z, "AvailabilityZoneCount")).build()
        }))
        .dedicated_master_enabled(bool_at(v, "DedicatedMasterEnabled").unwrap_or(false))
        .set_dedicated_master_type(
            str_at(v, "DedicatedMasterType").map(|t| OpenSearchPartitionInstanceType::from(t.as_str())),
        )
        .set_dedicated_master_count(i32_at(v, "DedicatedMasterCount"))
        .warm_enabled(bool_at(v, "WarmEnabled").unwrap_or(false))
        .set_warm_type(str_at(v, "WarmType").map(|t| OpenSearchWarmPartitionInstanceType::from(t.as_str())))
        .set_warm_count(i32_at(v, "WarmCount"))
        .set_multi_az_with_standby_enabled(bool_at(v, "MultiAZWithStandbyEnabled"))
        .build()
}

fn ebs_options(v: &Value) -> EbsOptions {
    EbsOptions::builder()
        .set_ebs_enabled(bool_at(v, "EBSEnabled"))
        .set_volume_type(str_at(v, "VolumeType").map(|t| VolumeType::from(t.as_str())))
        .set_volume_size(i32_at(v, "VolumeSize"))
        .set_iops(i32_at(v, "Iops"))
        .set_throughput(i32_at(v, "Throughput"))
        .build()
}

fn encryption_at_rest(v: &Value) -> EncryptionAtRestOptions {
    EncryptionAtRestOptions::builder().set_enabled(bool_at(v, "Enabled")).set_kms_key_id(str_at(v, "KmsKeyId")).build()
}

fn node_to_node(v: &Value) -> NodeToNodeEncryptionOptions {
    NodeToNodeEncryptionOptions::builder().set_enabled(bool_at(v, "Enabled")).build()
}

fn endpoint_options(v: &Value) -> DomainEndpointOptions {
    DomainEndpointOptions::builder()
        .set_enforce_https(bool_at(v, "EnforceHTTPS"))
        .set_tls_security_policy(str_at(v, "TLSSecurityPolicy").map(|p| TlsSecurityPolicy::from(p.as_str())))
        .set_custom_endpoint_enabled(bool_at(v, "CustomEndpointEnabled"))
        .set_custom_endpoint(str_at(v, "CustomEndpoint"))
        .set_custom_endpoint_certificate_arn(str_at(v, "CustomEndpointCertificateArn"))
        .build()
}

fn vpc_options(v: &Value) -> VpcOptions {
    let list = |key: &str| {
        v.get(key).and_then(Value::as_array).map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
    };
    VpcOptions::builder().set_subnet_ids(list("SubnetIds")).set_security_group_ids(list("SecurityGroupIds")).build()
}

fn security_options(v: &Value) -> AdvancedSecurityOptionsInput {
    let master = v.get("MasterUserOptions").map(|m| {
        MasterUserOptions::builder()
            .set_master_user_arn(str_at(m, "MasterUserARN"))
            .set_master_user_name(str_at(m, "MasterUserName"))
            .set_master_user_password(str_at(m, "MasterUserPassword"))
            .build()
    });
    AdvancedSecurityOptionsInput::builder()
        .set_enabled(bool_at(v, "Enabled"))
        .set_internal_user_database_enabled(bool_at(v, "InternalUserDatabaseEnabled"))
        .set_anonymous_auth_enabled(bool_at(v, "AnonymousAuthEnabled"))
        .set_master_user_options(master)
        .build()
}

fn log_publishing(v: &Value) -> HashMap<LogType, LogPublishingOption> {
    v.as_object()
        .map(|options| {
            options
                .iter()
                .map(|(kind, option)| {
                    let option = LogPublishingOption::builder()
                        .set_cloud_watch_logs_log_group_arn(str_at(option, "CloudWatchLogsLogGroupArn"))
                        .set_enabled(bool_at(option, "Enabled"))
                        .build();
                    (LogType::from(kind.as_str()), option)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn tags(pairs: Vec<(String, String)>) -> Vec<Tag> {
    pairs.into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build().expect("key and value set")).collect()
}
