//! Long operations followed by the id the service returned for them (MSK's ClusterOperationArn,
//! OpenSearch's change id), not by the resource's own status: a status polled right after the
//! call may still show the state from before it, and only the operation says how it ended.

use std::time::Duration;

use super::provider::wait_for;
use crate::backend::aws::ApiError;

/// Where an operation stands, as its describe call answers.
pub enum Progress {
    Running,
    Succeeded,
    /// Ended without doing what was asked: the service's own words.
    Failed(String),
}

/// Polls `status` (named `call` in errors) until the operation `id` on `resource` has ended, for
/// at most `limit`; a failed end is an error carrying the service's reason.
pub async fn follow<F, Fut>(
    call: &'static str,
    resource: &str,
    id: &str,
    limit: Duration,
    mut status: F,
) -> Result<(), ApiError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Progress, ApiError>>,
{
    wait_for(call, limit, || {
        let polled = status();
        async move {
            match polled.await? {
                Progress::Running => Ok(None),
                Progress::Succeeded => Ok(Some(())),
                Progress::Failed(why) => Err(ApiError::new(call, format!("{resource}: operation {id} failed: {why}"))),
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn an_operation_is_followed_until_it_ends_and_a_failure_keeps_the_services_words() {
        let polls = Cell::new(0);
        let ended = follow("DescribeClusterOperationV2", "cluster logs", "op-1", Duration::from_secs(60), || {
            polls.set(polls.get() + 1);
            let progress = if polls.get() < 3 { Progress::Running } else { Progress::Succeeded };
            async move { Ok(progress) }
        })
        .await;
        assert!(ended.is_ok());
        assert_eq!(polls.get(), 3);

        let failed = follow("DescribeClusterOperationV2", "cluster logs", "op-2", Duration::from_secs(60), || async {
            Ok(Progress::Failed("InsufficientCapacity: no m7g.large brokers in us-east-1a".into()))
        })
        .await
        .unwrap_err();
        assert_eq!(failed.operation, "DescribeClusterOperationV2");
        assert_eq!(
            failed.message,
            "cluster logs: operation op-2 failed: InsufficientCapacity: no m7g.large brokers in us-east-1a"
        );
    }
}
