//! One apply of a pipeline at a time, across machines: a lease object in the artifacts bucket,
//! taken with a conditional write (S3 `If-None-Match: *`) and renewed while the apply runs.
//! A lease whose holder stopped renewing (killed, machine gone) expires; one held by a dead
//! process on this same machine is taken over at once.

use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;
use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;

use super::provider::Clients;
use crate::backend::aws::{ApiError, api};
use crate::backend::epoch_seconds;

const LEASE: Duration = Duration::from_secs(120);
const RENEW_EVERY: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Holder {
    pub host: String,
    pub pid: u32,
    pub started: u64,
    pub expires: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another `pipe apply` of `{pipeline}` is running (host {}, process {}, for {} s); wait for it to finish, or, if it died, its lease expires in {} s",
        holder.host, holder.pid, epoch_seconds().saturating_sub(holder.started), holder.expires.saturating_sub(epoch_seconds())
    )]
    Held { pipeline: String, holder: Holder },
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// A held lease: renewed in the background until [`Lease::release`].
pub struct Lease {
    bucket: String,
    key: String,
    renewal: JoinHandle<()>,
}

fn holder() -> Holder {
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    Holder { host, pid: std::process::id(), started: epoch_seconds(), expires: epoch_seconds() + LEASE.as_secs() }
}

/// Takes the pipeline's lease, or says who holds it.
pub async fn acquire(aws: std::sync::Arc<Clients>, bucket: &str, pipeline: &str) -> Result<Lease, LockError> {
    let key = format!("pipe/{pipeline}/apply.lock");
    let me = holder();
    for _ in 0..2 {
        let body = serde_json::to_vec(&me).expect("holders serialise");
        let put =
            aws.s3.put_object().bucket(bucket).key(&key).if_none_match("*").body(ByteStream::from(body)).send().await;
        match put {
            Ok(_) => {
                let renewal = tokio::spawn(renew(aws.clone(), bucket.to_string(), key.clone(), me));
                return Ok(Lease { bucket: bucket.to_string(), key, renewal });
            }
            Err(e) if e.raw_response().is_some_and(|r| matches!(r.status().as_u16(), 409 | 412)) => {
                let current = read(&aws, bucket, &key).await?;
                match current {
                    Some(other) if !is_stale(&other) => {
                        return Err(LockError::Held { pipeline: pipeline.to_string(), holder: other });
                    }
                    // Stale or gone: clear it and try once more.
                    _ => {
                        aws.s3.delete_object().bucket(bucket).key(&key).send().await.map_err(api("DeleteObject"))?;
                    }
                }
            }
            Err(e) => return Err(api("PutObject")(e).into()),
        }
    }
    let holder = read(&aws, bucket, &key).await?.unwrap_or_else(holder);
    Err(LockError::Held { pipeline: pipeline.to_string(), holder })
}

impl Lease {
    pub async fn release(self, aws: &Clients) -> Result<(), ApiError> {
        self.renewal.abort();
        aws.s3.delete_object().bucket(&self.bucket).key(&self.key).send().await.map_err(api("DeleteObject"))?;
        Ok(())
    }
}

async fn renew(aws: std::sync::Arc<Clients>, bucket: String, key: String, mut me: Holder) {
    loop {
        tokio::time::sleep(RENEW_EVERY).await;
        me.expires = epoch_seconds() + LEASE.as_secs();
        let body = serde_json::to_vec(&me).expect("holders serialise");
        let _ = aws.s3.put_object().bucket(&bucket).key(&key).body(ByteStream::from(body)).send().await;
    }
}

async fn read(aws: &Clients, bucket: &str, key: &str) -> Result<Option<Holder>, ApiError> {
    match aws.s3.get_object().bucket(bucket).key(key).send().await {
        Ok(out) => {
            let bytes = out.body.collect().await.map(|b| b.into_bytes()).unwrap_or_default();
            Ok(serde_json::from_slice(&bytes).ok())
        }
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => Ok(None),
        Err(e) => Err(api("GetObject")(e)),
    }
}

/// Expired, or held by a process of this machine that no longer runs.
fn is_stale(holder: &Holder) -> bool {
    if holder.expires < epoch_seconds() {
        return true;
    }
    let this_host = gethostname::gethostname().to_string_lossy() == holder.host.as_str();
    this_host && holder.pid != std::process::id() && !process_alive(holder.pid)
}

/// Without `/proc` (macOS) a process cannot be checked cheaply: take it as alive and let the
/// lease expire.
fn process_alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists() || !std::path::Path::new("/proc/self").exists()
}
