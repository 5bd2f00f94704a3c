//! Spark Structured Streaming on an EMR cluster: the cluster, its roles, and the streaming step.

use serde_json::{Value, json};

use crate::blueprint::spec::emr::EmrSparkStreaming;
use crate::limits::engines::{EMR, runtime};

use super::super::cfn::{get_att, ref_, sub};
use super::super::iam;
use super::super::naming::{logical, physical};
use super::super::needs::{self, Feature};
use super::super::{Builder, Packaging, Resource};

/// The tag AmazonEMRServicePolicy_v2 asks of every resource the cluster launches into and creates
/// (docs.aws.amazon.com/emr/latest/ManagementGuide/emr-managed-iam-policies.html).
const MANAGED_POLICY_TAG: &str = "for-use-with-amazon-emr-managed-policies";

/// The cluster's tags with the managed policy's tag, which EMR carries onto the instances and
/// volumes it launches.
fn managed_policy_tagged(mut tags: Value) -> Value {
    if let Value::Array(tags) = &mut tags {
        tags.push(json!({ "Key": MANAGED_POLICY_TAG, "Value": "true" }));
    }
    tags
}

pub fn cluster(b: &mut Builder, id: String, job: &EmrSparkStreaming) -> std::io::Result<()> {
    let name = physical(b.name, &job.id);
    let script = b.artifact(&job.id, &job.code, Packaging::File)?;
    let prefix = format!("pipe/{}/{}", b.name, job.id);
    let component = b.component(&job.id);

    let mut statements = vec![
        needs::grant(Feature::EmrScript, vec![iam::artifact_arn(&script)]),
        needs::grant(Feature::EmrLogs, vec![iam::artifact_arn(&format!("{prefix}/logs/*"))]),
    ];
    statements.extend(iam::checkpoints(Feature::EmrCheckpoints, &prefix));
    statements.extend(b.connection_grants(component, false));
    let instance_role = b.role_as(logical(&job.id, "InstanceRole"), &job.id, "ec2.amazonaws.com", &statements);
    let profile = logical(&job.id, "InstanceProfile");
    b.add(
        profile.clone(),
        Resource::new("AWS::IAM::InstanceProfile", &job.id, json!({ "Roles": [ref_(&instance_role)] })),
    );

    let service_role = logical(&job.id, "ServiceRole");
    b.add(
        service_role.clone(),
        Resource::new(
            "AWS::IAM::Role",
            &job.id,
            json!({
                "AssumeRolePolicyDocument": iam::trust("elasticmapreduce.amazonaws.com"),
                "ManagedPolicyArns": [sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2")],
                // The managed policy passes only a role named EMR_EC2_DefaultRole; pipe's instance
                // role is the pipeline's own.
                "Policies": [{
                    "PolicyName": "pipe",
                    "PolicyDocument": iam::document(&[needs::grant(Feature::EmrInstanceRole, vec![get_att(&instance_role, "Arn")])]),
                }],
                "Tags": b.tags(&job.id),
            }),
        ),
    );

    let network = &job.network;
    let instances = json!({
        "Ec2SubnetId": network.subnets.first(),
        "AdditionalMasterSecurityGroups": network.security_groups,
        "AdditionalSlaveSecurityGroups": network.security_groups,
        "MasterInstanceGroup": { "InstanceCount": 1, "InstanceType": job.instance_type, "Market": "ON_DEMAND" },
        "CoreInstanceGroup": { "InstanceCount": job.core_instances, "InstanceType": job.instance_type, "Market": "ON_DEMAND" },
        "KeepJobFlowAliveWhenNoSteps": true,
        "TerminationProtected": false,
    });
    let properties = json!({
        "Name": name,
        "ReleaseLabel": job.release_label,
        "Applications": [{ "Name": "Spark" }],
        "Instances": instances,
        "JobFlowRole": ref_(&profile),
        "ServiceRole": ref_(&service_role),
        "LogUri": sub(format!("s3://${{ArtifactsBucket}}/{prefix}/logs/")),
        "VisibleToAllUsers": true,
        "Tags": managed_policy_tagged(b.tags(&job.id)),
    });
    b.manual_step(
        &job.id,
        format!(
            "tag subnet {} and security groups {} with `{MANAGED_POLICY_TAG}=true`: AmazonEMRServicePolicy_v2 launches instances only into tagged subnets and security groups (and creates EMR's own security groups only in a tagged VPC)",
            network.subnets.first().map(String::as_str).unwrap_or_default(),
            network.security_groups.join(", "),
        ),
    );
    b.add(id.clone(), Resource::new("AWS::EMR::Cluster", &job.id, properties));

    let mut args = vec![
        json!("spark-submit"),
        json!("--deploy-mode"),
        json!("cluster"),
        json!("--packages"),
        json!(packages(&job.release_label)),
        sub(format!("s3://${{ArtifactsBucket}}/{script}")),
        json!("--checkpoint_location"),
        sub(format!("s3://${{ArtifactsBucket}}/{prefix}/checkpoints/")),
    ];
    // Every connected component by convention: `--telemetry_cluster_arn`, `--dashboards_endpoint`.
    for (key, value) in super::super::refs::configuration(&b.graph, component) {
        args.extend([json!(key), value]);
    }
    let step = json!({
        "Name": format!("{name}-stream"),
        "JobFlowId": ref_(&id),
        "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": { "Jar": "command-runner.jar", "Args": args },
    });
    b.add(logical(&job.id, "Step"), Resource::new("AWS::EMR::Step", &job.id, step));
    b.output(format!("{id}Id"), format!("Id of the `{}` EMR cluster", job.id), ref_(&id));
    Ok(())
}

/// The `--packages` of a release's connectors (`limits::engines::EMR`); validate refuses a
/// release with none.
fn packages(release: &str) -> String {
    let connectors = runtime(EMR, release).map_or(&[][..], |r| r.connectors);
    connectors.iter().map(|a| a.coordinates()).collect::<Vec<_>>().join(",")
}
