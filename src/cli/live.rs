//! What `plan`, `apply`, `diff` and `destroy` share: the blueprint and where it goes (target,
//! profile, region), compiled, connected and read.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::backend::aws;
use crate::backend::cloudformation::Stack;
use crate::backend::sdk::apply::{ApplyError, Done, Options, Progress};
use crate::backend::sdk::{self, Engine, State};
use crate::blueprint::spec::DeployTarget;
use crate::diagnostic::text;
use crate::model::Pipeline;
use crate::plan::{Plan, Source};

use super::{Error, VarArgs, use_color};

/// Where and how a pipeline is deployed.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// How pipe deploys: `cloudformation` (one stack per pipeline) or `sdk` (the service APIs
    /// directly). Default: the blueprint's `deploy.target`, else `cloudformation`.
    #[arg(long, value_enum)]
    target: Option<Target>,
    /// AWS profile to use (else AWS_PROFILE, else the default chain).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// AWS region (else AWS_REGION, else the profile's).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Target {
    Cloudformation,
    Sdk,
}

/// A pipeline connected to its target: the SDK engine with what it read, or the stack.
pub enum Deployment<'a> {
    Sdk { engine: Engine<'a>, state: State },
    Stack(Stack<'a>),
}

/// A blueprint compiled for deployment.
pub struct Compiled {
    pub pipeline: Pipeline,
    pub source: Source,
    pub vars_fingerprint: String,
}

/// Loads, validates and compiles `file`; `Ok(None)` when the blueprint is invalid (already
/// reported on stderr).
pub fn compile(file: &Path, vars: &VarArgs) -> Result<Option<Compiled>, Error> {
    let overrides = vars.load()?;
    let loaded = super::load(file, &overrides)?;
    let mut stderr = std::io::stderr();
    if !loaded.report.diagnostics.is_empty() {
        write!(stderr, "{}", text::render(&loaded.report, use_color()))?;
    }
    let Some(blueprint) = loaded.blueprint.filter(|_| loaded.report.errors() == 0) else {
        writeln!(stderr, "nothing planned: fix the errors above first")?;
        return Ok(None);
    };
    let pipeline = crate::model::compile(&blueprint, crate::blueprint::base_dir(file))?;
    let described: Vec<String> = overrides.names().filter_map(|n| overrides.describe(n)).collect();
    let source = Source {
        blueprint: file.display().to_string(),
        vars: vars.vars.clone(),
        vars_files: vars.vars_files.iter().map(|p| p.display().to_string()).collect(),
    };
    Ok(Some(Compiled { pipeline, source, vars_fingerprint: sdk::hash(&serde_json::json!(described)) }))
}

/// The async runtime the AWS SDK needs, for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

impl TargetArgs {
    /// Connects to the target the arguments or the blueprint name; the SDK target reads what is
    /// live at once.
    pub async fn connect<'a>(&self, compiled: &'a Compiled) -> Result<Deployment<'a>, Error> {
        let account = aws::connect(self.profile.as_deref(), self.region.as_deref()).await.map_err(failed)?;
        let target = self.target.unwrap_or(match compiled.pipeline.deploy.target {
            DeployTarget::Cloudformation => Target::Cloudformation,
            DeployTarget::Sdk => Target::Sdk,
        });
        Ok(match target {
            Target::Sdk => {
                let engine = Engine::new(account, &compiled.pipeline).map_err(failed)?;
                let state = engine.read().await.map_err(failed)?;
                Deployment::Sdk { engine, state }
            }
            Target::Cloudformation => Deployment::Stack(Stack::new(account, &compiled.pipeline).map_err(failed)?),
        })
    }

    pub async fn plan<'a>(&self, compiled: &'a Compiled, detect_drift: bool) -> Result<(Deployment<'a>, Plan), Error> {
        let deployment = self.connect(compiled).await?;
        let plan = deployment.plan(compiled, detect_drift).await?;
        Ok((deployment, plan))
    }
}

impl Deployment<'_> {
    /// `detect_drift`: the CloudFormation target runs drift detection too (the SDK target always
    /// compares what is live).
    pub async fn plan(&self, compiled: &Compiled, detect_drift: bool) -> Result<Plan, Error> {
        let (source, vars) = (compiled.source.clone(), compiled.vars_fingerprint.clone());
        match self {
            Deployment::Sdk { engine, state } => engine.plan(state, source, vars).await.map_err(failed),
            Deployment::Stack(stack) => stack.plan(source, vars, detect_drift).await.map_err(failed),
        }
    }

    pub async fn apply(&self, plan: &Plan, options: Options, progress: &dyn Progress) -> Result<Vec<Done>, ApplyError> {
        match self {
            Deployment::Sdk { engine, state } => engine.apply(plan, state, options, progress).await,
            Deployment::Stack(stack) => stack.apply(plan, options, progress).await,
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
            Deployment::Stack(stack) => stack.destroy(options, progress).await,
        }
    }

    /// Whether anything of the pipeline exists.
    pub async fn exists(&self) -> Result<bool, Error> {
        match self {
            Deployment::Sdk { state, .. } => Ok(!state.live.is_empty() || !state.orphans.is_empty()),
            Deployment::Stack(stack) => stack.exists().await.map_err(failed),
        }
    }

    /// What differs between the blueprint and what is deployed, resource by resource: the SDK
    /// target compares live resources, the CloudFormation target the deployed template.
    pub async fn differences(&self, compiled: &Compiled) -> Result<Vec<crate::plan::Action>, Error> {
        match self {
            Deployment::Sdk { .. } => Ok(self.plan(compiled, false).await?.actions),
            Deployment::Stack(stack) => stack.diff().await.map_err(failed),
        }
    }

    /// Drops what a plan left to be applied (a change set), for a plan nobody will apply.
    pub async fn discard(&self, plan: &mut Plan) -> Result<(), Error> {
        match self {
            Deployment::Sdk { .. } => Ok(()),
            Deployment::Stack(stack) => stack.discard(plan).await.map_err(failed),
        }
    }

    /// Whether a saved plan can still be applied as it is (its change set is current).
    pub async fn is_current(&self, saved: &Plan) -> Result<bool, Error> {
        match self {
            Deployment::Sdk { .. } => Ok(true),
            Deployment::Stack(stack) => stack.is_current(saved).await.map_err(failed),
        }
    }
}

/// A command that ran and could not finish.
pub fn failed(error: impl std::fmt::Display) -> Error {
    Error::Failed(error.to_string())
}

/// The blueprint arguments a saved plan was made with, to make it again.
pub fn vars_of(source: &Source) -> VarArgs {
    VarArgs { vars: source.vars.clone(), vars_files: source.vars_files.iter().map(PathBuf::from).collect() }
}
