//! What the engine asks of each resource type family: read the live resource in the template's
//! shape, create, update in place, delete. One file per family under `providers/`.

use async_trait::async_trait;
use serde_json::{Map, Value};

use super::resolve::Handle;
use crate::backend::aws::{Account, ApiError};
use crate::plan::Change;

/// The service clients, built once from the shared configuration.
pub struct Clients {
    pub account: Account,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub emr: aws_sdk_emr::Client,
    pub firehose: aws_sdk_firehose::Client,
    pub flink: aws_sdk_kinesisanalyticsv2::Client,
    pub glue: aws_sdk_glue::Client,
    pub iam: aws_sdk_iam::Client,
    pub kafka: aws_sdk_kafka::Client,
    pub kinesis: aws_sdk_kinesis::Client,
    pub kms: aws_sdk_kms::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub opensearch: aws_sdk_opensearch::Client,
    pub redshift: aws_sdk_redshift::Client,
    pub redshift_data: aws_sdk_redshiftdata::Client,
    pub redshift_serverless: aws_sdk_redshiftserverless::Client,
    pub s3: aws_sdk_s3::Client,
    pub sagemaker: aws_sdk_sagemaker::Client,
    pub secrets: aws_sdk_secretsmanager::Client,
    pub sns: aws_sdk_sns::Client,
    pub tagging: aws_sdk_resourcegroupstagging::Client,
}

impl Clients {
    pub fn new(account: Account) -> Self {
        let config = &account.config;
        Clients {
            cloudwatch: aws_sdk_cloudwatch::Client::new(config),
            dynamodb: aws_sdk_dynamodb::Client::new(config),
            emr: aws_sdk_emr::Client::new(config),
            firehose: aws_sdk_firehose::Client::new(config),
            flink: aws_sdk_kinesisanalyticsv2::Client::new(config),
            glue: aws_sdk_glue::Client::new(config),
            iam: aws_sdk_iam::Client::new(config),
            kafka: aws_sdk_kafka::Client::new(config),
            kinesis: aws_sdk_kinesis::Client::new(config),
            kms: aws_sdk_kms::Client::new(config),
            lambda: aws_sdk_lambda::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
            opensearch: aws_sdk_opensearch::Client::new(config),
            redshift: aws_sdk_redshift::Client::new(config),
            redshift_data: aws_sdk_redshiftdata::Client::new(config),
            redshift_serverless: aws_sdk_redshiftserverless::Client::new(config),
            // Path-style addressing: bucket names with dots, and local endpoints, have no
            // virtual-host certificate.
            s3: aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(config).force_path_style(true).build()),
            sagemaker: aws_sdk_sagemaker::Client::new(config),
            secrets: aws_sdk_secretsmanager::Client::new(config),
            sns: aws_sdk_sns::Client::new(config),
            tagging: aws_sdk_resourcegroupstagging::Client::new(config),
            account,
        }
    }
}

/// The resource as the blueprint wants it, intrinsics resolved.
#[derive(Debug, Clone)]
pub struct Desired {
    pub logical_id: String,
    pub resource_type: &'static str,
    /// The name AWS knows it by: its name property, or one pipe derives from the logical id.
    pub name: String,
    /// Template-shaped properties. `Tags` (when the type has them) already carry `pipe:applied`.
    pub properties: Map<String, Value>,
}

impl Desired {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.properties.get(key)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        self.properties.get(key).and_then(Value::as_str)
    }

    pub fn i32(&self, key: &str) -> Option<i32> {
        self.properties.get(key).and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok())
    }

    /// `Tags` as key/value pairs, in either template form (a list of `{Key, Value}` or a map).
    pub fn tags(&self) -> Vec<(String, String)> {
        tag_pairs(self.properties.get("Tags"))
    }
}

/// The resource as it is in AWS.
#[derive(Debug, Clone, Default)]
pub struct Live {
    pub handle: Handle,
    /// Normalised into the template's shape, for the properties pipe sets.
    pub properties: Map<String, Value>,
}

#[async_trait]
pub trait Provider: Send + Sync {
    /// Finds the resource by the desired name; `None` when it does not exist.
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError>;

    /// Creates the resource and waits until it is usable.
    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError>;

    /// Properties the service's update calls cannot change, beyond those `plan::diff` already
    /// says replace the resource: on this target a change to one replaces it.
    fn fixed(&self) -> &'static [&'static str] {
        &[]
    }

    /// Whether a replacement creates the new resource first and deletes the old one only after
    /// the rest of the apply has run. For types whose new version has a name of its own and whose
    /// users switch to it in their own update: a SageMaker endpoint keeps using its model and
    /// endpoint configuration until UpdateEndpoint moves it, so deleting them first would pull
    /// them from under it.
    fn creates_before_deleting(&self) -> bool {
        false
    }

    /// Top-level properties AWS does not give back as the template has them, which a read knows
    /// only from a record the SDK target keeps (a tag): absent from a resource another deployer
    /// made, they are unknown rather than unset.
    fn recorded_only(&self) -> &'static [&'static str] {
        &[]
    }

    /// Top-level properties a read reports only when they are set, which the blueprint clears by
    /// leaving them out: leaving one out is a change to nothing, which `update` carries out.
    fn cleared_when_absent(&self) -> &'static [&'static str] {
        &[]
    }

    /// Applies `changes` (none of which forces replacement) in place and waits: exactly what the
    /// plan showed, read with [`touched`]; values come from `desired`, as changes mask secrets.
    async fn update(&self, aws: &Clients, desired: &Desired, live: &Live, changes: &[Change])
    -> Result<Live, ApiError>;

    /// Deletes the resource and waits until it is gone.
    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError>;

    /// Names of the resources of this type that start with `prefix`, for finding what an earlier
    /// version of the blueprint created and this one no longer has. Types pipe cannot list by
    /// name return none.
    async fn names(&self, _aws: &Clients, _prefix: &str) -> Result<Vec<String>, ApiError> {
        Ok(Vec::new())
    }

    /// The tags that say which pipeline and component the resource is part of: its own `Tags`.
    /// A type that carries none answers with those of the resource it serves.
    async fn owner_tags(&self, _aws: &Clients, live: &Live) -> Result<Vec<(String, String)>, ApiError> {
        Ok(tag_pairs(live.properties.get("Tags")))
    }

    /// The resources of this unnamed type that belong to `parent`, for finding those the
    /// blueprint no longer has. Types pipe cannot list by parent return none.
    async fn children(&self, _aws: &Clients, _parent: &Live) -> Result<Vec<Live>, ApiError> {
        Ok(Vec::new())
    }

    /// The calls an update takes when it is more than one, for the plan to show.
    fn steps(&self, _live: &Live, _changes: &[Change]) -> Vec<String> {
        Vec::new()
    }
}

/// `[{Key, Value}]` or `{key: value}` as pairs; anything else as none.
pub fn tag_pairs(tags: Option<&Value>) -> Vec<(String, String)> {
    match tags {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|t| Some((t.get("Key")?.as_str()?.to_string(), t.get("Value")?.as_str()?.to_string())))
            .collect(),
        Some(Value::Object(map)) => {
            map.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect()
        }
        _ => Vec::new(),
    }
}

/// The handle attribute a read sets when the resource is broken in AWS (a create or an operation
/// failed and left it so): what failed, in the service's words.
const FAILED: &str = "pipe:failed";

/// Marks `live` as broken in AWS: the plan replaces it instead of reading it as healthy.
pub fn mark_failed(live: &mut Live, what: String) {
    live.handle.attributes.insert(FAILED.into(), Value::String(what));
}

/// What left `live` broken, when a read found it so.
pub fn failure(live: &Live) -> Option<&str> {
    live.handle.attributes.get(FAILED).and_then(Value::as_str)
}

/// Pairs as the template's `[{Key, Value}]` list.
pub fn tag_list(pairs: impl IntoIterator<Item = (String, String)>) -> Value {
    Value::Array(pairs.into_iter().map(|(k, v)| serde_json::json!({ "Key": k, "Value": v })).collect())
}

/// Converges one resource's tags from `live` to `desired` (template `Tags`, either form), the one
/// way every provider does: `untag` (the call's name, and the call) gets the keys no longer
/// wanted, `tag` the pairs to add or change, at most `batch` at a time (the API's limit per
/// call). Neither runs with nothing to do.
pub async fn converge_tags<U, UF, UO, UE, T, TF, TO, TE>(
    live: Option<&Value>,
    desired: Option<&Value>,
    batch: usize,
    (untagging, untag): (&'static str, U),
    (tagging, mut tag): (&'static str, T),
) -> Result<(), ApiError>
where
    U: FnOnce(Vec<String>) -> UF,
    UF: std::future::Future<Output = Result<UO, UE>>,
    UE: Reported,
    T: FnMut(Vec<(String, String)>) -> TF,
    TF: std::future::Future<Output = Result<TO, TE>>,
    TE: Reported,
{
    let (live, desired) = (tag_pairs(live), tag_pairs(desired));
    let remove: Vec<String> =
        live.iter().filter(|(k, _)| !desired.iter().any(|(d, _)| d == k)).map(|(k, _)| k.clone()).collect();
    if !remove.is_empty() {
        untag(remove).await.map_err(|e| e.reported(untagging))?;
    }
    let add: Vec<(String, String)> = desired.into_iter().filter(|pair| !live.contains(pair)).collect();
    for chunk in add.chunks(batch.max(1)) {
        tag(chunk.to_vec()).await.map_err(|e| e.reported(tagging))?;
    }
    Ok(())
}

/// An error a call can end with, as pipe reports it: an SDK error named after its call, or an
/// [`ApiError`] already made.
pub trait Reported {
    fn reported(self, operation: &'static str) -> ApiError;
}

impl<E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static> Reported for E {
    fn reported(self, operation: &'static str) -> ApiError {
        crate::backend::aws::api(operation)(self)
    }
}

impl Reported for ApiError {
    fn reported(self, _operation: &'static str) -> ApiError {
        self
    }
}

/// No limit on the tags one call sets.
pub const ALL_TAGS: usize = usize::MAX;

/// A read's answer with the service's "no such resource" (`missing`) as `None`, the one way
/// providers tell absent from failed.
pub fn found<T>(read: Result<T, ApiError>, missing: impl Fn(&ApiError) -> bool) -> Result<Option<T>, ApiError> {
    match read {
        Ok(answer) => Ok(Some(answer)),
        Err(e) if missing(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether `changes` touch `key`: a top-level property, or a path inside one, written as
/// `plan::diff` writes paths (`A.B`, `A[0].B`).
pub fn touched(changes: &[Change], key: &str) -> bool {
    changes.iter().any(|c| crate::plan::diff::within(&c.path, key))
}

/// Converges an existing resource to `desired` with the changes a plan would show: after an
/// adopt, or a create that sets the rest of its settings with update calls.
pub async fn converge(
    provider: &(dyn Provider + '_),
    aws: &Clients,
    desired: &Desired,
    live: &Live,
) -> Result<Live, ApiError> {
    let changes = super::changes(provider, desired.resource_type, &desired.properties, live);
    provider.update(aws, desired, live, &changes).await
}

/// How a create ends when the service may answer that the resource already exists (a retry after
/// a lost response, or a run killed after the call; `exists` names those error codes): that is no
/// failure. Either way, read what is there and converge it to `desired`.
pub async fn adopt<T: Send>(
    provider: &(dyn Provider + '_),
    aws: &Clients,
    desired: &Desired,
    created: Result<T, ApiError>,
    exists: &[&str],
) -> Result<Live, ApiError> {
    crate::backend::aws::tolerate(created, exists)?;
    // A resource just created may read as absent for a while (IAM roles, Glue): read again until
    // it shows, as terraform-provider-aws does after every create (RetryWhenNewResourceNotFound).
    let limit = super::propagation::NEW_RESOURCE;
    let live = wait_for("read", limit, || provider.read(aws, desired)).await.map_err(|e| {
        if e.operation != "read" {
            return e;
        }
        let what =
            format!("{} {} is not there {} s after creating it", desired.resource_type, desired.name, limit.as_secs());
        ApiError::new("read", what)
    })?;
    converge(provider, aws, desired, &live).await
}

/// Every item of a paginated listing: `page` lists the page a token names (the first for `None`)
/// and returns its items and the next page's token, `None` after the last.
pub async fn list_all<T, F, Fut>(mut page: F) -> Result<Vec<T>, ApiError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), ApiError>>,
{
    let mut items = Vec::new();
    let mut token = None;
    loop {
        let (listed, next) = page(token).await?;
        items.extend(listed);
        token = next;
        if token.is_none() {
            return Ok(items);
        }
    }
}

/// Polls `check` with growing pauses (0.2 s to 10 s) until it returns `Some`, for at most
/// `limit`: the services pipe creates have no SDK waiters of their own.
pub async fn wait_for<T, F, Fut>(what: &'static str, limit: std::time::Duration, mut check: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, ApiError>>,
{
    let start = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(200);
    loop {
        if let Some(done) = check().await? {
            return Ok(done);
        }
        if start.elapsed() > limit {
            return Err(ApiError::new(what, format!("still not ready after {} s", limit.as_secs())));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(std::time::Duration::from_secs(10));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::backend::sdk::replay::Replay;

    /// A role IAM reports as absent for its first two reads after creating it.
    struct SlowToShow {
        reads: AtomicUsize,
    }

    #[async_trait]
    impl Provider for SlowToShow {
        async fn read(&self, _aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
            let read = self.reads.fetch_add(1, Ordering::SeqCst) + 1;
            Ok((read > 2).then(|| Live { handle: Handle::default(), properties: desired.properties.clone() }))
        }
        async fn create(&self, _aws: &Clients, _desired: &Desired) -> Result<Live, ApiError> {
            unreachable!("adopt only reads and updates")
        }
        async fn update(&self, _: &Clients, _: &Desired, live: &Live, _: &[Change]) -> Result<Live, ApiError> {
            Ok(live.clone())
        }
        async fn delete(&self, _aws: &Clients, _live: &Live) -> Result<(), ApiError> {
            unreachable!("adopt never deletes")
        }
    }

    #[tokio::test]
    async fn a_resource_that_reads_as_absent_just_after_its_create_is_read_again() {
        let replay = Replay::start(r#"{ "exchanges": [] }"#).await;
        let provider = SlowToShow { reads: AtomicUsize::new(0) };
        let desired = Desired {
            logical_id: "EnrichRole".into(),
            resource_type: "AWS::IAM::Role",
            name: "pipe-dev-EnrichRole".into(),
            properties: Map::new(),
        };
        let created: Result<(), ApiError> = Ok(());
        let live = adopt(&provider, &replay.clients, &desired, created, &["EntityAlreadyExists"]).await;
        replay.finish();
        assert!(live.is_ok(), "{live:?}");
        assert_eq!(provider.reads.load(Ordering::SeqCst), 3);
    }
}
