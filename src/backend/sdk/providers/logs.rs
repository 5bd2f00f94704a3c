//! CloudWatch Logs: `AWS::Logs::LogGroup`, `AWS::Logs::LogStream` and `AWS::Logs::ResourcePolicy`.

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api, tolerate};
use crate::backend::sdk::provider::{
    ALL_TAGS, Clients, Desired, Live, Provider, adopt, converge, converge_tags, found, list_all, tag_list,
};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

pub struct LogGroup;

#[async_trait]
impl Provider for LogGroup {
    /// Log groups live under a service's path (`/aws/lambda/<pipeline>-<id>`): matched on the last
    /// segment.
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|token| async move {
            let page =
                aws.logs.describe_log_groups().set_next_token(token).send().await.map_err(api("DescribeLogGroups"))?;
            let names = page.log_groups().iter().filter_map(|g| g.log_group_name()).map(str::to_string).collect();
            Ok((names, page.next_token().map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.rsplit('/').next().is_some_and(|last| last.starts_with(prefix))).collect())
    }

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
        adopt(self, aws, desired, created, &["ResourceAlreadyExistsException"]).await
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
        converge_tags(
            live.properties.get("Tags"),
            desired.get("Tags"),
            ALL_TAGS,
            ("UntagResource", |keys| aws.logs.untag_resource().resource_arn(arn).set_tag_keys(Some(keys)).send()),
            ("TagResource", |pairs| {
                aws.logs
                    .tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(pairs.into_iter().collect::<HashMap<_, _>>()))
                    .send()
            }),
        )
        .await?;
        self.read(aws, desired)
            .await?
            .ok_or_else(|| ApiError::new("DescribeLogGroups", format!("log group {name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        tolerate(
            aws.logs
                .delete_log_group()
                .log_group_name(&live.handle.physical_id)
                .send()
                .await
                .map_err(api("DeleteLogGroup")),
            &["ResourceNotFoundException"],
        )
    }
}

pub struct LogStream;

#[async_trait]
impl Provider for LogStream {
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let Some(group) = desired.str("LogGroupName") else { return Ok(None) };
        let listed = aws
            .logs
            .describe_log_streams()
            .log_group_name(group)
            .log_stream_name_prefix(&desired.name)
            .send()
            .await
            .map_err(api("DescribeLogStreams"));
        let Some(listed) = found(listed, |e| e.is("ResourceNotFoundException"))? else { return Ok(None) };
        if !listed.log_streams().iter().any(|s| s.log_stream_name() == Some(desired.name.as_str())) {
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
        tolerate(created, &["ResourceAlreadyExistsException"])?;
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
        tolerate(
            aws.logs
                .delete_log_stream()
                .log_group_name(group)
                .log_stream_name(&live.handle.physical_id)
                .send()
                .await
                .map_err(api("DeleteLogStream")),
            &["ResourceNotFoundException"],
        )
    }
}

pub struct ResourcePolicy;

impl ResourcePolicy {
    /// The account's resource policy named `name`, with its document.
    async fn find(aws: &Clients, name: &str) -> Result<Option<String>, ApiError> {
        let mut token = None;
        loop {
            let page = aws
                .logs
                .describe_resource_policies()
                .set_next_token(token)
                .send()
                .await
                .map_err(api("DescribeResourcePolicies"))?;
            if let Some(policy) = page.resource_policies().iter().find(|p| p.policy_name() == Some(name)) {
                return Ok(Some(policy.policy_document().unwrap_or_default().to_string()));
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(None);
            }
        }
    }
}

#[async_trait]
impl Provider for ResourcePolicy {
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let name = &desired.name;
        let Some(document) = Self::find(aws, name).await? else { return Ok(None) };
        // The template holds the document as JSON text; AWS may store it reformatted. The same
        // policy reads back as the template's own text.
        let wanted = desired.get("PolicyDocument").cloned().unwrap_or(Value::Null);
        let same = match (serde_json::from_str::<Value>(&document), wanted.as_str().map(serde_json::from_str::<Value>))
        {
            (Ok(live), Some(Ok(want))) => same_policy(&live, &want),
            _ => false,
        };
        let properties = Map::from_iter([
            ("PolicyName".to_string(), json!(name)),
            ("PolicyDocument".to_string(), if same { wanted } else { json!(document) }),
        ]);
        Ok(Some(Live { handle: Handle { physical_id: name.clone(), attributes: Map::new() }, properties }))
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        // PutResourcePolicy creates or replaces: a retry or an existing policy simply converges.
        converge(self, aws, desired, &Live::default()).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        _live: &Live,
        _changes: &[Change],
    ) -> Result<Live, ApiError> {
        let name = &desired.name;
        let document = match desired.get("PolicyDocument") {
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        // An account-level policy has no revision to check (ExpectedRevisionId is for policies
        // on a resource): the put replaces the document whole.
        aws.logs
            .put_resource_policy()
            .policy_name(name)
            .policy_document(document)
            .send()
            .await
            .map_err(api("PutResourcePolicy"))?;
        self.read(aws, desired)
            .await?
            .ok_or_else(|| ApiError::new("DescribeResourcePolicies", format!("resource policy {name} is not found")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        tolerate(
            aws.logs
                .delete_resource_policy()
                .policy_name(&live.handle.physical_id)
                .send()
                .await
                .map_err(api("DeleteResourcePolicy")),
            &["ResourceNotFoundException"],
        )
    }
}

/// Whether two policy documents grant the same: a one-item list equals its item, and lists
/// (actions, resources, statements) compare as sets.
pub(super) fn same_policy(a: &Value, b: &Value) -> bool {
    canonical(a) == canonical(b)
}

fn canonical(value: &Value) -> Value {
    match value {
        Value::Array(items) if items.len() == 1 => canonical(&items[0]),
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(canonical).collect();
            items.sort_by_key(Value::to_string);
            items.dedup();
            Value::Array(items)
        }
        Value::Object(map) => {
            let mut sorted: Vec<(&String, &Value)> = map.iter().collect();
            sorted.sort_by_key(|(k, _)| *k);
            Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), canonical(v))).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::same_policy;

    #[test]
    fn policies_compare_by_meaning() {
        let template = json!({ "Version": "2012-10-17", "Statement": [{ "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "arn:x" }] });
        let stored = json!({ "Statement": { "Resource": ["arn:x"], "Effect": "Allow",
            "Action": ["logs:PutLogEvents", "logs:CreateLogStream"] }, "Version": "2012-10-17" });
        assert!(same_policy(&template, &stored));
        let other = json!({ "Version": "2012-10-17", "Statement": [{ "Effect": "Allow",
            "Action": "logs:PutLogEvents", "Resource": "arn:x" }] });
        assert!(!same_policy(&template, &other));
    }
}
