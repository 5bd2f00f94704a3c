//! The steps deploying leaves to pipe (see `model::steps`): each planned when it has something to
//! do, run after every resource has converged, and idempotent.

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_glue::types::JobRunState;
use aws_sdk_kinesisanalyticsv2::types::ApplicationStatus;
use aws_sdk_redshiftdata::types::StatusString;

use super::provider::{Clients, wait_for};
use super::resolve::{Resolver, is_known};
use crate::backend::aws::{ApiError, api};
use crate::model::steps::{Step, Warehouse, WarehouseTable};
use crate::plan::{Action, Kind, Plan, Step as PlanStep};

const FLINK_STEP: &str = "pipe::StartApplication";
const GLUE_STEP: &str = "pipe::StartJobRun";
const TABLE_STEP: &str = "pipe::ExecuteStatement";
const RUNNING: Duration = Duration::from_secs(15 * 60);
const STOPPED: Duration = Duration::from_secs(10 * 60);
const STATEMENT: Duration = Duration::from_secs(10 * 60);

/// A step for each application or job that is not running now (or runs a definition this plan
/// updates), and for each table that does not exist.
pub async fn plan(
    aws: &Clients,
    steps: &[Step],
    resolver: &Resolver<'_>,
    updated: &BTreeSet<&str>,
) -> Result<Vec<Action>, ApiError> {
    let mut actions = Vec::new();
    for step in steps {
        let running = is_running(aws, step).await?;
        let (reason, restarts) = match step {
            Step::StartFlinkApplication { .. } if !running => {
                ("deploying leaves a Flink application READY, not running", false)
            }
            Step::StartGlueJob { .. } if !running => ("a streaming job reads only while a run of it is RUNNING", false),
            Step::StartGlueJob { logical_id, .. } if updated.contains(logical_id.as_str()) => {
                ("a run keeps the definition it started with: pipe stops it after UpdateJob and starts a new one", true)
            }
            Step::CreateTable(table) if !table_exists(aws, table, resolver).await? => (
                "Firehose COPYs into the table, which does not exist yet: pipe runs its DDL through the Redshift Data API",
                false,
            ),
            _ => continue,
        };
        let (resource_type, work) = match step {
            Step::StartFlinkApplication { .. } => (FLINK_STEP, PlanStep::StartFlink),
            Step::StartGlueJob { .. } if restarts => (GLUE_STEP, PlanStep::RestartGlue),
            Step::StartGlueJob { .. } => (GLUE_STEP, PlanStep::StartGlue),
            Step::CreateTable(_) => (TABLE_STEP, PlanStep::RunTableDdl),
        };
        actions.push(Action {
            kind: Kind::Step,
            component: step.component().to_string(),
            resource: if restarts { format!("restart {}", step.logical_id()) } else { step.id() },
            step: Some(work),
            resource_type: resource_type.into(),
            physical_id: Some(physical_id(step)),
            reason: Some(reason.into()),
            ..Action::default()
        });
    }
    Ok(actions)
}

/// What the step works on, as AWS names it.
fn physical_id(step: &Step) -> String {
    match step {
        Step::StartFlinkApplication { name, .. } | Step::StartGlueJob { name, .. } => name.clone(),
        Step::CreateTable(table) => format!("{}.{}", table.database, table.table),
    }
}

/// The plan's action for the model's `step`, when it plans one: the same work on the same thing.
pub fn planned<'p>(plan: &'p Plan, step: &Step) -> Option<&'p Action> {
    plan.actions.iter().find(|action| {
        let same_work = match (action.step, step) {
            (Some(PlanStep::StartFlink), Step::StartFlinkApplication { .. })
            | (Some(PlanStep::StartGlue | PlanStep::RestartGlue), Step::StartGlueJob { .. })
            | (Some(PlanStep::RunTableDdl), Step::CreateTable(_)) => true,
            (Some(_) | None, _) => false,
        };
        same_work && action.physical_id.as_deref() == Some(physical_id(step).as_str())
    })
}

/// Does the step unless it is done already. `restart`: the plan restarts a Glue job whose
/// definition it updates, so a run still going stops first.
pub async fn run(aws: &Clients, step: &Step, resolver: &Resolver<'_>, restart: bool) -> Result<(), ApiError> {
    match step {
        Step::StartGlueJob { name, .. } if restart => stop_job_runs(aws, name).await?,
        Step::CreateTable(table) => return create_table(aws, table, resolver).await,
        _ => {}
    }
    if is_running(aws, step).await? {
        return Ok(());
    }
    match step {
        Step::StartFlinkApplication { name, .. } => {
            aws.flink.start_application().application_name(name).send().await.map_err(api("StartApplication"))?;
            wait_started(aws, name).await
        }
        Step::StartGlueJob { name, .. } => {
            aws.glue.start_job_run().job_name(name).send().await.map_err(api("StartJobRun"))?;
            Ok(())
        }
        Step::CreateTable(_) => Ok(()),
    }
}

/// Waits while the application is STARTING, as terraform-provider-aws's `waitApplicationStarted`
/// does: RUNNING is started, and any other status (READY again, when the job failed to start)
/// ends the wait at once instead of at its deadline.
async fn wait_started(aws: &Clients, name: &str) -> Result<(), ApiError> {
    wait_for("DescribeApplication", RUNNING, || async {
        let described =
            aws.flink.describe_application().application_name(name).send().await.map_err(api("DescribeApplication"))?;
        match described.application_detail().map(|d| d.application_status()) {
            Some(ApplicationStatus::Running) => Ok(Some(())),
            Some(ApplicationStatus::Starting) => Ok(None),
            status => {
                let status = status.map_or("unknown", ApplicationStatus::as_str);
                let why = format!(
                    "application {name} is {status} after StartApplication, not RUNNING: its job did not start; \
                     the application's CloudWatch log stream says why"
                );
                Err(ApiError::new("DescribeApplication", why))
            }
        }
    })
    .await
}

async fn is_running(aws: &Clients, step: &Step) -> Result<bool, ApiError> {
    match step {
        Step::StartFlinkApplication { name, .. } => {
            let described = aws.flink.describe_application().application_name(name).send().await;
            match described.map_err(api("DescribeApplication")) {
                Ok(out) => {
                    Ok(out.application_detail().map(|d| d.application_status()) == Some(&ApplicationStatus::Running))
                }
                Err(e) if e.is("ResourceNotFoundException") => Ok(false),
                Err(e) => Err(e),
            }
        }
        Step::StartGlueJob { name, .. } => Ok(!active_runs(aws, name).await?.is_empty()),
        Step::CreateTable(_) => Ok(false),
    }
}

/// The runs of a Glue job that are starting, running or stopping, as (id, state).
async fn active_runs(aws: &Clients, name: &str) -> Result<Vec<(String, JobRunState)>, ApiError> {
    let runs = match aws.glue.get_job_runs().job_name(name).send().await.map_err(api("GetJobRuns")) {
        Ok(out) => out,
        Err(e) if e.is("EntityNotFoundException") => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(runs
        .job_runs()
        .iter()
        .filter_map(|run| Some((run.id()?.to_string(), run.job_run_state()?.clone())))
        .filter(|(_, state)| {
            matches!(state, JobRunState::Starting | JobRunState::Running | JobRunState::Waiting | JobRunState::Stopping)
        })
        .collect())
}

/// Stops a Glue job's runs and waits until none is active: a streaming job runs until stopped.
pub async fn stop_job_runs(aws: &Clients, name: &str) -> Result<(), ApiError> {
    let active = active_runs(aws, name).await?;
    let to_stop: Vec<String> =
        active.iter().filter(|(_, state)| *state != JobRunState::Stopping).map(|(id, _)| id.clone()).collect();
    if !to_stop.is_empty() {
        aws.glue
            .batch_stop_job_run()
            .job_name(name)
            .set_job_run_ids(Some(to_stop))
            .send()
            .await
            .map_err(api("BatchStopJobRun"))?;
    }
    if active.is_empty() {
        return Ok(());
    }
    wait_for("GetJobRuns", STOPPED, || async { Ok(active_runs(aws, name).await?.is_empty().then_some(())) }).await
}

/// The schema and table the blueprint names (`schema.table`, or a table in any schema).
fn schema_and_table(table: &WarehouseTable) -> (Option<&str>, &str) {
    match table.table.split_once('.') {
        Some((schema, name)) => (Some(schema), name),
        None => (None, table.table.as_str()),
    }
}

/// The admin secret's ARN, unless the warehouse is still to be created.
fn secret(table: &WarehouseTable, resolver: &Resolver<'_>) -> Option<String> {
    Some(resolver.resolve(&table.secret)).filter(is_known).and_then(|v| v.as_str().map(str::to_string))
}

async fn table_exists(aws: &Clients, table: &WarehouseTable, resolver: &Resolver<'_>) -> Result<bool, ApiError> {
    let Some(secret) = secret(table, resolver) else { return Ok(false) };
    let (schema, name) = schema_and_table(table);
    let (workgroup, cluster) = target(&table.warehouse);
    let listed = aws
        .redshift_data
        .list_tables()
        .database(&table.database)
        .set_workgroup_name(workgroup)
        .set_cluster_identifier(cluster)
        .secret_arn(secret)
        .set_schema_pattern(schema.map(str::to_string))
        .table_pattern(name)
        .send()
        .await;
    match listed.map_err(api("ListTables")) {
        Ok(out) => Ok(out.tables().iter().any(|t| t.name() == Some(name))),
        // No warehouse (yet): the table is to be created after it.
        Err(e) if e.is("ResourceNotFoundException") => Ok(false),
        Err(e) => Err(e),
    }
}

fn target(warehouse: &Warehouse) -> (Option<String>, Option<String>) {
    match warehouse {
        Warehouse::Workgroup(name) => (Some(name.clone()), None),
        Warehouse::Cluster(id) => (None, Some(id.clone())),
    }
}

/// Runs the table's DDL, one statement after the other, unless the table exists; then checks that
/// the DDL created the table the blueprint names.
async fn create_table(aws: &Clients, table: &WarehouseTable, resolver: &Resolver<'_>) -> Result<(), ApiError> {
    if table_exists(aws, table, resolver).await? {
        return Ok(());
    }
    let secret = secret(table, resolver).ok_or_else(|| {
        ApiError::new("ExecuteStatement", format!("the admin secret of {} is unknown", table.logical_id))
    })?;
    let (workgroup, cluster) = target(&table.warehouse);
    for sql in &table.statements {
        let sent = aws
            .redshift_data
            .execute_statement()
            .database(&table.database)
            .set_workgroup_name(workgroup.clone())
            .set_cluster_identifier(cluster.clone())
            .secret_arn(&secret)
            .statement_name(format!("pipe: create table {}", table.table))
            .sql(sql)
            .send()
            .await
            .map_err(api("ExecuteStatement"))?;
        let id = sent.id().unwrap_or_default().to_string();
        wait_for("DescribeStatement", STATEMENT, || async {
            let described =
                aws.redshift_data.describe_statement().id(&id).send().await.map_err(api("DescribeStatement"))?;
            match described.status() {
                Some(StatusString::Finished) => Ok(Some(())),
                Some(StatusString::Failed | StatusString::Aborted) => Err(ApiError::new(
                    "ExecuteStatement",
                    format!("{} failed: {}", table.ddl, described.error().unwrap_or("no reason given")),
                )),
                _ => Ok(None),
            }
        })
        .await?;
    }
    if table_exists(aws, table, resolver).await? {
        return Ok(());
    }
    Err(ApiError::new(
        "ListTables",
        format!(
            "{} ran, but there is no table `{}` in {}: check that it creates that table",
            table.ddl, table.table, table.database
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sdk::replay::Replay;

    #[tokio::test]
    async fn a_flink_application_back_to_ready_after_starting_fails_at_once() {
        let replay = Replay::start(include_str!("../../../tests/recorded/flink-start-falls-back-to-ready.json")).await;
        let started = std::time::Instant::now();
        let name = "pipe-dev-sensor-anomaly-detect";
        let sent = replay.clients.flink.start_application().application_name(name).send().await;
        sent.map_err(api("StartApplication")).expect("accepted");
        let error = wait_started(&replay.clients, name).await.expect_err("the job did not start");
        replay.finish();
        assert_eq!(error.operation, "DescribeApplication");
        assert!(
            error.message.starts_with("application pipe-dev-sensor-anomaly-detect is READY after StartApplication")
        );
        assert!(started.elapsed() < Duration::from_secs(5), "waited {:?}", started.elapsed());
    }
}
