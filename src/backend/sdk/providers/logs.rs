//! CloudWatch Logs: `AWS::Logs::LogGroup` and `AWS::Logs::LogStream`.

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api};
use crate::backend::sdk::provider::{Clients, Desired, Live, Provider, tag_list};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

pub struct LogGroup;

#[async_trait]
impl Provider for LogGroup {
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let name = &desired.name;
        let found = aws
            .logs
            .describe_log_groups()
            .log_group_name_prefix(name)
            .send()
            .await
            .map_err(api("DescribeLogGroups"))?;
        let Some(group) = found.log_groups().iter().find(|g| g.log_group_name() == Some(name.as_str())) else {
            return Ok(None);
        };
        // The group's ARN ends in `:*`; tagging wants it without.
        let arn = group.arn().unwrap_or_default().trim_end_matches(":*").to_string();
        let tags =
            aws.logs.list_tags_for_resource().resource_arn(&arn).send().await.map_err(api("ListTagsForResource"))?;
        let mut tag_pairs: Vec<(String, String)> =
            tags.tags().map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
        tag_pairs.sort();
        let mut properties = Map::new();
        properties.insert("LogGroupName".into(), json!(name));
        if let Some(days) = group.retention_in_days() {
            properties.insert("RetentionInDays".into(), json!(days));
        }
        if let Some(key) = group.kms_key_id() {
            properties.insert("KmsKeyId".into(), json!(key));
        }
        properties.insert("Tags".into(), tag_list(tag_pairs));
        let handle =
            Handle { physical_id: name.clone(), attributes: Map::from_iter([("Arn".to_string(), json!(group.arn()))]) };
        Ok(Some(Live { handle, properties }))
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let created = aws
            .logs
            .create_log_group()
            .log_group_name(&desired.name)
            .set_kms_key_id(desired.str("KmsKeyId").map(str::to_string))
            .set_tags(Some(desired.tags().into_iter().collect()))
            .send()
            .await
            .map_err(api("CreateLogGroup"));
        match created {
            Err(e) if e.is("ResourceAlreadyExistsException") => {}
            other => {
                other?;
            }
        }
        let live = self.read(aws, desired).await?.unwrap_or_default();
        self.update(aws, desired, &live, &[]).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        _changes: &[Change],
    ) -> Result<Live, ApiError> {
        let name = &desired.name;
        match (desired.i32("RetentionInDays"), live.properties.get("RetentionInDays")) {
            (Some(days), current) if current != Some(&json!(days)) => {
                aws.logs
                    .put_retention_policy()
                    .log_group_name(name)
                    .retention_in_days(days)
                    .send()
                    .await
                    .map_err(api("PutRetentionPolicy"))?;
            }
            (None, Some(_)) => {
                aws.logs
                    .delete_retention_policy()
                    .log_group_name(name)
                    .send()
                    .await
                    .map_err(api("DeleteRetentionPolicy"))?;
            }
            _ => {}
        }
        let arn = live.handle.attributes.get("Arn").and_then(Value::as_str).unwrap_or_default().trim_end_matches(":*");
        let (add, remove) = super::tag_delta(live.properties.get("Tags"), desired.get("Tags"));
        if !remove.is_empty() {
            aws.logs
                .untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(remove))
                .send()
                .await
                .map_err(api("UntagResource"))?;
        }
        if !add.is_empty() {
            aws.logs
                .tag_resource()
                .resource_arn(arn)
                .set_tags(Some(add.into_iter().collect::<HashMap<_, _>>()))
                .send()
                .await
                .map_err(api("TagResource"))?;
        }
        self.read(aws, desired)
            .await?
            .ok_or_else(|| ApiError::new("DescribeLogGroups", format!("log group {name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        match aws
            .logs
            .delete_log_group()
            .log_group_name(&live.handle.physical_id)
            .send()
            .await
            .map_err(api("DeleteLogGroup"))
        {
            Err(e) if !e.is("ResourceNotFoundException") => Err(e),
            _ => Ok(()),
        }
    }
}

pub struct LogStream;

#[async_trait]
impl Provider for LogStream {
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let Some(group) = desired.str("LogGroupName") else { return Ok(None) };
        let found = aws
            .logs
            .describe_log_streams()
            .log_group_name(group)
            .log_stream_name_prefix(&desired.name)
            .send()
            .await
            .map_err(api("DescribeLogStreams"));
        let found = match found {
            Ok(found) => found,
            Err(e) if e.is("ResourceNotFoundException") => return Ok(None),
            Err(e) => return Err(e),
        };
        if !found.log_streams().iter().any(|s| s.log_stream_name() == Some(desired.name.as_str())) {
            return Ok(None);
        }
        let properties = Map::from_iter([
            ("LogGroupName".to_string(), json!(group)),
            ("LogStreamName".to_string(), json!(desired.name)),
        ]);
        // Ref gives the stream's name; the group travels along for delete.
        let handle = Handle {
            physical_id: desired.name.clone(),
            attributes: Map::from_iter([("LogGroupName".to_string(), json!(group))]),
        };
        Ok(Some(Live { handle, properties }))
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let created = aws
            .logs
            .create_log_stream()
            .log_group_name(desired.str("LogGroupName").unwrap_or_default())
            .log_stream_name(&desired.name)
            .send()
            .await
            .map_err(api("CreateLogStream"));
        match created {
            Err(e) if !e.is("ResourceAlreadyExistsException") => return Err(e),
            _ => {}
        }
        self.read(aws, desired).await?.ok_or_else(|| ApiError::new("DescribeLogStreams", "the new stream is not found"))
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        _live: &Live,
        _changes: &[Change],
    ) -> Result<Live, ApiError> {
        // Both properties are create-only: any change is a replacement, never an update.
        self.read(aws, desired).await?.ok_or_else(|| ApiError::new("DescribeLogStreams", "the stream is not found"))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let group = live.handle.attributes.get("LogGroupName").and_then(Value::as_str).unwrap_or_default();
        match aws
            .logs
            .delete_log_stream()
            .log_group_name(group)
            .log_stream_name(&live.handle.physical_id)
            .send()
            .await
            .map_err(api("DeleteLogStream"))
        {
            Err(e) if !e.is("ResourceNotFoundException") => Err(e),
            _ => Ok(()),
        }
    }
}
