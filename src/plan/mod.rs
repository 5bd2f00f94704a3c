//! The Plan: what converging a pipeline will do, in order, and why. One type for both targets:
//! the SDK engine builds it from live reads, the CloudFormation target from change sets.
//!
//! A plan is data (`serde`), shown through three views: `text` (risk first, for people at a
//! terminal), `markdown` (a pull-request comment) and JSON (`format_version`, for scripts).

pub mod cautions;
pub mod cost;
pub mod create_only;
pub mod diff;
pub mod fields;
pub mod grow_only;
pub mod markdown;
pub mod replaced;
pub mod risk;
pub mod set;
pub mod text;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Bumped whenever a field of the JSON view changes meaning or disappears; additions keep it.
/// 2: a step action says what it does in `step`; apply decides by it, not by the step's name.
pub const FORMAT_VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    pub pipeline: String,
    pub target: String,
    /// Where the live state was read: account and region.
    pub account: String,
    pub region: String,
    pub actions: Vec<Action>,
    /// What the pipeline relies on, does not create, and did not find; `apply` refuses until
    /// each exists.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub missing_prerequisites: Vec<String>,
    /// What no API can do and the user must, by component (`kafka-topics.sh` on MSK Serverless).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub manual_steps: Vec<ManualStep>,
    /// Values the blueprint's `auto` sizes below what is deployed, kept because AWS cannot shrink
    /// them (`grow_only`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub kept: Vec<String>,
    /// Where pipe could not look for leftovers, and why (a service the pipeline does not use
    /// refused to be listed): what the plan may be missing.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub unchecked: Vec<String>,
    /// How the plan was made, so `apply FILE` can make it again and compare.
    pub source: Source,
    /// What a saved plan was computed from; `apply FILE` refuses it when any of these moved.
    pub fingerprint: Fingerprint,
    /// CloudFormation target: the change set `apply` executes (its ARN).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub change_set: Option<String>,
    /// The monthly cost at the declared throughput, before and after the plan.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cost: Option<cost::CostDelta>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// The compiled resources, which cover the blueprint file and its code.
    pub model: String,
    /// The variables the blueprint was compiled with.
    pub vars: String,
    /// Each resource's live state as read, by logical id.
    pub live: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub blueprint: String,
    /// `--var NAME=VALUE` arguments, in order.
    pub vars: Vec<(String, String)>,
    /// `--vars-file` arguments, in order.
    pub vars_files: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Create,
    /// Bring a resource that exists outside the stack under it, as it is (CloudFormation's
    /// import): one a destroyed or failed stack kept.
    Import,
    Update,
    Replace,
    Delete,
    /// Work outside any resource's properties: upload code, start an application, run DDL.
    Step,
    /// Live matches the blueprint; kept so views can say what was checked.
    #[default]
    NoChange,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Action {
    pub kind: Kind,
    /// The blueprint component this action implements.
    pub component: String,
    /// Logical id in the template, or the step's name.
    pub resource: String,
    /// What a step action does (`kind` is `step`): what apply runs it by.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub step: Option<Step>,
    pub resource_type: String,
    /// The name AWS knows the resource by, when known before applying.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub changes: Vec<Change>,
    /// Why, in blueprint terms: what changed and, for a replacement, why it cannot be in place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What is lost if this runs, and the safer path; `apply` refuses it without
    /// `--allow-data-loss`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_loss: Option<DataLoss>,
    /// Changes that widen access or weaken protection.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub security: Vec<String>,
    /// Calls the change takes, in order, when it is more than one (shard count doubling, ...).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub steps: Vec<String>,
    /// Live differs from what pipe last applied: someone changed it outside pipe.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub drift: bool,
    /// Live differs from what the blueprint wants because the last apply stopped before it
    /// converged this resource: not a change outside pipe.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub unfinished: bool,
    /// Why the target cannot carry this out at all, and the way out; `apply` refuses the plan
    /// whatever its flags.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub blocked: Option<String>,
    /// A deleted resource as deployed, so the cost before the plan counts it. Priced when the
    /// plan is made; not in the JSON view.
    #[serde(skip)]
    pub deployed: Option<Deployed>,
}

/// A resource a plan deletes, as it is deployed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Deployed {
    pub properties: serde_json::Map<String, Value>,
    /// It leaves the stack but stays in the account, billed (CloudFormation's `Retain`).
    pub stays: bool,
}

/// The work a plan does outside any resource's properties. Each is a unit of its own in apply,
/// matched exhaustively wherever one is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Create the account's artifacts bucket for the region.
    CreateArtifactsBucket,
    /// Upload a component's code to the artifacts bucket.
    UploadArtifact,
    /// Start a Managed Flink application that is not running.
    StartFlink,
    /// Start a run of a streaming Glue job.
    StartGlue,
    /// Stop a Glue job's run and start one with its updated definition.
    RestartGlue,
    /// Create a warehouse table from its DDL (Redshift Data API).
    RunTableDdl,
    /// Delete a stack that can only be deleted (ROLLBACK_COMPLETE, DELETE_FAILED).
    DeleteFailedStack,
    /// Finish an update's failed rollback (ContinueUpdateRollback).
    ContinueRollback,
    /// Import kept stores CloudFormation adopts only by identifier (an IMPORT change set).
    ImportKeptStores,
    /// Execute a change set that changes only the stack's outputs.
    UpdateOutputs,
    /// Turn the stack's termination protection on or off.
    TerminationProtection,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualStep {
    pub component: String,
    pub step: String,
}

impl ManualStep {
    /// The pipeline's manual steps, as every plan lists them.
    pub fn of(pipeline: &crate::model::Pipeline) -> Vec<ManualStep> {
        let step =
            |(component, step): &(String, String)| ManualStep { component: component.clone(), step: step.clone() };
        pipeline.manual_steps.iter().map(step).collect()
    }
}

/// A plan refused because it would lose what the named resources hold.
#[derive(Debug, thiserror::Error)]
#[error(
    "refusing to lose data: {} would lose what they hold; pass --allow-data-loss once you have taken the safer path the plan names",
    .0.join(", ")
)]
pub struct DataLossRefused(pub Vec<String>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataLoss {
    pub lost: String,
    pub safer_path: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Dotted property path in the template's shape, e.g. `StreamModeDetails.StreamMode`.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    /// The property cannot change in place (CloudFormation's `createOnlyProperties` and the
    /// resource reference's replacements, `replaced.rs`).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub forces_replacement: bool,
    /// The blueprint field that sets it (`storage[0].retention_hours`), when one does.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub field: Option<String>,
}

/// Shown instead of a secret's value, in every view.
pub const SENSITIVE: &str = "(sensitive)";
/// A value that depends on a resource not yet created.
pub const KNOWN_AFTER_APPLY: &str = "(known after apply)";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub create: usize,
    pub import: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    pub steps: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for action in &self.actions {
            match action.kind {
                Kind::Create => summary.create += 1,
                Kind::Import => summary.import += 1,
                Kind::Update => summary.update += 1,
                Kind::Replace => summary.replace += 1,
                Kind::Delete => summary.delete += 1,
                Kind::Step => summary.steps += 1,
                Kind::NoChange => {}
            }
        }
        summary
    }

    /// Whether the plan runs `step`.
    pub fn has_step(&self, step: Step) -> bool {
        self.actions.iter().any(|a| a.step == Some(step))
    }

    /// Anything to do at all: what `--detailed-exitcode` reports.
    pub fn has_changes(&self) -> bool {
        self.has_actions() || !self.missing_prerequisites.is_empty()
    }

    fn has_actions(&self) -> bool {
        self.actions.iter().any(|a| a.kind != Kind::NoChange)
    }

    /// Resources changed outside pipe that applying this plan leaves so (a CloudFormation change
    /// set sets only what the template changes).
    pub fn drift_left(&self) -> impl Iterator<Item = &Action> {
        self.actions.iter().filter(|a| a.kind == Kind::NoChange && a.drift)
    }

    /// The actions the target cannot carry out.
    pub fn blocked(&self) -> impl Iterator<Item = &Action> {
        self.actions.iter().filter(|a| a.blocked.is_some())
    }

    /// Refuses a plan that would lose data unless `allowed` (`--allow-data-loss`).
    pub fn refuse_data_loss(&self, allowed: bool) -> Result<(), DataLossRefused> {
        let losing: Vec<String> = self.data_loss().map(|a| a.resource.clone()).collect();
        if losing.is_empty() || allowed { Ok(()) } else { Err(DataLossRefused(losing)) }
    }

    /// Why this saved plan no longer applies to what a plan made `now` from the same inputs
    /// sees; empty when it still does.
    pub fn stale_reasons(&self, now: &Plan) -> Vec<String> {
        // Made for another target, the live state it read is not comparable: that alone is said.
        if self.target != now.target {
            return vec![format!("it was made for the {} target, this is the {} target", self.target, now.target)];
        }
        let mut moved = Vec::new();
        if (self.account.as_str(), self.region.as_str()) != (now.account.as_str(), now.region.as_str()) {
            moved.push(format!(
                "it was made for account {} in {}, this is account {} in {}",
                self.account, self.region, now.account, now.region
            ));
        }
        if self.fingerprint.model != now.fingerprint.model {
            moved.push("the blueprint or its code changed".to_string());
        }
        if self.fingerprint.vars != now.fingerprint.vars {
            moved.push("the variables changed".to_string());
        }
        let changed: Vec<&str> = self
            .fingerprint
            .live
            .iter()
            .filter(|entry| !now.fingerprint.live.contains(entry))
            .map(|(id, _)| id.as_str())
            .collect();
        if !changed.is_empty() {
            moved.push(format!("live changed for {}", changed.join(", ")));
        }
        moved
    }

    /// The actions that lose data.
    pub fn data_loss(&self) -> impl Iterator<Item = &Action> {
        self.actions.iter().filter(|a| a.data_loss.is_some())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("plans serialise") + "\n"
    }

    /// Reads a plan saved with `plan --out`; a plan of another format version is refused.
    pub fn from_json(text: &str) -> Result<Plan, String> {
        let version = serde_json::from_str::<Value>(text)
            .map_err(|e| format!("not a saved plan: {e}"))?
            .get("format_version")
            .and_then(Value::as_u64);
        if version != Some(u64::from(FORMAT_VERSION)) {
            return Err(format!(
                "the plan has format version {}, this pipe reads {FORMAT_VERSION}: plan again",
                version.map_or("none".to_string(), |v| v.to_string())
            ));
        }
        serde_json::from_str(text).map_err(|e| format!("not a saved plan: {e}"))
    }
}

impl Summary {
    /// What applying the plan did, its non-zero parts: `7 created, 2 imported, 1 step run`.
    pub fn done_line(&self) -> String {
        let parts = [
            (self.create, "created"),
            (self.import, "imported"),
            (self.update, "updated"),
            (self.replace, "replaced"),
            (self.delete, "deleted"),
        ];
        let mut said: Vec<String> =
            parts.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{n} {what}")).collect();
        if self.steps > 0 {
            said.push(format!("{} step{} run", self.steps, if self.steps == 1 { "" } else { "s" }));
        }
        if said.is_empty() { "nothing to do".to_string() } else { said.join(", ") }
    }

    /// `3 to create, 1 to update, 1 to REPLACE, 0 to delete`, plus imports and steps when there
    /// are any.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} to create, {} to update, {} to REPLACE, {} to delete",
            self.create, self.update, self.replace, self.delete
        );
        if self.import > 0 {
            line.push_str(&format!(", {} to import", self.import));
        }
        if self.steps > 0 {
            line.push_str(&format!(", {} step{}", self.steps, if self.steps == 1 { "" } else { "s" }));
        }
        line
    }
}

/// A plan of `internet-offering` on the CloudFormation target with `actions`, for tests.
#[cfg(test)]
pub(crate) fn sample(actions: Vec<Action>) -> Plan {
    Plan {
        format_version: FORMAT_VERSION,
        pipeline: "internet-offering".into(),
        target: "cloudformation".into(),
        account: "123456789012".into(),
        region: "eu-west-1".into(),
        actions,
        missing_prerequisites: Vec::new(),
        manual_steps: Vec::new(),
        kept: Vec::new(),
        unchecked: Vec::new(),
        source: Source { blueprint: "internet-offering.yaml".into(), vars: Vec::new(), vars_files: Vec::new() },
        fingerprint: Fingerprint { model: String::new(), vars: String::new(), live: Vec::new() },
        change_set: None,
        cost: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_says_what_it_does_in_snake_case_and_reads_back() {
        let action = Action { kind: Kind::Step, step: Some(Step::RestartGlue), ..Action::default() };
        let json = serde_json::to_value(&action).expect("serialises");
        assert_eq!((json["kind"].as_str(), json["step"].as_str()), (Some("step"), Some("restart_glue")));
        assert_eq!(serde_json::from_value::<Action>(json).expect("reads back"), action);
        let resource = serde_json::to_value(Action::default()).expect("serialises");
        assert!(resource.get("step").is_none(), "a resource action has no step: {resource}");
    }
}
