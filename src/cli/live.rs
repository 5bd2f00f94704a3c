//! What `plan`, `apply`, `diff` and `destroy` share: the blueprint and where it goes (target,
//! profile, region), compiled, connected and read.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::backend::aws::Account;
use crate::backend::{self, ApplyError, Compiled, Deployment, aws, sdk};
use crate::blueprint::spec::DeployTarget;
use crate::diagnostic::{FileReport, text};
use crate::plan::{Plan, Source};

use super::{Error, VarArgs, use_color};

/// Where and how a pipeline is deployed.
#[derive(Debug, Clone, Args)]
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
    /// Seconds to wait for each answer from AWS before trying again (connecting: 5 s).
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Target {
    Cloudformation,
    Sdk,
}

/// A blueprint read for deployment: compiled, or the report that says why it cannot be.
pub enum Checked {
    Valid(Box<Compiled>),
    Invalid(FileReport),
}

/// Loads, validates and compiles `file`; `Ok(None)` when the blueprint is invalid (already
/// reported on stderr).
pub fn compile(file: &Path, vars: &VarArgs) -> Result<Option<Compiled>, Error> {
    match check(file, vars)? {
        Checked::Valid(compiled) => Ok(Some(*compiled)),
        Checked::Invalid(_) => {
            writeln!(std::io::stderr(), "nothing planned: fix the errors above first")?;
            Ok(None)
        }
    }
}

/// Loads, validates and compiles `file`, its diagnostics reported on stderr.
pub fn check(file: &Path, vars: &VarArgs) -> Result<Checked, Error> {
    let overrides = vars.load()?;
    let loaded = super::load(file, &overrides)?;
    if !loaded.report.diagnostics.is_empty() {
        write!(std::io::stderr(), "{}", text::render(&loaded.report, use_color()))?;
    }
    let Some(blueprint) = loaded.blueprint.filter(|_| loaded.report.errors() == 0) else {
        return Ok(Checked::Invalid(loaded.report));
    };
    let pipeline = crate::model::compile(&blueprint, crate::blueprint::base_dir(file))?;
    let described: Vec<String> = overrides.names().filter_map(|n| overrides.describe(n)).collect();
    let source = Source {
        blueprint: file.display().to_string(),
        vars: vars.vars.clone(),
        vars_files: vars.vars_files.iter().map(|p| p.display().to_string()).collect(),
    };
    let vars_fingerprint = sdk::hash(&serde_json::json!(described));
    Ok(Checked::Valid(Box::new(Compiled { pipeline, source, vars_fingerprint })))
}

/// The async runtime the AWS SDK needs, for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

impl TargetArgs {
    /// These arguments, with `made_for` (a saved plan's target) as the target when none is given.
    pub fn or_target(&self, made_for: &str) -> TargetArgs {
        let saved = Target::from_str(made_for, true).ok();
        TargetArgs { target: self.target.or(saved), ..self.clone() }
    }

    /// Connects to the target the arguments or the blueprint name; the SDK target reads what is
    /// live at once.
    pub async fn connect<'a>(&self, compiled: &'a Compiled) -> Result<Deployment<'a>, Error> {
        self.deploy(self.account().await?, compiled).await
    }

    /// The account and region the arguments name, checked to answer.
    pub async fn account(&self) -> Result<Account, Error> {
        let timeouts = aws::Timeouts { answer: std::time::Duration::from_secs(self.timeout), ..Default::default() };
        aws::connect(self.profile.as_deref(), self.region.as_deref(), timeouts).await.map_err(failed)
    }

    /// `compiled` in `account`, on the target the arguments or the blueprint name.
    pub async fn deploy<'a>(&self, account: Account, compiled: &'a Compiled) -> Result<Deployment<'a>, Error> {
        let target = self.target.unwrap_or(match compiled.pipeline.deploy.target {
            DeployTarget::Cloudformation => Target::Cloudformation,
            DeployTarget::Sdk => Target::Sdk,
        });
        let target = match target {
            Target::Sdk => backend::Target::Sdk,
            Target::Cloudformation => backend::Target::Cloudformation,
        };
        Ok(Deployment::connect(account, target, compiled).await?)
    }

    pub async fn plan<'a>(&self, compiled: &'a Compiled, detect_drift: bool) -> Result<(Deployment<'a>, Plan), Error> {
        let deployment = self.connect(compiled).await?;
        let plan = deployment.plan(compiled, detect_drift).await?;
        Ok((deployment, plan))
    }
}

/// A command that ran and could not finish.
pub fn failed(error: impl std::fmt::Display) -> Error {
    Error::Failed(error.to_string())
}

/// An apply or destroy that stopped part way, said with what it did: stopped by a signal, with
/// the signal's exit code; failed, with `resume`, the way on.
pub fn stopped_part_way(error: ApplyError, resume: &str) -> Error {
    let done: Vec<String> = error.done().iter().map(|d| format!("{} ({})", d.resource, d.what)).collect();
    let already = if done.is_empty() { "nothing".to_string() } else { done.join(", ") };
    match error {
        // What a stopped CloudFormation operation did is the stack's to say: `after` says where.
        ApplyError::Interrupted { stop, .. } if done.is_empty() => Error::Stopped(error.to_string(), stop.exit_code),
        ApplyError::Interrupted { stop, .. } => {
            Error::Stopped(format!("{error}\n  already done: {already}"), stop.exit_code)
        }
        _ => failed(format!("{error}\n  already done: {already}\n  {resume}")),
    }
}

/// The blueprint arguments a saved plan was made with, to make it again.
pub fn vars_of(source: &Source) -> VarArgs {
    VarArgs { vars: source.vars.clone(), vars_files: source.vars_files.iter().map(PathBuf::from).collect() }
}
