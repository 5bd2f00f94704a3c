//! S3 buckets: encrypted, private, versioned, TLS only.

use serde_json::json;

use crate::blueprint::spec::s3::S3Bucket;

use super::super::cfn::{get_att, ref_, sub};
use super::super::naming::{logical, physical};
use super::super::{Builder, Resource, Suppression};
use super::kms_key;

const ACCESS_LOGS: Suppression = Suppression {
    check: "CKV_AWS_18",
    reason: "written only by this pipeline's service roles; CloudTrail data events audit access without a log bucket per stack",
};

pub fn bucket(b: &mut Builder, id: String, bucket: &S3Bucket) {
    // Bucket names are global: the account id keeps two accounts' pipelines apart.
    let name = sub(format!("{}-${{AWS::AccountId}}", physical(b.name, &bucket.id)));
    let encryption = match kms_key(&bucket.encryption) {
        Some(key) => json!({ "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key }),
        None if bucket.encryption.enabled => json!({ "SSEAlgorithm": "aws:kms" }),
        None => json!({ "SSEAlgorithm": "AES256" }),
    };
    let mut properties = json!({
        "BucketName": name,
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [{ "ServerSideEncryptionByDefault": encryption, "BucketKeyEnabled": true }],
        },
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": true,
            "BlockPublicPolicy": true,
            "IgnorePublicAcls": true,
            "RestrictPublicBuckets": true,
        },
        "OwnershipControls": { "Rules": [{ "ObjectOwnership": "BucketOwnerEnforced" }] },
        "VersioningConfiguration": { "Status": if bucket.versioning { "Enabled" } else { "Suspended" } },
        "Tags": b.tags(&bucket.id),
    });
    let mut rules = vec![
        json!({ "Id": "abort-incomplete-uploads", "Status": "Enabled", "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": 7 } }),
    ];
    if let Some(days) = bucket.expire_after_days {
        rules.push(json!({ "Id": "expire", "Status": "Enabled", "ExpirationInDays": days, "NoncurrentVersionExpiration": { "NoncurrentDays": days } }));
    }
    properties["LifecycleConfiguration"] = json!({ "Rules": rules });
    b.add(
        id.clone(),
        Resource::new("AWS::S3::Bucket", &bucket.id, properties).retain(bucket.retain).suppress(&[ACCESS_LOGS]),
    );

    let policy = json!({
        "Bucket": ref_(&id),
        "PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "TlsOnly",
                "Effect": "Deny",
                "Principal": { "AWS": "*" },
                "Action": "s3:*",
                "Resource": [get_att(&id, "Arn"), sub(format!("${{{id}.Arn}}/*"))],
                "Condition": { "Bool": { "aws:SecureTransport": "false" } },
            }],
        },
    });
    b.add(logical(&bucket.id, "BucketPolicy"), Resource::new("AWS::S3::BucketPolicy", &bucket.id, policy));
    b.output(format!("{id}Name"), format!("Name of the `{}` bucket", bucket.id), ref_(&id));
}
