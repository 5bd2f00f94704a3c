//! Kinesis data streams.

use serde_json::json;

use crate::blueprint::spec::kinesis::KinesisStream;
use crate::capacity::kinesis::shards;

use super::super::cfn::get_att;
use super::super::naming::physical;
use super::super::{Builder, Resource};

pub fn stream(b: &mut Builder, id: String, stream: &KinesisStream) {
    let mut properties = json!({
        "Name": physical(b.name, &stream.id),
        "RetentionPeriodHours": stream.retention_hours,
        "StreamEncryption": {
            "EncryptionType": "KMS",
            "KeyId": stream.encryption.kms_key.as_deref().unwrap_or("alias/aws/kinesis"),
        },
        "Tags": b.tags(&stream.id),
    });
    match shards(&b.graph, stream) {
        None => properties["StreamModeDetails"] = json!({ "StreamMode": "ON_DEMAND" }),
        Some(shards) => {
            properties["StreamModeDetails"] = json!({ "StreamMode": "PROVISIONED" });
            properties["ShardCount"] = json!(shards.value());
        }
    }
    if !stream.encryption.enabled {
        properties.as_object_mut().expect("object").remove("StreamEncryption");
    }
    b.add(id.clone(), Resource::new("AWS::Kinesis::Stream", &stream.id, properties).retain(stream.retain));
    b.output(format!("{id}Arn"), format!("ARN of the `{}` stream", stream.id), get_att(&id, "Arn"));
}
