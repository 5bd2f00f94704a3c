//! The AWS connection every backend shares: configuration through aws-config (profiles,
//! `--profile`, `--region`, `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`), the caller's
//! account, and API errors in plain words.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

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
    #[error(
        "profile `{profile}` signs in through IAM Identity Center and has no valid session ({reason}): run `aws sso login --profile {profile}`"
    )]
    NoSsoSession { profile: String, reason: String },
    #[error("AWS refused the credentials{profile} ({reason}): check the keys, or renew the session (`aws sso login`)")]
    Refused { profile: String, reason: String },
    #[error("cannot reach {endpoint} ({reason}): check AWS_ENDPOINT_URL, the network or a proxy")]
    Unreachable { endpoint: String, reason: String },
    #[error("{endpoint} kept refusing calls as too many (throttled past every retry): try again shortly")]
    Throttled { endpoint: String },
    #[error(
        "no answer from {endpoint} within {seconds} s: check AWS_ENDPOINT_URL and the network, or pass a longer `--timeout`"
    )]
    NoAnswer { endpoint: String, seconds: u64 },
}

/// How long pipe waits on AWS: to connect, and for each attempt's answer (`--timeout`).
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub answer: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(5), answer: Duration::from_secs(60) }
    }
}

/// Loads the configuration and asks STS who the caller is, so a missing region, credentials or
/// endpoint fail here, once, within seconds, with a way out.
pub async fn connect(profile: Option<&str>, region: Option<&str>, timeouts: Timeouts) -> Result<Account, ConnectError> {
    // Pinned, not `latest`: an infrastructure tool must not change retry or endpoint behaviour
    // when the SDK is upgraded.
    let mut loader = aws_config::defaults(BehaviorVersion::v2026_01_12())
        // Jittered exponential backoff for throttling and transient errors, beyond the default 3.
        .retry_config(RetryConfig::standard().with_max_attempts(8).with_max_backoff(Duration::from_secs(20)))
        // A read timeout, not an operation timeout: an upload of large code may take longer
        // than any one answer should.
        .timeout_config(
            TimeoutConfig::builder().connect_timeout(timeouts.connect).read_timeout(timeouts.answer).build(),
        );
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_string()));
    }
    let config = loader.load().await;
    let region = config.region().ok_or(ConnectError::NoRegion)?.to_string();
    // The first call says whether AWS is there at all: one retry, not eight, and a short wait.
    let quick = aws_sdk_sts::config::Builder::from(&config)
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeouts.connect)
                .read_timeout(timeouts.answer.min(Duration::from_secs(5)))
                .build(),
        )
        .build();
    let endpoint = config.endpoint_url().map_or_else(|| format!("sts.{region}.amazonaws.com"), str::to_string);
    let mut waited = timeouts.answer.min(Duration::from_secs(5));
    let mut identity = aws_sdk_sts::Client::from_conf(quick).get_caller_identity().send().await;
    // AWS is there and busy: ask again with the patience of every other call.
    if identity.as_ref().err().and_then(ProvideErrorMetadata::code).is_some_and(is_throttling) {
        waited = timeouts.answer;
        identity = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await;
    }
    let identity = identity.map_err(|e| classify(&e, endpoint, profile, waited))?;
    let id = identity.account().unwrap_or_default().to_string();
    Ok(Account { partition: partition(&region).to_string(), config, id, region })
}

/// Whether `error` comes from the credential chain.
fn from_credentials(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(cause) = next {
        if cause.downcast_ref::<CredentialsError>().is_some() {
            return true;
        }
        next = cause.source();
    }
    false
}

/// What stopped the first call, said once: the endpoint, the credentials, or AWS's refusal.
fn classify<E, R>(error: &SdkError<E, R>, endpoint: String, profile: Option<&str>, waited: Duration) -> ConnectError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match error {
        SdkError::TimeoutError(_) => ConnectError::NoAnswer { endpoint, seconds: waited.as_secs() },
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            ConnectError::NoAnswer { endpoint, seconds: waited.as_secs() }
        }
        // The credential chain found nothing: the connector reports it, as a credentials error.
        SdkError::DispatchFailure(failure) if failure.as_connector_error().is_some_and(|e| from_credentials(e)) => {
            let reason = failure.as_connector_error().map(|e| chain(e)).unwrap_or_default();
            let reason = first_line(reason.trim_start_matches("other: "));
            // aws-config's SSO token provider keeps its error type private: its words are all
            // there is to tell an expired sign-in from missing keys.
            match reason.contains("SSO token") {
                true => ConnectError::NoSsoSession { profile: profile_in_use(profile), reason: last_cause(&reason) },
                false => ConnectError::NoCredentials(reason),
            }
        }
        SdkError::DispatchFailure(failure) if failure.is_io() || failure.is_other() => {
            let reason = failure.as_connector_error().map_or_else(|| "no connection".to_string(), |e| chain(e));
            ConnectError::Unreachable { endpoint, reason: last_cause(&reason) }
        }
        SdkError::ServiceError(service) if service.err().code().is_some_and(is_throttling) => {
            ConnectError::Throttled { endpoint }
        }
        SdkError::ServiceError(service) => {
            let service = service.err();
            let reason = match (service.code(), service.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (code, _) => code.unwrap_or("refused").to_string(),
            };
            let profile = profile.map(|p| format!(" of profile `{p}`")).unwrap_or_default();
            ConnectError::Refused { profile, reason }
        }
        other => ConnectError::NoCredentials(first_line(&chain(other))),
    }
}

/// The profile the credential chain read: `--profile`, else AWS_PROFILE, else `default`.
fn profile_in_use(profile: Option<&str>) -> String {
    let from_env = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
    profile.map(str::to_string).or(from_env).unwrap_or_else(|| "default".to_string())
}

/// The innermost cause of a one-line error chain (`a: b: c` gives `c`).
fn last_cause(chain: &str) -> String {
    chain.rsplit(": ").next().unwrap_or(chain).to_string()
}

/// The error codes AWS answers a rate limit with.
fn is_throttling(code: &str) -> bool {
    matches!(code, "Throttling" | "ThrottlingException" | "RequestLimitExceeded" | "TooManyRequestsException")
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
        _ => chain(error),
    }
}

/// An error and its causes, in one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
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

    /// STS's answer, as the SDK hands it over.
    fn sts_refusal(code: &str) -> SdkError<aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError, ()> {
        let meta = aws_sdk_sts::error::ErrorMetadata::builder().code(code).message("no").build();
        let error = aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError::generic(meta);
        SdkError::service_error(error, ())
    }

    #[test]
    fn throttling_at_the_first_call_is_said_as_such_not_as_refused_credentials() {
        let said =
            |code| classify(&sts_refusal(code), "sts.eu-west-1.amazonaws.com".into(), Some("ci"), Duration::ZERO);
        assert!(matches!(said("Throttling"), ConnectError::Throttled { .. }));
        assert_eq!(
            said("Throttling").to_string(),
            "sts.eu-west-1.amazonaws.com kept refusing calls as too many (throttled past every retry): try again shortly"
        );
        assert!(matches!(said("InvalidClientTokenId"), ConnectError::Refused { .. }));
    }
}
