//! Amazon MSK: `AWS::MSK::Cluster` (provisioned), `AWS::MSK::ServerlessCluster` and
//! `AWS::MSK::ClusterPolicy`.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_kafka::types::{
    BrokerEbsVolumeInfo, BrokerLogs, BrokerNodeGroupInfo, ClientAuthentication, ClientBroker, CloudWatchLogs,
    Cluster as Info, ClusterState, ConnectivityInfo, EbsStorageInfo, EncryptionAtRest, EncryptionInTransit,
    EncryptionInfo, EnhancedMonitoring, Iam, LoggingInfo, ProvisionedRequest, Sasl, Scram,
    ServerlessClientAuthentication, ServerlessRequest, ServerlessSasl, StorageInfo, Tls, Unauthenticated, VpcConfig,
    VpcConnectivity, VpcConnectivityClientAuthentication, VpcConnectivityIam, VpcConnectivitySasl,
    VpcConnectivityScram, VpcConnectivityTls,
};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api, tolerate};
use crate::backend::sdk::operation::{Progress, follow};
use crate::backend::sdk::provider::{
    ALL_TAGS, Clients, Desired, Live, Provider, converge, converge_tags, found, list_all, mark_failed, touched,
    wait_for,
};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

/// Creating a provisioned cluster takes 15–40 minutes; a broker type change about as long.
const READY: Duration = Duration::from_secs(2 * 60 * 60);
const CURRENT_VERSION: &str = "CurrentVersion";

pub struct Cluster;

#[async_trait]
impl Provider for Cluster {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        names(aws, prefix, "PROVISIONED").await
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        Ok(find(aws, &desired.name).await?.map(|info| shape(&info, desired)))
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let get = |key: &str| desired.get(key).cloned().unwrap_or(Value::Null);
        let provisioned = ProvisionedRequest::builder()
            .broker_node_group_info(broker_node_group_info(&get("BrokerNodeGroupInfo")))
            .kafka_version(desired.str("KafkaVersion").unwrap_or_default())
            .number_of_broker_nodes(desired.i32("NumberOfBrokerNodes").unwrap_or(3))
            .set_client_authentication(desired.get("ClientAuthentication").map(|a| client_authentication(a, false)))
            .set_encryption_info(desired.get("EncryptionInfo").map(|e| encryption_info(e, true)))
            .set_enhanced_monitoring(desired.str("EnhancedMonitoring").map(EnhancedMonitoring::from))
            .set_logging_info(desired.get("LoggingInfo").map(logging_info))
            .build();
        let sent = aws
            .kafka
            .create_cluster_v2()
            .cluster_name(&desired.name)
            .provisioned(provisioned)
            .set_tags(Some(desired.tags().into_iter().collect()))
            .send()
            .await
            .map_err(api("CreateClusterV2"));
        let adopted = match sent {
            Ok(_) => false,
            // A retry after a lost response: the cluster exists; adopt it.
            Err(e) if e.is("ConflictException") => true,
            Err(e) => return Err(e),
        };
        let info = wait_active(aws, &desired.name).await?;
        let live = shape(&info, desired);
        if adopted { converge(self, aws, desired, &live).await } else { Ok(live) }
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        let name = &desired.name;
        let arn = live.handle.physical_id.clone();
        let at = |props: &Map<String, Value>, pointer: &str| {
            let (key, rest) =
                pointer.trim_start_matches('/').split_once('/').unwrap_or((pointer.trim_start_matches('/'), ""));
            props.get(key).and_then(|v| if rest.is_empty() { Some(v) } else { v.pointer(&format!("/{rest}")) }).cloned()
        };
        let differs = |pointer: &str| touched(changes, &pointer.trim_start_matches('/').replace('/', "."));
        // The first call carries the version the plan read: a change made since fails with
        // ConcurrentModificationException instead of being overwritten. Later calls, the
        // version the previous one left.
        let mut version =
            live.handle.attributes.get(CURRENT_VERSION).and_then(Value::as_str).unwrap_or_default().to_string();

        if differs("/KafkaVersion") {
            let sent = aws
                .kafka
                .update_cluster_kafka_version()
                .cluster_arn(&arn)
                .current_version(&version)
                .target_kafka_version(desired.str("KafkaVersion").unwrap_or_default())
                .send()
                .await
                .map_err(api("UpdateClusterKafkaVersion"))?;
            version = finish(aws, name, sent.cluster_operation_arn(), &version).await?;
        }
        if differs("/BrokerNodeGroupInfo/InstanceType") {
            let target = at(&desired.properties, "/BrokerNodeGroupInfo/InstanceType");
            let sent = aws
                .kafka
                .update_broker_type()
                .cluster_arn(&arn)
                .current_version(&version)
                .target_instance_type(target.as_ref().and_then(Value::as_str).unwrap_or_default())
                .send()
                .await
                .map_err(api("UpdateBrokerType"))?;
            version = finish(aws, name, sent.cluster_operation_arn(), &version).await?;
        }
        if differs("/NumberOfBrokerNodes") {
            let sent = aws
                .kafka
                .update_broker_count()
                .cluster_arn(&arn)
                .current_version(&version)
                .target_number_of_broker_nodes(desired.i32("NumberOfBrokerNodes").unwrap_or(3))
                .send()
                .await
                .map_err(api("UpdateBrokerCount"))?;
            version = finish(aws, name, sent.cluster_operation_arn(), &version).await?;
        }
        if differs("/BrokerNodeGroupInfo/StorageInfo") {
            let size = at(&desired.properties, "/BrokerNodeGroupInfo/StorageInfo/EBSStorageInfo/VolumeSize");
            let size = size.as_ref().and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok());
            let sent = aws
                .kafka
                .update_broker_storage()
                .cluster_arn(&arn)
                .current_version(&version)
                .target_broker_ebs_volume_info(
                    BrokerEbsVolumeInfo::builder().kafka_broker_node_id("All").set_volume_size_gb(size).build(),
                )
                .send()
                .await
                .map_err(api("UpdateBrokerStorage"))?;
            version = finish(aws, name, sent.cluster_operation_arn(), &version).await?;
        }
        if differs("/BrokerNodeGroupInfo/ConnectivityInfo") {
            let wanted = at(&desired.properties, "/BrokerNodeGroupInfo/ConnectivityInfo").unwrap_or(Value::Null);
            let sent = aws
                .kafka
                .update_connectivity()
                .cluster_arn(&arn)
                .current_version(&version)
                .connectivity_info(connectivity_info(&wanted, true))
                .send()
                .await
                .map_err(api("UpdateConnectivity"))?;
            version = finish(aws, name, sent.cluster_operation_arn(), &version).await?;
        }
        let client_broker_differs = differs("/EncryptionInfo/EncryptionInTransit/ClientBroker");
        if differs("/ClientAuthentication") || client_broker_differs {
            let mut request = aws.kafka.update_security().cluster_arn(&arn).current_version(&version);
            if differs("/ClientAuthentication") {
                let wanted = desired.get("ClientAuthentication").cloned().unwrap_or(Value::Null);
                request = request.client_authentication(client_authentication(&wanted, true));
            }
            if client_broker_differs {
                let wanted = desired.get("EncryptionInfo").cloned().unwrap_or(Value::Null);
                request = request.encryption_info(encryption_info(&wanted, false));
            }
            let sent = request.send().await.map_err(api("UpdateSecurity"))?;
            version = finish(aws, name, sent.cluster_operation_arn(), &version).await?;
        }
        if differs("/EnhancedMonitoring") || differs("/LoggingInfo") {
            let logging = desired.get("LoggingInfo").map_or_else(
                || logging_info(&json!({ "BrokerLogs": { "CloudWatchLogs": { "Enabled": false } } })),
                logging_info,
            );
            let sent = aws
                .kafka
                .update_monitoring()
                .cluster_arn(&arn)
                .current_version(&version)
                .enhanced_monitoring(EnhancedMonitoring::from(desired.str("EnhancedMonitoring").unwrap_or("DEFAULT")))
                .logging_info(logging)
                .send()
                .await
                .map_err(api("UpdateMonitoring"))?;
            finish(aws, name, sent.cluster_operation_arn(), &version).await?;
        }
        retag(aws, &arn, live.properties.get("Tags"), desired.get("Tags")).await?;
        let info = wait_active(aws, name).await?;
        Ok(shape(&info, desired))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        delete_cluster(aws, live).await
    }

    fn steps(&self, _live: &Live, changes: &[Change]) -> Vec<String> {
        let changed = |prefix: &str| touched(changes, prefix);
        let mut steps = Vec::new();
        let mut step = |hit: bool, call: &str| {
            if hit {
                steps.push(format!("{call}, then follow its operation to UPDATE_COMPLETE"));
            }
        };
        step(changed("KafkaVersion"), "UpdateClusterKafkaVersion");
        step(changed("BrokerNodeGroupInfo.InstanceType"), "UpdateBrokerType (brokers restart one at a time)");
        step(changed("NumberOfBrokerNodes"), "UpdateBrokerCount");
        step(
            changed("BrokerNodeGroupInfo.StorageInfo"),
            "UpdateBrokerStorage (storage only grows; 6 h between changes)",
        );
        step(changed("BrokerNodeGroupInfo.ConnectivityInfo"), "UpdateConnectivity");
        step(
            changed("ClientAuthentication") || changed("EncryptionInfo.EncryptionInTransit.ClientBroker"),
            "UpdateSecurity",
        );
        step(changed("EnhancedMonitoring") || changed("LoggingInfo"), "UpdateMonitoring");
        steps
    }
}

pub struct ServerlessCluster;

#[async_trait]
impl Provider for ServerlessCluster {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        names(aws, prefix, "SERVERLESS").await
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        Ok(find(aws, &desired.name).await?.map(|info| shape(&info, desired)))
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let iam =
            desired.get("ClientAuthentication").and_then(|a| a.pointer("/Sasl/Iam/Enabled")).and_then(Value::as_bool);
        let vpcs = desired.get("VpcConfigs").and_then(Value::as_array).into_iter().flatten().map(|vpc| {
            VpcConfig::builder()
                .set_subnet_ids(strings(vpc, "SubnetIds"))
                .set_security_group_ids(strings(vpc, "SecurityGroups"))
                .build()
        });
        let serverless = ServerlessRequest::builder()
            .set_vpc_configs(Some(vpcs.collect()))
            .set_client_authentication(iam.map(|enabled| {
                ServerlessClientAuthentication::builder()
                    .sasl(ServerlessSasl::builder().iam(Iam::builder().enabled(enabled).build()).build())
                    .build()
            }))
            .build();
        let sent = aws
            .kafka
            .create_cluster_v2()
            .cluster_name(&desired.name)
            .serverless(serverless)
            .set_tags(Some(desired.tags().into_iter().collect()))
            .send()
            .await
            .map_err(api("CreateClusterV2"));
        let adopted = match sent {
            Ok(_) => false,
            Err(e) if e.is("ConflictException") => true,
            Err(e) => return Err(e),
        };
        let info = wait_active(aws, &desired.name).await?;
        let live = shape(&info, desired);
        if adopted { converge(self, aws, desired, &live).await } else { Ok(live) }
    }

    /// Everything but the tags is fixed at creation (the engine replaces the cluster instead).
    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        _changes: &[Change],
    ) -> Result<Live, ApiError> {
        retag(aws, &live.handle.physical_id, live.properties.get("Tags"), desired.get("Tags")).await?;
        let info = wait_active(aws, &desired.name).await?;
        Ok(shape(&info, desired))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        delete_cluster(aws, live).await
    }
}

pub struct ClusterPolicy;

#[async_trait]
impl Provider for ClusterPolicy {
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let Some(cluster) = desired.str("ClusterArn") else { return Ok(None) };
        read_policy(aws, cluster).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let cluster = desired.str("ClusterArn").unwrap_or_default();
        // A retry after a lost response finds the policy there: update it in place instead.
        let current = read_policy(aws, cluster).await?;
        put_policy(aws, desired, current.as_ref()).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        _changes: &[Change],
    ) -> Result<Live, ApiError> {
        put_policy(aws, desired, Some(live)).await
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        tolerate(
            aws.kafka
                .delete_cluster_policy()
                .cluster_arn(&live.handle.physical_id)
                .send()
                .await
                .map_err(api("DeleteClusterPolicy")),
            &["NotFoundException"],
        )
    }
}

async fn put_policy(aws: &Clients, desired: &Desired, live: Option<&Live>) -> Result<Live, ApiError> {
    let cluster = desired.str("ClusterArn").unwrap_or_default();
    let policy = desired.get("Policy").map(Value::to_string).unwrap_or_default();
    let version = live.and_then(|l| l.handle.attributes.get(CURRENT_VERSION)).and_then(Value::as_str);
    aws.kafka
        .put_cluster_policy()
        .cluster_arn(cluster)
        .set_current_version(version.map(str::to_string))
        .policy(policy)
        .send()
        .await
        .map_err(api("PutClusterPolicy"))?;
    read_policy(aws, cluster)
        .await?
        .ok_or_else(|| ApiError::new("GetClusterPolicy", format!("the policy of {cluster} vanished")))
}

async fn read_policy(aws: &Clients, cluster: &str) -> Result<Option<Live>, ApiError> {
    let Some(got) = found(
        aws.kafka.get_cluster_policy().cluster_arn(cluster).send().await.map_err(api("GetClusterPolicy")),
        |e| e.is("NotFoundException"),
    )?
    else {
        return Ok(None);
    };
    let Some(text) = got.policy().filter(|p| !p.is_empty()) else { return Ok(None) };
    let policy: Value = serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()));
    let properties = Map::from_iter([("ClusterArn".to_string(), json!(cluster)), ("Policy".to_string(), policy)]);
    let mut attributes = Map::new();
    if let Some(version) = got.current_version() {
        attributes.insert(CURRENT_VERSION.into(), json!(version));
    }
    Ok(Some(Live { handle: Handle { physical_id: cluster.to_string(), attributes }, properties }))
}

/// The cluster named `name`, unless it is being deleted.
async fn find(aws: &Clients, name: &str) -> Result<Option<Info>, ApiError> {
    let found = listed(aws, name, None).await?.into_iter().find(|c| c.cluster_name() == Some(name));
    Ok(found.filter(|info| info.state() != Some(&ClusterState::Deleting)))
}

/// The clusters whose names start with `prefix`, of one type (`PROVISIONED`, `SERVERLESS`) or
/// of both.
async fn listed(aws: &Clients, prefix: &str, kind: Option<&str>) -> Result<Vec<Info>, ApiError> {
    list_all(|token| async move {
        let page = aws
            .kafka
            .list_clusters_v2()
            .cluster_name_filter(prefix)
            .set_cluster_type_filter(kind.map(str::to_string))
            .set_next_token(token)
            .send()
            .await
            .map_err(api("ListClustersV2"))?;
        Ok((page.cluster_info_list().to_vec(), page.next_token().map(str::to_string)))
    })
    .await
}

/// The names of the clusters of one type under `prefix`, for finding leftovers: the other
/// type's provider reads a cluster by name just the same.
async fn names(aws: &Clients, prefix: &str, kind: &str) -> Result<Vec<String>, ApiError> {
    let clusters = listed(aws, prefix, Some(kind)).await?;
    Ok(clusters.iter().filter_map(|c| c.cluster_name()).map(str::to_string).collect())
}

/// Waits until the cluster is ACTIVE; a FAILED cluster is an error in the service's words.
async fn wait_active(aws: &Clients, name: &str) -> Result<Info, ApiError> {
    wait_for("ListClustersV2", READY, || async {
        let Some(info) = find(aws, name).await? else { return Ok(None) };
        match info.state() {
            Some(ClusterState::Failed) => {
                let why = info.state_info().and_then(|s| s.message()).unwrap_or("no reason given");
                Err(ApiError::new("DescribeClusterV2", format!("cluster {name} failed: {why}")))
            }
            Some(ClusterState::Active) => Ok(Some(info)),
            _ => Ok(None),
        }
    })
    .await
}

/// Follows the operation an update call started (its ClusterOperationArn) until it ends, as
/// terraform-provider-aws's `waitClusterOperationCompleted` does: the cluster may still read
/// ACTIVE with the old version for a while after the call. Returns the version the next call
/// must carry. Without an operation ARN (never seen), waits for the version to move instead.
async fn finish(aws: &Clients, name: &str, operation: Option<&str>, previous: &str) -> Result<String, ApiError> {
    let Some(operation) = operation else {
        let moved = wait_for("ListClustersV2", READY, || async {
            let info = wait_active(aws, name).await?;
            Ok(info.current_version().filter(|v| *v != previous).map(str::to_string))
        });
        return moved.await;
    };
    let what = format!("cluster {name}");
    follow("DescribeClusterOperationV2", &what, operation, READY, || async {
        let described = aws
            .kafka
            .describe_cluster_operation_v2()
            .cluster_operation_arn(operation)
            .send()
            .await
            .map_err(api("DescribeClusterOperationV2"))?;
        let info = described.cluster_operation_info();
        Ok(match info.and_then(|i| i.operation_state()) {
            Some("UPDATE_COMPLETE") => Progress::Succeeded,
            Some("UPDATE_FAILED") => {
                let error = info.and_then(|i| i.error_info());
                let code = error.and_then(|e| e.error_code()).unwrap_or("UPDATE_FAILED");
                Progress::Failed(format!(
                    "{code}: {}",
                    error.and_then(|e| e.error_string()).unwrap_or("no reason given")
                ))
            }
            _ => Progress::Running,
        })
    })
    .await?;
    Ok(wait_active(aws, name).await?.current_version().unwrap_or_default().to_string())
}

async fn delete_cluster(aws: &Clients, live: &Live) -> Result<(), ApiError> {
    let arn = &live.handle.physical_id;
    tolerate(
        aws.kafka.delete_cluster().cluster_arn(arn).send().await.map_err(api("DeleteCluster")),
        &["NotFoundException"],
    )?;
    let name = live.properties.get("ClusterName").and_then(Value::as_str).unwrap_or_default();
    wait_for("DeleteCluster", READY, || async {
        let page =
            aws.kafka.list_clusters_v2().cluster_name_filter(name).send().await.map_err(api("ListClustersV2"))?;
        Ok((!page.cluster_info_list().iter().any(|c| c.cluster_arn() == Some(arn))).then_some(()))
    })
    .await
}

async fn retag(aws: &Clients, arn: &str, live: Option<&Value>, desired: Option<&Value>) -> Result<(), ApiError> {
    converge_tags(
        live,
        desired,
        ALL_TAGS,
        ("UntagResource", |keys| aws.kafka.untag_resource().resource_arn(arn).set_tag_keys(Some(keys)).send()),
        ("TagResource", |pairs| {
            aws.kafka
                .tag_resource()
                .resource_arn(arn)
                .set_tags(Some(pairs.into_iter().collect::<HashMap<_, _>>()))
                .send()
        }),
    )
    .await?;
    Ok(())
}

/// The cluster in the template's shape: what pipe sets, AWS's defaults dropped.
fn shape(info: &Info, desired: &Desired) -> Live {
    let mut properties = Map::new();
    properties.insert("ClusterName".into(), json!(info.cluster_name()));
    if let Some(p) = info.provisioned() {
        if let Some(version) = p.current_broker_software_info().and_then(|s| s.kafka_version()) {
            properties.insert("KafkaVersion".into(), json!(version));
        }
        properties.insert("NumberOfBrokerNodes".into(), json!(p.number_of_broker_nodes()));
        if let Some(group) = p.broker_node_group_info() {
            let mut shaped = json!({
                "InstanceType": group.instance_type(),
                "ClientSubnets": group.client_subnets(),
                "SecurityGroups": group.security_groups(),
            });
            if let Some(ebs) = group.storage_info().and_then(|s| s.ebs_storage_info()) {
                let mut storage = json!({ "VolumeSize": ebs.volume_size() });
                if let Some(t) = ebs.provisioned_throughput().filter(|t| t.enabled() == Some(true)) {
                    storage["ProvisionedThroughput"] =
                        json!({ "Enabled": true, "VolumeThroughput": t.volume_throughput() });
                }
                shaped["StorageInfo"] = json!({ "EBSStorageInfo": storage });
            }
            if let Some(connectivity) = group.connectivity_info().map(shape_connectivity).filter(|c| !c.is_empty()) {
                shaped["ConnectivityInfo"] = Value::Object(connectivity);
            }
            properties.insert("BrokerNodeGroupInfo".into(), shaped);
        }
        let auth = p.client_authentication();
        let enabled = |on: Option<bool>| on == Some(true);
        let mut sasl = Map::new();
        if enabled(auth.and_then(|a| a.sasl()).and_then(|s| s.iam()).and_then(|i| i.enabled())) {
            sasl.insert("Iam".into(), json!({ "Enabled": true }));
        }
        if enabled(auth.and_then(|a| a.sasl()).and_then(|s| s.scram()).and_then(|i| i.enabled())) {
            sasl.insert("Scram".into(), json!({ "Enabled": true }));
        }
        let unauthenticated = enabled(auth.and_then(|a| a.unauthenticated()).and_then(|u| u.enabled()));
        let mut client = json!({ "Sasl": sasl, "Unauthenticated": { "Enabled": unauthenticated } });
        if enabled(auth.and_then(|a| a.tls()).and_then(|t| t.enabled())) {
            client["Tls"] = json!({ "Enabled": true });
        }
        properties.insert("ClientAuthentication".into(), client);
        if let Some(encryption) = p.encryption_info() {
            let mut shaped = Map::new();
            if let Some(transit) = encryption.encryption_in_transit() {
                shaped.insert(
                    "EncryptionInTransit".into(),
                    json!({
                        "ClientBroker": transit.client_broker().map_or("TLS", |c| c.as_str()),
                        "InCluster": transit.in_cluster().unwrap_or(true),
                    }),
                );
            }
            // AWS always encrypts at rest, with its own key when the template names none.
            let names_key = desired.get("EncryptionInfo").is_some_and(|e| e.get("EncryptionAtRest").is_some());
            if let Some(key) =
                encryption.encryption_at_rest().and_then(|r| r.data_volume_kms_key_id()).filter(|_| names_key)
            {
                shaped.insert("EncryptionAtRest".into(), json!({ "DataVolumeKMSKeyId": key }));
            }
            properties.insert("EncryptionInfo".into(), Value::Object(shaped));
        }
        if let Some(monitoring) = p.enhanced_monitoring() {
            properties.insert("EnhancedMonitoring".into(), json!(monitoring.as_str()));
        }
        if let Some(logs) = p.logging_info().and_then(|l| l.broker_logs()) {
            let mut shaped = Map::new();
            if let Some(cw) = logs.cloud_watch_logs().filter(|c| c.enabled() == Some(true)) {
                shaped.insert("CloudWatchLogs".into(), json!({ "Enabled": true, "LogGroup": cw.log_group() }));
            }
            if let Some(f) = logs.firehose().filter(|f| f.enabled() == Some(true)) {
                shaped.insert("Firehose".into(), json!({ "Enabled": true, "DeliveryStream": f.delivery_stream() }));
            }
            if let Some(s3) = logs.s3().filter(|s| s.enabled() == Some(true)) {
                let mut bucket = json!({ "Enabled": true, "Bucket": s3.bucket() });
                if let Some(prefix) = s3.prefix() {
                    bucket["Prefix"] = json!(prefix);
                }
                shaped.insert("S3".into(), bucket);
            }
            if !shaped.is_empty() {
                properties.insert("LoggingInfo".into(), json!({ "BrokerLogs": shaped }));
            }
        }
    }
    if let Some(s) = info.serverless() {
        let iam = s.client_authentication().and_then(|a| a.sasl()).and_then(|s| s.iam()).and_then(|i| i.enabled());
        properties
            .insert("ClientAuthentication".into(), json!({ "Sasl": { "Iam": { "Enabled": iam == Some(true) } } }));
        let vpcs: Vec<Value> = s
            .vpc_configs()
            .iter()
            .map(|v| json!({ "SubnetIds": v.subnet_ids(), "SecurityGroups": v.security_group_ids() }))
            .collect();
        properties.insert("VpcConfigs".into(), Value::Array(vpcs));
    }
    let tags: std::collections::BTreeMap<_, _> = info.tags().into_iter().flatten().collect();
    properties.insert("Tags".into(), json!(tags));
    let arn = info.cluster_arn().unwrap_or_default();
    let mut attributes = Map::from_iter([("Arn".to_string(), json!(arn))]);
    if let Some(version) = info.current_version() {
        attributes.insert(CURRENT_VERSION.into(), json!(version));
    }
    let mut live = Live { handle: Handle { physical_id: arn.to_string(), attributes }, properties };
    if info.state() == Some(&ClusterState::Failed) {
        let why = info.state_info().and_then(|s| s.message()).unwrap_or("no reason given");
        mark_failed(&mut live, format!("FAILED ({why})"));
    }
    live
}

fn shape_connectivity(info: &ConnectivityInfo) -> Map<String, Value> {
    let mut shaped = Map::new();
    if let Some(kind) = info.public_access().and_then(|p| p.r#type()).filter(|t| *t != "DISABLED") {
        shaped.insert("PublicAccess".into(), json!({ "Type": kind }));
    }
    let auth = info.vpc_connectivity().and_then(|v| v.client_authentication());
    let mut sasl = Map::new();
    if auth.and_then(|a| a.sasl()).and_then(|s| s.iam()).and_then(|i| i.enabled()) == Some(true) {
        sasl.insert("Iam".into(), json!({ "Enabled": true }));
    }
    if auth.and_then(|a| a.sasl()).and_then(|s| s.scram()).and_then(|i| i.enabled()) == Some(true) {
        sasl.insert("Scram".into(), json!({ "Enabled": true }));
    }
    let mut client = Map::new();
    if !sasl.is_empty() {
        client.insert("Sasl".into(), Value::Object(sasl));
    }
    if auth.and_then(|a| a.tls()).and_then(|t| t.enabled()) == Some(true) {
        client.insert("Tls".into(), json!({ "Enabled": true }));
    }
    if !client.is_empty() {
        shaped.insert("VpcConnectivity".into(), json!({ "ClientAuthentication": client }));
    }
    shaped
}

fn strings(value: &Value, key: &str) -> Option<Vec<String>> {
    let list = value.get(key)?.as_array()?;
    Some(list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
}

fn flag(value: &Value, pointer: &str) -> Option<bool> {
    value.pointer(pointer).and_then(Value::as_bool)
}

fn broker_node_group_info(group: &Value) -> BrokerNodeGroupInfo {
    let size = group.pointer("/StorageInfo/EBSStorageInfo/VolumeSize").and_then(Value::as_i64);
    BrokerNodeGroupInfo::builder()
        .set_instance_type(group.get("InstanceType").and_then(Value::as_str).map(str::to_string))
        .set_client_subnets(strings(group, "ClientSubnets"))
        .set_security_groups(strings(group, "SecurityGroups"))
        .storage_info(
            StorageInfo::builder()
                .ebs_storage_info(
                    EbsStorageInfo::builder().set_volume_size(size.and_then(|n| i32::try_from(n).ok())).build(),
                )
                .build(),
        )
        .set_connectivity_info(group.get("ConnectivityInfo").map(|c| connectivity_info(c, false)))
        .build()
}

/// `explicit`: name every setting, off ones too, as UpdateConnectivity needs to turn one off.
fn connectivity_info(info: &Value, explicit: bool) -> ConnectivityInfo {
    let on = |pointer: &str| flag(info, &format!("/VpcConnectivity/ClientAuthentication{pointer}"));
    let pick = |value: Option<bool>| if explicit { Some(value.unwrap_or(false)) } else { value };
    let sasl = VpcConnectivitySasl::builder()
        .set_iam(pick(on("/Sasl/Iam/Enabled")).map(|e| VpcConnectivityIam::builder().enabled(e).build()))
        .set_scram(pick(on("/Sasl/Scram/Enabled")).map(|e| VpcConnectivityScram::builder().enabled(e).build()))
        .build();
    let tls = pick(on("/Tls/Enabled")).map(|e| VpcConnectivityTls::builder().enabled(e).build());
    ConnectivityInfo::builder()
        .vpc_connectivity(
            VpcConnectivity::builder()
                .client_authentication(VpcConnectivityClientAuthentication::builder().sasl(sasl).set_tls(tls).build())
                .build(),
        )
        .build()
}

/// `explicit`: name every mechanism, off ones too, as UpdateSecurity needs to turn one off.
fn client_authentication(auth: &Value, explicit: bool) -> ClientAuthentication {
    let pick = |value: Option<bool>| if explicit { Some(value.unwrap_or(false)) } else { value };
    let sasl = Sasl::builder()
        .set_iam(pick(flag(auth, "/Sasl/Iam/Enabled")).map(|e| Iam::builder().enabled(e).build()))
        .set_scram(pick(flag(auth, "/Sasl/Scram/Enabled")).map(|e| Scram::builder().enabled(e).build()))
        .build();
    ClientAuthentication::builder()
        .sasl(sasl)
        .set_tls(pick(flag(auth, "/Tls/Enabled")).map(|e| Tls::builder().enabled(e).build()))
        .set_unauthenticated(
            pick(flag(auth, "/Unauthenticated/Enabled")).map(|e| Unauthenticated::builder().enabled(e).build()),
        )
        .build()
}

/// `at_creation`: the whole of it; otherwise only what UpdateSecurity may change (ClientBroker).
fn encryption_info(info: &Value, at_creation: bool) -> EncryptionInfo {
    let transit = EncryptionInTransit::builder()
        .set_client_broker(
            info.pointer("/EncryptionInTransit/ClientBroker").and_then(Value::as_str).map(ClientBroker::from),
        )
        .set_in_cluster(if at_creation { flag(info, "/EncryptionInTransit/InCluster") } else { None })
        .build();
    let at_rest = info
        .pointer("/EncryptionAtRest/DataVolumeKMSKeyId")
        .and_then(Value::as_str)
        .filter(|_| at_creation)
        .map(|key| EncryptionAtRest::builder().data_volume_kms_key_id(key).build());
    EncryptionInfo::builder().encryption_in_transit(transit).set_encryption_at_rest(at_rest).build()
}

fn logging_info(info: &Value) -> LoggingInfo {
    let cw = info.pointer("/BrokerLogs/CloudWatchLogs");
    let logs = CloudWatchLogs::builder()
        .enabled(cw.and_then(|c| c.get("Enabled")).and_then(Value::as_bool).unwrap_or(false))
        .set_log_group(cw.and_then(|c| c.get("LogGroup")).and_then(Value::as_str).map(str::to_string))
        .build();
    LoggingInfo::builder().broker_logs(BrokerLogs::builder().cloud_watch_logs(logs).build()).build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sdk::replay::Replay;

    const ARN: &str = "arn:aws:kafka:eu-west-1:123456789012:cluster/pipe-dev-kafka-telemetry-telemetry/7c1d2a4e-5b3f-4c6d-9e8f-0a1b2c3d4e5f-4";

    /// The cluster of the kafka-telemetry scenario, in the template's shape, with `changed` on top.
    fn properties(changed: Value) -> Map<String, Value> {
        let mut properties = json!({
            "ClusterName": "pipe-dev-kafka-telemetry-telemetry",
            "KafkaVersion": "3.6.0",
            "NumberOfBrokerNodes": 3,
            "BrokerNodeGroupInfo": {
                "InstanceType": "kafka.m7g.large",
                "ClientSubnets": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"],
                "SecurityGroups": ["sg-0a1b2c3d4e5f60001"],
                "StorageInfo": { "EBSStorageInfo": { "VolumeSize": 100 } }
            },
            "ClientAuthentication": { "Sasl": { "Iam": { "Enabled": true } }, "Unauthenticated": { "Enabled": false } },
            "EncryptionInfo": { "EncryptionInTransit": { "ClientBroker": "TLS", "InCluster": true } },
            "EnhancedMonitoring": "DEFAULT",
            "Tags": { "pipe:component": "telemetry", "pipe:pipeline": "kafka-telemetry" }
        });
        overlay(&mut properties, changed);
        properties.as_object().cloned().expect("an object")
    }

    fn overlay(base: &mut Value, top: Value) {
        match (base, top) {
            (Value::Object(base), Value::Object(top)) => {
                top.into_iter().for_each(|(key, value)| overlay(base.entry(key).or_insert(Value::Null), value))
            }
            (base, top) => *base = top,
        }
    }

    fn desired(changed: Value) -> Desired {
        Desired {
            logical_id: "TelemetryCluster".into(),
            resource_type: "AWS::MSK::Cluster",
            name: "pipe-dev-kafka-telemetry-telemetry".into(),
            properties: properties(changed),
        }
    }

    /// As the plan read it: three brokers, at version K3AEGXETSR30VB.
    fn live() -> Live {
        let attributes = Map::from_iter([(CURRENT_VERSION.to_string(), json!("K3AEGXETSR30VB"))]);
        Live { handle: Handle { physical_id: ARN.into(), attributes }, properties: properties(json!({})) }
    }

    async fn update(recorded: &str, changed: Value) -> (Replay, Result<Live, ApiError>) {
        let replay = Replay::start(recorded).await;
        let updated = converge(&Cluster, &replay.clients, &desired(changed), &live()).await;
        (replay, updated)
    }

    #[tokio::test]
    async fn a_broker_count_change_is_one_update_broker_count_at_the_version_read() {
        let recorded = include_str!("../../../../tests/recorded/msk-update-broker-count.json");
        let (replay, updated) = update(recorded, json!({ "NumberOfBrokerNodes": 6 })).await;
        replay.finish();
        let updated = updated.expect("updated");
        assert_eq!(updated.properties["NumberOfBrokerNodes"], json!(6));
        assert_eq!(updated.handle.attributes[CURRENT_VERSION], json!("K3UN6WX5RRO2AG"));
        assert_eq!(updated.properties, desired(json!({ "NumberOfBrokerNodes": 6 })).properties);
    }

    #[tokio::test]
    async fn each_update_carries_the_version_the_previous_one_left() {
        let recorded = include_str!("../../../../tests/recorded/msk-update-type-then-storage.json");
        let changed = json!({ "BrokerNodeGroupInfo": {
            "InstanceType": "kafka.m7g.xlarge",
            "StorageInfo": { "EBSStorageInfo": { "VolumeSize": 500 } }
        } });
        let (replay, updated) = update(recorded, changed.clone()).await;
        replay.finish();
        assert_eq!(updated.expect("updated").properties, desired(changed).properties);
    }

    #[tokio::test]
    async fn a_failed_operation_is_reported_with_the_services_error() {
        let recorded = include_str!("../../../../tests/recorded/msk-update-operation-failed.json");
        let (replay, updated) = update(recorded, json!({ "NumberOfBrokerNodes": 6 })).await;
        replay.finish();
        let error = updated.expect_err("the operation failed");
        assert_eq!(error.operation, "DescribeClusterOperationV2");
        assert!(
            error.message.ends_with(
                "failed: InsufficientFreeAddressesInSubnet: Subnet subnet-0a1b2c3d4e5f60002 has no free IP addresses for the new brokers."
            ),
            "{}",
            error.message
        );
    }

    #[tokio::test]
    async fn a_version_moved_since_the_plan_fails_without_a_retry() {
        let recorded = include_str!("../../../../tests/recorded/msk-update-stale-version.json");
        let (replay, updated) = update(recorded, json!({ "NumberOfBrokerNodes": 6 })).await;
        replay.finish();
        let error = updated.expect_err("refused");
        assert_eq!((error.operation, error.code.as_deref()), ("UpdateBrokerCount", Some("BadRequestException")));
        assert!(error.message.contains("current version"), "{}", error.message);
    }

    #[test]
    fn the_plan_names_each_call_an_update_takes() {
        let change = |path: &str| Change {
            path: path.into(),
            before: None,
            after: None,
            forces_replacement: false,
            field: None,
        };
        let steps =
            Cluster.steps(&live(), &[change("NumberOfBrokerNodes"), change("BrokerNodeGroupInfo.InstanceType")]);
        assert_eq!(
            steps,
            [
                "UpdateBrokerType (brokers restart one at a time), then follow its operation to UPDATE_COMPLETE",
                "UpdateBrokerCount, then follow its operation to UPDATE_COMPLETE"
            ]
        );
    }
}
