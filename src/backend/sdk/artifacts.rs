//! The artifacts bucket and the code in it: the step before any resource that runs the code.
//! One bucket per account and region, shared by every pipeline (as CDK's bootstrap bucket is);
//! keys carry a content hash, so an upload is skipped when the key is there.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, OwnershipControls, OwnershipControlsRule,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};

use super::provider::Clients;
use crate::backend::aws::{Account, ApiError, api};
use crate::model::{Artifact, Pipeline};
use crate::plan::{Action, Kind, Step};

pub const PARAMETER: &str = "ArtifactsBucket";
const STEP_TYPE: &str = "pipe::Artifact";

pub fn bucket_name(account: &Account) -> String {
    format!("pipe-artifacts-{}-{}", account.id, account.region)
}

/// The uploads (and the bucket) apply needs: nothing when every key is already there.
pub async fn plan(aws: &Clients, pipeline: &Pipeline) -> Result<Vec<Action>, ApiError> {
    if pipeline.artifacts.is_empty() {
        return Ok(Vec::new());
    }
    let bucket = bucket_name(&aws.account);
    let mut actions = Vec::new();
    let exists = bucket_exists(aws, &bucket).await?;
    if !exists {
        actions.push(Action {
            kind: Kind::Step,
            component: "pipe".into(),
            resource: PARAMETER.into(),
            step: Some(Step::CreateArtifactsBucket),
            resource_type: "AWS::S3::Bucket".into(),
            physical_id: Some(bucket.clone()),
            reason: Some(
                "the account has no pipe artifacts bucket in this region yet: create it (encrypted, private)".into(),
            ),
            ..Action::default()
        });
    }
    for artifact in &pipeline.artifacts {
        if exists && object_exists(aws, &bucket, &artifact.key).await? {
            continue;
        }
        actions.push(Action {
            kind: Kind::Step,
            component: artifact.component.clone(),
            resource: format!("upload {}", artifact.key),
            step: Some(Step::UploadArtifact),
            resource_type: STEP_TYPE.into(),
            physical_id: Some(format!("s3://{bucket}/{}", artifact.key)),
            reason: Some(format!("the code of `{}` is not uploaded yet", artifact.component)),
            ..Action::default()
        });
    }
    Ok(actions)
}

/// Creates the bucket when missing and uploads the missing artifacts; returns how many it sent.
pub async fn upload(aws: &Clients, pipeline: &Pipeline) -> Result<usize, ApiError> {
    let bucket = bucket_name(&aws.account);
    ensure_bucket(aws, &bucket).await?;
    let mut sent = 0;
    for artifact in &pipeline.artifacts {
        if !object_exists(aws, &bucket, &artifact.key).await? {
            put(aws, &bucket, artifact).await?;
            sent += 1;
        }
    }
    Ok(sent)
}

async fn put(aws: &Clients, bucket: &str, artifact: &Artifact) -> Result<(), ApiError> {
    let bytes = crate::package::contents(artifact)
        .map_err(|e| ApiError::new("PutObject", format!("cannot read {}: {e}", artifact.source.display())))?;
    aws.s3
        .put_object()
        .bucket(bucket)
        .key(&artifact.key)
        .body(ByteStream::from(bytes))
        .server_side_encryption(ServerSideEncryption::Aes256)
        .send()
        .await
        .map_err(api("PutObject"))?;
    Ok(())
}

pub async fn ensure_bucket(aws: &Clients, bucket: &str) -> Result<(), ApiError> {
    if bucket_exists(aws, bucket).await? {
        return Ok(());
    }
    let mut create = aws.s3.create_bucket().bucket(bucket);
    // us-east-1 is the one region that refuses its own name as a location constraint.
    if aws.account.region != "us-east-1" {
        let location = BucketLocationConstraint::from(aws.account.region.as_str());
        create = create
            .create_bucket_configuration(CreateBucketConfiguration::builder().location_constraint(location).build());
    }
    match create.send().await.map_err(api("CreateBucket")) {
        Err(e) if !e.is("BucketAlreadyOwnedByYou") => return Err(e),
        _ => {}
    }
    aws.s3
        .put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .map_err(api("PutPublicAccessBlock"))?;
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(
            ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::Aes256)
                .build()
                .expect("algorithm set"),
        )
        .build();
    aws.s3
        .put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder().rules(rule).build().expect("rules set"),
        )
        .send()
        .await
        .map_err(api("PutBucketEncryption"))?;
    aws.s3
        .put_bucket_ownership_controls()
        .bucket(bucket)
        .ownership_controls(
            OwnershipControls::builder()
                .rules(
                    OwnershipControlsRule::builder()
                        .object_ownership(aws_sdk_s3::types::ObjectOwnership::BucketOwnerEnforced)
                        .build()
                        .expect("ownership set"),
                )
                .build()
                .expect("rules set"),
        )
        .send()
        .await
        .map_err(api("PutBucketOwnershipControls"))?;
    // Versioned, so an overwritten template or lease can be traced; old versions expire.
    aws.s3
        .put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .map_err(api("PutBucketVersioning"))?;
    let expire = aws_sdk_s3::types::LifecycleRule::builder()
        .id("pipe-expire-old-versions")
        .status(aws_sdk_s3::types::ExpirationStatus::Enabled)
        .filter(aws_sdk_s3::types::LifecycleRuleFilter::builder().prefix("").build())
        .noncurrent_version_expiration(
            aws_sdk_s3::types::NoncurrentVersionExpiration::builder().noncurrent_days(30).build(),
        )
        .build()
        .expect("status set");
    aws.s3
        .put_bucket_lifecycle_configuration()
        .bucket(bucket)
        .lifecycle_configuration(
            aws_sdk_s3::types::BucketLifecycleConfiguration::builder().rules(expire).build().expect("rules set"),
        )
        .send()
        .await
        .map_err(api("PutBucketLifecycleConfiguration"))?;
    let partition = &aws.account.partition;
    let tls_only = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "TlsOnly",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [format!("arn:{partition}:s3:::{bucket}"), format!("arn:{partition}:s3:::{bucket}/*")],
            "Condition": { "Bool": { "aws:SecureTransport": "false" } }
        }]
    });
    aws.s3
        .put_bucket_policy()
        .bucket(bucket)
        .policy(tls_only.to_string())
        .send()
        .await
        .map_err(api("PutBucketPolicy"))?;
    Ok(())
}

async fn bucket_exists(aws: &Clients, bucket: &str) -> Result<bool, ApiError> {
    match aws.s3.head_bucket().bucket(bucket).send().await {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
        Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => Ok(false),
        Err(e) => Err(api("HeadBucket")(e)),
    }
}

async fn object_exists(aws: &Clients, bucket: &str, key: &str) -> Result<bool, ApiError> {
    match aws.s3.head_object().bucket(bucket).key(key).send().await {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
        Err(e) => Err(api("HeadObject")(e)),
    }
}
