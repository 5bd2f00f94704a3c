//! OpenSearch Service domains: HTTPS with TLS 1.2, node-to-node and at-rest encryption, fine-grained
//! access control with an IAM admin role, inside a VPC.

use serde_json::json;

use crate::blueprint::spec::opensearch::OpensearchDomain;

use super::super::cfn::{get_att, sub};
use super::super::iam;
use super::super::naming::{logical, physical};
use super::super::{Builder, Resource};
use super::kms_key;

pub fn domain(b: &mut Builder, id: String, domain: &OpensearchDomain) {
    let name = physical(b.name, &domain.id);
    let mut cluster = json!({ "InstanceType": domain.instance_type, "InstanceCount": domain.instance_count });
    if let Some(zones) = domain.zone_awareness {
        cluster["ZoneAwarenessEnabled"] = json!(true);
        cluster["ZoneAwarenessConfig"] = json!({ "AvailabilityZoneCount": zones });
    }
    if let Some(masters) = &domain.dedicated_masters {
        cluster["DedicatedMasterEnabled"] = json!(true);
        cluster["DedicatedMasterType"] = json!(masters.instance_type);
        cluster["DedicatedMasterCount"] = json!(masters.count);
    }
    let mut encryption = json!({ "Enabled": domain.encryption.enabled });
    if let Some(key) = kms_key(&domain.encryption) {
        encryption["KmsKeyId"] = json!(key);
    }
    let mut properties = json!({
        "DomainName": name,
        "EngineVersion": domain.engine_version,
        "ClusterConfig": cluster,
        "EBSOptions": { "EBSEnabled": true, "VolumeType": "gp3", "VolumeSize": crate::capacity::opensearch::storage(&b.graph, domain).value() },
        "EncryptionAtRestOptions": encryption,
        "NodeToNodeEncryptionOptions": { "Enabled": domain.node_to_node_encryption },
        "DomainEndpointOptions": { "EnforceHTTPS": domain.enforce_https, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10" },
        "AccessPolicies": {
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": { "AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root") },
                "Action": ["es:ESHttpDelete", "es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"],
                "Resource": sub(format!("arn:${{AWS::Partition}}:es:${{AWS::Region}}:${{AWS::AccountId}}:domain/{name}/*")),
            }],
        },
        "Tags": b.tags(&domain.id),
    });
    if domain.fine_grained_access {
        let admin = logical(&domain.id, "AdminRole");
        b.add(
            admin.clone(),
            Resource::new(
                "AWS::IAM::Role",
                &domain.id,
                json!({
                    "Description": format!("Administers the `{name}` domain and its Dashboards; assume it to manage users and roles"),
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Effect": "Allow",
                            "Principal": { "AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root") },
                            "Action": "sts:AssumeRole",
                        }],
                    },
                    "Policies": [{ "PolicyName": "pipe", "PolicyDocument": iam::document(&[iam::Statement::new(
                        &["es:ESHttpDelete", "es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"],
                        vec![sub(format!("arn:${{AWS::Partition}}:es:${{AWS::Region}}:${{AWS::AccountId}}:domain/{name}/*"))],
                    )]) }],
                    "Tags": b.tags(&domain.id),
                }),
            ),
        );
        b.output(
            format!("{admin}Arn"),
            format!("Administers the `{}` domain: assume it to map roles", domain.id),
            get_att(&admin, "Arn"),
        );
        properties["AdvancedSecurityOptions"] = json!({
            "Enabled": true,
            "InternalUserDatabaseEnabled": false,
            "MasterUserOptions": { "MasterUserARN": get_att(&admin, "Arn") },
        });
    }
    let logs = b.log_group(&domain.id, json!(format!("/aws/opensearch/{name}")));
    let log_arn = get_att(&logs, "Arn");
    let log_policy = logical(&domain.id, "LogPolicy");
    // A log resource policy is JSON text: the document is built as data with `${...}`
    // placeholders, serialised, and resolved by one `Fn::Sub`.
    let policy_document = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": "es.amazonaws.com" },
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": format!("${{{logs}.Arn}}"),
            "Condition": { "StringEquals": { "aws:SourceAccount": "${AWS::AccountId}" } },
        }],
    });
    b.add(
        log_policy.clone(),
        Resource::new(
            "AWS::Logs::ResourcePolicy",
            &domain.id,
            json!({ "PolicyName": format!("{name}-opensearch-logs"), "PolicyDocument": sub(policy_document.to_string()) }),
        ),
    );
    let mut publishing = json!({ "ES_APPLICATION_LOGS": { "CloudWatchLogsLogGroupArn": log_arn, "Enabled": true } });
    if domain.fine_grained_access {
        publishing["AUDIT_LOGS"] = json!({ "CloudWatchLogsLogGroupArn": log_arn, "Enabled": true });
    }
    properties["LogPublishingOptions"] = publishing;
    if let Some(network) = &domain.network {
        properties["VPCOptions"] = json!({ "SubnetIds": network.subnets, "SecurityGroupIds": network.security_groups });
    }
    let mut resource = Resource::new("AWS::OpenSearchService::Domain", &domain.id, properties)
        .retain(domain.retain)
        .depends_on(&log_policy);
    // A new `engine_version` upgrades the domain in place (UpgradeDomain), as the SDK target does;
    // without this policy CloudFormation replaces the domain and its indexes.
    resource.update_policy = Some(json!({ "EnableVersionUpgrade": true }));
    b.add(id.clone(), resource);
    b.output(
        format!("{id}DashboardsUrl"),
        format!("OpenSearch Dashboards of the `{}` domain", domain.id),
        sub(format!("https://${{{id}.DomainEndpoint}}/_dashboards")),
    );
}

/// Fine-grained access control authorises each request by OpenSearch's own roles, and an IAM role
/// has none until it is mapped to one through the domain's security API, which answers only
/// inside its VPC. pipe cannot reach it; the plan names the mapping as a manual step, with the
/// ARNs of the roles that write (as stack outputs) and of the admin role that may map them.
pub fn role_mappings(b: &mut Builder) {
    let blueprint = b.blueprint();
    for placed in blueprint.components() {
        let crate::blueprint::spec::Component::OpensearchDomain(domain) = placed.component else { continue };
        if !domain.fine_grained_access {
            continue;
        }
        let writers: Vec<String> = b.graph.inputs_of(&domain.id).map(|e| e.from.component.id().to_string()).collect();
        let mut roles = Vec::new();
        for writer in &writers {
            let writes = |r: &Resource| {
                r.cfn_type == "AWS::IAM::Role"
                    && r.component == *writer
                    && r.properties.get("Policies").is_some_and(|p| p.to_string().contains("es:ESHttpPost"))
            };
            let ids: Vec<String> =
                b.pipeline.resources.iter().filter(|(_, r)| writes(r)).map(|(id, _)| id.clone()).collect();
            for role in ids {
                let output = format!("{role}Arn");
                b.output(
                    output.clone(),
                    format!("The role `{writer}` writes to `{}` as: map it to an OpenSearch role", domain.id),
                    get_att(&role, "Arn"),
                );
                roles.push(format!("`{output}`"));
            }
        }
        if roles.is_empty() {
            continue;
        }
        let admin = format!("{}Arn", logical(&domain.id, "AdminRole"));
        b.manual_step(
            &domain.id,
            format!(
                "map the roles that write to `{}` (outputs {}) to an OpenSearch role with write access to their indexes: fine-grained access control refuses their requests until then. Assume the admin role (output `{admin}`) and, from inside the domain's VPC, call `PUT _plugins/_security/api/rolesmapping/<role>` with those ARNs as `backend_roles`; or set `fine_grained_access: false`, and the domain's IAM access policy decides alone",
                domain.id,
                roles.join(", ")
            ),
        );
    }
}
