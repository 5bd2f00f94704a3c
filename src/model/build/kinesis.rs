//! Kinesis data streams.

use serde_json::json;

use crate::blueprint::rules::kinesis::auto_shards;
use crate::blueprint::spec::kinesis::{CapacityMode, KinesisStream, Shards};

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
    match stream.capacity.mode {
        CapacityMode::OnDemand => properties["StreamModeDetails"] = json!({ "StreamMode": "ON_DEMAND" }),
        CapacityMode::Provisioned => {
            let shards = match stream.capacity.shards {
                Some(Shards::Count(n)) => n,
                None | Some(Shards::Auto) => auto_shards(&b.graph, &stream.id),
            };
            properties["StreamModeDetails"] = json!({ "StreamMode": "PROVISIONED" });
            properties["ShardCount"] = json!(shards);
        }
    }
    if !stream.encryption.enabled {
        properties.as_object_mut().expect("object").remove("StreamEncryption");
    }
    b.add(id.clone(), Resource::new("AWS::Kinesis::Stream", &stream.id, properties).retain(stream.retain));
    b.output(format!("{id}Arn"), format!("ARN of the `{}` stream", stream.id), get_att(&id, "Arn"));
}
