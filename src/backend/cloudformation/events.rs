//! Following a stack while CloudFormation works on it: each resource's events as progress, until
//! the stack reaches a status that ends the operation; on failure, the root cause.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::types::{ResourceStatus, Stack, StackEvent};

use crate::backend::aws::{ApiError, api};
use crate::backend::{Done, Progress};

/// How a stack operation ended.
pub struct Ended {
    pub status: String,
    /// What completed, per resource, in the order it did.
    pub done: Vec<Done>,
    /// The first failures and their reasons: what to fix, not the cascade after it.
    pub causes: Vec<String>,
}

/// Whether `status` ends an operation (nothing is in progress).
pub fn is_settled(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS")
}

/// Follows stack `stack` (its id, which outlives a deleted stack's name) until its status
/// settles on a status its own events after `marker` (the newest event before the operation,
/// from [`newest`]) also show, reporting each resource event after the marker to `progress`.
/// A marker, not a time: the local clock need not agree with AWS's.
pub async fn follow(
    cfn: &Client,
    stack: &str,
    marker: Option<String>,
    limit: Duration,
    progress: &dyn Progress,
) -> Result<Ended, ApiError> {
    let began = Instant::now();
    let mut seen = HashSet::new();
    let mut done = Vec::new();
    let mut failures = Vec::new();
    let mut started: std::collections::HashMap<String, Instant> = Default::default();
    let mut pause = Duration::from_millis(500);
    // The stack's own latest status among the events after the marker: a status read right
    // after the call may still be the one from before it, and only this one is the operation's.
    let mut own = None;
    loop {
        let found = describe(cfn, stack).await?;
        let gone = found.is_none();
        let status = found.and_then(|s| s.stack_status().map(|s| s.as_str().to_string()));
        let status = status.unwrap_or_else(|| "DELETE_COMPLETE".into());
        for event in new_events(cfn, stack, marker.as_deref(), &mut seen).await? {
            let (Some(id), Some(state)) = (event.logical_resource_id(), event.resource_status()) else { continue };
            if Some(id) == event.stack_name() {
                own = Some(state.as_str().to_string());
                continue;
            }
            let text = state.as_str();
            if text.ends_with("_IN_PROGRESS") {
                started.entry(id.to_string()).or_insert_with(Instant::now);
                progress.started(id, &doing(state));
            } else if text.ends_with("_FAILED") {
                let reason = event.resource_status_reason().unwrap_or("no reason given");
                progress.failed(id, reason);
                if !is_cascade(reason) {
                    failures.push(format!("{id} {text}: {reason}"));
                }
            } else if text.ends_with("_COMPLETE") || text.ends_with("_SKIPPED") {
                let elapsed = started.remove(id).map_or(Duration::ZERO, |t| t.elapsed());
                progress.finished(id, &text.to_lowercase().replace('_', " "), elapsed);
                done.push(Done { resource: id.to_string(), what: past(state), elapsed });
            }
        }
        if is_settled(&status) && (gone || own.as_deref() == Some(status.as_str())) {
            return Ok(Ended { status, done, causes: failures });
        }
        if began.elapsed() > limit {
            return Err(ApiError::new(
                "DescribeStacks",
                format!("stack still {status} after {} minutes", limit.as_secs() / 60),
            ));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(5));
    }
}

/// The stack named (or with the id) `stack`; `None` when there is none.
pub async fn describe(cfn: &Client, stack: &str) -> Result<Option<Stack>, ApiError> {
    match cfn.describe_stacks().stack_name(stack).send().await.map_err(api("DescribeStacks")) {
        Ok(out) => Ok(out.stacks().first().cloned()),
        Err(e) if e.message.contains("does not exist") => Ok(None),
        Err(e) => Err(e),
    }
}

/// The id of the stack's newest event; `None` for a stack that does not exist yet.
pub async fn newest(cfn: &Client, stack: &str) -> Result<Option<String>, ApiError> {
    let sent = cfn.describe_stack_events().stack_name(stack).send().await.map_err(api("DescribeStackEvents"));
    match sent {
        Ok(page) => Ok(page.stack_events().first().and_then(|e| e.event_id()).map(str::to_string)),
        Err(e) if e.message.contains("does not exist") => Ok(None),
        Err(e) => Err(e),
    }
}

/// Events after `marker` not reported yet, oldest first.
async fn new_events(
    cfn: &Client,
    stack: &str,
    marker: Option<&str>,
    seen: &mut HashSet<String>,
) -> Result<Vec<StackEvent>, ApiError> {
    let mut fresh = Vec::new();
    let mut token = None;
    'pages: loop {
        let page = match cfn
            .describe_stack_events()
            .stack_name(stack)
            .set_next_token(token)
            .send()
            .await
            .map_err(api("DescribeStackEvents"))
        {
            Ok(page) => page,
            Err(e) if e.message.contains("does not exist") => break,
            Err(e) => return Err(e),
        };
        // Newest first: stop at the marker, or at the events already reported.
        for event in page.stack_events() {
            let id = event.event_id().unwrap_or_default();
            if Some(id) == marker || seen.contains(id) {
                break 'pages;
            }
            seen.insert(id.to_string());
            fresh.push(event.clone());
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    fresh.reverse();
    Ok(fresh)
}

/// Failures CloudFormation reports because another resource failed first.
fn is_cascade(reason: &str) -> bool {
    reason.contains("Resource creation cancelled")
        || reason.contains("Resource update cancelled")
        || reason.contains("The following resource(s) failed")
}

fn doing(status: &ResourceStatus) -> String {
    match status {
        ResourceStatus::CreateInProgress => "creating",
        ResourceStatus::UpdateInProgress => "updating",
        ResourceStatus::DeleteInProgress => "deleting",
        ResourceStatus::ImportInProgress => "importing",
        _ => "rolling back",
    }
    .to_string()
}

fn past(status: &ResourceStatus) -> &'static str {
    match status {
        ResourceStatus::CreateComplete => "created",
        ResourceStatus::UpdateComplete => "updated",
        ResourceStatus::DeleteComplete => "deleted",
        ResourceStatus::DeleteSkipped => "kept",
        ResourceStatus::ImportComplete => "imported",
        _ => "rolled back",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_resource_is_not_a_cause() {
        assert!(is_cascade("Resource creation cancelled"));
        assert!(is_cascade("The following resource(s) failed to create: [EnrichFunction]."));
        assert!(!is_cascade("Resource handler returned message: \"Invalid request provided: BatchSize\""));
    }

    struct Quiet;

    impl Progress for Quiet {
        fn started(&self, _: &str, _: &str) {}
        fn finished(&self, _: &str, _: &str, _: Duration) {}
        fn failed(&self, _: &str, _: &str) {}
    }

    #[tokio::test]
    async fn a_stale_status_before_the_first_event_does_not_end_the_operation() {
        let replay = crate::backend::sdk::replay::Replay::start(include_str!(
            "../../../tests/recorded/cloudformation-stale-status.json"
        ))
        .await;
        let cfn = Client::new(&replay.account.config);
        let stack = "arn:aws:cloudformation:eu-west-1:123456789012:stack/pipe-io/5e3b8c10-8f1d-11f0-9a4c-0a1b2c3d4e5f";
        let ended = follow(&cfn, stack, Some("e9-before".into()), Duration::from_secs(60), &Quiet).await;
        replay.finish();
        let ended = ended.expect("followed");
        assert_eq!(ended.status, "UPDATE_COMPLETE");
        let done: Vec<&str> = ended.done.iter().map(|d| d.resource.as_str()).collect();
        assert_eq!(done, ["SignupsStream"], "the update's own events, not the status from before it");
    }

    #[test]
    fn an_operation_ends_when_nothing_is_in_progress() {
        assert!(is_settled("UPDATE_ROLLBACK_COMPLETE") && is_settled("UPDATE_COMPLETE"));
        assert!(!is_settled("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"));
    }
}
