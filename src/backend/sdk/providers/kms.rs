//! KMS: `AWS::KMS::Key`, the customer managed keys pipe makes (a topic CloudWatch alarms notify).
//!
//! A key has no name. The SDK target names it with an alias, `alias/<pipeline>-<LogicalId>`, the
//! way it finds it again; a key a stack made is found by its key id, the stack's physical id.

use async_trait::async_trait;
use std::collections::HashSet;

use aws_sdk_kms::types::{KeyMetadata, KeyState, Tag};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api, tolerate};
use crate::backend::sdk::discovery::tagged_arns;
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

/// The key `key_id` names, unless it is absent or waits to be deleted (which nothing can use).
async fn usable(aws: &Clients, key_id: &str) -> Result<Option<KeyMetadata>, ApiError> {
    let described = aws.kms.describe_key().key_id(key_id).send().await.map_err(api("DescribeKey"));
    let metadata = found(described, missing)?.and_then(|out| out.key_metadata);
    Ok(metadata.filter(|m| m.key_state() != Some(&KeyState::PendingDeletion)))
}

/// The ids of the keys the Resource Groups Tagging API finds with all of `tags`; none when the
/// API is refused, which a plan may be (leftover discovery says so where it looks).
async fn tagged_keys(aws: &Clients, tags: &[(&str, &str)]) -> Result<Vec<String>, ApiError> {
    let arns = match tagged_arns(aws, tags, Some("kms:key")).await {
        Err(e) if e.is_access_denied() => Vec::new(),
        found => found?,
    };
    Ok(arns.iter().filter_map(|arn| arn.split_once(":key/").map(|(_, id)| id.to_string())).collect())
}

#[async_trait]
impl Provider for Key {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let wanted = alias(prefix);
        let aliases = list_all(|token| async move {
            let page = aws.kms.list_aliases().set_marker(token).send().await.map_err(api("ListAliases"))?;
            let pairs = page
                .aliases()
                .iter()
                .filter_map(|a| Some((a.alias_name()?.to_string(), a.target_key_id().map(str::to_string))))
                .collect();
            Ok((pairs, page.next_marker().filter(|_| page.truncated()).map(str::to_string)))
        })
        .await?;
        let ours: Vec<(String, Option<String>)> = aliases.into_iter().filter(|(a, _)| a.starts_with(&wanted)).collect();
        let aliased: HashSet<&str> = ours.iter().filter_map(|(_, key)| key.as_deref()).collect();
        // A key whose alias was never made (an apply stopped between the two calls) is found by
        // the pipeline's tag, by its key id.
        let pipeline = prefix.trim_end_matches('-');
        let tagged = tagged_keys(aws, &[("pipe:pipeline", pipeline)]).await?;
        let mut names: Vec<String> =
            ours.iter().filter_map(|(a, _)| a.strip_prefix("alias/")).map(str::to_string).collect();
        names.extend(tagged.into_iter().filter(|id| !aliased.contains(id.as_str())));
        Ok(names)
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let mut metadata = usable(aws, &key_id(&desired.name)).await?;
        if metadata.is_none() && key_id(&desired.name).starts_with("alias/") {
            // Made, and stopped before its alias: the key carrying this component's tags.
            let tags = desired.tags();
            let wanted: Vec<(&str, &str)> = tags
                .iter()
                .filter(|(k, _)| k == "pipe:pipeline" || k == "pipe:component")
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            if wanted.len() == 2 {
                for id in tagged_keys(aws, &wanted).await? {
                    metadata = usable(aws, &id).await?;
                    if metadata.is_some() {
                        break;
                    }
                }
            }
        }
        let Some(metadata) = metadata else { return Ok(None) };
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
        let days = live
            .properties
            .get("PendingWindowInDays")
            .and_then(Value::as_i64)
            .and_then(|d| i32::try_from(d).ok())
            .unwrap_or(SHORTEST_WAIT_DAYS);
        // The key first: a delete stopped between the two leaves an alias on a key that waits to
        // be deleted, which reads as gone and which the next create moves; the other way round
        // would leave a usable key with nothing to find it by but its tags.
        tolerate(
            aws.kms
                .schedule_key_deletion()
                .key_id(&live.handle.physical_id)
                .pending_window_in_days(days)
                .send()
                .await
                .map_err(api("ScheduleKeyDeletion")),
            // A key already waiting to be deleted answers KMSInvalidStateException.
            &["NotFoundException", "KMSInvalidStateException"],
        )?;
        if let Some(alias) = live.handle.attributes.get("Alias").and_then(Value::as_str) {
            tolerate(
                aws.kms.delete_alias().alias_name(alias).send().await.map_err(api("DeleteAlias")),
                &["NotFoundException"],
            )?;
        }
        Ok(())
    }
}
