//! Converging: runs a plan's actions in dependency order, independent resources in parallel
//! (bounded), under the pipeline's lease; and destroys a pipeline in reverse order.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::task::JoinSet;

use super::journal::Journal;
use super::provider::{Clients, Desired, Live, Provider, tag_list, tag_pairs};
use super::{APPLIED_TAG, Engine, State, applied_hash, artifacts, lock, providers, steps};
use crate::backend::aws::ApiError;
use crate::backend::{ApplyError, Done, Options, Progress};
use crate::plan::{Kind, Plan, Step};

/// What converging the resources leaves for the steps and the leftovers after them.
struct Converged {
    done: Vec<Done>,
    /// What each converged resource is referred to by.
    handles: HashMap<String, crate::backend::sdk::resolve::Handle>,
    /// Replaced resources whose provider made the new one first: the old one, to delete last.
    superseded: HashMap<String, Live>,
    /// The resources in dependency order.
    order: Vec<String>,
}

/// The delete that stopped a destroy.
struct NotDeleted {
    resource: String,
    resource_type: String,
    error: ApiError,
}

/// One resource's task: everything it needs, owned, so it can run on its own.
struct Task {
    id: String,
    kind: Kind,
    provider: &'static dyn Provider,
    desired: Desired,
    live: Option<Live>,
    changes: Vec<crate::plan::Change>,
}

impl Engine<'_> {
    /// Applies `plan`, made from `state`. Data-losing actions need `allow_data_loss`.
    pub async fn apply(
        &self,
        plan: &Plan,
        state: &State,
        options: Options,
        progress: &dyn Progress,
    ) -> Result<Vec<Done>, ApplyError> {
        plan.refuse_data_loss(options.allow_data_loss)?;
        let bucket = artifacts::bucket_name(&self.aws.account);
        artifacts::ensure_bucket(&self.aws, &bucket)
            .await
            .map_err(|error| ApplyError::Setup { what: "creating the artifacts bucket", error })?;
        let lease = lock::acquire(self.aws.clone(), &bucket, &self.pipeline.name).await?;
        let result = self.converge_journaled(plan, state, options, progress, &bucket).await;
        let released = lease.release(&self.aws).await;
        let done = result?;
        released.map_err(|error| ApplyError::Setup { what: "releasing the apply lock", error })?;
        Ok(done)
    }

    /// Converges with a journal of what is pending, until done or stopped from outside. A stop
    /// abandons what is in flight (dropping the run aborts its tasks); the journal keeps what did
    /// not finish, for the next plan to tell from drift.
    async fn converge_journaled(
        &self,
        plan: &Plan,
        state: &State,
        options: Options,
        progress: &dyn Progress,
        bucket: &str,
    ) -> Result<Vec<Done>, ApplyError> {
        let pending = plan
            .actions
            .iter()
            .filter(|a| matches!(a.kind, Kind::Create | Kind::Update | Kind::Replace))
            .filter(|a| self.pipeline.resources.contains_key(&a.resource))
            .map(|a| a.resource.clone())
            .collect();
        let journal = Journal::begin(&self.aws, bucket, &self.pipeline.name, pending)
            .await
            .map_err(|error| ApplyError::Setup { what: "writing the apply journal", error })?;
        let done = match options.until_stopped(self.converge(plan, state, options.clone(), progress, &journal)).await {
            Ok(result) => result?,
            Err(stop) => {
                return Err(ApplyError::Interrupted {
                    stop,
                    done: journal.done(),
                    after: "calls in flight were abandoned, and AWS may still finish them; run `pipe apply` again to resume: the next plan marks what this one left unfinished",
                });
            }
        };
        journal.end(&self.aws).await.map_err(|error| ApplyError::Setup { what: "closing the apply journal", error })?;
        Ok(done)
    }

    /// Artifacts, then resources, then the steps, then what is left behind: each waits for the
    /// one before it.
    async fn converge(
        &self,
        plan: &Plan,
        state: &State,
        options: Options,
        progress: &dyn Progress,
        journal: &Journal,
    ) -> Result<Vec<Done>, ApplyError> {
        let done = self.upload_planned_artifacts(plan, progress).await?;
        let mut converged = self.converge_resources(plan, state, &options, progress, journal, done).await?;
        let done = self.run_steps(plan, &converged.handles, progress, std::mem::take(&mut converged.done)).await?;
        self.delete_leftovers(plan, state, &converged, progress, done).await
    }

    /// Uploads the code (and makes the bucket) when the plan says to.
    async fn upload_planned_artifacts(&self, plan: &Plan, progress: &dyn Progress) -> Result<Vec<Done>, ApplyError> {
        let mut done = Vec::new();
        if plan.has_step(Step::CreateArtifactsBucket) || plan.has_step(Step::UploadArtifact) {
            let started = Instant::now();
            progress.started("artifacts", "uploading code");
            let sent = artifacts::upload(&self.aws, self.pipeline).await.map_err(|error| {
                progress.failed("artifacts", &error.to_string());
                ApplyError::Setup { what: "uploading the code", error }
            })?;
            progress.finished("artifacts", &format!("uploaded {sent} artifacts"), started.elapsed());
            done.push(Done { resource: "artifacts".into(), what: "uploaded", elapsed: started.elapsed() });
        }

        Ok(done)
    }

    /// Converges every resource the plan changes, in dependency order, independent ones at once
    /// (up to `options.concurrency`); stops starting new ones at the first failure.
    async fn converge_resources(
        &self,
        plan: &Plan,
        state: &State,
        options: &Options,
        progress: &dyn Progress,
        journal: &Journal,
        mut done: Vec<Done>,
    ) -> Result<Converged, ApplyError> {
        let kinds: HashMap<&str, (Kind, &[crate::plan::Change])> =
            plan.actions.iter().map(|a| (a.resource.as_str(), (a.kind, a.changes.as_slice()))).collect();
        let mut handles = Engine::handles(state);
        let mut finished: BTreeSet<String> = BTreeSet::new();
        let mut started: BTreeSet<String> = BTreeSet::new();
        let mut running: JoinSet<(String, &'static str, Duration, Result<Live, ApiError>)> = JoinSet::new();
        let mut failure = None;
        // Replaced resources whose provider creates the new one first: the old one is deleted
        // with the leftovers, once everything that used it has moved on.
        let mut superseded: HashMap<String, Live> = HashMap::new();
        let order: Vec<String> = self.deps.waves().into_iter().flatten().collect();
        let limit = options.concurrency.max(1);
        loop {
            // Start every resource whose dependencies are done, up to the limit; resources with
            // nothing to do finish at once and may unblock others, hence the outer loop.
            let mut progressed = failure.is_none();
            while progressed {
                progressed = false;
                for id in &order {
                    if running.len() >= limit {
                        break;
                    }
                    if started.contains(id) || !self.deps.of[id].iter().all(|d| finished.contains(d)) {
                        continue;
                    }
                    started.insert(id.clone());
                    let (kind, changes) = kinds.get(id.as_str()).copied().unwrap_or((Kind::NoChange, &[]));
                    if kind == Kind::NoChange {
                        finished.insert(id.clone());
                        progressed = true;
                        continue;
                    }
                    let provider = Self::provider(&self.pipeline.resources[id]);
                    if kind == Kind::Replace
                        && provider.creates_before_deleting()
                        && let Some(live) = state.live.get(id)
                    {
                        superseded.insert(id.clone(), live.clone());
                    }
                    let task = Task {
                        id: id.clone(),
                        kind,
                        provider,
                        desired: with_applied_tag(self.desired_held(id, &handles, state.live.get(id)).0),
                        live: state.live.get(id).cloned(),
                        changes: changes.to_vec(),
                    };
                    progress.started(id, doing(kind));
                    let aws = self.aws.clone();
                    running.spawn(async move {
                        let start = Instant::now();
                        let result = run(&aws, &task).await;
                        (task.id, past(task.kind), start.elapsed(), result)
                    });
                }
            }
            let Some(joined) = running.join_next().await else { break };
            let (id, what, elapsed, result) = joined.expect("apply tasks do not panic");
            match result {
                Ok(live) => {
                    progress.finished(&id, what, elapsed);
                    handles.insert(id.clone(), live.handle);
                    finished.insert(id.clone());
                    let finished = Done { resource: id, what, elapsed };
                    journal.finished(&self.aws, finished.clone()).await;
                    done.push(finished);
                }
                Err(error) => {
                    progress.failed(&id, &error.to_string());
                    // Its replacement was not made: the old one stays in use.
                    superseded.remove(&id);
                    failure.get_or_insert((id, what, error));
                }
            }
        }
        if let Some((id, what, error)) = failure {
            return Err(ApplyError::Failed {
                resource_type: self.pipeline.resources[&id].cfn_type.to_string(),
                resource: id,
                verb: what,
                error,
                done,
            });
        }
        Ok(Converged { done, handles, superseded, order })
    }

    /// Deletes what the plan leaves behind, once what replaces it runs: resources superseded by
    /// a new one made first, and the leftovers of removed components.
    async fn delete_leftovers(
        &self,
        plan: &Plan,
        state: &State,
        converged: &Converged,
        progress: &dyn Progress,
        mut done: Vec<Done>,
    ) -> Result<Vec<Done>, ApplyError> {
        let (superseded, order) = (&converged.superseded, &converged.order);
        // Leftovers and superseded resources go last, once what replaces them runs; users of a
        // superseded resource (later in `order`) before what they used.
        let deleting: BTreeSet<(&str, &str)> = plan
            .actions
            .iter()
            .filter(|a| a.kind == Kind::Delete)
            .map(|a| (a.resource_type.as_str(), a.resource.as_str()))
            .collect();
        let old = order.iter().rev().filter_map(|id| {
            let live = superseded.get(id)?;
            let resource_type = self.pipeline.resources[id].cfn_type;
            Some((live.handle.physical_id.as_str(), resource_type, live))
        });
        let orphans = state
            .orphans
            .iter()
            .map(|o| (o.live.handle.physical_id.as_str(), o.resource_type, &o.live))
            .filter(|(name, resource_type, _)| deleting.contains(&(*resource_type, *name)));
        for (name, resource_type, live) in old.chain(orphans) {
            let began = Instant::now();
            progress.started(name, "deleting");
            let provider = providers::for_type(resource_type).expect("a type pipe applies or discovers");
            if let Err(error) = retry_transient(|| provider.delete(&self.aws, live)).await {
                progress.failed(name, &error.to_string());
                return Err(ApplyError::Failed {
                    resource: name.to_string(),
                    resource_type: resource_type.to_string(),
                    verb: "deleted",
                    error,
                    done,
                });
            }
            progress.finished(name, "deleted", began.elapsed());
            done.push(Done { resource: name.to_string(), what: "deleted", elapsed: began.elapsed() });
        }
        Ok(done)
    }

    /// Runs the plan's steps (`model::steps`) in order, after the resources: `done` is what was
    /// done before them, returned with the steps added.
    pub async fn run_steps(
        &self,
        plan: &Plan,
        handles: &HashMap<String, crate::backend::sdk::resolve::Handle>,
        progress: &dyn Progress,
        mut done: Vec<Done>,
    ) -> Result<Vec<Done>, ApplyError> {
        for step in crate::model::steps::steps(self.pipeline) {
            let Some(action) = steps::planned(plan, &step) else { continue };
            let restart = action.step == Some(Step::RestartGlue);
            let id = action.resource.clone();
            let began = Instant::now();
            progress.started(&id, "running");
            if let Err(error) = steps::run(&self.aws, &step, &self.resolver(handles), restart).await {
                progress.failed(&id, &error.to_string());
                let resource_type = self.pipeline.resources[step.logical_id()].cfn_type.to_string();
                return Err(ApplyError::Failed { resource: id, resource_type, verb: "completed", error, done });
            }
            progress.finished(&id, "done", began.elapsed());
            done.push(Done { resource: id, what: "done", elapsed: began.elapsed() });
        }
        Ok(done)
    }

    /// Deletes the pipeline's resources, dependents first. Data stores are kept unless
    /// `allow_data_loss`; returns what was deleted and what was kept.
    pub async fn destroy(
        &self,
        state: &State,
        options: Options,
        progress: &dyn Progress,
    ) -> Result<(Vec<Done>, Vec<String>), ApplyError> {
        let bucket = artifacts::bucket_name(&self.aws.account);
        artifacts::ensure_bucket(&self.aws, &bucket)
            .await
            .map_err(|error| ApplyError::Setup { what: "creating the artifacts bucket", error })?;
        let lease = lock::acquire(self.aws.clone(), &bucket, &self.pipeline.name).await?;
        let done = std::sync::Mutex::new(Vec::new());
        // A stop abandons the deletes in flight; the lease is released all the same.
        let result = options.until_stopped(self.delete_all(state, &options, progress, &done)).await;
        let released = lease.release(&self.aws).await;
        let done = done.into_inner().expect("the list of deletes is never poisoned");
        let kept = match result {
            Ok(Ok(kept)) => kept,
            Ok(Err(NotDeleted { resource, resource_type, error })) => {
                return Err(ApplyError::Failed { resource, resource_type, verb: "deleted", error, done });
            }
            Err(stop) => {
                let after = "deletes in flight were abandoned, and AWS may still finish them; run `pipe destroy` again to finish";
                return Err(ApplyError::Interrupted { stop, done, after });
            }
        };
        released.map_err(|error| ApplyError::Setup { what: "releasing the apply lock", error })?;
        Ok((done, kept))
    }

    /// Deletes the leftovers of earlier versions, then the model's resources in reverse
    /// dependency order (a wave at once), each deleted one added to `done`; returns the data
    /// stores kept. Stops at the first failure.
    async fn delete_all(
        &self,
        state: &State,
        options: &Options,
        progress: &dyn Progress,
        done: &std::sync::Mutex<Vec<Done>>,
    ) -> Result<Vec<String>, NotDeleted> {
        let deleted = |resource: String, elapsed: Duration| {
            progress.finished(&resource, "deleted", elapsed);
            done.lock().expect("the list of deletes is never poisoned").push(Done {
                resource,
                what: "deleted",
                elapsed,
            });
        };
        let mut kept = Vec::new();
        // Leftovers of earlier versions of the blueprint first: they may use what comes after.
        for orphan in &state.orphans {
            let name = orphan.live.handle.physical_id.clone();
            if crate::plan::risk::data_loss(orphan.resource_type).is_some() && !options.allow_data_loss {
                kept.push(format!("{name} ({})", orphan.resource_type));
                continue;
            }
            let provider = providers::for_type(orphan.resource_type).expect("orphans are of discovered types");
            let began = Instant::now();
            progress.started(&name, "deleting");
            if let Err(error) = retry_transient(|| provider.delete(&self.aws, &orphan.live)).await {
                progress.failed(&name, &error.to_string());
                return Err(NotDeleted { resource: name, resource_type: orphan.resource_type.to_string(), error });
            }
            deleted(name, began.elapsed());
        }
        for wave in self.deps.waves().into_iter().rev() {
            let mut running = JoinSet::new();
            for id in wave {
                let Some(live) = state.live.get(&id).cloned() else { continue };
                let resource = &self.pipeline.resources[&id];
                // A store, and what the model keeps with it, as the template's DeletionPolicy does.
                let keeps = crate::plan::risk::data_loss(resource.cfn_type).is_some() || resource.retain == Some(true);
                if keeps && !options.allow_data_loss {
                    kept.push(format!("{id} ({} {})", resource.cfn_type, live.handle.physical_id));
                    continue;
                }
                let provider = Self::provider(resource);
                let aws = self.aws.clone();
                progress.started(&id, "deleting");
                running.spawn(async move {
                    let start = Instant::now();
                    let result = retry_transient(|| provider.delete(&aws, &live)).await;
                    (id, start.elapsed(), result)
                });
            }
            let mut failure = None;
            while let Some(joined) = running.join_next().await {
                let (id, elapsed, result) = joined.expect("destroy tasks do not panic");
                match result {
                    Ok(()) => deleted(id, elapsed),
                    Err(error) => {
                        progress.failed(&id, &error.to_string());
                        failure.get_or_insert((id, error));
                    }
                }
            }
            if let Some((id, error)) = failure {
                let resource_type = self.pipeline.resources[&id].cfn_type.to_string();
                return Err(NotDeleted { resource: id, resource_type, error });
            }
        }
        Ok(kept)
    }
}

async fn run(aws: &Clients, task: &Task) -> Result<Live, ApiError> {
    let provider = task.provider;
    match (task.kind, &task.live) {
        (Kind::Update, Some(live)) => {
            retry_transient(|| provider.update(aws, &task.desired, live, &task.changes)).await
        }
        (Kind::Replace, Some(live)) if !provider.creates_before_deleting() => {
            retry_transient(|| provider.delete(aws, live)).await?;
            retry_transient(|| provider.create(aws, &task.desired)).await
        }
        _ => retry_transient(|| provider.create(aws, &task.desired)).await,
    }
}

/// Retries a call the service refused for now (busy resource, rate or concurrency limit), with
/// jittered exponential backoff, up to six times.
async fn retry_transient<T, F, Fut>(mut call: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let mut pause = Duration::from_millis(500);
    for _ in 0..6 {
        match call().await {
            Err(e) if e.is_transient() => {
                let jitter = Duration::from_millis(fastrand::u64(0..=pause.as_millis() as u64));
                tokio::time::sleep(pause / 2 + jitter / 2).await;
                pause = (pause * 2).min(Duration::from_secs(30));
            }
            other => return other,
        }
    }
    call().await
}

/// Adds `pipe:applied` (a hash of the properties) to the resource's tags, in the form they take.
fn with_applied_tag(mut desired: Desired) -> Desired {
    let hash = applied_hash(&desired.properties);
    match desired.properties.get_mut("Tags") {
        Some(tags @ Value::Array(_)) => {
            let mut pairs = tag_pairs(Some(tags));
            pairs.push((APPLIED_TAG.into(), hash));
            *tags = tag_list(pairs);
        }
        Some(Value::Object(map)) => {
            map.insert(APPLIED_TAG.into(), Value::String(hash));
        }
        _ => {}
    }
    desired
}

fn doing(kind: Kind) -> &'static str {
    match kind {
        Kind::Create => "creating",
        Kind::Import => "importing",
        Kind::Update => "updating",
        Kind::Replace => "replacing",
        Kind::Delete => "deleting",
        Kind::Step | Kind::NoChange => "checking",
    }
}

fn past(kind: Kind) -> &'static str {
    match kind {
        Kind::Create => "created",
        Kind::Import => "imported",
        Kind::Update => "updated",
        Kind::Replace => "replaced",
        Kind::Delete => "deleted",
        Kind::Step | Kind::NoChange => "checked",
    }
}
