//! S3: `AWS::S3::Bucket` (encryption, public access block, ownership, versioning, lifecycle,
//! tags) and `AWS::S3::BucketPolicy`.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, BucketLocationConstraint, BucketVersioningStatus,
    CreateBucketConfiguration, Delete, ExpirationStatus, LifecycleExpiration, LifecycleRule, LifecycleRuleFilter,
    NoncurrentVersionExpiration, ObjectIdentifier, ObjectOwnership, OwnershipControls, OwnershipControlsRule,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Tag, Tagging, VersioningConfiguration,
};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api, tolerate};
use crate::backend::sdk::provider::{
    Clients, Desired, Live, Provider, converge, found, list_all, tag_list, tag_pairs, touched, wait_for,
};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

const GONE: Duration = Duration::from_secs(5 * 60);

pub struct Bucket;

#[async_trait]
impl Provider for Bucket {
    /// Bucket names are global: only this region's buckets are the pipeline's here.
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|token| async move {
            let page = aws
                .s3
                .list_buckets()
                .prefix(prefix)
                .bucket_region(&aws.account.region)
                .max_buckets(1000)
                .set_continuation_token(token)
                .send()
                .await
                .map_err(api("ListBuckets"))?;
            let names = page.buckets().iter().filter_map(|b| b.name()).map(str::to_string).collect();
            Ok((names, page.continuation_token().map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        read_bucket(aws, &desired.name).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let name = &desired.name;
        let mut create = aws.s3.create_bucket().bucket(name);
        // us-east-1 is the one region that refuses its own name as a location constraint.
        if aws.account.region != "us-east-1" {
            let location = BucketLocationConstraint::from(aws.account.region.as_str());
            create = create.create_bucket_configuration(
                CreateBucketConfiguration::builder().location_constraint(location).build(),
            );
        }
        match create.send().await.map_err(api("CreateBucket")) {
            // A retry after a lost response: the bucket is ours to adopt.
            Err(e) if e.is("BucketAlreadyOwnedByYou") => {}
            other => {
                other?;
            }
        }
        let live = wait_for("HeadBucket", GONE, || read_bucket(aws, name)).await?;
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
        let differs = |key: &str| touched(changes, key);

        if differs("OwnershipControls") {
            put_ownership(aws, name, desired.get("OwnershipControls")).await?;
        }
        if differs("PublicAccessBlockConfiguration") {
            let block = desired.get("PublicAccessBlockConfiguration");
            let flag = |key: &str| block.and_then(|b| b.get(key)).and_then(Value::as_bool).unwrap_or(false);
            aws.s3
                .put_public_access_block()
                .bucket(name)
                .public_access_block_configuration(
                    PublicAccessBlockConfiguration::builder()
                        .block_public_acls(flag("BlockPublicAcls"))
                        .block_public_policy(flag("BlockPublicPolicy"))
                        .ignore_public_acls(flag("IgnorePublicAcls"))
                        .restrict_public_buckets(flag("RestrictPublicBuckets"))
                        .build(),
                )
                .send()
                .await
                .map_err(api("PutPublicAccessBlock"))?;
        }
        if differs("BucketEncryption") {
            put_encryption(aws, name, desired.get("BucketEncryption")).await?;
        }
        if differs("VersioningConfiguration") {
            let status =
                match desired.get("VersioningConfiguration").and_then(|v| v.get("Status")).and_then(Value::as_str) {
                    Some("Enabled") => BucketVersioningStatus::Enabled,
                    _ => BucketVersioningStatus::Suspended,
                };
            aws.s3
                .put_bucket_versioning()
                .bucket(name)
                .versioning_configuration(VersioningConfiguration::builder().status(status).build())
                .send()
                .await
                .map_err(api("PutBucketVersioning"))?;
        }
        if differs("LifecycleConfiguration") {
            put_lifecycle(aws, name, desired.get("LifecycleConfiguration")).await?;
        }
        // Tags with `pipe:applied`, which the plan's changes leave out: compared whole.
        let sorted = |mut pairs: Vec<(String, String)>| {
            pairs.sort();
            pairs
        };
        if sorted(tag_pairs(live.properties.get("Tags"))) != sorted(desired.tags()) {
            put_tags(aws, name, desired.tags()).await?;
        }
        read_bucket(aws, name).await?.ok_or_else(|| ApiError::new("HeadBucket", format!("bucket {name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let name = &live.handle.physical_id;
        if !exists(aws, name).await? {
            return Ok(());
        }
        empty(aws, name).await?;
        tolerate(aws.s3.delete_bucket().bucket(name).send().await.map_err(api("DeleteBucket")), &["NoSuchBucket"])?;
        wait_for("HeadBucket", GONE, || async { Ok((!exists(aws, name).await?).then_some(())) }).await
    }
}

pub struct BucketPolicy;

#[async_trait]
impl Provider for BucketPolicy {
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let Some(bucket) = desired.str("Bucket") else { return Ok(None) };
        let got = aws.s3.get_bucket_policy().bucket(bucket).send().await.map_err(api("GetBucketPolicy"));
        let Some(text) = found(got.map(|out| out.policy.unwrap_or_default()), |e| {
            e.is("NoSuchBucketPolicy") || e.is("NoSuchBucket")
        })?
        else {
            return Ok(None);
        };
        let live: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        // S3 may hand the document back in an equivalent spelling: keep the template's when it
        // says the same.
        let document = match desired.get("PolicyDocument") {
            Some(wanted) if canonical(wanted) == canonical(&live) => wanted.clone(),
            _ => live,
        };
        let properties =
            Map::from_iter([("Bucket".to_string(), json!(bucket)), ("PolicyDocument".to_string(), document)]);
        Ok(Some(Live { handle: Handle { physical_id: bucket.to_string(), attributes: Map::new() }, properties }))
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        // PutBucketPolicy replaces whatever policy is there: create and update are one call.
        converge(self, aws, desired, &Live::default()).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        _live: &Live,
        _changes: &[Change],
    ) -> Result<Live, ApiError> {
        let bucket = desired.str("Bucket").unwrap_or_default();
        aws.s3
            .put_bucket_policy()
            .bucket(bucket)
            .policy(desired.get("PolicyDocument").map(Value::to_string).unwrap_or_default())
            .send()
            .await
            .map_err(api("PutBucketPolicy"))?;
        self.read(aws, desired)
            .await?
            .ok_or_else(|| ApiError::new("GetBucketPolicy", format!("the policy of {bucket} is not found")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        tolerate(
            aws.s3
                .delete_bucket_policy()
                .bucket(&live.handle.physical_id)
                .send()
                .await
                .map_err(api("DeleteBucketPolicy")),
            &["NoSuchBucket", "NoSuchBucketPolicy"],
        )
    }
}

/// A policy document with the spellings IAM treats as equal made one: a single value or a list
/// of one, `"*"` or `{"AWS": "*"}` as principal.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("Principal" | "NotPrincipal", Value::String(star)) if star == "*" => json!({ "AWS": ["*"] }),
                        (_, Value::String(_)) => Value::Array(vec![v.clone()]),
                        _ => canonical(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

async fn exists(aws: &Clients, name: &str) -> Result<bool, ApiError> {
    match aws.s3.head_bucket().bucket(name).send().await {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
        Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => Ok(false),
        Err(e) => Err(api("HeadBucket")(e)),
    }
}

/// `Ok(None)` for the error codes that mean "not configured".
fn absent<T>(result: Result<T, ApiError>, codes: &[&str]) -> Result<Option<T>, ApiError> {
    match result {
        Ok(out) => Ok(Some(out)),
        Err(e) if codes.iter().any(|c| e.is(c)) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn read_bucket(aws: &Clients, name: &str) -> Result<Option<Live>, ApiError> {
    if !exists(aws, name).await? {
        return Ok(None);
    }
    let mut properties = Map::new();
    properties.insert("BucketName".into(), json!(name));

    let encryption = aws.s3.get_bucket_encryption().bucket(name).send().await.map_err(api("GetBucketEncryption"));
    if let Some(out) = absent(encryption, &["ServerSideEncryptionConfigurationNotFoundError"])? {
        let rules: Vec<Value> = out
            .server_side_encryption_configuration()
            .map(|c| c.rules())
            .unwrap_or_default()
            .iter()
            .map(|rule| {
                let mut entry = Map::new();
                if let Some(default) = rule.apply_server_side_encryption_by_default() {
                    let mut by_default = Map::new();
                    by_default.insert("SSEAlgorithm".into(), json!(default.sse_algorithm().as_str()));
                    if let Some(key) = default.kms_master_key_id() {
                        by_default.insert("KMSMasterKeyID".into(), json!(key));
                    }
                    entry.insert("ServerSideEncryptionByDefault".into(), Value::Object(by_default));
                }
                if let Some(enabled) = rule.bucket_key_enabled() {
                    entry.insert("BucketKeyEnabled".into(), json!(enabled));
                }
                Value::Object(entry)
            })
            .collect();
        properties.insert("BucketEncryption".into(), json!({ "ServerSideEncryptionConfiguration": rules }));
    }

    let block = aws.s3.get_public_access_block().bucket(name).send().await.map_err(api("GetPublicAccessBlock"));
    if let Some(out) = absent(block, &["NoSuchPublicAccessBlockConfiguration"])?
        && let Some(c) = out.public_access_block_configuration()
    {
        properties.insert(
            "PublicAccessBlockConfiguration".into(),
            json!({
                "BlockPublicAcls": c.block_public_acls().unwrap_or(false),
                "BlockPublicPolicy": c.block_public_policy().unwrap_or(false),
                "IgnorePublicAcls": c.ignore_public_acls().unwrap_or(false),
                "RestrictPublicBuckets": c.restrict_public_buckets().unwrap_or(false),
            }),
        );
    }

    let ownership =
        aws.s3.get_bucket_ownership_controls().bucket(name).send().await.map_err(api("GetBucketOwnershipControls"));
    if let Some(out) = absent(ownership, &["OwnershipControlsNotFoundError"])?
        && let Some(controls) = out.ownership_controls()
    {
        let rules: Vec<Value> =
            controls.rules().iter().map(|r| json!({ "ObjectOwnership": r.object_ownership().as_str() })).collect();
        properties.insert("OwnershipControls".into(), json!({ "Rules": rules }));
    }

    let versioning = aws.s3.get_bucket_versioning().bucket(name).send().await.map_err(api("GetBucketVersioning"))?;
    if let Some(status) = versioning.status() {
        properties.insert("VersioningConfiguration".into(), json!({ "Status": status.as_str() }));
    }

    let lifecycle = aws
        .s3
        .get_bucket_lifecycle_configuration()
        .bucket(name)
        .send()
        .await
        .map_err(api("GetBucketLifecycleConfiguration"));
    if let Some(out) = absent(lifecycle, &["NoSuchLifecycleConfiguration"])? {
        let rules: Vec<Value> = out.rules().iter().map(lifecycle_rule).collect();
        properties.insert("LifecycleConfiguration".into(), json!({ "Rules": rules }));
    }

    let tagging = aws.s3.get_bucket_tagging().bucket(name).send().await.map_err(api("GetBucketTagging"));
    let tags = absent(tagging, &["NoSuchTagSet", "NoSuchTagSetError"])?
        .map(|out| out.tag_set().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect::<Vec<_>>())
        .unwrap_or_default();
    properties.insert("Tags".into(), tag_list(tags));

    let arn = format!("arn:{}:s3:::{name}", aws.account.partition);
    let suffix = if aws.account.partition == "aws-cn" { "amazonaws.com.cn" } else { "amazonaws.com" };
    let handle = Handle {
        physical_id: name.to_string(),
        attributes: Map::from_iter([
            ("Arn".to_string(), json!(arn)),
            ("DomainName".to_string(), json!(format!("{name}.s3.{suffix}"))),
            ("RegionalDomainName".to_string(), json!(format!("{name}.s3.{}.{suffix}", aws.account.region))),
        ]),
    };
    Ok(Some(Live { handle, properties }))
}

/// A lifecycle rule in the template's shape: the fields pipe sets, no default filter.
fn lifecycle_rule(rule: &LifecycleRule) -> Value {
    let mut entry = Map::new();
    if let Some(id) = rule.id() {
        entry.insert("Id".into(), json!(id));
    }
    entry.insert("Status".into(), json!(rule.status().as_str()));
    if let Some(prefix) = rule.filter().and_then(|f| f.prefix()).filter(|p| !p.is_empty()) {
        entry.insert("Prefix".into(), json!(prefix));
    }
    if let Some(days) = rule.abort_incomplete_multipart_upload().and_then(|a| a.days_after_initiation()) {
        entry.insert("AbortIncompleteMultipartUpload".into(), json!({ "DaysAfterInitiation": days }));
    }
    if let Some(days) = rule.expiration().and_then(|e| e.days()) {
        entry.insert("ExpirationInDays".into(), json!(days));
    }
    if let Some(days) = rule.noncurrent_version_expiration().and_then(|e| e.noncurrent_days()) {
        entry.insert("NoncurrentVersionExpiration".into(), json!({ "NoncurrentDays": days }));
    }
    Value::Object(entry)
}

async fn put_ownership(aws: &Clients, name: &str, wanted: Option<&Value>) -> Result<(), ApiError> {
    let rules: Vec<OwnershipControlsRule> = wanted
        .and_then(|o| o.get("Rules"))
        .and_then(Value::as_array)
        .map(|rules| {
            rules
                .iter()
                .filter_map(|r| r.get("ObjectOwnership").and_then(Value::as_str))
                .filter_map(|o| {
                    OwnershipControlsRule::builder().object_ownership(ObjectOwnership::from(o)).build().ok()
                })
                .collect()
        })
        .unwrap_or_default();
    let controls = OwnershipControls::builder()
        .set_rules(Some(rules))
        .build()
        .map_err(|e| ApiError::new("PutBucketOwnershipControls", e.to_string()))?;
    aws.s3
        .put_bucket_ownership_controls()
        .bucket(name)
        .ownership_controls(controls)
        .send()
        .await
        .map_err(api("PutBucketOwnershipControls"))?;
    Ok(())
}

async fn put_encryption(aws: &Clients, name: &str, wanted: Option<&Value>) -> Result<(), ApiError> {
    let mut rules = Vec::new();
    for rule in wanted
        .and_then(|e| e.get("ServerSideEncryptionConfiguration"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let mut builder = ServerSideEncryptionRule::builder()
            .set_bucket_key_enabled(rule.get("BucketKeyEnabled").and_then(Value::as_bool));
        if let Some(default) = rule.get("ServerSideEncryptionByDefault") {
            let algorithm = default.get("SSEAlgorithm").and_then(Value::as_str).unwrap_or("AES256");
            let by_default = ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::from(algorithm))
                .set_kms_master_key_id(default.get("KMSMasterKeyID").and_then(Value::as_str).map(str::to_string))
                .build()
                .map_err(|e| ApiError::new("PutBucketEncryption", e.to_string()))?;
            builder = builder.apply_server_side_encryption_by_default(by_default);
        }
        rules.push(builder.build());
    }
    let configuration = ServerSideEncryptionConfiguration::builder()
        .set_rules(Some(rules))
        .build()
        .map_err(|e| ApiError::new("PutBucketEncryption", e.to_string()))?;
    aws.s3
        .put_bucket_encryption()
        .bucket(name)
        .server_side_encryption_configuration(configuration)
        .send()
        .await
        .map_err(api("PutBucketEncryption"))?;
    Ok(())
}

async fn put_lifecycle(aws: &Clients, name: &str, wanted: Option<&Value>) -> Result<(), ApiError> {
    let wanted_rules = wanted.and_then(|l| l.get("Rules")).and_then(Value::as_array).cloned().unwrap_or_default();
    if wanted_rules.is_empty() {
        aws.s3.delete_bucket_lifecycle().bucket(name).send().await.map_err(api("DeleteBucketLifecycle"))?;
        return Ok(());
    }
    let mut rules = Vec::new();
    for rule in &wanted_rules {
        let int = |v: Option<&Value>| v.and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok());
        let status = match rule.get("Status").and_then(Value::as_str) {
            Some("Disabled") => ExpirationStatus::Disabled,
            _ => ExpirationStatus::Enabled,
        };
        let prefix = rule.get("Prefix").and_then(Value::as_str).unwrap_or_default();
        let mut builder = LifecycleRule::builder()
            .set_id(rule.get("Id").and_then(Value::as_str).map(str::to_string))
            .status(status)
            .filter(LifecycleRuleFilter::builder().prefix(prefix).build());
        if let Some(days) = int(rule.get("AbortIncompleteMultipartUpload").and_then(|a| a.get("DaysAfterInitiation"))) {
            builder = builder.abort_incomplete_multipart_upload(
                AbortIncompleteMultipartUpload::builder().days_after_initiation(days).build(),
            );
        }
        if let Some(days) = int(rule.get("ExpirationInDays")) {
            builder = builder.expiration(LifecycleExpiration::builder().days(days).build());
        }
        if let Some(days) = int(rule.get("NoncurrentVersionExpiration").and_then(|n| n.get("NoncurrentDays"))) {
            builder = builder
                .noncurrent_version_expiration(NoncurrentVersionExpiration::builder().noncurrent_days(days).build());
        }
        rules.push(builder.build().map_err(|e| ApiError::new("PutBucketLifecycleConfiguration", e.to_string()))?);
    }
    let configuration = BucketLifecycleConfiguration::builder()
        .set_rules(Some(rules))
        .build()
        .map_err(|e| ApiError::new("PutBucketLifecycleConfiguration", e.to_string()))?;
    aws.s3
        .put_bucket_lifecycle_configuration()
        .bucket(name)
        .lifecycle_configuration(configuration)
        .send()
        .await
        .map_err(api("PutBucketLifecycleConfiguration"))?;
    Ok(())
}

async fn put_tags(aws: &Clients, name: &str, pairs: Vec<(String, String)>) -> Result<(), ApiError> {
    if pairs.is_empty() {
        aws.s3.delete_bucket_tagging().bucket(name).send().await.map_err(api("DeleteBucketTagging"))?;
        return Ok(());
    }
    let tags: Vec<Tag> = pairs.into_iter().filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok()).collect();
    let tagging = Tagging::builder()
        .set_tag_set(Some(tags))
        .build()
        .map_err(|e| ApiError::new("PutBucketTagging", e.to_string()))?;
    aws.s3.put_bucket_tagging().bucket(name).tagging(tagging).send().await.map_err(api("PutBucketTagging"))?;
    Ok(())
}

/// Deletes every object version, delete marker and unfinished upload: S3 deletes only empty
/// buckets.
async fn empty(aws: &Clients, name: &str) -> Result<(), ApiError> {
    loop {
        let page = aws.s3.list_object_versions().bucket(name).send().await.map_err(api("ListObjectVersions"))?;
        let mut objects: Vec<ObjectIdentifier> = Vec::new();
        for (key, version) in page
            .versions()
            .iter()
            .map(|v| (v.key(), v.version_id()))
            .chain(page.delete_markers().iter().map(|m| (m.key(), m.version_id())))
        {
            let Some(key) = key else { continue };
            if let Ok(id) = ObjectIdentifier::builder().key(key).set_version_id(version.map(str::to_string)).build() {
                objects.push(id);
            }
        }
        if objects.is_empty() {
            break;
        }
        // DeleteObjects takes at most 1000 keys; a listing page holds at most 1000.
        for chunk in objects.chunks(1000) {
            let batch = Delete::builder()
                .set_objects(Some(chunk.to_vec()))
                .quiet(true)
                .build()
                .map_err(|e| ApiError::new("DeleteObjects", e.to_string()))?;
            let out = aws.s3.delete_objects().bucket(name).delete(batch).send().await.map_err(api("DeleteObjects"))?;
            if let Some(error) = out.errors().first() {
                return Err(ApiError {
                    operation: "DeleteObjects",
                    code: error.code().map(str::to_string),
                    message: format!(
                        "{} of {name}: {} {}",
                        error.key().unwrap_or_default(),
                        error.code().unwrap_or_default(),
                        error.message().unwrap_or_default()
                    ),
                });
            }
        }
    }
    let uploads = aws.s3.list_multipart_uploads().bucket(name).send().await.map_err(api("ListMultipartUploads"))?;
    for upload in uploads.uploads() {
        if let (Some(key), Some(id)) = (upload.key(), upload.upload_id()) {
            aws.s3
                .abort_multipart_upload()
                .bucket(name)
                .key(key)
                .upload_id(id)
                .send()
                .await
                .map_err(api("AbortMultipartUpload"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::canonical;

    #[test]
    fn equivalent_policy_spellings_compare_equal() {
        let template = json!({ "Statement": [{ "Effect": "Deny", "Principal": { "AWS": "*" }, "Action": "s3:*" }] });
        let returned = json!({ "Statement": [{ "Effect": "Deny", "Principal": "*", "Action": ["s3:*"] }] });
        assert_eq!(canonical(&template), canonical(&returned));
        let other = json!({ "Statement": [{ "Effect": "Allow", "Principal": "*", "Action": ["s3:*"] }] });
        assert_ne!(canonical(&template), canonical(&other));
    }
}
