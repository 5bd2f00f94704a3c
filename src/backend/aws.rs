//! The AWS connection every backend shares: configuration through aws-config (profiles,
//! `--profile`, `--region`, `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`), the caller's
//! account, and API errors in plain words.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::error::ProvideErrorMetadata;

/// Where pipe works: the SDK configuration plus the account and partition it resolved to.
#[derive(Debug, Clone)]
pub struct Account {
    pub config: SdkConfig,
    pub id: String,
    pub region: String,
    pub partition: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("no AWS region: pass `--region`, set AWS_REGION, or set `region` in your AWS profile")]
    NoRegion,
    #[error(
        "no usable AWS credentials ({0}): set AWS_PROFILE or pass `--profile`, run `aws configure`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    )]
    NoCredentials(String),
}

/// Loads the configuration and asks STS who the caller is, so a missing region or credentials
/// fail here, once, with a way out.
pub async fn connect(profile: Option<&str>, region: Option<&str>) -> Result<Account, ConnectError> {
    // Pinned, not `latest`: an infrastructure tool must not change retry or endpoint behaviour
    // when the SDK is upgraded.
    let mut loader = aws_config::defaults(BehaviorVersion::v2026_01_12())
        // Jittered exponential backoff for throttling and transient errors, beyond the default 3.
        .retry_config(RetryConfig::standard().with_max_attempts(8).with_max_backoff(Duration::from_secs(20)));
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_string()));
    }
    let config = loader.load().await;
    let region = config.region().ok_or(ConnectError::NoRegion)?.to_string();
    let identity = aws_sdk_sts::Client::new(&config)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| ConnectError::NoCredentials(first_line(&plain(&e))))?;
    let id = identity.account().unwrap_or_default().to_string();
    Ok(Account { partition: partition(&region).to_string(), config, id, region })
}

/// The ARN partition of a region.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// A failed API call, in plain words.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation}: {message}")]
pub struct ApiError {
    pub operation: &'static str,
    /// The service's error code (`ResourceNotFoundException`), when it sent one.
    pub code: Option<String>,
    pub message: String,
}

impl ApiError {
    pub fn new(operation: &'static str, message: impl Into<String>) -> Self {
        ApiError { operation, code: None, message: message.into() }
    }

    pub fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    /// Worth another try after a pause: the resource is busy, or a rate limit hit. (The SDK
    /// already retries throttling itself; these are the ones it gives up on.) Not a quota, which
    /// no wait lifts, nor a stale version token (ConcurrentModificationException): the resource
    /// changed since the plan read it, and the answer is a new plan, not the same request again.
    pub fn is_transient(&self) -> bool {
        match self.code.as_deref() {
            Some(
                "ResourceInUseException"
                | "ThrottlingException"
                | "TooManyRequestsException"
                | "ResourceConflictException",
            ) => true,
            // Kinesis answers its control-plane rate limit with LimitExceededException ("Rate
            // exceeded for stream ..."); Firehose, Flink and Lambda mean a quota by it.
            Some("LimitExceededException") => self.message.contains("Rate exceeded"),
            _ => false,
        }
    }
}

impl ApiError {
    /// The caller's credentials may not make this call (each service names it its own way).
    pub fn is_access_denied(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some("AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "UnauthorizedException")
        )
    }
}

/// A call that failed with one of `codes` still left things as wanted (a delete of what is already
/// gone, a create of what is already there): `Ok` for those, the error for any other.
pub fn tolerate<T>(result: Result<T, ApiError>, codes: &[&str]) -> Result<(), ApiError> {
    match result {
        Err(e) if !codes.iter().any(|code| e.is(code)) => Err(e),
        _ => Ok(()),
    }
}

/// Turns an SDK error into an [`ApiError`] for `operation`: `.map_err(api("CreateStream"))`.
pub fn api<E>(operation: &'static str) -> impl FnOnce(E) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    move |error| ApiError { operation, code: error.code().map(str::to_string), message: plain(&error) }
}

/// The credential chain lists every provider it tried, over many lines: the first says enough.
fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    line.trim_end_matches("Attempted:").trim_end().to_string()
}

/// The service's own message when it sent one, else the error chain in one line.
fn plain<E: ProvideErrorMetadata + std::error::Error + 'static>(error: &E) -> String {
    match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => {
            let mut text = error.to_string();
            let mut source = error.source();
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: &str, message: &str) -> ApiError {
        ApiError { operation: "Op", code: Some(code.to_string()), message: message.to_string() }
    }

    #[test]
    fn busy_and_rate_limited_calls_are_retried_quotas_and_stale_versions_are_not() {
        assert!(refused("ResourceInUseException", "Stream s is being updated").is_transient());
        assert!(refused("LimitExceededException", "Rate exceeded for stream s under account 1.").is_transient());
        let quota = refused("LimitExceededException", "You have reached the limit on the number of applications");
        assert!(!quota.is_transient(), "a quota no wait lifts");
        let stale = refused("ConcurrentModificationException", "Current application version is 7, not 6");
        assert!(!stale.is_transient(), "changed since the plan read it: plan again");
    }
}
