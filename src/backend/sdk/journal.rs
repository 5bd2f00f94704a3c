//! What an apply set out to converge and has not finished, beside the lease in the artifacts
//! bucket. A resource pipe tagged with its configuration and left unlike it is either one an
//! apply stopped on (killed, interrupted, failed) or one changed outside pipe: the journal tells
//! the two apart, so the next plan says "unfinished" rather than "drift".

use std::collections::BTreeSet;

use aws_sdk_s3::primitives::ByteStream;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::provider::Clients;
use crate::backend::aws::{ApiError, api};
use crate::backend::{Done, epoch_seconds};

/// What the journal object holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// When the apply began (Unix seconds).
    pub started: u64,
    /// Resources (logical ids) the apply was to converge and has not finished.
    pub pending: BTreeSet<String>,
}

/// The journal of a running apply: what is pending, and what is done, as it goes.
pub struct Journal {
    bucket: String,
    key: String,
    record: Mutex<Record>,
    done: std::sync::Mutex<Vec<Done>>,
}

fn key(pipeline: &str) -> String {
    format!("pipe/{pipeline}/apply.journal.json")
}

impl Journal {
    /// Records that an apply is to converge `pending`.
    pub async fn begin(
        aws: &Clients,
        bucket: &str,
        pipeline: &str,
        pending: BTreeSet<String>,
    ) -> Result<Journal, ApiError> {
        let started = epoch_seconds();
        let journal = Journal {
            bucket: bucket.to_string(),
            key: key(pipeline),
            record: Mutex::new(Record { started, pending }),
            done: std::sync::Mutex::new(Vec::new()),
        };
        journal.write(aws, &*journal.record.lock().await).await?;
        Ok(journal)
    }

    /// Records `done`, and that its resource, if pending, is pending no more. The journal only
    /// tells unfinished work from drift, so a write that fails does not stop the apply: the
    /// resource stays listed, and at worst a later plan calls a finished resource unfinished.
    pub async fn finished(&self, aws: &Clients, done: Done) {
        let mut record = self.record.lock().await;
        let was_pending = record.pending.remove(&done.resource);
        self.done.lock().expect("the journal's list is never poisoned").push(done);
        if was_pending {
            let _ = self.write(aws, &record).await;
        }
    }

    /// What was done so far, in order.
    pub fn done(&self) -> Vec<Done> {
        self.done.lock().expect("the journal's list is never poisoned").clone()
    }

    /// The apply converged everything: nothing is left unfinished.
    pub async fn end(self, aws: &Clients) -> Result<(), ApiError> {
        aws.s3.delete_object().bucket(&self.bucket).key(&self.key).send().await.map_err(api("DeleteObject"))?;
        Ok(())
    }

    async fn write(&self, aws: &Clients, record: &Record) -> Result<(), ApiError> {
        let body = serde_json::to_vec(record).expect("journal records serialise");
        aws.s3
            .put_object()
            .bucket(&self.bucket)
            .key(&self.key)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(api("PutObject"))?;
        Ok(())
    }
}

/// The journal an apply left, if one stopped before it finished (or one is running now).
pub async fn read(aws: &Clients, bucket: &str, pipeline: &str) -> Result<Option<Record>, ApiError> {
    let answer = aws.s3.get_object().bucket(bucket).key(key(pipeline)).send().await.map_err(api("GetObject"));
    let object = match answer {
        Ok(object) => object,
        Err(e) if e.is("NoSuchKey") || e.is("NoSuchBucket") => return Ok(None),
        Err(e) => return Err(e),
    };
    let bytes = object.body.collect().await.map_err(|e| ApiError::new("GetObject", e.to_string()))?.into_bytes();
    // A journal this pipe cannot read tells nothing: as if there were none.
    Ok(serde_json::from_slice(&bytes).ok())
}
