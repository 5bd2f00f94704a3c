//! EMR: `AWS::EMR::Cluster` (a long-running cluster of instance groups or fleets) and
//! `AWS::EMR::Step` (a step added to it).
//!
//! EMR cluster names are not unique and a terminated cluster lingers in the listings for months:
//! the live cluster is the non-terminated one with the blueprint's name and pipe's tags.

use std::collections::BTreeSet;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_emr::types::{
    ActionOnFailure, Application, Cluster as EmrCluster, ClusterState, ClusterSummary, HadoopJarStepConfig,
    InstanceFleet, InstanceFleetConfig, InstanceFleetModifyConfig, InstanceFleetType, InstanceGroup,
    InstanceGroupConfig, InstanceGroupModifyConfig, InstanceGroupState, InstanceGroupType, InstanceRoleType,
    InstanceTypeConfig, JobFlowInstancesConfig, KeyValue, MarketType, ScaleDownBehavior, StepCancellationOption,
    StepConfig, StepState, Tag,
};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api};
use crate::backend::sdk::propagation;
use crate::backend::sdk::provider::{
    ALL_TAGS, Clients, Desired, Live, Provider, converge, converge_tags, found, list_all, tag_list, wait_for,
};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

/// Provisioning and bootstrapping a cluster takes 5 to 20 minutes; a resize about as long.
const READY: Duration = Duration::from_secs(45 * 60);
/// The states of a cluster that is, or is becoming, usable.
const ALIVE: &[ClusterState] =
    &[ClusterState::Starting, ClusterState::Bootstrapping, ClusterState::Running, ClusterState::Waiting];

pub struct Cluster;

#[async_trait]
impl Provider for Cluster {
    /// Names are not unique: each once, however many clusters have it (`read` takes the newest).
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let alive = alive(aws).await?;
        let names: BTreeSet<&str> = alive.iter().filter_map(|c| c.name()).filter(|n| n.starts_with(prefix)).collect();
        Ok(names.into_iter().map(str::to_string).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        match find(aws, desired).await? {
            Some(cluster) => Ok(Some(cluster_live(aws, &cluster, desired).await?)),
            None => Ok(None),
        }
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        // RunJobFlow has no idempotency token: a retry would start a second cluster, so adopt
        // the one an earlier try started.
        if let Some(cluster) = find(aws, desired).await? {
            let live = wait_running(aws, cluster.id().unwrap_or_default(), desired).await?;
            return converge(self, aws, desired, &live).await;
        }
        let id = propagation::retry(|| run_job_flow(aws, desired)).await?;
        wait_running(aws, &id, desired).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        _changes: &[Change],
    ) -> Result<Live, ApiError> {
        let id = live.handle.physical_id.as_str();
        let want = desired.get("Instances").cloned().unwrap_or(Value::Null);
        let have = live.properties.get("Instances").cloned().unwrap_or(Value::Null);
        let fixed = |v: &Value| {
            let mut v = v.clone();
            if let Value::Object(map) = &mut v {
                map.remove("TerminationProtected");
                map.remove("KeepJobFlowAliveWhenNoSteps");
                for group in ["MasterInstanceGroup", "CoreInstanceGroup"] {
                    if let Some(Value::Object(g)) = map.get_mut(group) {
                        g.remove("InstanceCount");
                    }
                }
                for fleet in ["MasterInstanceFleet", "CoreInstanceFleet"] {
                    if let Some(Value::Object(f)) = map.get_mut(fleet) {
                        f.remove("TargetOnDemandCapacity");
                        f.remove("TargetSpotCapacity");
                    }
                }
            }
            v
        };
        if fixed(&want) != fixed(&have) {
            return Err(ApiError::new(
                "RunJobFlow",
                format!(
                    "cluster {id}: only instance counts, fleet capacities, TerminationProtected and KeepJobFlowAliveWhenNoSteps change on a running cluster; the rest of `Instances` needs a new cluster (destroy it, then apply)"
                ),
            ));
        }
        if want.get("TerminationProtected") != have.get("TerminationProtected") {
            aws.emr
                .set_termination_protection()
                .job_flow_ids(id)
                .termination_protected(want.get("TerminationProtected").and_then(Value::as_bool).unwrap_or(false))
                .send()
                .await
                .map_err(api("SetTerminationProtection"))?;
        }
        if want.get("KeepJobFlowAliveWhenNoSteps") != have.get("KeepJobFlowAliveWhenNoSteps") {
            aws.emr
                .set_keep_job_flow_alive_when_no_steps()
                .job_flow_ids(id)
                .keep_job_flow_alive_when_no_steps(
                    want.get("KeepJobFlowAliveWhenNoSteps").and_then(Value::as_bool).unwrap_or(false),
                )
                .send()
                .await
                .map_err(api("SetKeepJobFlowAliveWhenNoSteps"))?;
        }
        if let Some(visible) = desired.get("VisibleToAllUsers").and_then(Value::as_bool)
            && live.properties.get("VisibleToAllUsers") != Some(&json!(visible))
        {
            aws.emr
                .set_visible_to_all_users()
                .job_flow_ids(id)
                .visible_to_all_users(visible)
                .send()
                .await
                .map_err(api("SetVisibleToAllUsers"))?;
        }
        if let Some(level) = desired.i32("StepConcurrencyLevel")
            && live.properties.get("StepConcurrencyLevel") != Some(&json!(level))
        {
            aws.emr
                .modify_cluster()
                .cluster_id(id)
                .step_concurrency_level(level)
                .send()
                .await
                .map_err(api("ModifyCluster"))?;
        }
        resize_groups(aws, id, &want, &have).await?;
        resize_fleets(aws, id, &want, &have).await?;

        converge_tags(
            live.properties.get("Tags"),
            desired.get("Tags"),
            ALL_TAGS,
            ("RemoveTags", |keys| aws.emr.remove_tags().resource_id(id).set_tag_keys(Some(keys)).send()),
            ("AddTags", |pairs| aws.emr.add_tags().resource_id(id).set_tags(Some(tags(pairs))).send()),
        )
        .await?;
        wait_running(aws, id, desired).await
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let id = live.handle.physical_id.as_str();
        let Some(cluster) = describe(aws, id).await? else { return Ok(()) };
        if terminated(&cluster) {
            return Ok(());
        }
        if cluster.termination_protected() == Some(true) {
            aws.emr
                .set_termination_protection()
                .job_flow_ids(id)
                .termination_protected(false)
                .send()
                .await
                .map_err(api("SetTerminationProtection"))?;
        }
        aws.emr.terminate_job_flows().job_flow_ids(id).send().await.map_err(api("TerminateJobFlows"))?;
        wait_for("DescribeCluster", READY, || async {
            Ok(describe(aws, id).await?.is_none_or(|c| terminated(&c)).then_some(()))
        })
        .await
    }

    fn steps(&self, _live: &Live, changes: &[Change]) -> Vec<String> {
        let mut steps: Vec<String> = Vec::new();
        let mut add = |call: &str| {
            if !steps.iter().any(|s| s == call) {
                steps.push(call.to_string());
            }
        };
        for change in changes {
            match change.path.as_str() {
                "Instances.TerminationProtected" => add("SetTerminationProtection"),
                "Instances.KeepJobFlowAliveWhenNoSteps" => add("SetKeepJobFlowAliveWhenNoSteps"),
                "VisibleToAllUsers" => add("SetVisibleToAllUsers"),
                "StepConcurrencyLevel" => add("ModifyCluster"),
                p if p.ends_with("InstanceGroup.InstanceCount") => {
                    add("ModifyInstanceGroups, then wait until the group is RUNNING")
                }
                p if p.ends_with("Capacity") => add("ModifyInstanceFleet, then wait until the fleet is RUNNING"),
                p if p.starts_with("Tags") => add("AddTags / RemoveTags"),
                _ => {}
            }
        }
        if steps.len() > 1 { steps } else { Vec::new() }
    }
}

/// The non-terminated cluster with the blueprint's name and pipe's tags (the newest, should
/// there be several).
/// The clusters that are, or are becoming, usable: a terminated one is no longer there.
async fn alive(aws: &Clients) -> Result<Vec<ClusterSummary>, ApiError> {
    list_all(|marker| async move {
        let page = aws
            .emr
            .list_clusters()
            .set_cluster_states(Some(ALIVE.to_vec()))
            .set_marker(marker)
            .send()
            .await
            .map_err(api("ListClusters"))?;
        Ok((page.clusters().to_vec(), page.marker().map(str::to_string)))
    })
    .await
}

async fn find(aws: &Clients, desired: &Desired) -> Result<Option<EmrCluster>, ApiError> {
    let alive = alive(aws).await?;
    let ids = alive.iter().filter(|c| c.name() == Some(desired.name.as_str())).filter_map(|c| c.id());
    let ours: Vec<(String, String)> = desired
        .tags()
        .into_iter()
        .filter(|(k, _)| k.starts_with("pipe:") && k != crate::backend::sdk::APPLIED_TAG)
        .collect();
    let mut found: Option<EmrCluster> = None;
    for id in ids {
        let Some(cluster) = describe(aws, id).await? else { continue };
        let has = |(k, v): &(String, String)| {
            cluster.tags().iter().any(|t| t.key() == Some(k.as_str()) && t.value() == Some(v.as_str()))
        };
        if !ours.iter().all(has) || terminated(&cluster) {
            continue;
        }
        let created = |c: &EmrCluster| {
            c.status().and_then(|s| s.timeline()).and_then(|t| t.creation_date_time()).map(|d| d.secs())
        };
        if found.as_ref().is_none_or(|f| created(&cluster) > created(f)) {
            found = Some(cluster);
        }
    }
    Ok(found)
}

async fn describe(aws: &Clients, id: &str) -> Result<Option<EmrCluster>, ApiError> {
    match aws.emr.describe_cluster().cluster_id(id).send().await.map_err(api("DescribeCluster")) {
        Ok(out) => Ok(out.cluster),
        // EMR answers an unknown cluster id with InvalidRequestException.
        Err(e) if e.is("InvalidRequestException") => Ok(None),
        Err(e) => Err(e),
    }
}

fn state(cluster: &EmrCluster) -> Option<&ClusterState> {
    cluster.status().and_then(|s| s.state())
}

fn terminated(cluster: &EmrCluster) -> bool {
    matches!(
        state(cluster),
        Some(ClusterState::Terminating | ClusterState::Terminated | ClusterState::TerminatedWithErrors)
    )
}

/// Waits until the cluster is WAITING or RUNNING; a cluster that ends instead is an error.
async fn wait_running(aws: &Clients, id: &str, desired: &Desired) -> Result<Live, ApiError> {
    let cluster = wait_for("DescribeCluster", READY, || async {
        let Some(cluster) = describe(aws, id).await? else {
            return Err(ApiError::new("DescribeCluster", format!("cluster {id} is not found")));
        };
        match state(&cluster) {
            Some(ClusterState::Waiting | ClusterState::Running) => {}
            Some(ClusterState::Terminating | ClusterState::Terminated | ClusterState::TerminatedWithErrors) => {
                let reason = cluster.status().and_then(|s| s.state_change_reason()).and_then(|r| r.message());
                return Err(ApiError::new(
                    "RunJobFlow",
                    format!("cluster {id} ended instead of starting: {}", reason.unwrap_or("no reason given")),
                ));
            }
            _ => return Ok(None),
        }
        // A resize goes on while the cluster runs: wait for the groups and fleets too.
        let groups = instance_groups(aws, id).await?;
        let fleets = instance_fleets(aws, id).await?;
        let settled = groups.iter().all(|g| g.status().and_then(|s| s.state()) == Some(&InstanceGroupState::Running))
            && fleets.iter().all(|f| f.status().and_then(|s| s.state()).map(|s| s.as_str()) == Some("RUNNING"));
        Ok(settled.then_some(cluster))
    })
    .await?;
    cluster_live(aws, &cluster, desired).await
}

async fn instance_groups(aws: &Clients, id: &str) -> Result<Vec<InstanceGroup>, ApiError> {
    let mut groups = Vec::new();
    let mut marker = None;
    loop {
        let page = aws
            .emr
            .list_instance_groups()
            .cluster_id(id)
            .set_marker(marker)
            .send()
            .await
            .map_err(api("ListInstanceGroups"))?;
        groups.extend(page.instance_groups().iter().cloned());
        marker = page.marker().map(str::to_string);
        if marker.is_none() {
            return Ok(groups);
        }
    }
}

async fn instance_fleets(aws: &Clients, id: &str) -> Result<Vec<InstanceFleet>, ApiError> {
    let Some(cluster) = describe(aws, id).await? else { return Ok(Vec::new()) };
    if cluster.instance_collection_type().map(|t| t.as_str()) != Some("INSTANCE_FLEET") {
        return Ok(Vec::new());
    }
    let mut fleets = Vec::new();
    let mut marker = None;
    loop {
        let page = aws
            .emr
            .list_instance_fleets()
            .cluster_id(id)
            .set_marker(marker)
            .send()
            .await
            .map_err(api("ListInstanceFleets"))?;
        fleets.extend(page.instance_fleets().iter().cloned());
        marker = page.marker().map(str::to_string);
        if marker.is_none() {
            return Ok(fleets);
        }
    }
}

async fn resize_groups(aws: &Clients, id: &str, want: &Value, have: &Value) -> Result<(), ApiError> {
    let mut changes = Vec::new();
    let groups = instance_groups(aws, id).await?;
    for (key, kind) in
        [("MasterInstanceGroup", InstanceGroupType::Master), ("CoreInstanceGroup", InstanceGroupType::Core)]
    {
        let count = want.get(key).and_then(|g| g.get("InstanceCount"));
        if count.is_none() || count == have.get(key).and_then(|g| g.get("InstanceCount")) {
            continue;
        }
        let Some(group) = groups.iter().find(|g| g.instance_group_type() == Some(&kind)) else { continue };
        changes.push(
            InstanceGroupModifyConfig::builder()
                .set_instance_group_id(group.id().map(str::to_string))
                .set_instance_count(count.and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok()))
                .build(),
        );
    }
    if !changes.is_empty() {
        aws.emr
            .modify_instance_groups()
            .cluster_id(id)
            .set_instance_groups(Some(changes))
            .send()
            .await
            .map_err(api("ModifyInstanceGroups"))?;
    }
    Ok(())
}

async fn resize_fleets(aws: &Clients, id: &str, want: &Value, have: &Value) -> Result<(), ApiError> {
    let capacity = |v: &Value, key: &str, field: &str| v.get(key).and_then(|f| f.get(field)).cloned();
    let mut fleets = None;
    for (key, kind) in
        [("MasterInstanceFleet", InstanceFleetType::Master), ("CoreInstanceFleet", InstanceFleetType::Core)]
    {
        let fields = ["TargetOnDemandCapacity", "TargetSpotCapacity"];
        if want.get(key).is_none() || fields.iter().all(|f| capacity(want, key, f) == capacity(have, key, f)) {
            continue;
        }
        if fleets.is_none() {
            fleets = Some(instance_fleets(aws, id).await?);
        }
        let Some(fleet) = fleets.iter().flatten().find(|f| f.instance_fleet_type() == Some(&kind)) else { continue };
        let number =
            |field: &str| capacity(want, key, field).and_then(|v| v.as_i64()).and_then(|n| i32::try_from(n).ok());
        aws.emr
            .modify_instance_fleet()
            .cluster_id(id)
            .instance_fleet(
                InstanceFleetModifyConfig::builder()
                    .set_instance_fleet_id(fleet.id().map(str::to_string))
                    .set_target_on_demand_capacity(number("TargetOnDemandCapacity"))
                    .set_target_spot_capacity(number("TargetSpotCapacity"))
                    .build(),
            )
            .send()
            .await
            .map_err(api("ModifyInstanceFleet"))?;
    }
    Ok(())
}

async fn run_job_flow(aws: &Clients, desired: &Desired) -> Result<String, ApiError> {
    let applications = desired.get("Applications").and_then(Value::as_array).map(|apps| {
        apps.iter()
            .map(|a| {
                Application::builder()
                    .set_name(str_at(a, "Name"))
                    .set_version(str_at(a, "Version"))
                    .set_args(strings(a.get("Args")))
                    .build()
            })
            .collect()
    });
    let out = aws
        .emr
        .run_job_flow()
        .name(&desired.name)
        .set_release_label(desired.str("ReleaseLabel").map(str::to_string))
        .set_os_release_label(desired.str("OSReleaseLabel").map(str::to_string))
        .set_applications(applications)
        .instances(instances_config(desired.get("Instances").unwrap_or(&Value::Null)))
        .set_job_flow_role(desired.str("JobFlowRole").map(str::to_string))
        .set_service_role(desired.str("ServiceRole").map(str::to_string))
        .set_auto_scaling_role(desired.str("AutoScalingRole").map(str::to_string))
        .set_log_uri(desired.str("LogUri").map(str::to_string))
        .set_security_configuration(desired.str("SecurityConfiguration").map(str::to_string))
        .set_visible_to_all_users(desired.get("VisibleToAllUsers").and_then(Value::as_bool))
        .set_scale_down_behavior(desired.str("ScaleDownBehavior").map(ScaleDownBehavior::from))
        .set_ebs_root_volume_size(desired.i32("EbsRootVolumeSize"))
        .set_step_concurrency_level(desired.i32("StepConcurrencyLevel"))
        .set_custom_ami_id(desired.str("CustomAmiId").map(str::to_string))
        .set_tags(Some(tags(desired.tags())))
        .send()
        .await
        .map_err(api("RunJobFlow"))?;
    out.job_flow_id().map(str::to_string).ok_or_else(|| ApiError::new("RunJobFlow", "the answer carries no cluster id"))
}

fn instances_config(v: &Value) -> JobFlowInstancesConfig {
    let group = |key: &str, role: InstanceRoleType| {
        v.get(key).map(|g| {
            InstanceGroupConfig::builder()
                .set_name(str_at(g, "Name"))
                .instance_role(role)
                .set_market(str_at(g, "Market").map(|m| MarketType::from(m.as_str())))
                .set_bid_price(str_at(g, "BidPrice"))
                .set_instance_type(str_at(g, "InstanceType"))
                .set_instance_count(i32_at(g, "InstanceCount"))
                .set_custom_ami_id(str_at(g, "CustomAmiId"))
                .build()
        })
    };
    let groups: Vec<InstanceGroupConfig> =
        [group("MasterInstanceGroup", InstanceRoleType::Master), group("CoreInstanceGroup", InstanceRoleType::Core)]
            .into_iter()
            .flatten()
            .collect();
    let fleet = |key: &str, kind: InstanceFleetType| {
        v.get(key).map(|f| {
            let types = f.get("InstanceTypeConfigs").and_then(Value::as_array).map(|configs| {
                configs
                    .iter()
                    .map(|c| {
                        InstanceTypeConfig::builder()
                            .set_instance_type(str_at(c, "InstanceType"))
                            .set_weighted_capacity(i32_at(c, "WeightedCapacity"))
                            .set_bid_price(str_at(c, "BidPrice"))
                            .set_bid_price_as_percentage_of_on_demand_price(
                                c.get("BidPriceAsPercentageOfOnDemandPrice").and_then(Value::as_f64),
                            )
                            .set_custom_ami_id(str_at(c, "CustomAmiId"))
                            .build()
                    })
                    .collect()
            });
            InstanceFleetConfig::builder()
                .set_name(str_at(f, "Name"))
                .instance_fleet_type(kind)
                .set_target_on_demand_capacity(i32_at(f, "TargetOnDemandCapacity"))
                .set_target_spot_capacity(i32_at(f, "TargetSpotCapacity"))
                .set_instance_type_configs(types)
                .build()
        })
    };
    let fleets: Vec<InstanceFleetConfig> =
        [fleet("MasterInstanceFleet", InstanceFleetType::Master), fleet("CoreInstanceFleet", InstanceFleetType::Core)]
            .into_iter()
            .flatten()
            .collect();
    JobFlowInstancesConfig::builder()
        .set_instance_groups((!groups.is_empty()).then_some(groups))
        .set_instance_fleets((!fleets.is_empty()).then_some(fleets))
        .set_ec2_key_name(str_at(v, "Ec2KeyName"))
        .set_ec2_subnet_id(str_at(v, "Ec2SubnetId"))
        .set_ec2_subnet_ids(strings(v.get("Ec2SubnetIds")))
        .set_emr_managed_master_security_group(str_at(v, "EmrManagedMasterSecurityGroup"))
        .set_emr_managed_slave_security_group(str_at(v, "EmrManagedSlaveSecurityGroup"))
        .set_service_access_security_group(str_at(v, "ServiceAccessSecurityGroup"))
        .set_additional_master_security_groups(strings(v.get("AdditionalMasterSecurityGroups")))
        .set_additional_slave_security_groups(strings(v.get("AdditionalSlaveSecurityGroups")))
        .set_keep_job_flow_alive_when_no_steps(bool_at(v, "KeepJobFlowAliveWhenNoSteps"))
        .set_termination_protected(bool_at(v, "TerminationProtected"))
        .set_hadoop_version(str_at(v, "HadoopVersion"))
        .build()
}

/// The live cluster in the template's shape: what AWS adds on its own (managed security groups,
/// default scale-down behaviour, root volume size, dependency applications) counts only where
/// the template sets it.
async fn cluster_live(aws: &Clients, cluster: &EmrCluster, desired: &Desired) -> Result<Live, ApiError> {
    let id = cluster.id().unwrap_or_default();
    let groups = instance_groups(aws, id).await?;
    let fleets = instance_fleets(aws, id).await?;
    let want = |key: &str| desired.get(key).cloned().unwrap_or(Value::Null);
    let mut p = Map::new();
    p.insert("Name".into(), json!(cluster.name()));
    if let Some(label) = cluster.release_label() {
        p.insert("ReleaseLabel".into(), json!(label));
    }
    // EMR lists the applications it installs alongside (Hadoop for Spark): only those the
    // template names count, in its order.
    let wanted_apps = want("Applications");
    let apps: Vec<Value> = wanted_apps
        .as_array()
        .into_iter()
        .flatten()
        .filter(|w| {
            cluster
                .applications()
                .iter()
                .any(|a| a.name().map(str::to_ascii_lowercase) == str_at(w, "Name").map(|n| n.to_ascii_lowercase()))
        })
        .map(|w| json!({ "Name": w.get("Name") }))
        .collect();
    if !apps.is_empty() || desired.get("Applications").is_some() {
        p.insert("Applications".into(), json!(apps));
    }
    p.insert("Instances".into(), Value::Object(instances(cluster, &groups, &fleets, &want("Instances"))));
    if let Some(profile) = cluster.ec2_instance_attributes().and_then(|a| a.iam_instance_profile()) {
        p.insert("JobFlowRole".into(), json!(same_name(profile, desired.str("JobFlowRole"))));
    }
    if let Some(role) = cluster.service_role() {
        p.insert("ServiceRole".into(), json!(same_name(role, desired.str("ServiceRole"))));
    }
    if let Some(role) = cluster.auto_scaling_role() {
        p.insert("AutoScalingRole".into(), json!(same_name(role, desired.str("AutoScalingRole"))));
    }
    if let Some(uri) = cluster.log_uri() {
        p.insert("LogUri".into(), json!(same_uri(uri, desired.str("LogUri"))));
    }
    if let Some(config) = cluster.security_configuration() {
        p.insert("SecurityConfiguration".into(), json!(config));
    }
    p.insert("VisibleToAllUsers".into(), json!(cluster.visible_to_all_users().unwrap_or(false)));
    if desired.get("ScaleDownBehavior").is_some() {
        p.insert("ScaleDownBehavior".into(), json!(cluster.scale_down_behavior().map(|b| b.as_str())));
    }
    if desired.get("EbsRootVolumeSize").is_some() {
        p.insert("EbsRootVolumeSize".into(), json!(cluster.ebs_root_volume_size()));
    }
    if desired.get("StepConcurrencyLevel").is_some() {
        p.insert("StepConcurrencyLevel".into(), json!(cluster.step_concurrency_level()));
    }
    if desired.get("OSReleaseLabel").is_some() {
        p.insert("OSReleaseLabel".into(), json!(cluster.os_release_label()));
    }
    if desired.get("CustomAmiId").is_some() || cluster.custom_ami_id().is_some() {
        p.insert("CustomAmiId".into(), json!(cluster.custom_ami_id()));
    }
    p.insert(
        "Tags".into(),
        tag_list(
            cluster
                .tags()
                .iter()
                .map(|t| (t.key().unwrap_or_default().to_string(), t.value().unwrap_or_default().to_string())),
        ),
    );
    let mut attributes = Map::from_iter([("Id".to_string(), json!(id))]);
    if let Some(arn) = cluster.cluster_arn() {
        attributes.insert("Arn".into(), json!(arn));
    }
    if let Some(dns) = cluster.master_public_dns_name() {
        attributes.insert("MasterPublicDNS".into(), json!(dns));
    }
    Ok(Live { handle: Handle { physical_id: id.to_string(), attributes }, properties: p })
}

fn instances(
    cluster: &EmrCluster,
    groups: &[InstanceGroup],
    fleets: &[InstanceFleet],
    want: &Value,
) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(a) = cluster.ec2_instance_attributes() {
        if want.get("Ec2SubnetIds").is_some() {
            out.insert("Ec2SubnetIds".into(), in_order(a.requested_ec2_subnet_ids(), want.get("Ec2SubnetIds")));
        } else if let Some(subnet) = a.ec2_subnet_id() {
            out.insert("Ec2SubnetId".into(), json!(subnet));
        }
        if let Some(key) = a.ec2_key_name() {
            out.insert("Ec2KeyName".into(), json!(key));
        }
        // EMR creates managed security groups when none are given: they count when the
        // template names its own.
        for (key, live) in [
            ("EmrManagedMasterSecurityGroup", a.emr_managed_master_security_group()),
            ("EmrManagedSlaveSecurityGroup", a.emr_managed_slave_security_group()),
            ("ServiceAccessSecurityGroup", a.service_access_security_group()),
        ] {
            if want.get(key).is_some() {
                out.insert(key.into(), json!(live));
            }
        }
        for (key, live) in [
            ("AdditionalMasterSecurityGroups", a.additional_master_security_groups()),
            ("AdditionalSlaveSecurityGroups", a.additional_slave_security_groups()),
        ] {
            if !live.is_empty() || want.get(key).is_some() {
                out.insert(key.into(), in_order(live, want.get(key)));
            }
        }
    }
    for (key, kind) in
        [("MasterInstanceGroup", InstanceGroupType::Master), ("CoreInstanceGroup", InstanceGroupType::Core)]
    {
        let Some(g) = groups.iter().find(|g| g.instance_group_type() == Some(&kind)) else { continue };
        let want = want.get(key).cloned().unwrap_or(Value::Null);
        let mut group = Map::new();
        if want.get("Name").is_some() {
            group.insert("Name".into(), json!(g.name()));
        }
        group.insert("InstanceCount".into(), json!(g.requested_instance_count()));
        group.insert("InstanceType".into(), json!(g.instance_type()));
        if let Some(market) = g.market() {
            group.insert("Market".into(), json!(market.as_str()));
        }
        if let Some(price) = g.bid_price() {
            group.insert("BidPrice".into(), json!(price));
        }
        out.insert(key.into(), Value::Object(group));
    }
    for (key, kind) in
        [("MasterInstanceFleet", InstanceFleetType::Master), ("CoreInstanceFleet", InstanceFleetType::Core)]
    {
        let Some(f) = fleets.iter().find(|f| f.instance_fleet_type() == Some(&kind)) else { continue };
        let want = want.get(key).cloned().unwrap_or(Value::Null);
        let mut fleet = Map::new();
        if want.get("Name").is_some() {
            fleet.insert("Name".into(), json!(f.name()));
        }
        for (field, live) in [
            ("TargetOnDemandCapacity", f.target_on_demand_capacity()),
            ("TargetSpotCapacity", f.target_spot_capacity()),
        ] {
            if live.is_some_and(|n| n > 0) || want.get(field).is_some() {
                fleet.insert(field.into(), json!(live.unwrap_or(0)));
            }
        }
        let wanted_types = want.get("InstanceTypeConfigs").and_then(Value::as_array).cloned().unwrap_or_default();
        let mut types: Vec<Value> = f
            .instance_type_specifications()
            .iter()
            .map(|spec| {
                let name = spec.instance_type().unwrap_or_default();
                let like = wanted_types.iter().find(|w| w.get("InstanceType") == Some(&json!(name)));
                let mut config = Map::from_iter([("InstanceType".to_string(), json!(name))]);
                let has = |field: &str| like.is_some_and(|w| w.get(field).is_some());
                if has("WeightedCapacity") {
                    config.insert("WeightedCapacity".into(), json!(spec.weighted_capacity()));
                }
                if let Some(price) = spec.bid_price() {
                    config.insert("BidPrice".into(), json!(price));
                }
                if has("BidPriceAsPercentageOfOnDemandPrice") {
                    config.insert(
                        "BidPriceAsPercentageOfOnDemandPrice".into(),
                        json!(spec.bid_price_as_percentage_of_on_demand_price()),
                    );
                }
                Value::Object(config)
            })
            .collect();
        let position = |v: &Value| {
            wanted_types.iter().position(|w| w.get("InstanceType") == v.get("InstanceType")).unwrap_or(usize::MAX)
        };
        types.sort_by_key(position);
        fleet.insert("InstanceTypeConfigs".into(), json!(types));
        out.insert(key.into(), Value::Object(fleet));
    }
    out.insert("KeepJobFlowAliveWhenNoSteps".into(), json!(!cluster.auto_terminate().unwrap_or(false)));
    out.insert("TerminationProtected".into(), json!(cluster.termination_protected().unwrap_or(false)));
    out
}

/// A role or profile as the template names it: AWS may answer with the ARN for a name.
fn same_name(live: &str, wanted: Option<&str>) -> String {
    match wanted {
        Some(name) if live == name || live.ends_with(&format!("/{name}")) => name.to_string(),
        _ => live.to_string(),
    }
}

/// EMR reports an `s3://` log location as `s3n://`.
fn same_uri(live: &str, wanted: Option<&str>) -> String {
    match (live.strip_prefix("s3n://"), wanted) {
        (Some(rest), Some(name)) if name.strip_prefix("s3://") == Some(rest) => name.to_string(),
        _ => live.to_string(),
    }
}

pub struct Step;

#[async_trait]
impl Provider for Step {
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let Some(cluster) = desired.str("JobFlowId") else { return Ok(None) };
        let mut marker = None;
        loop {
            let Some(page) = found(
                aws.emr.list_steps().cluster_id(cluster).set_marker(marker).send().await.map_err(api("ListSteps")),
                |e| e.is("InvalidRequestException"),
            )?
            else {
                return Ok(None);
            };
            // Newest first: the step pipe added last under this name, unless it was cancelled.
            let found = page.steps().iter().find(|s| {
                s.name() == Some(desired.name.as_str())
                    && !matches!(
                        s.status().and_then(|st| st.state()),
                        Some(StepState::Cancelled | StepState::CancelPending)
                    )
            });
            if let Some(step) = found {
                let mut hadoop = Map::new();
                let config = step.config();
                let want = desired.get("HadoopJarStep").cloned().unwrap_or(Value::Null);
                hadoop.insert("Jar".into(), json!(config.and_then(|c| c.jar())));
                hadoop.insert("Args".into(), json!(config.map(|c| c.args()).unwrap_or_default()));
                if let Some(class) = config.and_then(|c| c.main_class()).filter(|c| !c.is_empty()) {
                    hadoop.insert("MainClass".into(), json!(class));
                }
                let mut pairs: Vec<(String, String)> = config
                    .and_then(|c| c.properties())
                    .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                pairs.sort();
                if !pairs.is_empty() || want.get("StepProperties").is_some() {
                    let wanted = crate::backend::sdk::provider::tag_pairs(want.get("StepProperties"));
                    let mut sorted_wanted = wanted.clone();
                    sorted_wanted.sort();
                    let pairs = if sorted_wanted == pairs { wanted } else { pairs };
                    hadoop.insert("StepProperties".into(), tag_list(pairs));
                }
                let properties = Map::from_iter([
                    ("Name".to_string(), json!(step.name())),
                    ("JobFlowId".to_string(), json!(cluster)),
                    ("ActionOnFailure".to_string(), json!(step.action_on_failure().map(|a| a.as_str()))),
                    ("HadoopJarStep".to_string(), Value::Object(hadoop)),
                ]);
                let id = step.id().unwrap_or_default();
                let handle = Handle {
                    physical_id: id.to_string(),
                    attributes: Map::from_iter([
                        ("Id".to_string(), json!(id)),
                        ("JobFlowId".to_string(), json!(cluster)),
                    ]),
                };
                return Ok(Some(Live { handle, properties }));
            }
            marker = page.marker().map(str::to_string);
            if marker.is_none() {
                return Ok(None);
            }
        }
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        // AddJobFlowSteps has no idempotency token: a retry adopts the step an earlier try added
        // (the newest of the name, with the same definition; a replaced step keeps its name).
        let same = |live: &Live| {
            ["Name", "ActionOnFailure", "HadoopJarStep"].iter().all(|k| live.properties.get(*k) == desired.get(k))
        };
        let live = match self.read(aws, desired).await?.filter(same) {
            Some(live) => live,
            None => {
                let jar = desired.get("HadoopJarStep").cloned().unwrap_or(Value::Null);
                let properties = crate::backend::sdk::provider::tag_pairs(jar.get("StepProperties"))
                    .into_iter()
                    .map(|(k, v)| KeyValue::builder().key(k).value(v).build())
                    .collect();
                let step = StepConfig::builder()
                    .name(&desired.name)
                    .set_action_on_failure(desired.str("ActionOnFailure").map(ActionOnFailure::from))
                    .hadoop_jar_step(
                        HadoopJarStepConfig::builder()
                            .set_jar(str_at(&jar, "Jar"))
                            .set_main_class(str_at(&jar, "MainClass"))
                            .set_args(strings(jar.get("Args")))
                            .set_properties(Some(properties))
                            .build(),
                    )
                    .build();
                aws.emr
                    .add_job_flow_steps()
                    .job_flow_id(desired.str("JobFlowId").unwrap_or_default())
                    .steps(step)
                    .send()
                    .await
                    .map_err(api("AddJobFlowSteps"))?;
                self.read(aws, desired).await?.ok_or_else(|| ApiError::new("ListSteps", "the new step is not found"))?
            }
        };
        // A streaming step runs for good: RUNNING is as far as it goes, COMPLETED is fine too.
        let cluster = desired.str("JobFlowId").unwrap_or_default();
        let id = live.handle.physical_id.clone();
        wait_for("DescribeStep", READY, || async {
            let out =
                aws.emr.describe_step().cluster_id(cluster).step_id(&id).send().await.map_err(api("DescribeStep"))?;
            let status = out.step().and_then(|s| s.status());
            match status.and_then(|s| s.state()) {
                Some(StepState::Running | StepState::Completed) => Ok(Some(())),
                Some(StepState::Pending) | None => Ok(None),
                Some(other) => {
                    let why = status
                        .and_then(|s| s.failure_details())
                        .and_then(|f| f.message().or(f.reason()))
                        .or_else(|| status.and_then(|s| s.state_change_reason()).and_then(|r| r.message()));
                    Err(ApiError::new(
                        "AddJobFlowSteps",
                        format!("step {id} is {}: {}", other.as_str(), why.unwrap_or("no reason given")),
                    ))
                }
            }
        })
        .await?;
        Ok(live)
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        _live: &Live,
        _changes: &[Change],
    ) -> Result<Live, ApiError> {
        // Every property of a step is create-only: any change is a replacement, never an update.
        self.read(aws, desired).await?.ok_or_else(|| ApiError::new("ListSteps", "the step is not found"))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        // EMR has no way to delete a step: it stays in the cluster's history until the cluster
        // goes. Deleting stops it instead: a step waiting its turn is cancelled so it never
        // runs, and a running one (a streaming job runs for good) is interrupted, so the step
        // replacing it is not left queued behind it. A finished step is left as it is.
        let Some(cluster) = live.handle.attributes.get("JobFlowId").and_then(Value::as_str) else { return Ok(()) };
        let id = live.handle.physical_id.as_str();
        let out =
            match aws.emr.describe_step().cluster_id(cluster).step_id(id).send().await.map_err(api("DescribeStep")) {
                Ok(out) => out,
                Err(e) if e.is("InvalidRequestException") => return Ok(()),
                Err(e) => return Err(e),
            };
        if matches!(
            out.step().and_then(|s| s.status()).and_then(|s| s.state()),
            Some(StepState::Pending | StepState::Running)
        ) {
            // CancelSteps answers per step; a refusal means the step ended meanwhile, which is
            // as good.
            aws.emr
                .cancel_steps()
                .cluster_id(cluster)
                .step_ids(id)
                .step_cancellation_option(StepCancellationOption::SendInterrupt)
                .send()
                .await
                .map_err(api("CancelSteps"))?;
        }
        Ok(())
    }
}

/// A list AWS may reorder, in the template's order when it holds the same items.
fn in_order(live: &[String], wanted: Option<&Value>) -> Value {
    let wanted = strings(wanted).unwrap_or_default();
    let mut sorted_live = live.to_vec();
    sorted_live.sort();
    let mut sorted_wanted = wanted.clone();
    sorted_wanted.sort();
    if sorted_live == sorted_wanted { json!(wanted) } else { json!(live) }
}

fn strings(value: Option<&Value>) -> Option<Vec<String>> {
    value.and_then(Value::as_array).map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
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

fn tags(pairs: Vec<(String, String)>) -> Vec<Tag> {
    pairs.into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect()
}
