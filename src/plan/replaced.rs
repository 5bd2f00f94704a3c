//! What replaces a resource beyond the registry schemas' `createOnlyProperties`
//! (`create_only.rs`): the properties the CloudFormation resource reference marks "Update requires:
//! Replacement", and those it replaces only in some cases. Reviewed by hand against the reference
//! pages (the archived awsdocs/aws-cloudformation-user-guide at 2023-09-19, and the current pages
//! where they say more), read 2026-12-05; each entry names its page under
//! docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/.
//!
//! Both targets use this list: CloudFormation replaces these resources itself, and the SDK target's
//! update calls cannot change these properties either (UpdateTable takes no key schema, the
//! EMR API no subnet or instance type, the OpenSearch API no new key once one is set).

use serde_json::Value;

use super::diff::{nested, strip_items};

/// When a change to the property replaces the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Any change.
    Changed,
    /// Changing a value already set; setting it for the first time is in place.
    ChangedOnceSet,
    /// Removing it altogether.
    Removed,
}

#[derive(Debug)]
pub struct Replaced {
    pub resource_type: &'static str,
    /// A property path as in `create_only.rs` (`Instances.Ec2SubnetId`).
    pub path: &'static str,
    pub when: When,
    /// The reference page that says so.
    pub page: &'static str,
}

const fn always(resource_type: &'static str, path: &'static str, page: &'static str) -> Replaced {
    Replaced { resource_type, path, when: When::Changed, page }
}

const EMR_INSTANCES: &str = "aws-properties-elasticmapreduce-cluster-jobflowinstancesconfig.html";
const EMR_GROUP: &str = "aws-properties-elasticmapreduce-cluster-instancegroupconfig.html";
const OPENSEARCH_ENCRYPTION: &str = "aws-properties-opensearchservice-domain-encryptionatrestoptions.html";

pub const REPLACED: &[Replaced] = &[
    always("AWS::DynamoDB::Table", "KeySchema", "aws-resource-dynamodb-table.html#cfn-dynamodb-table-keyschema"),
    Replaced {
        resource_type: "AWS::DynamoDB::Table",
        path: "AttributeDefinitions",
        when: When::ChangedOnceSet,
        page: "aws-resource-dynamodb-table.html#cfn-dynamodb-table-attributedefinitions (\"Replacement if you edit an existing AttributeDefinition\")",
    },
    always("AWS::EMR::Cluster", "Instances.Ec2KeyName", EMR_INSTANCES),
    always("AWS::EMR::Cluster", "Instances.Ec2SubnetId", EMR_INSTANCES),
    always("AWS::EMR::Cluster", "Instances.Ec2SubnetIds", EMR_INSTANCES),
    always("AWS::EMR::Cluster", "Instances.Placement", EMR_INSTANCES),
    always("AWS::EMR::Cluster", "Instances.HadoopVersion", EMR_INSTANCES),
    always("AWS::EMR::Cluster", "Instances.KeepJobFlowAliveWhenNoSteps", EMR_INSTANCES),
    always("AWS::EMR::Cluster", "Instances.AdditionalMasterSecurityGroups", EMR_INSTANCES),
    always("AWS::EMR::Cluster", "Instances.AdditionalSlaveSecurityGroups", EMR_INSTANCES),
    always("AWS::EMR::Cluster", "Instances.EmrManagedMasterSecurityGroup", EMR_INSTANCES),
    always("AWS::EMR::Cluster", "Instances.EmrManagedSlaveSecurityGroup", EMR_INSTANCES),
    always("AWS::EMR::Cluster", "Instances.ServiceAccessSecurityGroup", EMR_INSTANCES),
    // Inside the master and core groups only the count (and the scaling policy) change in place.
    always("AWS::EMR::Cluster", "Instances.MasterInstanceGroup.InstanceType", EMR_GROUP),
    always("AWS::EMR::Cluster", "Instances.MasterInstanceGroup.Market", EMR_GROUP),
    always("AWS::EMR::Cluster", "Instances.MasterInstanceGroup.BidPrice", EMR_GROUP),
    always("AWS::EMR::Cluster", "Instances.MasterInstanceGroup.EbsConfiguration", EMR_GROUP),
    always("AWS::EMR::Cluster", "Instances.MasterInstanceGroup.Configurations", EMR_GROUP),
    always("AWS::EMR::Cluster", "Instances.MasterInstanceGroup.CustomAmiId", EMR_GROUP),
    always("AWS::EMR::Cluster", "Instances.MasterInstanceGroup.Name", EMR_GROUP),
    always("AWS::EMR::Cluster", "Instances.CoreInstanceGroup.InstanceType", EMR_GROUP),
    always("AWS::EMR::Cluster", "Instances.CoreInstanceGroup.Market", EMR_GROUP),
    always("AWS::EMR::Cluster", "Instances.CoreInstanceGroup.BidPrice", EMR_GROUP),
    always("AWS::EMR::Cluster", "Instances.CoreInstanceGroup.EbsConfiguration", EMR_GROUP),
    always("AWS::EMR::Cluster", "Instances.CoreInstanceGroup.Configurations", EMR_GROUP),
    always("AWS::EMR::Cluster", "Instances.CoreInstanceGroup.CustomAmiId", EMR_GROUP),
    always("AWS::EMR::Cluster", "Instances.CoreInstanceGroup.Name", EMR_GROUP),
    always("AWS::Glue::Database", "CatalogId", "aws-resource-glue-database.html#cfn-glue-database-catalogid"),
    always("AWS::Glue::Database", "DatabaseInput.Name", "aws-properties-glue-database-databaseinput.html"),
    Replaced {
        resource_type: "AWS::OpenSearchService::Domain",
        path: "EncryptionAtRestOptions.Enabled",
        when: When::ChangedOnceSet,
        page: OPENSEARCH_ENCRYPTION,
    },
    Replaced {
        resource_type: "AWS::OpenSearchService::Domain",
        path: "EncryptionAtRestOptions.KmsKeyId",
        when: When::ChangedOnceSet,
        page: OPENSEARCH_ENCRYPTION,
    },
    Replaced {
        resource_type: "AWS::OpenSearchService::Domain",
        path: "VPCOptions",
        when: When::Removed,
        page: "aws-resource-opensearchservice-domain.html#cfn-opensearchservice-domain-vpcoptions",
    },
    // `EngineVersion` replaces a domain unless its `EnableVersionUpgrade` update policy is true
    // (aws-resource-opensearchservice-domain.html#cfn-opensearchservice-domain-engineversion):
    // pipe renders that policy, so it is not listed.
];

/// Whether the change at `path` (from `before` to `after`) replaces a resource of `resource_type`
/// by this list. `path` and the entries' paths are compared without list indexes.
pub fn replaces(resource_type: &str, path: &str, before: Option<&Value>, after: Option<&Value>) -> bool {
    let path = strip_items(path);
    REPLACED.iter().filter(|r| r.resource_type == resource_type).any(|r| {
        let holds_it = nested(r.path, &path);
        match r.when {
            When::Changed => holds_it || nested(&path, r.path),
            When::ChangedOnceSet => (holds_it || nested(&path, r.path)) && before.is_some_and(|b| !b.is_null()),
            When::Removed => holds_it && after.is_none(),
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn conditions_decide() {
        assert!(replaces("AWS::DynamoDB::Table", "KeySchema", Some(&json!([])), Some(&json!([]))));
        let key = json!("arn:aws:kms:us-east-1:1:key/a");
        let path = "EncryptionAtRestOptions.KmsKeyId";
        assert!(!replaces("AWS::OpenSearchService::Domain", path, None, Some(&key)), "setting it first is in place");
        assert!(replaces("AWS::OpenSearchService::Domain", path, Some(&key), Some(&json!("x"))));
        assert!(replaces("AWS::OpenSearchService::Domain", "VPCOptions", Some(&json!({})), None));
        assert!(!replaces(
            "AWS::OpenSearchService::Domain",
            "VPCOptions.SubnetIds",
            Some(&json!([])),
            Some(&json!([]))
        ));
        assert!(!replaces(
            "AWS::EMR::Cluster",
            "Instances.CoreInstanceGroup.InstanceCount",
            Some(&json!(2)),
            Some(&json!(3))
        ));
    }
}
