//! Secrets Manager: `AWS::SecretsManager::Secret` with a generated value, and the dynamic
//! references (`{{resolve:secretsmanager:...}}`) other resources use to read one.
//!
//! A generated value never leaves AWS through pipe: it is composed, sent with CreateSecret, and
//! dropped; `read` returns the template's `GenerateSecretString`, never the value.

use async_trait::async_trait;
use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType, Tag};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api, tolerate};
use crate::backend::sdk::provider::{
    ALL_TAGS, Clients, Desired, Live, Provider, converge, converge_tags, found, list_all, tag_list, touched,
};
use crate::backend::sdk::resolve::Handle;
use crate::model::naming::SECRETS;
use crate::plan::Change;

pub struct Secret;

#[async_trait]
impl Provider for Secret {
    /// The pipeline's secrets are named under pipe's path (`pipe/<pipeline>-<component>/...`).
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let under = format!("{SECRETS}{prefix}");
        let filter = Filter::builder().key(FilterNameStringType::Name).values(&under).build();
        let names = list_all(|token| {
            let filter = filter.clone();
            async move {
                let page = aws
                    .secrets
                    .list_secrets()
                    .filters(filter)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(api("ListSecrets"))?;
                let names = page.secret_list().iter().filter_map(|s| s.name()).map(str::to_string).collect();
                Ok((names, page.next_token().map(str::to_string)))
            }
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(&under)).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        read(aws, &desired.name, desired).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let value = secret_value(aws, desired).await?;
        let tags: Vec<Tag> = desired.tags().into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
        let created = aws
            .secrets
            .create_secret()
            .name(&desired.name)
            .set_description(desired.str("Description").map(str::to_string))
            .set_kms_key_id(desired.str("KmsKeyId").map(str::to_string))
            .secret_string(value)
            .set_tags((!tags.is_empty()).then_some(tags))
            .send()
            .await
            .map_err(api("CreateSecret"));
        match created {
            Ok(_) => {}
            // A retry after a lost response: the secret is ours to adopt.
            Err(e) if e.is("ResourceExistsException") => {}
            // Deleted with a recovery window still running: bring it back rather than wait.
            Err(e) if e.is("InvalidRequestException") && e.message.contains("scheduled for deletion") => {
                aws.secrets.restore_secret().secret_id(&desired.name).send().await.map_err(api("RestoreSecret"))?;
            }
            Err(e) => return Err(e),
        }
        let live = read(aws, &desired.name, desired)
            .await?
            .ok_or_else(|| ApiError::new("DescribeSecret", format!("the new secret {} is not found", desired.name)))?;
        converge(self, aws, desired, &live).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        let id = &live.handle.physical_id;
        let current = &live.properties;
        if touched(changes, "Description") || touched(changes, "KmsKeyId") {
            aws.secrets
                .update_secret()
                .secret_id(id)
                .description(desired.str("Description").unwrap_or_default())
                .set_kms_key_id(desired.str("KmsKeyId").map(str::to_string))
                .send()
                .await
                .map_err(api("UpdateSecret"))?;
        }
        converge_tags(
            current.get("Tags"),
            desired.get("Tags"),
            ALL_TAGS,
            ("UntagResource", |keys| aws.secrets.untag_resource().secret_id(id).set_tag_keys(Some(keys)).send()),
            ("TagResource", |pairs| async move {
                let tags = pairs.into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
                aws.secrets.tag_resource().secret_id(id).set_tags(Some(tags)).send().await.map_err(api("TagResource"))
            }),
        )
        .await?;
        read(aws, &desired.name, desired)
            .await?
            .ok_or_else(|| ApiError::new("DescribeSecret", format!("secret {} vanished", desired.name)))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        // Only the engine deletes (destroy, or a replacement): no recovery window, so the name is
        // free for the secret that replaces it.
        tolerate(
            aws.secrets
                .delete_secret()
                .secret_id(&live.handle.physical_id)
                .force_delete_without_recovery(true)
                .send()
                .await
                .map_err(api("DeleteSecret")),
            &["ResourceNotFoundException"],
        )
    }
}

async fn read(aws: &Clients, name: &str, desired: &Desired) -> Result<Option<Live>, ApiError> {
    let Some(secret) =
        found(aws.secrets.describe_secret().secret_id(name).send().await.map_err(api("DescribeSecret")), |e| {
            e.is("ResourceNotFoundException")
        })?
    else {
        return Ok(None);
    };
    // Scheduled for deletion: gone, as far as the blueprint is concerned (create restores it).
    if secret.deleted_date().is_some() {
        return Ok(None);
    }
    let arn = secret.arn().unwrap_or_default().to_string();
    let mut properties = Map::new();
    properties.insert("Name".into(), json!(secret.name().unwrap_or(name)));
    if let Some(description) = secret.description() {
        properties.insert("Description".into(), json!(description));
    }
    if let Some(key) = secret.kms_key_id() {
        properties.insert("KmsKeyId".into(), json!(key));
    }
    // How the value was generated cannot be read back: the template's settings stand.
    if let Some(generate) = desired.get("GenerateSecretString") {
        properties.insert("GenerateSecretString".into(), generate.clone());
    }
    properties.insert(
        "Tags".into(),
        tag_list(
            secret
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string()))),
        ),
    );
    let handle = Handle { physical_id: arn.clone(), attributes: Map::from_iter([("Id".to_string(), json!(arn))]) };
    Ok(Some(Live { handle, properties }))
}

/// The value to store: the template's `SecretString`, or one generated as
/// `GenerateSecretString` says (a password alone, or set under `GenerateStringKey` in
/// `SecretStringTemplate`).
async fn secret_value(aws: &Clients, desired: &Desired) -> Result<String, ApiError> {
    if let Some(text) = desired.str("SecretString") {
        return Ok(text.to_string());
    }
    let spec = desired.get("GenerateSecretString").cloned().unwrap_or(Value::Object(Map::new()));
    let flag = |key: &str| spec.get(key).and_then(Value::as_bool);
    let generated = aws
        .secrets
        .get_random_password()
        .set_password_length(spec.get("PasswordLength").and_then(Value::as_i64))
        .set_exclude_characters(spec.get("ExcludeCharacters").and_then(Value::as_str).map(str::to_string))
        .set_exclude_numbers(flag("ExcludeNumbers"))
        .set_exclude_punctuation(flag("ExcludePunctuation"))
        .set_exclude_uppercase(flag("ExcludeUppercase"))
        .set_exclude_lowercase(flag("ExcludeLowercase"))
        .set_include_space(flag("IncludeSpace"))
        .set_require_each_included_type(flag("RequireEachIncludedType"))
        .send()
        .await
        .map_err(api("GetRandomPassword"))?;
    let password = generated.random_password().unwrap_or_default().to_string();
    match (
        spec.get("SecretStringTemplate").and_then(Value::as_str),
        spec.get("GenerateStringKey").and_then(Value::as_str),
    ) {
        (Some(template), Some(key)) => {
            let mut object: Map<String, Value> = serde_json::from_str(template).map_err(|_| {
                ApiError::new("CreateSecret", "GenerateSecretString.SecretStringTemplate is not a JSON object")
            })?;
            object.insert(key.to_string(), Value::String(password));
            Ok(Value::Object(object).to_string())
        }
        _ => Ok(password),
    }
}

/// A dynamic reference's parts: secret id, JSON key, version stage, version id.
#[derive(Debug, PartialEq)]
struct Reference<'a> {
    secret: &'a str,
    key: Option<&'a str>,
    stage: Option<&'a str>,
    version: Option<&'a str>,
}

/// Parses `{{resolve:secretsmanager:SECRET[:SecretString[:KEY[:STAGE[:VERSION]]]]}}`; the secret
/// id may be an ARN, which holds colons of its own.
fn parse_reference(reference: &str) -> Option<Reference<'_>> {
    let inner = reference.trim().strip_prefix("{{resolve:secretsmanager:")?.strip_suffix("}}")?;
    let (secret, rest) = match inner.split_once(":SecretString") {
        Some((secret, rest)) => (secret, rest.strip_prefix(':').unwrap_or(rest)),
        None => (inner, ""),
    };
    let mut parts = rest.split(':');
    let mut next = || parts.next().filter(|p| !p.is_empty());
    let (key, stage, version) = (next(), next(), next());
    (!secret.is_empty()).then_some(Reference { secret, key, stage, version })
}

/// Resolves a `{{resolve:secretsmanager:...}}` reference (the form a template uses to pass a
/// secret to a property) by reading the secret. The value is for the one API call that needs it:
/// callers must not keep, log or return it.
pub async fn resolve_dynamic(aws: &Clients, reference: &str) -> Result<String, ApiError> {
    let Reference { secret, key, stage, version } = parse_reference(reference)
        .ok_or_else(|| ApiError::new("GetSecretValue", "a `{{resolve:secretsmanager:...}}` reference is malformed"))?;
    let got = aws
        .secrets
        .get_secret_value()
        .secret_id(secret)
        .set_version_stage(stage.map(str::to_string))
        .set_version_id(version.map(str::to_string))
        .send()
        .await
        .map_err(api("GetSecretValue"))?;
    let text =
        got.secret_string().ok_or_else(|| ApiError::new("GetSecretValue", format!("{secret} has no SecretString")))?;
    let Some(key) = key else { return Ok(text.to_string()) };
    let object: Value = serde_json::from_str(text)
        .map_err(|_| ApiError::new("GetSecretValue", format!("the value of {secret} is not a JSON object")))?;
    object
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| ApiError::new("GetSecretValue", format!("the value of {secret} has no `{key}`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dynamic_references_parse_with_arn_secret_ids() {
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pipe/x/admin-AbCdEf";
        let text = format!("{{{{resolve:secretsmanager:{arn}:SecretString:password}}}}");
        let parsed = parse_reference(&text);
        assert_eq!(parsed, Some(Reference { secret: arn, key: Some("password"), stage: None, version: None }));
        let parsed = parse_reference("{{resolve:secretsmanager:name:SecretString:password:AWSPREVIOUS}}");
        assert_eq!(parsed.and_then(|r| r.stage), Some("AWSPREVIOUS"));
        let parsed = parse_reference("{{resolve:secretsmanager:name}}");
        assert_eq!(parsed, Some(Reference { secret: "name", key: None, stage: None, version: None }));
        assert_eq!(parse_reference("plain text"), None);
    }
}
