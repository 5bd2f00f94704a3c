//! DynamoDB tables.

use serde_json::json;

use crate::blueprint::spec::dynamodb::{Billing, DynamodbTable, KeyType, StreamView};
use crate::capacity::dynamodb::{read_capacity, write_capacity};

use super::super::cfn::get_att;
use super::super::naming::physical;
use super::super::{Builder, Resource, Suppression};
use super::kms_key;

const SERVICE_KEY: Suppression = Suppression {
    check: "CKV_AWS_119",
    reason: "encrypted with the AWS managed key aws/dynamodb; set `encryption.kms_key` for a customer managed key",
};

pub fn table(b: &mut Builder, id: String, table: &DynamodbTable) {
    let type_name = |t: KeyType| match t {
        KeyType::S => "S",
        KeyType::N => "N",
        KeyType::B => "B",
    };
    let mut attributes = vec![
        json!({ "AttributeName": table.partition_key.name, "AttributeType": type_name(table.partition_key.type_) }),
    ];
    let mut schema = vec![json!({ "AttributeName": table.partition_key.name, "KeyType": "HASH" })];
    if let Some(sort) = &table.sort_key {
        attributes.push(json!({ "AttributeName": sort.name, "AttributeType": type_name(sort.type_) }));
        schema.push(json!({ "AttributeName": sort.name, "KeyType": "RANGE" }));
    }
    let mut properties = json!({
        "TableName": physical(b.name, &table.id),
        "AttributeDefinitions": attributes,
        "KeySchema": schema,
        "PointInTimeRecoverySpecification": { "PointInTimeRecoveryEnabled": table.point_in_time_recovery },
        "Tags": b.tags(&table.id),
    });
    match table.billing {
        Billing::OnDemand => properties["BillingMode"] = json!("PAY_PER_REQUEST"),
        Billing::Provisioned => {
            properties["BillingMode"] = json!("PROVISIONED");
            properties["ProvisionedThroughput"] = json!({
                "ReadCapacityUnits": read_capacity(&b.graph, table).map(|f| f.value()),
                "WriteCapacityUnits": write_capacity(&b.graph, table).map(|f| f.value()),
            });
        }
    }
    if let Some(view) = table.stream {
        let view = match view {
            StreamView::NewImage => "NEW_IMAGE",
            StreamView::OldImage => "OLD_IMAGE",
            StreamView::NewAndOldImages => "NEW_AND_OLD_IMAGES",
            StreamView::KeysOnly => "KEYS_ONLY",
        };
        properties["StreamSpecification"] = json!({ "StreamViewType": view });
    }
    let mut suppressions = Vec::new();
    if table.encryption.enabled {
        properties["SSESpecification"] = match kms_key(&table.encryption) {
            Some(key) => json!({ "SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": key }),
            None => {
                suppressions.push(SERVICE_KEY);
                json!({ "SSEEnabled": true, "SSEType": "KMS" })
            }
        };
    }
    b.add(
        id.clone(),
        Resource::new("AWS::DynamoDB::Table", &table.id, properties).retain(table.retain).suppress(&suppressions),
    );
    b.output(format!("{id}Name"), format!("Name of the `{}` table", table.id), super::super::cfn::ref_(&id));
    if table.stream.is_some() {
        b.output(
            format!("{id}StreamArn"),
            format!("ARN of the `{}` table's stream", table.id),
            get_att(&id, "StreamArn"),
        );
    }
}
