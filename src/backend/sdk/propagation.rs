//! AWS's eventual consistency. For a while after a role, its policy or an instance profile is
//! created or changed, the services that use it answer with errors that only mean "not yet": the
//! service cannot assume the role, or the role does not grant what it just was granted. A new
//! resource can answer the same way (a DynamoDB table still turning its backups on). One table
//! of those answers, each taken from the terraform-provider-aws retry that waits it out, and one
//! retry every provider uses: no other "not yet" wait is written anywhere else.

use std::time::Duration;

use tokio::time::Instant;

use crate::backend::aws::ApiError;

/// terraform-provider-aws's IAM propagation timeout (`propagationTimeout`, internal/service/*/consts.go).
const IAM: Duration = Duration::from_secs(2 * 60);
/// Lambda event source mappings wait longer (`lambdaPropagationTimeout`).
const LAMBDA_MAPPING: Duration = Duration::from_secs(5 * 60);
/// How long a resource just created may read as absent (terraform-provider-aws's
/// `RetryWhenNewResourceNotFound` waits `propagationTimeout`).
pub const NEW_RESOURCE: Duration = IAM;
/// Between tries, plus up to as much again at random.
const PAUSE: Duration = Duration::from_secs(5);

/// One answer that means "the role is not usable yet".
#[derive(Debug)]
pub struct NotYet {
    pub operations: &'static [&'static str],
    pub code: &'static str,
    /// Text the message contains.
    pub message: &'static str,
    /// How long after the first try the answer still counts as propagation.
    pub deadline: Duration,
    pub source: &'static str,
}

const FUNCTION: &[&str] = &["CreateFunction", "UpdateFunctionConfiguration"];
const FUNCTION_SOURCE: &str = "terraform-provider-aws internal/service/lambda/function.go retryFunctionOp";
const MAPPING: &[&str] = &["CreateEventSourceMapping", "UpdateEventSourceMapping"];
const MAPPING_SOURCE: &str =
    "terraform-provider-aws internal/service/lambda/event_source_mapping.go retryEventSourceMapping";
const FIREHOSE: &[&str] = &["CreateDeliveryStream", "UpdateDestination"];
const FIREHOSE_SOURCE: &str =
    "terraform-provider-aws internal/service/firehose/delivery_stream.go retryDeliveryStreamOp";
const FLINK: &[&str] = &["CreateApplication", "UpdateApplication"];
const FLINK_SOURCE: &str =
    "terraform-provider-aws internal/service/kinesisanalyticsv2/application.go waitIAMPropagation";
const EMR_SOURCE: &str = "terraform-provider-aws internal/service/emr/cluster.go resourceClusterCreate";
/// terraform-provider-aws retries every ValidationException of CreateModel for 2 minutes; pipe
/// only the one that names the role, so a malformed request is answered at once.
const MODEL_SOURCE: &str = "terraform-provider-aws internal/service/sagemaker/model.go resourceModelCreate";
const DOMAIN: &[&str] = &["CreateDomain", "UpdateDomainConfig"];
const DOMAIN_SOURCE: &str = "terraform-provider-aws internal/service/opensearch/domain.go domainErrorRetryable";
/// terraform-provider-aws's `updateTableContinuousBackupsTimeout` (internal/service/dynamodb).
const BACKUPS: Duration = Duration::from_secs(20 * 60);
const BACKUPS_SOURCE: &str = "terraform-provider-aws internal/service/dynamodb/table.go updatePITR";

/// A key just made reads as absent to the calls that set it up (terraform-provider-aws retries
/// NotFoundException around each of them for its propagation timeout).
const KEY: &[&str] =
    &["CreateAlias", "EnableKeyRotation", "DisableKeyRotation", "PutKeyPolicy", "UpdateKeyDescription"];
const KEY_SOURCE: &str =
    "terraform-provider-aws internal/service/kms/key.go updateKeyRotationEnabled, updateKeyPolicy, findKeyInfo";

const fn not_yet(
    operations: &'static [&'static str],
    code: &'static str,
    message: &'static str,
    deadline: Duration,
    source: &'static str,
) -> NotYet {
    NotYet { operations, code, message, deadline, source }
}

pub static NOT_YET: &[NotYet] = &[
    not_yet(KEY, "NotFoundException", "", IAM, KEY_SOURCE),
    not_yet(
        FUNCTION,
        "InvalidParameterValueException",
        "The role defined for the function cannot be assumed by Lambda",
        IAM,
        FUNCTION_SOURCE,
    ),
    not_yet(
        FUNCTION,
        "InvalidParameterValueException",
        "The provided execution role does not have permissions",
        IAM,
        FUNCTION_SOURCE,
    ),
    not_yet(MAPPING, "InvalidParameterValueException", "cannot be assumed by Lambda", LAMBDA_MAPPING, MAPPING_SOURCE),
    not_yet(
        MAPPING,
        "InvalidParameterValueException",
        "execution role does not have permissions",
        LAMBDA_MAPPING,
        MAPPING_SOURCE,
    ),
    not_yet(MAPPING, "InvalidParameterValueException", "ensure the role can perform", LAMBDA_MAPPING, MAPPING_SOURCE),
    not_yet(FIREHOSE, "InvalidArgumentException", "Firehose is unable to assume role", IAM, FIREHOSE_SOURCE),
    not_yet(FIREHOSE, "InvalidArgumentException", "Access was denied", IAM, FIREHOSE_SOURCE),
    not_yet(FIREHOSE, "InvalidArgumentException", "is not authorized to", IAM, FIREHOSE_SOURCE),
    not_yet(
        FIREHOSE,
        "InvalidArgumentException",
        "Please make sure the role specified in VpcConfiguration has permissions",
        IAM,
        FIREHOSE_SOURCE,
    ),
    not_yet(FIREHOSE, "InvalidArgumentException", "Verify that the IAM role has access", IAM, FIREHOSE_SOURCE),
    not_yet(
        FLINK,
        "InvalidArgumentException",
        "Kinesis Analytics service doesn't have sufficient privileges",
        IAM,
        FLINK_SOURCE,
    ),
    not_yet(
        FLINK,
        "InvalidArgumentException",
        "Kinesis Analytics doesn't have sufficient privileges",
        IAM,
        FLINK_SOURCE,
    ),
    not_yet(
        FLINK,
        "InvalidArgumentException",
        "Please check the role provided or validity of S3 location you provided",
        IAM,
        FLINK_SOURCE,
    ),
    not_yet(&["RunJobFlow"], "ValidationException", "Invalid InstanceProfile:", IAM, EMR_SOURCE),
    not_yet(&["RunJobFlow"], "AccessDeniedException", "Failed to authorize instance profile", IAM, EMR_SOURCE),
    not_yet(&["CreateModel"], "ValidationException", "Could not assume role", IAM, MODEL_SOURCE),
    not_yet(DOMAIN, "InvalidTypeException", "Error setting policy", IAM, DOMAIN_SOURCE),
    not_yet(
        DOMAIN,
        "ValidationException",
        "enable a service-linked role to give Amazon ES permissions",
        IAM,
        DOMAIN_SOURCE,
    ),
    not_yet(DOMAIN, "ValidationException", "Domain is still being deleted", IAM, DOMAIN_SOURCE),
    not_yet(
        DOMAIN,
        "ValidationException",
        "Amazon OpenSearch Service must be allowed to use the passed role",
        IAM,
        DOMAIN_SOURCE,
    ),
    not_yet(DOMAIN, "ValidationException", "The passed role has not propagated yet", IAM, DOMAIN_SOURCE),
    not_yet(DOMAIN, "ValidationException", "Authentication error", IAM, DOMAIN_SOURCE),
    not_yet(
        DOMAIN,
        "ValidationException",
        "Unauthorized Operation: OpenSearch Service must be authorised to describe",
        IAM,
        DOMAIN_SOURCE,
    ),
    not_yet(
        DOMAIN,
        "ValidationException",
        "The passed role must authorize Amazon OpenSearch Service to describe",
        IAM,
        DOMAIN_SOURCE,
    ),
    not_yet(
        DOMAIN,
        "ValidationException",
        "A change/update is in progress. Please wait for it to complete before requesting another change.",
        IAM,
        DOMAIN_SOURCE,
    ),
    not_yet(
        DOMAIN,
        "ValidationException",
        "The Resource Access Policy specified for the CloudWatch Logs log group",
        IAM,
        DOMAIN_SOURCE,
    ),
    not_yet(
        &["UpdateContinuousBackups"],
        "ContinuousBackupsUnavailableException",
        "Backups are being enabled",
        BACKUPS,
        BACKUPS_SOURCE,
    ),
];

/// The table's entry for `error`, when it means the role is not usable yet.
pub fn not_yet_for(error: &ApiError) -> Option<&'static NotYet> {
    NOT_YET
        .iter()
        .find(|n| n.operations.contains(&error.operation) && error.is(n.code) && error.message.contains(n.message))
}

/// Runs `call` until it is not refused with a "not yet" answer, or that answer's deadline since
/// the first try has passed; then returns what it answered.
pub async fn retry<T, F, Fut>(mut call: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let started = Instant::now();
    loop {
        match call().await {
            Err(error) if not_yet_for(&error).is_some_and(|n| started.elapsed() < n.deadline) => {
                let jitter = Duration::from_millis(fastrand::u64(0..=PAUSE.as_millis() as u64));
                tokio::time::sleep(PAUSE + jitter).await;
            }
            answered => return answered,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn refused(operation: &'static str, code: &str, message: &str) -> ApiError {
        ApiError { operation, code: Some(code.to_string()), message: message.to_string() }
    }

    #[tokio::test(start_paused = true)]
    async fn a_role_not_yet_usable_is_waited_for_until_its_deadline() {
        let tries = Cell::new(0);
        let answer = retry(|| async {
            tries.set(tries.get() + 1);
            if tries.get() < 4 {
                Err(refused(
                    "CreateEventSourceMapping",
                    "InvalidParameterValueException",
                    "Cannot access stream arn:aws:kinesis:eu-west-1:1:stream/s. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream.",
                ))
            } else {
                Ok("mapped")
            }
        })
        .await;
        assert_eq!(answer.unwrap(), "mapped");
        assert_eq!(tries.get(), 4);

        let started = Instant::now();
        let tries = Cell::new(0);
        let answer: Result<(), _> = retry(|| async {
            tries.set(tries.get() + 1);
            Err(refused("RunJobFlow", "ValidationException", "Invalid InstanceProfile: p."))
        })
        .await;
        assert!(answer.is_err(), "past the deadline the answer is the service's own");
        let waited = started.elapsed();
        assert!(waited >= IAM && waited < IAM + 2 * PAUSE, "gave up after {waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn any_other_refusal_is_answered_at_once() {
        // The message from another operation, and another code for the same operation.
        for error in [
            refused("CreateStream", "InvalidParameterValueException", "cannot be assumed by Lambda"),
            refused("CreateEventSourceMapping", "ResourceNotFoundException", "ensure the role can perform"),
        ] {
            let tries = Cell::new(0);
            let answer: Result<(), _> = retry(|| async {
                tries.set(tries.get() + 1);
                Err(error.clone())
            })
            .await;
            assert!(answer.is_err());
            assert_eq!(tries.get(), 1, "{error:?}");
        }
    }
}
