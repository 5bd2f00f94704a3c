//! Kinesis data streams: `AWS::Kinesis::Stream`.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_kinesis::types::{EncryptionType, ScalingType, StreamMode, StreamModeDetails, StreamStatus};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api};
use crate::backend::sdk::provider::{
    Clients, Desired, Live, Provider, converge, converge_tags, found, list_all, tag_list, touched,
};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

/// AWS allows this many UpdateShardCount calls per stream in a rolling 24 hours.
const SCALING_CALLS_PER_DAY: usize = 10;
const READY: Duration = Duration::from_secs(15 * 60);

pub struct Stream;

#[async_trait]
impl Provider for Stream {
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        read(aws, &desired.name).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let mode = mode(desired);
        let mut request = aws
            .kinesis
            .create_stream()
            .stream_name(&desired.name)
            .stream_mode_details(StreamModeDetails::builder().stream_mode(mode.clone()).build().expect("mode set"));
        if mode == StreamMode::Provisioned {
            request = request.shard_count(desired.i32("ShardCount").unwrap_or(1));
        }
        match request.send().await.map_err(api("CreateStream")) {
            // A retry after a lost response: the stream is ours to adopt.
            Err(e) if e.is("ResourceInUseException") => {}
            other => {
                other?;
            }
        }
        let live = wait_active(aws, &desired.name).await?;
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
        let arn = live.handle.attributes.get("Arn").and_then(Value::as_str).unwrap_or_default().to_string();
        let current = &live.properties;

        let want_mode = mode(desired);
        if touched(changes, "StreamModeDetails") {
            aws.kinesis
                .update_stream_mode()
                .stream_arn(&arn)
                .stream_mode_details(
                    StreamModeDetails::builder().stream_mode(want_mode.clone()).build().expect("mode set"),
                )
                .send()
                .await
                .map_err(api("UpdateStreamMode"))?;
            wait_active(aws, name).await?;
        }
        if want_mode == StreamMode::Provisioned {
            let open = read(aws, name).await?.and_then(|l| shard_count(&l.properties)).unwrap_or(1);
            let target = desired.i32("ShardCount").unwrap_or(open);
            for next in shard_steps(open, target) {
                aws.kinesis
                    .update_shard_count()
                    .stream_name(name)
                    .target_shard_count(next)
                    .scaling_type(ScalingType::UniformScaling)
                    .send()
                    .await
                    .map_err(api("UpdateShardCount"))?;
                wait_active(aws, name).await?;
            }
        }

        let hours = desired.i32("RetentionPeriodHours").unwrap_or(24);
        let current_hours = current.get("RetentionPeriodHours").and_then(Value::as_i64).unwrap_or(24);
        if i64::from(hours) > current_hours {
            aws.kinesis
                .increase_stream_retention_period()
                .stream_name(name)
                .retention_period_hours(hours)
                .send()
                .await
                .map_err(api("IncreaseStreamRetentionPeriod"))?;
        } else if i64::from(hours) < current_hours {
            aws.kinesis
                .decrease_stream_retention_period()
                .stream_name(name)
                .retention_period_hours(hours)
                .send()
                .await
                .map_err(api("DecreaseStreamRetentionPeriod"))?;
        }
        if hours as i64 != current_hours {
            wait_active(aws, name).await?;
        }

        if touched(changes, "StreamEncryption") {
            match desired.get("StreamEncryption").and_then(|e| e.get("KeyId")).and_then(Value::as_str) {
                Some(key) => {
                    aws.kinesis
                        .start_stream_encryption()
                        .stream_name(name)
                        .encryption_type(EncryptionType::Kms)
                        .key_id(key)
                        .send()
                        .await
                        .map_err(api("StartStreamEncryption"))?;
                }
                None => {
                    let key = current.get("StreamEncryption").and_then(|e| e.get("KeyId")).and_then(Value::as_str);
                    aws.kinesis
                        .stop_stream_encryption()
                        .stream_name(name)
                        .encryption_type(EncryptionType::Kms)
                        .set_key_id(key.map(str::to_string))
                        .send()
                        .await
                        .map_err(api("StopStreamEncryption"))?;
                }
            }
            wait_active(aws, name).await?;
        }

        // AddTagsToStream takes at most 10 tags per call.
        converge_tags(
            current.get("Tags"),
            desired.get("Tags"),
            10,
            ("RemoveTagsFromStream", |keys| {
                aws.kinesis.remove_tags_from_stream().stream_name(name).set_tag_keys(Some(keys)).send()
            }),
            ("AddTagsToStream", |pairs| {
                aws.kinesis
                    .add_tags_to_stream()
                    .stream_name(name)
                    .set_tags(Some(pairs.iter().cloned().collect()))
                    .send()
            }),
        )
        .await?;
        read(aws, name).await?.ok_or_else(|| ApiError::new("DescribeStreamSummary", format!("stream {name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let name = &live.handle.physical_id;
        aws.kinesis
            .delete_stream()
            .stream_name(name)
            .enforce_consumer_deletion(true)
            .send()
            .await
            .map_err(api("DeleteStream"))?;
        crate::backend::sdk::provider::wait_for("DeleteStream", READY, || async {
            Ok(read(aws, name).await?.is_none().then_some(()))
        })
        .await
    }

    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|token| async move {
            let page = aws.kinesis.list_streams().set_next_token(token).send().await.map_err(api("ListStreams"))?;
            Ok((
                page.stream_names().to_vec(),
                page.next_token().filter(|_| page.has_more_streams()).map(str::to_string),
            ))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    fn steps(&self, live: &Live, changes: &[Change]) -> Vec<String> {
        let Some(change) = changes.iter().find(|c| c.path == "ShardCount") else { return Vec::new() };
        let from = shard_count(&live.properties).unwrap_or(1);
        let Some(to) = change.after.as_ref().and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok()) else {
            return Vec::new();
        };
        let calls = shard_steps(from, to);
        let mut steps: Vec<String> = std::iter::once(from)
            .chain(calls.iter().copied())
            .zip(calls.iter().copied())
            .map(|(a, b)| format!("UpdateShardCount {a} → {b}, then wait for ACTIVE"))
            .collect();
        if calls.len() > SCALING_CALLS_PER_DAY {
            steps.push(format!(
                "{} calls exceed the {SCALING_CALLS_PER_DAY} AWS allows per stream in 24 hours: apply will stop at the limit; apply again the next day",
                calls.len()
            ));
        }
        steps
    }
}

/// UpdateShardCount at most doubles or halves the open shards per call: 2 → 16 is 4, 8, 16.
fn shard_steps(from: i32, to: i32) -> Vec<i32> {
    let mut steps = Vec::new();
    let mut current = from.max(1);
    while current != to && to > 0 {
        current = if to > current { to.min(current * 2) } else { to.max((current + 1) / 2) };
        steps.push(current);
    }
    steps
}

fn mode(desired: &Desired) -> StreamMode {
    match desired.get("StreamModeDetails").and_then(|m| m.get("StreamMode")).and_then(Value::as_str) {
        Some("ON_DEMAND") => StreamMode::OnDemand,
        _ => StreamMode::Provisioned,
    }
}

fn shard_count(properties: &Map<String, Value>) -> Option<i32> {
    properties.get("ShardCount").and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok())
}

async fn wait_active(aws: &Clients, name: &str) -> Result<Live, ApiError> {
    crate::backend::sdk::provider::wait_for("DescribeStreamSummary", READY, || async {
        let summary = aws.kinesis.describe_stream_summary().stream_name(name).send().await;
        match summary.map_err(api("DescribeStreamSummary")) {
            Ok(out) if out.stream_description_summary().map(|s| s.stream_status()) == Some(&StreamStatus::Active) => {
                read(aws, name).await
            }
            Ok(_) => Ok(None),
            Err(e) if e.is("ResourceNotFoundException") => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
}

async fn read(aws: &Clients, name: &str) -> Result<Option<Live>, ApiError> {
    let Some(summary) = found(
        aws.kinesis.describe_stream_summary().stream_name(name).send().await.map_err(api("DescribeStreamSummary")),
        |e| e.is("ResourceNotFoundException"),
    )?
    else {
        return Ok(None);
    };
    let Some(s) = summary.stream_description_summary() else { return Ok(None) };
    let tags = aws.kinesis.list_tags_for_stream().stream_name(name).send().await.map_err(api("ListTagsForStream"))?;
    let mode = s.stream_mode_details().map(|m| m.stream_mode().as_str().to_string()).unwrap_or("PROVISIONED".into());
    let mut properties = Map::new();
    properties.insert("Name".into(), json!(s.stream_name()));
    properties.insert("RetentionPeriodHours".into(), json!(s.retention_period_hours()));
    if s.encryption_type() == Some(&EncryptionType::Kms) {
        properties.insert("StreamEncryption".into(), json!({ "EncryptionType": "KMS", "KeyId": s.key_id() }));
    }
    properties.insert(
        "Tags".into(),
        tag_list(tags.tags().iter().map(|t| (t.key().to_string(), t.value().unwrap_or_default().to_string()))),
    );
    if mode == "PROVISIONED" {
        properties.insert("ShardCount".into(), json!(s.open_shard_count()));
    }
    properties.insert("StreamModeDetails".into(), json!({ "StreamMode": mode }));
    let handle = Handle {
        physical_id: s.stream_name().to_string(),
        attributes: Map::from_iter([("Arn".to_string(), json!(s.stream_arn()))]),
    };
    Ok(Some(Live { handle, properties }))
}

/// `AWS::Kinesis::StreamConsumer`: an enhanced fan-out consumer. Its name and stream are fixed
/// at registration, so there is nothing to update in place.
pub struct StreamConsumer;

#[async_trait]
impl Provider for StreamConsumer {
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let Some(stream) = desired.str("StreamARN") else { return Ok(None) };
        read_consumer(aws, stream, &desired.name).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let stream = desired.str("StreamARN").unwrap_or_default();
        let registered = aws
            .kinesis
            .register_stream_consumer()
            .stream_arn(stream)
            .consumer_name(&desired.name)
            .send()
            .await
            .map_err(api("RegisterStreamConsumer"));
        match registered {
            Ok(_) => {}
            // A retry after a lost response: the consumer is ours to adopt. (The same code
            // also means the stream is not ACTIVE yet: then the error stands, to be retried.)
            Err(e) if e.is("ResourceInUseException") => {
                if read_consumer(aws, stream, &desired.name).await?.is_none() {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
        crate::backend::sdk::provider::wait_for("DescribeStreamConsumer", READY, || async {
            let live = read_consumer(aws, stream, &desired.name).await?;
            Ok(live.filter(|l| l.handle.attributes.get("ConsumerStatus") == Some(&json!("ACTIVE"))))
        })
        .await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        _changes: &[Change],
    ) -> Result<Live, ApiError> {
        let stream = desired.str("StreamARN").unwrap_or_default();
        Ok(read_consumer(aws, stream, &desired.name).await?.unwrap_or_else(|| live.clone()))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let arn = &live.handle.physical_id;
        match aws
            .kinesis
            .deregister_stream_consumer()
            .consumer_arn(arn)
            .send()
            .await
            .map_err(api("DeregisterStreamConsumer"))
        {
            Err(e) if e.is("ResourceNotFoundException") => return Ok(()),
            other => {
                other?;
            }
        }
        crate::backend::sdk::provider::wait_for("DeregisterStreamConsumer", READY, || async {
            match aws
                .kinesis
                .describe_stream_consumer()
                .consumer_arn(arn)
                .send()
                .await
                .map_err(api("DescribeStreamConsumer"))
            {
                Err(e) if e.is("ResourceNotFoundException") => Ok(Some(())),
                Err(e) => Err(e),
                Ok(_) => Ok(None),
            }
        })
        .await
    }
}

/// The consumer in the template's shape; `Ref` gives its ARN, as in CloudFormation.
async fn read_consumer(aws: &Clients, stream: &str, name: &str) -> Result<Option<Live>, ApiError> {
    let described = aws
        .kinesis
        .describe_stream_consumer()
        .stream_arn(stream)
        .consumer_name(name)
        .send()
        .await
        .map_err(api("DescribeStreamConsumer"));
    let Some(out) = found(described, |e| e.is("ResourceNotFoundException"))? else { return Ok(None) };
    let Some(c) = out.consumer_description() else { return Ok(None) };
    let created =
        c.consumer_creation_timestamp().fmt(aws_sdk_kinesis::primitives::DateTimeFormat::DateTime).unwrap_or_default();
    let properties = Map::from_iter([
        ("StreamARN".to_string(), json!(c.stream_arn())),
        ("ConsumerName".to_string(), json!(c.consumer_name())),
    ]);
    let attributes = Map::from_iter([
        ("ConsumerARN".to_string(), json!(c.consumer_arn())),
        ("ConsumerName".to_string(), json!(c.consumer_name())),
        ("ConsumerStatus".to_string(), json!(c.consumer_status().as_str())),
        ("ConsumerCreationTimestamp".to_string(), json!(created)),
        ("StreamARN".to_string(), json!(c.stream_arn())),
    ]);
    Ok(Some(Live { handle: Handle { physical_id: c.consumer_arn().to_string(), attributes }, properties }))
}

#[cfg(test)]
mod tests {
    use super::shard_steps;

    #[test]
    fn shard_changes_at_most_double_or_halve() {
        assert_eq!(shard_steps(2, 16), [4, 8, 16]);
        assert_eq!(shard_steps(16, 3), [8, 4, 3]);
        assert_eq!(shard_steps(5, 5), Vec::<i32>::new());
        assert_eq!(shard_steps(3, 5), [5]);
        assert_eq!(shard_steps(7, 3), [4, 3]);
    }
}
