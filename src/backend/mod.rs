//! The run layer: a compiled pipeline planned, applied, compared and destroyed on its target.
//! Two targets build the same [`crate::plan::Plan`]: `sdk` calls the service APIs directly,
//! `cloudformation` converges one stack. Both report their work through [`Progress`], which the
//! `ui` implements; `cli` parses arguments, calls [`Deployment`] and prints.

pub mod aws;
pub mod cloudformation;
pub mod probe;
pub mod sdk;
pub mod status;

use std::time::Duration;

use self::aws::{Account, ApiError};
use self::cloudformation::Stack;
use self::sdk::{Engine, State};
use crate::model::Pipeline;
use crate::plan::{Action, DataLossRefused, Plan, Source};

/// How `apply` and `destroy` go about it.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Resources converged at once.
    pub concurrency: usize,
    pub allow_data_loss: bool,
    /// Resources a continued rollback skips (CloudFormation's `ResourcesToSkip`).
    pub skip_resources: Vec<String>,
    /// Where a stop asked from outside (Ctrl-C, SIGTERM) is heard; `None`: never stopped.
    pub stop: Option<StopSignal>,
}

/// A stop asked of a run from outside: the signal, and the exit code that reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop {
    pub signal: &'static str,
    pub exit_code: u8,
}

/// The receiving end of a run's stop: `Some` once asked.
pub type StopSignal = tokio::sync::watch::Receiver<Option<Stop>>;

impl Options {
    /// Runs `work` to its end, or until a stop is asked, which drops it: the calls it has in
    /// flight are abandoned.
    pub async fn until_stopped<T>(&self, work: impl std::future::Future<Output = T>) -> Result<T, Stop> {
        tokio::select! {
            done = work => Ok(done),
            stop = stopped(self.stop.clone()) => Err(stop),
        }
    }
}

/// Resolves when `stop` is asked; never, without a signal or once nobody can send one.
async fn stopped(stop: Option<StopSignal>) -> Stop {
    if let Some(mut stop) = stop
        && let Ok(asked) = stop.wait_for(Option::is_some).await
        && let Some(asked) = *asked
    {
        return asked;
    }
    std::future::pending().await
}

/// What a run reports as it goes, one resource at a time: the engines emit, the `ui` shows.
pub trait Progress: Send + Sync {
    /// How many resources will finish, when known beforehand: a done / total view.
    fn expect(&self, _total: usize) {}
    fn started(&self, resource: &str, doing: &str);
    fn finished(&self, resource: &str, done: &str, elapsed: Duration);
    fn failed(&self, resource: &str, error: &str);
}

/// One resource's work, done.
#[derive(Debug, Clone)]
pub struct Done {
    pub resource: String,
    pub what: &'static str,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    DataLoss(#[from] DataLossRefused),
    #[error(transparent)]
    Lock(#[from] sdk::lock::LockError),
    #[error("{what} failed: {error}")]
    Setup { what: &'static str, error: ApiError },
    #[error("{resource} ({resource_type}) could not be {verb}: {error}")]
    Failed { resource: String, resource_type: String, verb: &'static str, error: ApiError, done: Vec<Done> },
    /// Stopped from outside: calls in flight were abandoned, the lease released. `after`: what
    /// goes on without pipe and how to resume.
    #[error("stopped by {}: {after}", stop.signal)]
    Interrupted { stop: Stop, done: Vec<Done>, after: &'static str },
}

impl ApplyError {
    /// The resources that were converged before the failure.
    pub fn done(&self) -> &[Done] {
        match self {
            ApplyError::Failed { done, .. } | ApplyError::Interrupted { done, .. } => done,
            _ => &[],
        }
    }
}

/// What planning, comparing or connecting could not do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Sdk(#[from] sdk::Error),
    #[error(transparent)]
    Stack(#[from] cloudformation::Error),
    /// `pipe test` cannot run on this pipeline as deployed.
    #[error("{0}")]
    Test(String),
}

/// Seconds since the Unix epoch, by this machine's clock (0 if it reads before 1970).
pub(crate) fn epoch_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Where a pipeline is deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Cloudformation,
    Sdk,
}

/// A blueprint compiled for deployment.
pub struct Compiled {
    pub pipeline: Pipeline,
    pub source: Source,
    pub vars_fingerprint: String,
}

/// A pipeline connected to its target: the SDK engine with what it read, or the stack.
pub enum Deployment<'a> {
    Sdk { engine: Engine<'a>, state: State },
    Stack(Stack<'a>),
}

impl<'a> Deployment<'a> {
    /// Connects `compiled` to `target` in `account`; the SDK target reads what is live at once.
    pub async fn connect(account: Account, target: Target, compiled: &'a Compiled) -> Result<Self, Error> {
        Ok(match target {
            Target::Sdk => {
                let engine = Engine::new(account, &compiled.pipeline)?;
                let state = engine.read().await?;
                Deployment::Sdk { engine, state }
            }
            Target::Cloudformation => Deployment::Stack(Stack::new(account, &compiled.pipeline)?),
        })
    }

    /// `detect_drift`: the CloudFormation target runs drift detection too (the SDK target always
    /// compares what is live).
    pub async fn plan(&self, compiled: &Compiled, detect_drift: bool) -> Result<Plan, Error> {
        let (source, vars) = (compiled.source.clone(), compiled.vars_fingerprint.clone());
        Ok(match self {
            Deployment::Sdk { engine, state } => engine.plan(state, source, vars).await?,
            Deployment::Stack(stack) => stack.plan(source, vars, detect_drift).await?,
        })
    }

    /// The model's resources as they are live: what the SDK target read on connecting; on a
    /// stack, found by the names it gave them.
    pub async fn live(&self) -> Result<State, Error> {
        Ok(match self {
            Deployment::Sdk { state, .. } => state.clone(),
            Deployment::Stack(stack) => stack.read_live(true).await?,
        })
    }

    /// The service clients of the account the pipeline is in.
    pub fn clients(&self) -> &sdk::provider::Clients {
        match self {
            Deployment::Sdk { engine, .. } => &engine.aws,
            Deployment::Stack(stack) => &stack.engine.aws,
        }
    }

    /// Applies `plan`; a plan that loses data needs `options.allow_data_loss`.
    pub async fn apply(&self, plan: &Plan, options: Options, progress: &dyn Progress) -> Result<Vec<Done>, ApplyError> {
        match self {
            Deployment::Sdk { engine, state } => engine.apply(plan, state, options, progress).await,
            // The stack operation is CloudFormation's: pipe only stops waiting for it.
            Deployment::Stack(stack) => match options.until_stopped(stack.apply(plan, options.clone(), progress)).await
            {
                Ok(result) => result,
                Err(stop) => Err(ApplyError::Interrupted {
                    stop,
                    done: Vec::new(),
                    after: "if CloudFormation had begun the change set, it goes on without pipe; `pipe plan` says where the stack is and what is left",
                }),
            },
        }
    }

    /// Deletes the pipeline; returns what was deleted and the data stores kept.
    pub async fn destroy(
        &self,
        options: Options,
        progress: &dyn Progress,
    ) -> Result<(Vec<Done>, Vec<String>), ApplyError> {
        match self {
            Deployment::Sdk { engine, state } => engine.destroy(state, options, progress).await,
            Deployment::Stack(stack) => match options.until_stopped(stack.destroy(options.clone(), progress)).await {
                Ok(result) => result,
                Err(stop) => Err(ApplyError::Interrupted {
                    stop,
                    done: Vec::new(),
                    after: "if CloudFormation had begun deleting the stack, it goes on without pipe; `pipe destroy` again says when it is gone",
                }),
            },
        }
    }

    /// Whether anything of the pipeline exists.
    pub async fn exists(&self) -> Result<bool, Error> {
        match self {
            Deployment::Sdk { state, .. } => Ok(!state.live.is_empty() || !state.orphans.is_empty()),
            Deployment::Stack(stack) => Ok(stack.exists().await?),
        }
    }

    /// What differs between the blueprint and what is deployed, resource by resource: the SDK
    /// target compares live resources, the CloudFormation target the deployed template and, on
    /// each resource, live (drift).
    pub async fn differences(&self, compiled: &Compiled) -> Result<Vec<Action>, Error> {
        match self {
            Deployment::Sdk { .. } => Ok(self.plan(compiled, false).await?.actions),
            Deployment::Stack(stack) => Ok(stack.diff().await?),
        }
    }

    /// Drops what a plan left to be applied (a change set), for a plan nobody will apply.
    pub async fn discard(&self, plan: &mut Plan) -> Result<(), Error> {
        match self {
            Deployment::Sdk { .. } => Ok(()),
            Deployment::Stack(stack) => Ok(stack.discard(plan).await?),
        }
    }

    /// Whether a saved plan can still be applied as it is (its change set is current).
    pub async fn is_current(&self, saved: &Plan) -> Result<bool, Error> {
        match self {
            Deployment::Sdk { .. } => Ok(true),
            Deployment::Stack(stack) => Ok(stack.is_current(saved).await?),
        }
    }
}
