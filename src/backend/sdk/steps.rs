//! Starting what deploying leaves stopped (see `model::starts`): planned when the application or
//! job is not running, run after every resource has converged, idempotent.

use std::time::Duration;

use aws_sdk_glue::types::JobRunState;
use aws_sdk_kinesisanalyticsv2::types::ApplicationStatus;

use super::provider::{Clients, wait_for};
use crate::backend::aws::{ApiError, api};
use crate::model::starts::Start;
use crate::plan::{Action, Kind};

pub const FLINK_STEP: &str = "pipe::StartApplication";
pub const GLUE_STEP: &str = "pipe::StartJobRun";
const RUNNING: Duration = Duration::from_secs(15 * 60);

/// A step for each application or job that is not running now.
pub async fn plan(aws: &Clients, starts: &[Start]) -> Result<Vec<Action>, ApiError> {
    let mut actions = Vec::new();
    for start in starts {
        if is_running(aws, start).await? {
            continue;
        }
        let (component, name, resource_type, reason) = match start {
            Start::FlinkApplication { component, name, .. } => {
                (component, name, FLINK_STEP, "deploying leaves a Flink application READY, not running")
            }
            Start::GlueStreamingJob { component, name, .. } => {
                (component, name, GLUE_STEP, "a streaming job reads only while a run of it is RUNNING")
            }
        };
        actions.push(Action {
            kind: Kind::Step,
            component: component.clone(),
            resource: format!("start {}", start.logical_id()),
            resource_type: resource_type.into(),
            physical_id: Some(name.clone()),
            reason: Some(reason.into()),
            ..Action::default()
        });
    }
    Ok(actions)
}

/// Starts it unless it already runs, and waits until it does.
pub async fn run(aws: &Clients, start: &Start) -> Result<(), ApiError> {
    if is_running(aws, start).await? {
        return Ok(());
    }
    match start {
        Start::FlinkApplication { name, .. } => {
            aws.flink.start_application().application_name(name).send().await.map_err(api("StartApplication"))?;
            wait_for("DescribeApplication", RUNNING, || async { Ok(is_running(aws, start).await?.then_some(())) }).await
        }
        Start::GlueStreamingJob { name, .. } => {
            aws.glue.start_job_run().job_name(name).send().await.map_err(api("StartJobRun"))?;
            Ok(())
        }
    }
}

async fn is_running(aws: &Clients, start: &Start) -> Result<bool, ApiError> {
    match start {
        Start::FlinkApplication { name, .. } => {
            let described = aws.flink.describe_application().application_name(name).send().await;
            match described.map_err(api("DescribeApplication")) {
                Ok(out) => {
                    Ok(out.application_detail().map(|d| d.application_status()) == Some(&ApplicationStatus::Running))
                }
                Err(e) if e.is("ResourceNotFoundException") => Ok(false),
                Err(e) => Err(e),
            }
        }
        Start::GlueStreamingJob { name, .. } => {
            let runs = aws.glue.get_job_runs().job_name(name).max_results(10).send().await;
            match runs.map_err(api("GetJobRuns")) {
                Ok(out) => Ok(out.job_runs().iter().any(|run| {
                    matches!(
                        run.job_run_state(),
                        Some(JobRunState::Running | JobRunState::Starting | JobRunState::Waiting)
                    )
                })),
                Err(e) if e.is("EntityNotFoundException") => Ok(false),
                Err(e) => Err(e),
            }
        }
    }
}
