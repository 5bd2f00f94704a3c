//! Redshift warehouses. The admin password lives only in Secrets Manager: a cluster has Redshift
//! manage it; a serverless namespace (whose managed secret CloudFormation cannot reference) gets a
//! generated secret, resolved at deploy time through a dynamic reference. No password appears in
//! the template. Tables are created by `pipe apply` from their DDL files
//! through the Redshift Data API.

use serde_json::{Value, json};

use crate::blueprint::spec::redshift::{Redshift, RedshiftDeployment};

use super::super::cfn::{get_att, ref_, sub};
use super::super::naming::{SECRETS, logical, physical};
use super::super::refs::{admin_secret, redshift_id, secret_id};
use super::super::steps::{Warehouse, WarehouseTable, statements};
use super::super::{Builder, Resource, Suppression};
use super::kms_key;

const ADMIN_USER: &str = "pipe_admin";

const CLOUDWATCH_LOGGING: Suppression = Suppression {
    check: "CKV_AWS_71",
    reason: "audit logs go to CloudWatch (LogDestinationType cloudwatch); the check only recognises delivery to an S3 bucket",
};
const SECRET_KEY: Suppression = Suppression {
    check: "CKV_AWS_149",
    reason: "encrypted with the AWS managed key aws/secretsmanager; only this stack's roles read it",
};
const ROTATION: Suppression = Suppression {
    check: "CKV2_AWS_57",
    reason: "rotation needs a rotation function with network access to the warehouse; rotate with `aws secretsmanager rotate-secret` once one is deployed",
};

pub fn warehouse(b: &mut Builder, id: String, warehouse: &Redshift) -> std::io::Result<()> {
    let name = physical(b.name, &warehouse.id);
    let network = &warehouse.network;
    match warehouse.deployment {
        RedshiftDeployment::Serverless => {
            let secret = secret_id(warehouse);
            let secret_properties = json!({
                "Name": format!("{SECRETS}{name}/admin"),
                "Description": format!("Admin credentials of the `{name}` Redshift namespace"),
                "GenerateSecretString": {
                    "SecretStringTemplate": json!({ "username": ADMIN_USER }).to_string(),
                    "GenerateStringKey": "password",
                    "PasswordLength": 32,
                    "ExcludeCharacters": "\"'@/\\ ",
                },
                "Tags": b.tags(&warehouse.id),
            });
            b.add(
                secret.clone(),
                // Kept with the namespace it holds the only copy of the password of.
                Resource::new("AWS::SecretsManager::Secret", &warehouse.id, secret_properties)
                    .retain(warehouse.retain)
                    .suppress(&[SECRET_KEY, ROTATION]),
            );
            let namespace = logical(&warehouse.id, "Namespace");
            let mut properties = json!({
                "NamespaceName": name,
                "DbName": warehouse.database,
                "AdminUsername": ADMIN_USER,
                "AdminUserPassword": sub(format!("{{{{resolve:secretsmanager:${{{secret}}}:SecretString:password}}}}")),
                "LogExports": ["connectionlog", "userlog", "useractivitylog"],
                "Tags": b.tags(&warehouse.id),
            });
            if let Some(key) = kms_key(&warehouse.encryption) {
                properties["KmsKeyId"] = json!(key);
            }
            b.add(
                namespace.clone(),
                Resource::new("AWS::RedshiftServerless::Namespace", &warehouse.id, properties).retain(warehouse.retain),
            );
            let properties = json!({
                "WorkgroupName": name,
                "NamespaceName": ref_(&namespace),
                "BaseCapacity": warehouse.base_capacity_rpus.unwrap_or(8),
                "SubnetIds": network.subnets,
                "SecurityGroupIds": network.security_groups,
                "PubliclyAccessible": false,
                "EnhancedVpcRouting": true,
                "Tags": b.tags(&warehouse.id),
            });
            b.add(id.clone(), Resource::new("AWS::RedshiftServerless::Workgroup", &warehouse.id, properties));
            b.output(
                format!("{id}Endpoint"),
                format!("Endpoint of the `{}` warehouse", warehouse.id),
                get_att(&id, "Workgroup.Endpoint.Address"),
            );
        }
        RedshiftDeployment::Cluster => {
            let subnets = logical(&warehouse.id, "SubnetGroup");
            b.add(
                subnets.clone(),
                // Kept with the cluster: Redshift refuses to delete a subnet group a cluster uses.
                Resource::new(
                    "AWS::Redshift::ClusterSubnetGroup",
                    &warehouse.id,
                    json!({ "Description": format!("Subnets of {name}"), "SubnetIds": network.subnets, "Tags": b.tags(&warehouse.id) }),
                )
                .retain(warehouse.retain),
            );
            let nodes = warehouse.nodes.unwrap_or(1);
            let mut properties = json!({
                "ClusterIdentifier": name,
                "NodeType": warehouse.node_type,
                "ClusterType": if nodes > 1 { "multi-node" } else { "single-node" },
                "DBName": warehouse.database,
                "MasterUsername": ADMIN_USER,
                "ManageMasterPassword": true,
                "Encrypted": warehouse.encryption.enabled,
                "PubliclyAccessible": false,
                "EnhancedVpcRouting": true,
                                "AutomatedSnapshotRetentionPeriod": 7,
                "LoggingProperties": { "LogDestinationType": "cloudwatch", "LogExports": ["connectionlog", "userlog", "useractivitylog"] },
                "ClusterSubnetGroupName": ref_(&subnets),
                "VpcSecurityGroupIds": network.security_groups,
                "Tags": b.tags(&warehouse.id),
            });
            if nodes > 1 {
                properties["NumberOfNodes"] = json!(nodes);
            }
            if let Some(key) = kms_key(&warehouse.encryption) {
                properties["KmsKeyId"] = json!(key);
            }
            b.add(
                id.clone(),
                Resource::new("AWS::Redshift::Cluster", &warehouse.id, properties)
                    .retain(warehouse.retain)
                    .suppress(&[CLOUDWATCH_LOGGING]),
            );
            b.output(
                format!("{id}Endpoint"),
                format!("Endpoint of the `{}` cluster", warehouse.id),
                get_att(&id, "Endpoint.Address"),
            );
        }
    }
    tables(b, &id, &name, warehouse)
}

/// The warehouse's tables, each created from its DDL file once the warehouse is there.
fn tables(b: &mut Builder, id: &str, name: &str, warehouse: &Redshift) -> std::io::Result<()> {
    for table in &warehouse.tables {
        let sql = std::fs::read_to_string(b.base_dir.join(&table.ddl))?;
        let target = match warehouse.deployment {
            RedshiftDeployment::Serverless => Warehouse::Workgroup(name.to_string()),
            RedshiftDeployment::Cluster => Warehouse::Cluster(name.to_string()),
        };
        b.pipeline.tables.push(WarehouseTable {
            logical_id: id.to_string(),
            component: warehouse.id.clone(),
            table: table.name.clone(),
            database: warehouse.database.clone(),
            warehouse: target,
            secret: admin_secret(warehouse),
            ddl: table.ddl.clone(),
            statements: statements(&sql),
        });
    }
    Ok(())
}

/// The JDBC URL of the warehouse's endpoint.
pub fn jdbc_url(warehouse: &Redshift) -> Value {
    let id = redshift_id(warehouse);
    let database = &warehouse.database;
    match warehouse.deployment {
        RedshiftDeployment::Serverless => {
            sub(format!("jdbc:redshift://${{{id}.Workgroup.Endpoint.Address}}:5439/{database}"))
        }
        RedshiftDeployment::Cluster => {
            sub(format!("jdbc:redshift://${{{id}.Endpoint.Address}}:${{{id}.Endpoint.Port}}/{database}"))
        }
    }
}
