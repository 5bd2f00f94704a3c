//! KMS: `AWS::KMS::Key`, the customer managed keys pipe makes (a topic CloudWatch alarms notify).
//!
//! A key has no name. The SDK target names it with an alias, `alias/<pipeline>-<LogicalId>`, the
//! way it finds it again; a key a stack made is found by its key id, the stack's physical id.

use async_trait::async_trait;
use aws_sdk_kms::types::{KeyState, Tag};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api, tolerate};
use crate::backend::sdk::propagation;
use crate::backend::sdk::provider::{
    ALL_TAGS, Clients, Desired, Live, Provider, adopt, converge_tags, found, list_all, tag_list, touched,
};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

pub struct Key;

/// KMS waits at least this long before it deletes a key, and CloudFormation's default is 30.
const SHORTEST_WAIT_DAYS: i32 = 7;

fn alias(name: &str) -> String {
    format!("alias/{name}")
}

/// What DescribeKey takes for `name`: a stack's key id or ARN as it is, pipe's name as its alias.
fn key_id(name: &str) -> String {
    let is_key_id = name.len() == 36 && name.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if is_key_id || name.starts_with("arn:") { name.to_string() } else { alias(name) }
}

fn kms_tags(pairs: Vec<(String, String)>) -> Vec<Tag> {
    pairs.into_iter().filter_map(|(k, v)| Tag::builder().tag_key(k).tag_value(v).build().ok()).collect()
}

fn missing(e: &ApiError) -> bool {
    e.is("NotFoundException")
}

#[async_trait]
impl Provider for Key {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let wanted = alias(prefix);
        let aliases = list_all(|token| async move {
            let page = aws.kms.list_aliases().set_marker(token).send().await.map_err(api("ListAliases"))?;
            let names = page.aliases().iter().filter_map(|a| a.alias_name()).map(str::to_string).collect();
            Ok((names, page.next_marker().filter(|_| page.truncated()).map(str::to_string)))
        })
        .await?;
        Ok(aliases
            .iter()
            .filter(|a| a.starts_with(&wanted))
            .filter_map(|a| a.strip_prefix("alias/"))
            .map(str::to_string)
            .collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let described = aws.kms.describe_key().key_id(key_id(&desired.name)).send().await.map_err(api("DescribeKey"));
        let Some(metadata) = found(described, missing)?.and_then(|out| out.key_metadata) else {
            return Ok(None);
        };
        // A key waiting to be deleted is gone as far as the pipeline goes: nothing can use it.
        if metadata.key_state() == Some(&KeyState::PendingDeletion) {
            return Ok(None);
        }
        let id = metadata.key_id().to_string();
        let policy =
            aws.kms.get_key_policy().key_id(&id).policy_name("default").send().await.map_err(api("GetKeyPolicy"))?;
        let policy: Value = policy.policy().and_then(|p| serde_json::from_str(p).ok()).unwrap_or(Value::Null);
        let rotation =
            aws.kms.get_key_rotation_status().key_id(&id).send().await.map_err(api("GetKeyRotationStatus"))?;
        let tags = list_all(|token| {
            let id = id.clone();
            async move {
                let page = aws
                    .kms
                    .list_resource_tags()
                    .key_id(id)
                    .set_marker(token)
                    .send()
                    .await
                    .map_err(api("ListResourceTags"))?;
                let pairs = page.tags().iter().map(|t| (t.tag_key().to_string(), t.tag_value().to_string())).collect();
                Ok((pairs, page.next_marker().filter(|_| page.truncated()).map(str::to_string)))
            }
        })
        .await?;
        let mut properties = Map::from_iter([
            ("Description".to_string(), json!(metadata.description().unwrap_or_default())),
            ("EnableKeyRotation".to_string(), json!(rotation.key_rotation_enabled())),
            ("KeyPolicy".to_string(), policy),
            ("Tags".to_string(), tag_list(tags)),
        ]);
        // Read by no call: it only says how long ScheduleKeyDeletion waits.
        if let Some(days) = desired.get("PendingWindowInDays") {
            properties.insert("PendingWindowInDays".into(), days.clone());
        }
        let mut attributes =
            Map::from_iter([("Arn".to_string(), json!(metadata.arn())), ("KeyId".to_string(), json!(id))]);
        if key_id(&desired.name).starts_with("alias/") {
            attributes.insert("Alias".into(), json!(alias(&desired.name)));
        }
        Ok(Some(Live { handle: Handle { physical_id: id, attributes }, properties }))
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let policy = desired.get("KeyPolicy").map(Value::to_string);
        let created = aws
            .kms
            .create_key()
            .set_description(desired.str("Description").map(str::to_string))
            .set_policy(policy)
            .set_tags(Some(kms_tags(desired.tags())))
            .send()
            .await
            .map_err(api("CreateKey"))?;
        let id = created.key_metadata().map(|m| m.key_id().to_string()).unwrap_or_default();
        // The alias is how the key is found again. An alias left on a key of an earlier apply
        // (one stopped before its delete finished) is moved to this one.
        let aliased = propagation::retry(|| async {
            aws.kms
                .create_alias()
                .alias_name(alias(&desired.name))
                .target_key_id(&id)
                .send()
                .await
                .map_err(api("CreateAlias"))
        })
        .await;
        let aliased = match aliased {
            Err(e) if e.is("AlreadyExistsException") => aws
                .kms
                .update_alias()
                .alias_name(alias(&desired.name))
                .target_key_id(&id)
                .send()
                .await
                .map(|_| ())
                .map_err(api("UpdateAlias")),
            other => other.map(|_| ()),
        };
        adopt(self, aws, desired, aliased, &[]).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        let id = live.handle.physical_id.as_str();
        if touched(changes, "Description") {
            let description = desired.str("Description").unwrap_or_default();
            propagation::retry(|| async {
                aws.kms
                    .update_key_description()
                    .key_id(id)
                    .description(description)
                    .send()
                    .await
                    .map_err(api("UpdateKeyDescription"))
            })
            .await?;
        }
        if touched(changes, "KeyPolicy") {
            let policy = desired.get("KeyPolicy").map(Value::to_string).unwrap_or_default();
            propagation::retry(|| async {
                aws.kms
                    .put_key_policy()
                    .key_id(id)
                    .policy_name("default")
                    .policy(&policy)
                    .send()
                    .await
                    .map_err(api("PutKeyPolicy"))
            })
            .await?;
        }
        if touched(changes, "EnableKeyRotation") {
            let rotate = desired.get("EnableKeyRotation").and_then(Value::as_bool).unwrap_or(false);
            propagation::retry(|| async {
                if rotate {
                    aws.kms.enable_key_rotation().key_id(id).send().await.map(|_| ()).map_err(api("EnableKeyRotation"))
                } else {
                    aws.kms
                        .disable_key_rotation()
                        .key_id(id)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(api("DisableKeyRotation"))
                }
            })
            .await?;
        }
        converge_tags(
            live.properties.get("Tags"),
            desired.get("Tags"),
            ALL_TAGS,
            ("UntagResource", |keys| aws.kms.untag_resource().key_id(id).set_tag_keys(Some(keys)).send()),
            ("TagResource", |pairs| aws.kms.tag_resource().key_id(id).set_tags(Some(kms_tags(pairs))).send()),
        )
        .await?;
        self.read(aws, desired).await?.ok_or_else(|| ApiError::new("DescribeKey", format!("key {id} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        if let Some(alias) = live.handle.attributes.get("Alias").and_then(Value::as_str) {
            tolerate(
                aws.kms.delete_alias().alias_name(alias).send().await.map_err(api("DeleteAlias")),
                &["NotFoundException"],
            )?;
        }
        let days = live
            .properties
            .get("PendingWindowInDays")
            .and_then(Value::as_i64)
            .and_then(|d| i32::try_from(d).ok())
            .unwrap_or(SHORTEST_WAIT_DAYS);
        // A key already waiting to be deleted answers KMSInvalidStateException.
        tolerate(
            aws.kms
                .schedule_key_deletion()
                .key_id(&live.handle.physical_id)
                .pending_window_in_days(days)
                .send()
                .await
                .map_err(api("ScheduleKeyDeletion")),
            &["NotFoundException", "KMSInvalidStateException"],
        )
    }
}
