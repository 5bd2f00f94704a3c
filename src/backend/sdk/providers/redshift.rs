//! Redshift: `AWS::Redshift::Cluster`, `AWS::Redshift::ClusterSubnetGroup`,
//! `AWS::RedshiftServerless::Namespace` and `AWS::RedshiftServerless::Workgroup`.
//!
//! Admin passwords: a cluster has Redshift manage its own (`ManageMasterPassword`); a namespace
//! gets one through a `{{resolve:secretsmanager:...}}` reference, read here for the one call that
//! sets it and never returned: `read` gives back the template's reference instead.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_redshift::types::LogDestinationType;
use aws_sdk_redshiftserverless::types::{LogExport, NamespaceStatus, WorkgroupStatus};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api};
use crate::backend::sdk::provider::{
    ALL_TAGS, Clients, Desired, Live, Provider, converge, converge_tags, list_all, tag_list, touched, wait_for,
};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

const READY: Duration = Duration::from_secs(45 * 60);

/// A property value, or the secret it refers to when it is a dynamic reference.
async fn secret_or_text(aws: &Clients, value: &str) -> Result<String, ApiError> {
    if value.trim_start().starts_with("{{resolve:secretsmanager:") {
        super::secretsmanager::resolve_dynamic(aws, value).await
    } else {
        Ok(value.to_string())
    }
}

/// `live` in the order of `wanted` when both hold the same items (AWS keeps sets unordered).
fn as_set(live: Vec<String>, wanted: Option<&Value>) -> Value {
    if let Some(Value::Array(wanted)) = wanted {
        let mut a: Vec<&str> = live.iter().map(String::as_str).collect();
        let mut b: Vec<&str> = wanted.iter().filter_map(Value::as_str).collect();
        a.sort_unstable();
        b.sort_unstable();
        if a == b && b.len() == wanted.len() {
            return Value::Array(wanted.clone());
        }
    }
    json!(live)
}

fn strings(desired: &Desired, key: &str) -> Option<Vec<String>> {
    desired
        .get(key)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_string).collect())
}

fn flag(desired: &Desired, key: &str) -> Option<bool> {
    desired.get(key).and_then(Value::as_bool)
}

// ---------------------------------------------------------------------------------------------
// Provisioned clusters

pub struct Cluster;

impl Cluster {
    fn arn(aws: &Clients, id: &str) -> String {
        format!("arn:{}:redshift:{}:{}:cluster:{id}", aws.account.partition, aws.account.region, aws.account.id)
    }
}

fn redshift_tags(pairs: Vec<(String, String)>) -> Vec<aws_sdk_redshift::types::Tag> {
    pairs.into_iter().map(|(k, v)| aws_sdk_redshift::types::Tag::builder().key(k).value(v).build()).collect()
}

/// Tags on a provisioned Redshift resource (cluster, subnet group) by ARN.
async fn converge_redshift_tags(
    aws: &Clients,
    arn: &str,
    live: Option<&Value>,
    desired: Option<&Value>,
) -> Result<(), ApiError> {
    converge_tags(
        live,
        desired,
        ALL_TAGS,
        ("DeleteTags", |keys| aws.redshift.delete_tags().resource_name(arn).set_tag_keys(Some(keys)).send()),
        ("CreateTags", |pairs| {
            aws.redshift.create_tags().resource_name(arn).set_tags(Some(redshift_tags(pairs))).send()
        }),
    )
    .await?;
    Ok(())
}

/// Cluster identifiers are kept in lower case.
fn cluster_id(desired: &Desired) -> String {
    desired.name.to_lowercase()
}

async fn describe_cluster(aws: &Clients, id: &str) -> Result<Option<aws_sdk_redshift::types::Cluster>, ApiError> {
    match aws.redshift.describe_clusters().cluster_identifier(id).send().await.map_err(api("DescribeClusters")) {
        Ok(out) => Ok(out.clusters.unwrap_or_default().into_iter().next()),
        Err(e) if e.is("ClusterNotFound") || e.is("ClusterNotFoundFault") => Ok(None),
        Err(e) => Err(e),
    }
}

async fn read_cluster(aws: &Clients, id: &str, desired: &Desired) -> Result<Option<Live>, ApiError> {
    let Some(c) = describe_cluster(aws, id).await? else { return Ok(None) };
    if c.cluster_status() == Some("deleting") {
        return Ok(None);
    }
    let logging = aws
        .redshift
        .describe_logging_status()
        .cluster_identifier(id)
        .send()
        .await
        .map_err(api("DescribeLoggingStatus"))?;
    let nodes = c.number_of_nodes().unwrap_or(1);
    let mut p = Map::new();
    p.insert("ClusterIdentifier".into(), json!(c.cluster_identifier().unwrap_or(id)));
    if let Some(node_type) = c.node_type() {
        p.insert("NodeType".into(), json!(node_type));
    }
    p.insert("ClusterType".into(), json!(if nodes > 1 { "multi-node" } else { "single-node" }));
    p.insert("NumberOfNodes".into(), json!(nodes));
    if let Some(db) = c.db_name() {
        p.insert("DBName".into(), json!(db));
    }
    if let Some(user) = c.master_username() {
        p.insert("MasterUsername".into(), json!(user));
    }
    p.insert("ManageMasterPassword".into(), json!(c.master_password_secret_arn().is_some()));
    if let Some(password) = desired.get("MasterUserPassword") {
        // Never readable: the template's value (or reference) stands.
        p.insert("MasterUserPassword".into(), password.clone());
    }
    p.insert("Encrypted".into(), json!(c.encrypted().unwrap_or(false)));
    if let Some(key) = c.kms_key_id() {
        p.insert("KmsKeyId".into(), json!(key));
    }
    p.insert("PubliclyAccessible".into(), json!(c.publicly_accessible().unwrap_or(false)));
    p.insert("EnhancedVpcRouting".into(), json!(c.enhanced_vpc_routing().unwrap_or(false)));
    if let Some(days) = c.automated_snapshot_retention_period() {
        p.insert("AutomatedSnapshotRetentionPeriod".into(), json!(days));
    }
    if logging.logging_enabled() == Some(true) {
        let mut entry = Map::new();
        if let Some(kind) = logging.log_destination_type() {
            entry.insert("LogDestinationType".into(), json!(kind.as_str()));
        }
        if let Some(bucket) = logging.bucket_name() {
            entry.insert("BucketName".into(), json!(bucket));
        }
        let wanted = desired.get("LoggingProperties").and_then(|l| l.get("LogExports"));
        entry.insert("LogExports".into(), as_set(logging.log_exports().to_vec(), wanted));
        p.insert("LoggingProperties".into(), Value::Object(entry));
    }
    if let Some(group) = c.cluster_subnet_group_name() {
        p.insert("ClusterSubnetGroupName".into(), json!(group));
    }
    let groups: Vec<String> =
        c.vpc_security_groups().iter().filter_map(|g| g.vpc_security_group_id()).map(str::to_string).collect();
    p.insert("VpcSecurityGroupIds".into(), as_set(groups, desired.get("VpcSecurityGroupIds")));
    p.insert(
        "Tags".into(),
        tag_list(
            c.tags().iter().filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string()))),
        ),
    );

    let mut attributes = Map::new();
    if let Some(endpoint) = c.endpoint() {
        if let Some(address) = endpoint.address() {
            attributes.insert("Endpoint.Address".into(), json!(address));
        }
        if let Some(port) = endpoint.port() {
            // CloudFormation gives the port as text.
            attributes.insert("Endpoint.Port".into(), json!(port.to_string()));
        }
    }
    if let Some(secret) = c.master_password_secret_arn() {
        attributes.insert("MasterPasswordSecretArn".into(), json!(secret));
    }
    if let Some(namespace) = c.cluster_namespace_arn() {
        attributes.insert("ClusterNamespaceArn".into(), json!(namespace));
    }
    let id = c.cluster_identifier().unwrap_or(id).to_string();
    Ok(Some(Live { handle: Handle { physical_id: id, attributes }, properties: p }))
}

/// Waits until the cluster is `available` with nothing pending, and reads it.
async fn cluster_available(aws: &Clients, id: &str, desired: &Desired) -> Result<Live, ApiError> {
    wait_for("DescribeClusters", READY, || async {
        let Some(c) = describe_cluster(aws, id).await? else { return Ok(None) };
        match c.cluster_status() {
            Some("available") if c.cluster_availability_status() != Some("Modifying") => {
                read_cluster(aws, id, desired).await
            }
            Some(
                status @ ("incompatible-hsm"
                | "incompatible-network"
                | "incompatible-parameters"
                | "incompatible-restore"
                | "storage-full"),
            ) => Err(ApiError::new("DescribeClusters", format!("cluster {id} is {status}"))),
            _ => Ok(None),
        }
    })
    .await
}

#[async_trait]
impl Provider for Cluster {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|marker| async move {
            let page =
                aws.redshift.describe_clusters().set_marker(marker).send().await.map_err(api("DescribeClusters"))?;
            let names = page.clusters().iter().filter_map(|c| c.cluster_identifier()).map(str::to_string).collect();
            Ok((names, page.marker().map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        read_cluster(aws, &cluster_id(desired), desired).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let id = cluster_id(desired);
        let manage = flag(desired, "ManageMasterPassword").unwrap_or(false);
        let password = match desired.str("MasterUserPassword") {
            Some(value) if !manage => Some(secret_or_text(aws, value).await?),
            _ => None,
        };
        let created = aws
            .redshift
            .create_cluster()
            .cluster_identifier(&id)
            .set_node_type(desired.str("NodeType").map(str::to_string))
            .set_cluster_type(desired.str("ClusterType").map(str::to_string))
            .set_number_of_nodes(
                desired.i32("NumberOfNodes").filter(|_| desired.str("ClusterType") == Some("multi-node")),
            )
            .set_db_name(desired.str("DBName").map(str::to_string))
            .set_master_username(desired.str("MasterUsername").map(str::to_string))
            .set_manage_master_password(manage.then_some(true))
            .set_master_user_password(password)
            .set_encrypted(flag(desired, "Encrypted"))
            .set_kms_key_id(desired.str("KmsKeyId").map(str::to_string))
            .set_publicly_accessible(flag(desired, "PubliclyAccessible"))
            .set_enhanced_vpc_routing(flag(desired, "EnhancedVpcRouting"))
            .set_automated_snapshot_retention_period(desired.i32("AutomatedSnapshotRetentionPeriod"))
            .set_cluster_subnet_group_name(desired.str("ClusterSubnetGroupName").map(str::to_string))
            .set_vpc_security_group_ids(strings(desired, "VpcSecurityGroupIds"))
            .set_tags(Some(redshift_tags(desired.tags())))
            .send()
            .await
            .map_err(api("CreateCluster"));
        match created {
            // A retry after a lost response: the cluster is ours to adopt.
            Err(e) if e.is("ClusterAlreadyExists") || e.is("ClusterAlreadyExistsFault") => {}
            other => {
                other?;
            }
        }
        let live = cluster_available(aws, &id, desired).await?;
        converge(self, aws, desired, &live).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        let id = live.handle.physical_id.clone();
        let current = &live.properties;
        let differs = |key: &str| touched(changes, key);

        // Each group is one ModifyCluster: Redshift refuses a resize combined with other changes.
        if differs("NodeType") || differs("ClusterType") || differs("NumberOfNodes") {
            let multi = desired.str("ClusterType") == Some("multi-node");
            aws.redshift
                .modify_cluster()
                .cluster_identifier(&id)
                .set_node_type(desired.str("NodeType").map(str::to_string))
                .set_cluster_type(desired.str("ClusterType").map(str::to_string))
                .set_number_of_nodes(if multi { desired.i32("NumberOfNodes") } else { None })
                .send()
                .await
                .map_err(api("ModifyCluster"))?;
            cluster_available(aws, &id, desired).await?;
        }
        let settings = [
            "VpcSecurityGroupIds",
            "AutomatedSnapshotRetentionPeriod",
            "PubliclyAccessible",
            "EnhancedVpcRouting",
            "ManageMasterPassword",
        ];
        if settings.iter().any(|key| differs(key)) {
            aws.redshift
                .modify_cluster()
                .cluster_identifier(&id)
                .set_vpc_security_group_ids(
                    strings(desired, "VpcSecurityGroupIds").filter(|_| differs("VpcSecurityGroupIds")),
                )
                .set_automated_snapshot_retention_period(
                    desired
                        .i32("AutomatedSnapshotRetentionPeriod")
                        .filter(|_| differs("AutomatedSnapshotRetentionPeriod")),
                )
                .set_publicly_accessible(flag(desired, "PubliclyAccessible").filter(|_| differs("PubliclyAccessible")))
                .set_enhanced_vpc_routing(flag(desired, "EnhancedVpcRouting").filter(|_| differs("EnhancedVpcRouting")))
                .set_manage_master_password(
                    flag(desired, "ManageMasterPassword").filter(|_| differs("ManageMasterPassword")),
                )
                .send()
                .await
                .map_err(api("ModifyCluster"))?;
            cluster_available(aws, &id, desired).await?;
        }
        if differs("Encrypted") || differs("KmsKeyId") {
            aws.redshift
                .modify_cluster()
                .cluster_identifier(&id)
                .set_encrypted(flag(desired, "Encrypted"))
                .set_kms_key_id(desired.str("KmsKeyId").map(str::to_string))
                .send()
                .await
                .map_err(api("ModifyCluster"))?;
            cluster_available(aws, &id, desired).await?;
        }
        if differs("LoggingProperties") {
            let wanted = desired.get("LoggingProperties").cloned().unwrap_or(Value::Null);
            let exports: Vec<String> = wanted
                .get("LogExports")
                .and_then(Value::as_array)
                .map(|e| e.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            aws.redshift
                .enable_logging()
                .cluster_identifier(&id)
                .set_log_destination_type(
                    wanted.get("LogDestinationType").and_then(Value::as_str).map(LogDestinationType::from),
                )
                .set_bucket_name(wanted.get("BucketName").and_then(Value::as_str).map(str::to_string))
                .set_log_exports((!exports.is_empty()).then_some(exports))
                .send()
                .await
                .map_err(api("EnableLogging"))?;
        }
        converge_redshift_tags(aws, &Cluster::arn(aws, &id), current.get("Tags"), desired.get("Tags")).await?;
        cluster_available(aws, &id, desired).await
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let id = &live.handle.physical_id;
        wait_for("DeleteCluster", READY, || async {
            let deleted = aws
                .redshift
                .delete_cluster()
                .cluster_identifier(id)
                .skip_final_cluster_snapshot(true)
                .send()
                .await
                .map_err(api("DeleteCluster"));
            match deleted {
                Ok(_) => Ok(Some(())),
                Err(e) if e.is("ClusterNotFound") || e.is("ClusterNotFoundFault") => Ok(Some(())),
                // Busy (modifying, or already deleting): try again once it settles.
                Err(e) if e.is("InvalidClusterState") || e.is("InvalidClusterStateFault") => {
                    match describe_cluster(aws, id).await? {
                        Some(c) if c.cluster_status() == Some("deleting") => Ok(Some(())),
                        Some(_) => Ok(None),
                        None => Ok(Some(())),
                    }
                }
                Err(e) => Err(e),
            }
        })
        .await?;
        wait_for("DescribeClusters", READY, || async { Ok(describe_cluster(aws, id).await?.is_none().then_some(())) })
            .await
    }
}

// ---------------------------------------------------------------------------------------------
// Cluster subnet groups

pub struct ClusterSubnetGroup;

/// Subnet group names are kept in lower case.
fn subnet_group_name(desired: &Desired) -> String {
    desired.name.to_lowercase()
}

async fn read_subnet_group(aws: &Clients, name: &str, desired: &Desired) -> Result<Option<Live>, ApiError> {
    let got = aws
        .redshift
        .describe_cluster_subnet_groups()
        .cluster_subnet_group_name(name)
        .send()
        .await
        .map_err(api("DescribeClusterSubnetGroups"));
    let group = match got {
        Ok(out) => match out.cluster_subnet_groups.unwrap_or_default().into_iter().next() {
            Some(group) => group,
            None => return Ok(None),
        },
        Err(e) if e.is("ClusterSubnetGroupNotFoundFault") => return Ok(None),
        Err(e) => return Err(e),
    };
    let subnets: Vec<String> =
        group.subnets().iter().filter_map(|s| s.subnet_identifier()).map(str::to_string).collect();
    let mut p = Map::new();
    if let Some(description) = group.description() {
        p.insert("Description".into(), json!(description));
    }
    p.insert("SubnetIds".into(), as_set(subnets, desired.get("SubnetIds")));
    p.insert(
        "Tags".into(),
        tag_list(
            group.tags().iter().filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string()))),
        ),
    );
    let name = group.cluster_subnet_group_name().unwrap_or(name).to_string();
    Ok(Some(Live { handle: Handle { physical_id: name, attributes: Map::new() }, properties: p }))
}

#[async_trait]
impl Provider for ClusterSubnetGroup {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|marker| async move {
            let page = aws
                .redshift
                .describe_cluster_subnet_groups()
                .set_marker(marker)
                .send()
                .await
                .map_err(api("DescribeClusterSubnetGroups"))?;
            let groups = page.cluster_subnet_groups().iter();
            let names = groups.filter_map(|g| g.cluster_subnet_group_name()).map(str::to_string).collect();
            Ok((names, page.marker().map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        read_subnet_group(aws, &subnet_group_name(desired), desired).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let name = subnet_group_name(desired);
        let created = aws
            .redshift
            .create_cluster_subnet_group()
            .cluster_subnet_group_name(&name)
            .description(desired.str("Description").unwrap_or(&name))
            .set_subnet_ids(strings(desired, "SubnetIds"))
            .set_tags(Some(redshift_tags(desired.tags())))
            .send()
            .await
            .map_err(api("CreateClusterSubnetGroup"));
        match created {
            Err(e) if e.is("ClusterSubnetGroupAlreadyExists") || e.is("ClusterSubnetGroupAlreadyExistsFault") => {}
            other => {
                other?;
            }
        }
        let live = read_subnet_group(aws, &name, desired).await?.ok_or_else(|| {
            ApiError::new("DescribeClusterSubnetGroups", format!("the new subnet group {name} is not found"))
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
        let name = live.handle.physical_id.clone();
        let current = &live.properties;
        if current.get("Description") != desired.get("Description")
            || current.get("SubnetIds") != desired.get("SubnetIds")
        {
            aws.redshift
                .modify_cluster_subnet_group()
                .cluster_subnet_group_name(&name)
                .set_description(desired.str("Description").map(str::to_string))
                .set_subnet_ids(strings(desired, "SubnetIds"))
                .send()
                .await
                .map_err(api("ModifyClusterSubnetGroup"))?;
        }
        let arn = format!(
            "arn:{}:redshift:{}:{}:subnetgroup:{name}",
            aws.account.partition, aws.account.region, aws.account.id
        );
        converge_redshift_tags(aws, &arn, current.get("Tags"), desired.get("Tags")).await?;
        read_subnet_group(aws, &name, desired)
            .await?
            .ok_or_else(|| ApiError::new("DescribeClusterSubnetGroups", format!("subnet group {name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let name = &live.handle.physical_id;
        // A cluster still being deleted holds on to its subnet group for a while.
        wait_for("DeleteClusterSubnetGroup", READY, || async {
            match aws
                .redshift
                .delete_cluster_subnet_group()
                .cluster_subnet_group_name(name)
                .send()
                .await
                .map_err(api("DeleteClusterSubnetGroup"))
            {
                Ok(_) => Ok(Some(())),
                Err(e) if e.is("ClusterSubnetGroupNotFoundFault") => Ok(Some(())),
                Err(e) if e.is("InvalidClusterSubnetGroupStateFault") => Ok(None),
                Err(e) => Err(e),
            }
        })
        .await
    }
}

// ---------------------------------------------------------------------------------------------
// Redshift Serverless

fn serverless_tags(pairs: Vec<(String, String)>) -> Vec<aws_sdk_redshiftserverless::types::Tag> {
    pairs
        .into_iter()
        .filter_map(|(k, v)| aws_sdk_redshiftserverless::types::Tag::builder().key(k).value(v).build().ok())
        .collect()
}

async fn serverless_tag_list(aws: &Clients, arn: &str) -> Result<Value, ApiError> {
    let tags = aws
        .redshift_serverless
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(api("ListTagsForResource"))?;
    Ok(tag_list(tags.tags().iter().map(|t| (t.key().to_string(), t.value().to_string()))))
}

async fn converge_serverless_tags(
    aws: &Clients,
    arn: &str,
    live: Option<&Value>,
    desired: Option<&Value>,
) -> Result<(), ApiError> {
    converge_tags(
        live,
        desired,
        ALL_TAGS,
        ("UntagResource", |keys| {
            aws.redshift_serverless.untag_resource().resource_arn(arn).set_tag_keys(Some(keys)).send()
        }),
        ("TagResource", |pairs| {
            aws.redshift_serverless.tag_resource().resource_arn(arn).set_tags(Some(serverless_tags(pairs))).send()
        }),
    )
    .await?;
    Ok(())
}

pub struct Namespace;

async fn get_namespace(
    aws: &Clients,
    name: &str,
) -> Result<Option<aws_sdk_redshiftserverless::types::Namespace>, ApiError> {
    match aws.redshift_serverless.get_namespace().namespace_name(name).send().await.map_err(api("GetNamespace")) {
        Ok(out) => Ok(out.namespace),
        Err(e) if e.is("ResourceNotFoundException") => Ok(None),
        Err(e) => Err(e),
    }
}

async fn read_namespace(aws: &Clients, name: &str, desired: &Desired) -> Result<Option<Live>, ApiError> {
    let Some(n) = get_namespace(aws, name).await? else { return Ok(None) };
    if n.status() == Some(&NamespaceStatus::Deleting) {
        return Ok(None);
    }
    let arn = n.namespace_arn().unwrap_or_default().to_string();
    let mut p = Map::new();
    p.insert("NamespaceName".into(), json!(n.namespace_name().unwrap_or(name)));
    if let Some(db) = n.db_name() {
        p.insert("DbName".into(), json!(db));
    }
    if let Some(user) = n.admin_username() {
        p.insert("AdminUsername".into(), json!(user));
    }
    if let Some(password) = desired.get("AdminUserPassword") {
        // Never readable, and never returned: the template's reference stands.
        p.insert("AdminUserPassword".into(), password.clone());
    }
    if let Some(key) = n.kms_key_id().filter(|k| *k != "AWS_OWNED_KMS_KEY") {
        p.insert("KmsKeyId".into(), json!(key));
    }
    let exports: Vec<String> = n.log_exports().iter().map(|e| e.as_str().to_string()).collect();
    p.insert("LogExports".into(), as_set(exports, desired.get("LogExports")));
    p.insert("Tags".into(), serverless_tag_list(aws, &arn).await?);
    let attributes = Map::from_iter([
        ("Namespace.NamespaceArn".to_string(), json!(arn)),
        ("Namespace.NamespaceName".to_string(), json!(n.namespace_name())),
        ("Namespace.NamespaceId".to_string(), json!(n.namespace_id())),
    ]);
    Ok(Some(Live {
        handle: Handle { physical_id: n.namespace_name().unwrap_or(name).to_string(), attributes },
        properties: p,
    }))
}

async fn namespace_available(aws: &Clients, name: &str, desired: &Desired) -> Result<Live, ApiError> {
    wait_for("GetNamespace", READY, || async {
        match get_namespace(aws, name).await? {
            Some(n) if n.status() == Some(&NamespaceStatus::Available) => read_namespace(aws, name, desired).await,
            _ => Ok(None),
        }
    })
    .await
}

fn log_exports(desired: &Desired) -> Option<Vec<LogExport>> {
    strings(desired, "LogExports").map(|e| e.iter().map(|x| LogExport::from(x.as_str())).collect())
}

#[async_trait]
impl Provider for Namespace {
    /// UpdateNamespace takes no database name: the first database is named once, at creation.
    fn fixed(&self) -> &'static [&'static str] {
        &["DbName"]
    }

    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|token| async move {
            let page = aws
                .redshift_serverless
                .list_namespaces()
                .set_next_token(token)
                .send()
                .await
                .map_err(api("ListNamespaces"))?;
            let names = page.namespaces().iter().filter_map(|n| n.namespace_name()).map(str::to_string).collect();
            Ok((names, page.next_token().map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        read_namespace(aws, &desired.name, desired).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let name = &desired.name;
        let password = match desired.str("AdminUserPassword") {
            Some(value) => Some(secret_or_text(aws, value).await?),
            None => None,
        };
        let created = aws
            .redshift_serverless
            .create_namespace()
            .namespace_name(name)
            .set_db_name(desired.str("DbName").map(str::to_string))
            .set_admin_username(desired.str("AdminUsername").map(str::to_string))
            .set_admin_user_password(password)
            .set_manage_admin_password(flag(desired, "ManageAdminPassword"))
            .set_kms_key_id(desired.str("KmsKeyId").map(str::to_string))
            .set_log_exports(log_exports(desired))
            .set_tags(Some(serverless_tags(desired.tags())))
            .send()
            .await
            .map_err(api("CreateNamespace"));
        match created {
            // A retry after a lost response: the namespace is ours to adopt.
            Err(e) if e.is("ConflictException") && get_namespace(aws, name).await?.is_some() => {}
            other => {
                other?;
            }
        }
        let live = namespace_available(aws, name, desired).await?;
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
        // The admin user and password change together, or not at all.
        let credentials = differs("AdminUsername") || differs("AdminUserPassword");
        if credentials || differs("KmsKeyId") || differs("LogExports") {
            let password = match (credentials, desired.str("AdminUserPassword")) {
                (true, Some(value)) => Some(secret_or_text(aws, value).await?),
                _ => None,
            };
            aws.redshift_serverless
                .update_namespace()
                .namespace_name(name)
                .set_admin_username(desired.str("AdminUsername").filter(|_| credentials).map(str::to_string))
                .set_admin_user_password(password)
                .set_kms_key_id(desired.str("KmsKeyId").filter(|_| differs("KmsKeyId")).map(str::to_string))
                .set_log_exports(log_exports(desired).filter(|_| differs("LogExports")))
                .send()
                .await
                .map_err(api("UpdateNamespace"))?;
            namespace_available(aws, name, desired).await?;
        }
        let arn = live.handle.attributes.get("Namespace.NamespaceArn").and_then(Value::as_str).unwrap_or_default();
        converge_serverless_tags(aws, arn, current.get("Tags"), desired.get("Tags")).await?;
        namespace_available(aws, name, desired).await
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let name = &live.handle.physical_id;
        // Busy (a workgroup still going away, or a change settling): retry until it takes.
        wait_for("DeleteNamespace", READY, || async {
            match aws
                .redshift_serverless
                .delete_namespace()
                .namespace_name(name)
                .send()
                .await
                .map_err(api("DeleteNamespace"))
            {
                Ok(_) => Ok(Some(())),
                Err(e) if e.is("ResourceNotFoundException") => Ok(Some(())),
                Err(e) if e.is("ConflictException") => {
                    let deleting =
                        get_namespace(aws, name).await?.is_none_or(|n| n.status() == Some(&NamespaceStatus::Deleting));
                    Ok(deleting.then_some(()))
                }
                Err(e) => Err(e),
            }
        })
        .await?;
        wait_for("GetNamespace", READY, || async { Ok(get_namespace(aws, name).await?.is_none().then_some(())) }).await
    }
}

pub struct Workgroup;

async fn get_workgroup(
    aws: &Clients,
    name: &str,
) -> Result<Option<aws_sdk_redshiftserverless::types::Workgroup>, ApiError> {
    match aws.redshift_serverless.get_workgroup().workgroup_name(name).send().await.map_err(api("GetWorkgroup")) {
        Ok(out) => Ok(out.workgroup),
        Err(e) if e.is("ResourceNotFoundException") => Ok(None),
        Err(e) => Err(e),
    }
}

async fn read_workgroup(aws: &Clients, name: &str, desired: &Desired) -> Result<Option<Live>, ApiError> {
    let Some(w) = get_workgroup(aws, name).await? else { return Ok(None) };
    if w.status() == Some(&WorkgroupStatus::Deleting) {
        return Ok(None);
    }
    let arn = w.workgroup_arn().unwrap_or_default().to_string();
    let mut p = Map::new();
    p.insert("WorkgroupName".into(), json!(w.workgroup_name().unwrap_or(name)));
    if let Some(namespace) = w.namespace_name() {
        p.insert("NamespaceName".into(), json!(namespace));
    }
    if let Some(capacity) = w.base_capacity() {
        p.insert("BaseCapacity".into(), json!(capacity));
    }
    if let Some(capacity) = w.max_capacity() {
        p.insert("MaxCapacity".into(), json!(capacity));
    }
    p.insert("SubnetIds".into(), as_set(w.subnet_ids().to_vec(), desired.get("SubnetIds")));
    p.insert("SecurityGroupIds".into(), as_set(w.security_group_ids().to_vec(), desired.get("SecurityGroupIds")));
    p.insert("PubliclyAccessible".into(), json!(w.publicly_accessible().unwrap_or(false)));
    p.insert("EnhancedVpcRouting".into(), json!(w.enhanced_vpc_routing().unwrap_or(false)));
    if let Some(port) = w.port() {
        p.insert("Port".into(), json!(port));
    }
    p.insert("Tags".into(), serverless_tag_list(aws, &arn).await?);
    let mut attributes = Map::from_iter([
        ("Workgroup.WorkgroupArn".to_string(), json!(arn)),
        ("Workgroup.WorkgroupName".to_string(), json!(w.workgroup_name())),
        ("Workgroup.WorkgroupId".to_string(), json!(w.workgroup_id())),
    ]);
    if let Some(endpoint) = w.endpoint() {
        if let Some(address) = endpoint.address() {
            attributes.insert("Workgroup.Endpoint.Address".into(), json!(address));
        }
        if let Some(port) = endpoint.port() {
            attributes.insert("Workgroup.Endpoint.Port".into(), json!(port));
        }
    }
    Ok(Some(Live {
        handle: Handle { physical_id: w.workgroup_name().unwrap_or(name).to_string(), attributes },
        properties: p,
    }))
}

async fn workgroup_available(aws: &Clients, name: &str, desired: &Desired) -> Result<Live, ApiError> {
    wait_for("GetWorkgroup", READY, || async {
        match get_workgroup(aws, name).await? {
            Some(w) if w.status() == Some(&WorkgroupStatus::Available) => read_workgroup(aws, name, desired).await,
            _ => Ok(None),
        }
    })
    .await
}

#[async_trait]
impl Provider for Workgroup {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|token| async move {
            let page = aws
                .redshift_serverless
                .list_workgroups()
                .set_next_token(token)
                .send()
                .await
                .map_err(api("ListWorkgroups"))?;
            let names = page.workgroups().iter().filter_map(|w| w.workgroup_name()).map(str::to_string).collect();
            Ok((names, page.next_token().map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        read_workgroup(aws, &desired.name, desired).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let name = &desired.name;
        let created = aws
            .redshift_serverless
            .create_workgroup()
            .workgroup_name(name)
            .set_namespace_name(desired.str("NamespaceName").map(str::to_string))
            .set_base_capacity(desired.i32("BaseCapacity"))
            .set_max_capacity(desired.i32("MaxCapacity"))
            .set_subnet_ids(strings(desired, "SubnetIds"))
            .set_security_group_ids(strings(desired, "SecurityGroupIds"))
            .set_publicly_accessible(flag(desired, "PubliclyAccessible"))
            .set_enhanced_vpc_routing(flag(desired, "EnhancedVpcRouting"))
            .set_port(desired.i32("Port"))
            .set_tags(Some(serverless_tags(desired.tags())))
            .send()
            .await
            .map_err(api("CreateWorkgroup"));
        match created {
            Err(e) if e.is("ConflictException") && get_workgroup(aws, name).await?.is_some() => {}
            other => {
                other?;
            }
        }
        let live = workgroup_available(aws, name, desired).await?;
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
        // UpdateWorkgroup takes one kind of change at a time, each settling before the next.
        for key in [
            "BaseCapacity",
            "MaxCapacity",
            "SubnetIds",
            "SecurityGroupIds",
            "PubliclyAccessible",
            "EnhancedVpcRouting",
            "Port",
        ] {
            if !differs(key) {
                continue;
            }
            let mut request = aws.redshift_serverless.update_workgroup().workgroup_name(name);
            request = match key {
                "BaseCapacity" => request.set_base_capacity(desired.i32(key)),
                "MaxCapacity" => request.set_max_capacity(desired.i32(key)),
                "SubnetIds" => request.set_subnet_ids(strings(desired, key)),
                "SecurityGroupIds" => request.set_security_group_ids(strings(desired, key)),
                "PubliclyAccessible" => request.set_publicly_accessible(flag(desired, key)),
                "EnhancedVpcRouting" => request.set_enhanced_vpc_routing(flag(desired, key)),
                _ => request.set_port(desired.i32(key)),
            };
            request.send().await.map_err(api("UpdateWorkgroup"))?;
            workgroup_available(aws, name, desired).await?;
        }
        let arn = live.handle.attributes.get("Workgroup.WorkgroupArn").and_then(Value::as_str).unwrap_or_default();
        converge_serverless_tags(aws, arn, current.get("Tags"), desired.get("Tags")).await?;
        workgroup_available(aws, name, desired).await
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let name = &live.handle.physical_id;
        wait_for("DeleteWorkgroup", READY, || async {
            match aws
                .redshift_serverless
                .delete_workgroup()
                .workgroup_name(name)
                .send()
                .await
                .map_err(api("DeleteWorkgroup"))
            {
                Ok(_) => Ok(Some(())),
                Err(e) if e.is("ResourceNotFoundException") => Ok(Some(())),
                Err(e) if e.is("ConflictException") => {
                    let deleting =
                        get_workgroup(aws, name).await?.is_none_or(|w| w.status() == Some(&WorkgroupStatus::Deleting));
                    Ok(deleting.then_some(()))
                }
                Err(e) => Err(e),
            }
        })
        .await?;
        wait_for("GetWorkgroup", READY, || async { Ok(get_workgroup(aws, name).await?.is_none().then_some(())) }).await
    }
}
