//! The CloudFormation target: one stack per pipeline, named after it, planned through a change
//! set and applied by executing it while following the stack's events. The SDK engine serves
//! what a stack cannot do: uploading the code, the steps after deploying (`model::steps`), and
//! deleting what the stack keeps (`DeletionPolicy: Retain`) when asked to.

mod adopt;

use adopt::{How, Outside};
pub mod changes;
mod drift;
mod events;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{
    Capability, ChangeSetStatus, ChangeSetType, DeletionMode, EventFilter, ExecutionStatus, Parameter, ResourceChange,
    ResourceToImport, StackResourceSummary, Tag,
};
use serde_json::Value;

use crate::backend::aws::{Account, ApiError, api};
use crate::backend::sdk::{self, Engine, provider::wait_for};
use crate::backend::{ApplyError, Done, Options, Progress};
use crate::model::Pipeline;
use crate::plan::{Action, Fingerprint, Kind, Plan, Source, Step};

/// CloudFormation takes a template this large in the request; a larger one from S3.
pub const TEMPLATE_BODY_LIMIT: usize = 51_200;
const STACK_OPERATION: Duration = Duration::from_secs(3 * 60 * 60);
const CHANGE_SET: Duration = Duration::from_secs(10 * 60);
const STACK_TYPE: &str = "AWS::CloudFormation::Stack";
/// How a change set's execution ends when it did what was asked.
const EXECUTED: &[&str] = &["CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"];
const DELETED: &[&str] = &["DELETE_COMPLETE"];

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Engine(#[from] sdk::Error),
    #[error("stack {stack} is {status}: another operation is running on it; run again once it ends")]
    Busy { stack: String, status: String },
    #[error("the change set for {stack} failed: {reason}")]
    ChangeSet { stack: String, reason: String },
    #[error(
        "no stack {stack} in this region: the pipeline is not deployed on the CloudFormation target (run `pipe apply`, or pass `--target sdk` if it was applied through the service APIs)"
    )]
    NoStack { stack: String },
}

/// A pipeline's stack in one account and region.
pub struct Stack<'a> {
    pub(crate) engine: Engine<'a>,
    cfn: Client,
    pub name: String,
}

/// What the stack is now, as a plan reads it.
struct Now {
    status: Option<String>,
    protected: bool,
}

impl<'a> Stack<'a> {
    pub fn new(account: Account, pipeline: &'a Pipeline) -> Result<Self, Error> {
        let cfn = Client::new(&account.config);
        Ok(Stack { engine: Engine::new(account, pipeline)?, cfn, name: pipeline.name.clone() })
    }

    fn pipeline(&self) -> &Pipeline {
        self.engine.pipeline
    }

    async fn now(&self) -> Result<Now, ApiError> {
        let stack = events::describe(&self.cfn, &self.name).await?;
        Ok(Now {
            status: stack.as_ref().and_then(|s| s.stack_status()).map(|s| s.as_str().to_string()),
            protected: stack.as_ref().and_then(|s| s.enable_termination_protection()) == Some(true),
        })
    }

    /// Uploads the code, then makes a change set of the rendered template against the stack and
    /// reads it into a plan. A plan with nothing to do deletes its change set.
    /// `detect_drift`: also run CloudFormation's drift detection, a scan of every resource.
    pub async fn plan(&self, source: Source, vars_fingerprint: String, detect_drift: bool) -> Result<Plan, Error> {
        let now = self.now().await?;
        let status = now.status.as_deref();
        if let Some(status) = status.filter(|s| s.ends_with("_IN_PROGRESS") && *s != "REVIEW_IN_PROGRESS") {
            return Err(Error::Busy { stack: self.name.clone(), status: status.to_string() });
        }
        self.engine.upload_artifacts().await?;
        let updating = !matches!(
            status,
            None | Some("REVIEW_IN_PROGRESS" | "ROLLBACK_COMPLETE" | "ROLLBACK_FAILED" | "DELETE_FAILED")
        );
        let deployed = if updating { self.deployed().await? } else { None };
        let (rendered, kept) = self.template(deployed.as_ref())?;
        let state = self.read_live(updating).await?;
        let outside = adopt::outside(self.pipeline(), deployed.as_ref(), &state);
        let by_id: Vec<&Outside> = outside.iter().filter(|o| matches!(o.how, How::ById(..))).collect();
        let mut actions = Vec::new();
        let mut change_set = None;
        match status {
            // A failed first create or delete leaves a stack that can only be deleted, and a
            // failed rollback one that must finish rolling back; CloudFormation takes no change set
            // before. apply does that, then makes the change set and holds it to what is shown
            // here, predicted from the templates.
            Some(failed @ ("ROLLBACK_COMPLETE" | "ROLLBACK_FAILED" | "UPDATE_ROLLBACK_FAILED" | "DELETE_FAILED")) => {
                let stuck = if matches!(failed, "UPDATE_ROLLBACK_FAILED" | "DELETE_FAILED") {
                    self.failed_resources().await?
                } else {
                    Vec::new()
                };
                actions.push(self.recovery(failed, &stuck));
                actions.extend(self.import_step(&by_id));
                actions.extend(predicted(self.pipeline(), deployed.as_ref(), &rendered));
            }
            // An import change set takes nothing else: it goes first, and the change set after
            // it is made at apply, held to what is predicted here.
            _ if !by_id.is_empty() => {
                actions.extend(self.import_step(&by_id));
                actions.extend(predicted(self.pipeline(), deployed.as_ref(), &rendered));
            }
            _ => {
                let kind = if matches!(status, None | Some("REVIEW_IN_PROGRESS")) {
                    ChangeSetType::Create
                } else {
                    ChangeSetType::Update
                };
                let import = outside.iter().any(|o| o.how == How::ByName);
                let changed = self.change_set(&rendered, kind.clone(), import, Vec::new()).await?;
                if let Some((arn, changes)) = &changed {
                    actions.extend(self.change_set_actions(deployed.as_ref(), &rendered, changes));
                    change_set = Some(arn.clone());
                }
                if kind == ChangeSetType::Update {
                    actions.extend(unchanged(self.pipeline(), &actions));
                    let outside = drift::from_live(self.engine.live_differences(&state));
                    drift::mark(&mut actions, &outside);
                    if detect_drift {
                        drift::mark(&mut actions, &drift::detect(&self.cfn, &self.name).await?);
                    }
                }
            }
        }
        adopt::mark(&mut actions, &outside);
        if self.pipeline().deploy.termination_protection != now.protected {
            actions.push(self.protection_step(now.protected));
        }
        let updated: BTreeSet<&str> =
            actions.iter().filter(|a| a.kind == Kind::Update).map(|a| a.resource.as_str()).collect();
        let steps = self.engine.plan_steps(&state, &updated).await?;
        actions.extend(steps);
        crate::plan::fields::annotate(&mut actions, self.pipeline());
        let mut plan = Plan {
            format_version: crate::plan::FORMAT_VERSION,
            pipeline: self.name.clone(),
            target: "cloudformation".into(),
            account: self.engine.aws.account.id.clone(),
            region: self.engine.aws.account.region.clone(),
            actions,
            missing_prerequisites: self.engine.missing_prerequisites().await?,
            manual_steps: crate::plan::ManualStep::of(self.pipeline()),
            kept,
            unchecked: Vec::new(),
            source,
            fingerprint: Fingerprint {
                model: sdk::hash(&rendered),
                vars: vars_fingerprint,
                // A stack only a change set made holds nothing yet: as good as absent.
                live: vec![(
                    "stack".into(),
                    status.filter(|s| *s != "REVIEW_IN_PROGRESS").unwrap_or("absent").to_string(),
                )],
            },
            change_set,
            cost: None,
        };
        if !plan.has_changes() {
            self.discard(&mut plan).await?;
        }
        Ok(plan)
    }

    /// The differences between the deployed template and the one rendered now, resource by
    /// resource, without a change set.
    pub async fn diff(&self) -> Result<Vec<Action>, Error> {
        let deployed = if self.now().await?.status.is_some() { self.deployed().await? } else { None };
        let (rendered, _) = self.template(deployed.as_ref())?;
        let mut actions = predicted(self.pipeline(), deployed.as_ref(), &rendered);
        if deployed.is_some() {
            actions.extend(unchanged(self.pipeline(), &actions));
            let state = self.read_live(true).await?;
            let outside = drift::from_live(self.engine.live_differences(&state));
            drift::mark(&mut actions, &outside);
        }
        crate::plan::fields::annotate(&mut actions, self.pipeline());
        Ok(actions)
    }

    /// Deletes the plan's change set (and the empty stack a first change set made), for a plan
    /// that will not be applied.
    pub async fn discard(&self, plan: &mut Plan) -> Result<(), Error> {
        let Some(arn) = plan.change_set.take() else { return Ok(()) };
        self.cfn.delete_change_set().change_set_name(&arn).send().await.map_err(api("DeleteChangeSet"))?;
        if self.now().await?.status.as_deref() != Some("REVIEW_IN_PROGRESS") {
            return Ok(());
        }
        // Another plan's change set (saved with --out) may wait on the same empty stack; one
        // executed or failed waits for nothing.
        let others = self.cfn.list_change_sets().stack_name(&self.name).send().await.map_err(api("ListChangeSets"))?;
        let waiting = others.summaries().iter().any(|c| {
            c.change_set_id() != Some(arn.as_str()) && c.execution_status() == Some(&ExecutionStatus::Available)
        });
        if !waiting {
            let request = self.cfn.delete_stack().stack_name(&self.name);
            request.client_request_token(request_token("pipe-delete")).send().await.map_err(api("DeleteStack"))?;
        }
        Ok(())
    }

    /// Whether a saved plan's change set can still be executed: CloudFormation marks it
    /// obsolete once the stack changes.
    pub async fn is_current(&self, plan: &Plan) -> Result<bool, Error> {
        let Some(arn) = &plan.change_set else { return Ok(true) };
        let described = self.cfn.describe_change_set().change_set_name(arn).send().await;
        match described.map_err(api("DescribeChangeSet")) {
            Ok(out) => Ok(out.execution_status().map(|s| s.as_str()) == Some("AVAILABLE")),
            Err(e) if e.is("ChangeSetNotFound") || e.message.contains("does not exist") => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The template deployed now, when it is JSON (pipe deploys JSON).
    /// The template to converge to: rendered now, with the values AWS only lets grow held to the
    /// deployed ones (`plan::grow_only`).
    /// Also returns what the plan says it kept.
    fn template(&self, deployed: Option<&Value>) -> Result<(Value, Vec<String>), Error> {
        let mut rendered = crate::render::template(self.pipeline());
        adopt::literal_names(&mut rendered, deployed, &self.engine.aws.account);
        let held = crate::plan::grow_only::hold_template(self.pipeline(), &mut rendered, deployed);
        if held.refused.is_empty() {
            Ok((rendered, held.kept))
        } else {
            Err(Error::Engine(sdk::Error::Shrinks(held.refused)))
        }
    }

    async fn deployed(&self) -> Result<Option<Value>, ApiError> {
        let out = self
            .cfn
            .get_template()
            .stack_name(&self.name)
            .template_stage(aws_sdk_cloudformation::types::TemplateStage::Original)
            .send()
            .await
            .map_err(api("GetTemplate"))?;
        Ok(out.template_body().and_then(|body| serde_json::from_str(body).ok()))
    }

    /// Creates a change set and waits for it; `None` when it holds no change.
    async fn change_set(
        &self,
        template: &Value,
        kind: ChangeSetType,
        import: bool,
        to_import: Vec<ResourceToImport>,
    ) -> Result<Option<(String, Vec<ResourceChange>)>, Error> {
        let body = template.to_string();
        // Unique even for two plans in one second; also the token that makes a retried call the
        // same request, not a second change set.
        let name = request_token("pipe");
        let mut request = self
            .cfn
            .create_change_set()
            .stack_name(&self.name)
            .change_set_name(&name)
            .client_token(&name)
            .change_set_type(kind)
            // Kept stores found live are adopted, not created again under their names.
            .set_import_existing_resources(import.then_some(true))
            .set_resources_to_import(Some(to_import).filter(|r| !r.is_empty()))
            .description(format!("pipe plan of {}", self.name))
            .set_capabilities(capabilities(template))
            .set_tags(Some(vec![Tag::builder().key("pipe:pipeline").value(&self.name).build()]));
        if template.pointer("/Parameters/ArtifactsBucket").is_some() {
            request = request.parameters(
                Parameter::builder()
                    .parameter_key("ArtifactsBucket")
                    .parameter_value(self.engine.artifacts_bucket())
                    .build(),
            );
        }
        request = if body.len() > TEMPLATE_BODY_LIMIT {
            request.template_url(self.upload_template(&body).await?)
        } else {
            request.template_body(body)
        };
        let created = match request.send().await.map_err(api("CreateChangeSet")) {
            Ok(created) => created,
            Err(e) if no_changes(&e.message) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let arn = created.id().unwrap_or_default().to_string();
        let settled = wait_for("DescribeChangeSet", CHANGE_SET, || async {
            let out =
                self.cfn.describe_change_set().change_set_name(&arn).send().await.map_err(api("DescribeChangeSet"))?;
            Ok(matches!(out.status(), Some(ChangeSetStatus::CreateComplete | ChangeSetStatus::Failed)).then_some(out))
        })
        .await?;
        if settled.status() == Some(&ChangeSetStatus::Failed) {
            let mut reason = settled.status_reason().unwrap_or("no reason given").to_string();
            if !no_changes(&reason) {
                // Read before the change set goes: its events name each resource that failed.
                for failure in self.failed_events(&arn).await {
                    reason.push_str(&format!("\n  {failure}"));
                }
            }
            self.cfn.delete_change_set().change_set_name(&arn).send().await.map_err(api("DeleteChangeSet"))?;
            if no_changes(&reason) {
                return Ok(None);
            }
            return Err(Error::ChangeSet { stack: self.name.clone(), reason });
        }
        let mut changes: Vec<ResourceChange> =
            settled.changes().iter().filter_map(|c| c.resource_change().cloned()).collect();
        let mut token = settled.next_token().map(str::to_string);
        while let Some(next) = token {
            let page = self
                .cfn
                .describe_change_set()
                .change_set_name(&arn)
                .next_token(next)
                .send()
                .await
                .map_err(api("DescribeChangeSet"))?;
            changes.extend(page.changes().iter().filter_map(|c| c.resource_change().cloned()));
            token = page.next_token().map(str::to_string);
        }
        Ok(Some((arn, changes)))
    }

    /// What a failed change set's events say of each resource, one line each: since late 2025
    /// CloudFormation validates a change set early (a named resource that already exists, say)
    /// and leaves the status reason general. An endpoint without DescribeEvents gives none.
    async fn failed_events(&self, change_set: &str) -> Vec<String> {
        let filter = EventFilter::builder().failed_events(true).build();
        let sent = self.cfn.describe_events().change_set_name(change_set).filters(filter).send().await;
        let Ok(described) = sent.map_err(api("DescribeEvents")) else { return Vec::new() };
        described
            .operation_events()
            .iter()
            .map(|event| {
                let what = event.logical_resource_id().unwrap_or("the stack");
                let check = event.validation_name().map(|v| format!(" ({v})")).unwrap_or_default();
                let why =
                    event.validation_status_reason().or(event.resource_status_reason()).unwrap_or("no reason given");
                let why = why.trim_end_matches('.');
                let hint = if event.validation_name().is_some_and(|v| v.ends_with("ResourceExistenceCheck")) {
                    "; it lives outside the stack (kept by a destroyed or failed one): delete it, or rename \
                     the component"
                } else {
                    ""
                };
                format!("{what}{check}: {why}{hint}")
            })
            .collect()
    }

    /// Puts a template too large for the request into the artifacts bucket, under its hash;
    /// returns its URL in the form CloudFormation reads.
    async fn upload_template(&self, body: &str) -> Result<String, ApiError> {
        let bucket = self.engine.artifacts_bucket();
        let hash = sdk::hash(&Value::String(body.to_string()));
        let key = format!("pipe/{}/templates/{}.json", self.name, &hash[..16]);
        self.engine
            .aws
            .s3
            .put_object()
            .bucket(&bucket)
            .key(&key)
            .body(body.as_bytes().to_vec().into())
            .send()
            .await
            .map_err(api("PutObject"))?;
        let region = &self.engine.aws.account.region;
        Ok(format!(
            "https://{bucket}.s3.{region}.{}/{key}",
            crate::backend::sdk::resolve::url_suffix(&self.engine.aws.account.partition)
        ))
    }

    /// The step that brings a failed stack back to one that takes a change set. `failed`: the
    /// resources CloudFormation could not roll back or delete, with its reasons.
    fn recovery(&self, status: &str, failed: &[(String, String)]) -> Action {
        let stuck: Vec<String> = failed.iter().map(|(id, why)| format!("{id} ({why})")).collect();
        let (step, resource, reason) = match status {
            "UPDATE_ROLLBACK_FAILED" => {
                let mut reason = "the last update failed and so did its rollback: pipe continues the rollback \
                                  (ContinueUpdateRollback), then makes the change set, refused at apply if it \
                                  replaces or deletes more than shown here"
                    .to_string();
                if !stuck.is_empty() {
                    reason.push_str(&format!(
                        "; could not roll back: {}. Fix each by hand so it matches the stack's last template, \
                         or let CloudFormation count it as rolled back with `pipe apply --skip-resource ID` \
                         (it then differs from the template until the change set converges it)",
                        stuck.join(", ")
                    ));
                }
                (Step::ContinueRollback, "continue rollback", reason)
            }
            "DELETE_FAILED" => {
                let mut reason = "the last delete of the stack failed: pipe deletes it again, then creates it \
                                  (should it fail again, `pipe destroy` has CloudFormation leave what it cannot \
                                  delete, and deletes that through the service APIs)"
                    .to_string();
                if !stuck.is_empty() {
                    reason.push_str(&format!("; could not delete: {}. Remove what holds each first", stuck.join(", ")));
                }
                (Step::DeleteFailedStack, "delete failed stack", reason)
            }
            _ => (
                Step::DeleteFailedStack,
                "delete failed stack",
                "the stack's first create failed and was rolled back: delete it, then create it again".to_string(),
            ),
        };
        Action {
            kind: Kind::Step,
            component: "pipe".into(),
            resource: format!("{resource} {}", self.name),
            step: Some(step),
            resource_type: STACK_TYPE.into(),
            physical_id: Some(self.name.clone()),
            reason: Some(format!("{status}: {reason}")),
            ..Action::default()
        }
    }

    /// The stack's resources left failed by its last operation, with CloudFormation's reasons.
    async fn failed_resources(&self) -> Result<Vec<(String, String)>, ApiError> {
        let resources = self.stack_resources().await?;
        let failed = resources.iter().filter(|r| r.resource_status().is_some_and(|s| s.as_str().ends_with("_FAILED")));
        Ok(failed
            .map(|r| {
                let why = r.resource_status_reason().unwrap_or("no reason given");
                (r.logical_resource_id().unwrap_or_default().to_string(), why.to_string())
            })
            .collect())
    }

    /// Every resource of the stack, with its status (ListStackResources, all pages).
    /// Reads the model's resources live; `deployed`: by the names the stack gave what the template
    /// leaves unnamed, so every resource the stack holds is found and compared.
    pub(crate) async fn read_live(&self, deployed: bool) -> Result<sdk::State, Error> {
        let names: HashMap<String, String> = match deployed {
            true => match self.stack_resources().await {
                Err(e) if e.message.contains("does not exist") => {
                    return Err(Error::NoStack { stack: self.name.clone() });
                }
                listed => listed?,
            }
            .iter()
            .filter_map(|r| Some((r.logical_resource_id()?.to_string(), r.physical_resource_id()?.to_string())))
            .collect(),
            false => HashMap::new(),
        };
        Ok(self.engine.read_named(&names).await?)
    }

    async fn stack_resources(&self) -> Result<Vec<StackResourceSummary>, ApiError> {
        let mut resources = Vec::new();
        let mut token = None;
        loop {
            let request = self.cfn.list_stack_resources().stack_name(&self.name).set_next_token(token);
            let page = request.send().await.map_err(api("ListStackResources"))?;
            resources.extend(page.stack_resource_summaries().iter().cloned());
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(resources);
            }
        }
    }

    /// What a change set does: its resource changes, or, when it has none, the update of the
    /// stack's outputs. A change set that changes no resource still changes the stack (its
    /// outputs, metadata or parameters): executing it is the only way they update.
    fn change_set_actions(
        &self,
        deployed: Option<&Value>,
        rendered: &Value,
        changes: &[ResourceChange],
    ) -> Vec<Action> {
        let actions = changes::actions(self.pipeline(), deployed, rendered, changes);
        if !changes.is_empty() {
            return actions;
        }
        vec![Action {
            kind: Kind::Step,
            component: "pipe".into(),
            resource: format!("update outputs {}", self.name),
            step: Some(Step::UpdateOutputs),
            resource_type: STACK_TYPE.into(),
            physical_id: Some(self.name.clone()),
            reason: Some("the change set changes no resource, only what the stack reports (its outputs)".into()),
            ..Action::default()
        }]
    }

    fn protection_step(&self, protected: bool) -> Action {
        let (resource, reason) = if protected {
            ("turn off termination protection", "the blueprint sets `deploy.termination_protection: false`")
        } else {
            ("turn on termination protection", "the blueprint sets `deploy.termination_protection: true`")
        };
        Action {
            kind: Kind::Step,
            component: "pipe".into(),
            resource: resource.into(),
            step: Some(Step::TerminationProtection),
            resource_type: STACK_TYPE.into(),
            physical_id: Some(self.name.clone()),
            reason: Some(reason.into()),
            ..Action::default()
        }
    }

    /// Executes the plan's change set (first recovering a failed stack, when the plan says so),
    /// follows the stack's events, then runs the steps.
    pub async fn apply(&self, plan: &Plan, options: Options, progress: &dyn Progress) -> Result<Vec<Done>, ApplyError> {
        plan.refuse_data_loss(options.allow_data_loss)?;
        let mut done = self.recover(plan, &options, progress).await?;
        if plan.has_step(Step::ImportKeptStores) {
            done.extend(self.import_kept(progress).await.map_err(|e| with_done(e, &done))?);
        }
        let change_set = match &plan.change_set {
            Some(arn) => Some(arn.clone()),
            None if plan.actions.iter().any(|a| a.resource_type != STACK_TYPE && a.kind != Kind::Step) => {
                self.change_set_held_to(plan).await.map_err(|e| with_done(e, &done))?
            }
            None => None,
        };
        if let Some(arn) = change_set {
            // Each resource the change set touches ends with an event, and the stack with it.
            progress
                .expect(plan.actions.iter().filter(|a| a.kind != Kind::NoChange && a.kind != Kind::Step).count() + 1);
            let ended = self.execute(Operation::Execute, &arn, progress).await;
            done.extend(ended.map_err(|e| with_done(e, &done))?.done);
        }
        if plan.has_step(Step::TerminationProtection) {
            self.cfn
                .update_termination_protection()
                .stack_name(&self.name)
                .enable_termination_protection(self.pipeline().deploy.termination_protection)
                .send()
                .await
                .map_err(api("UpdateTerminationProtection"))
                .map_err(setup)?;
        }
        let state = self.engine.read_modelled().await.map_err(|e| ApplyError::Setup {
            what: "reading the deployed resources",
            error: ApiError::new("read", e.to_string()),
        })?;
        self.engine.run_steps(plan, &Engine::handles(&state), progress, done).await
    }

    /// Brings a failed stack back to one that takes a change set, as the plan's recovery step
    /// says: deletes it, or continues its rollback (skipping `options.skip_resources`).
    async fn recover(&self, plan: &Plan, options: &Options, progress: &dyn Progress) -> Result<Vec<Done>, ApplyError> {
        let mut done = Vec::new();
        if plan.has_step(Step::DeleteFailedStack) {
            done.extend(self.delete_stack(Operation::DeleteFailed, progress).await?.done);
        }
        if plan.has_step(Step::ContinueRollback) {
            let skip = Some(options.skip_resources.clone()).filter(|s| !s.is_empty());
            let ended = self
                .operate(Operation::ContinueRollback, progress, |cfn| async move {
                    let request = cfn.continue_update_rollback().stack_name(&self.name).set_resources_to_skip(skip);
                    let sent = request.client_request_token(request_token("pipe-continue")).send().await;
                    sent.map_err(api("ContinueUpdateRollback")).map(|_| ())
                })
                .await?;
            done.extend(ended.done);
        }
        Ok(done)
    }

    /// The stack as apply finds it (whether it exists, its deployed template) and the template to
    /// converge it to: where a change set made at apply starts from.
    async fn at_apply(&self) -> Result<(bool, Option<Value>, Value), ApplyError> {
        let exists = self.now().await.map_err(setup)?.status.is_some();
        let deployed = if exists { self.deployed().await.map_err(setup)? } else { None };
        let (rendered, _) = self.template(deployed.as_ref()).map_err(|e| ApplyError::Setup {
            what: "rendering the template",
            error: ApiError::new("GetTemplate", e.to_string()),
        })?;
        Ok((exists, deployed, rendered))
    }

    /// Makes the change set a plan could not (the stack was failed, or kept stores were imported
    /// first) and holds it to the plan: one that replaces, deletes or is blocked beyond what the
    /// plan showed is deleted and refused.
    async fn change_set_held_to(&self, plan: &Plan) -> Result<Option<String>, ApplyError> {
        let (exists, deployed, rendered) = self.at_apply().await?;
        let kind = if exists { ChangeSetType::Update } else { ChangeSetType::Create };
        let import = plan.actions.iter().any(|a| a.kind == Kind::Import);
        let made = self.change_set(&rendered, kind, import, Vec::new()).await.map_err(|e| ApplyError::Setup {
            what: "creating the change set",
            error: ApiError::new("CreateChangeSet", e.to_string()),
        })?;
        let Some((arn, changes)) = made else { return Ok(None) };
        let unshown = unshown(plan, &self.change_set_actions(deployed.as_ref(), &rendered, &changes));
        if unshown.is_empty() {
            return Ok(Some(arn));
        }
        self.cfn
            .delete_change_set()
            .change_set_name(&arn)
            .send()
            .await
            .map_err(api("DeleteChangeSet"))
            .map_err(setup)?;
        let error = ApiError::new(
            "CreateChangeSet",
            format!("it would {}, which the plan does not show: run `pipe plan` again", unshown.join(", ")),
        );
        Err(ApplyError::Setup { what: "holding the change set to the plan", error })
    }

    /// Starts a stack operation with `call` and follows it to its end; an end other than the
    /// operation's own is an error naming its first causes.
    async fn operate<'c, F, Fut>(
        &'c self,
        operation: Operation,
        progress: &dyn Progress,
        call: F,
    ) -> Result<events::Ended, ApplyError>
    where
        F: FnOnce(&'c Client) -> Fut,
        Fut: std::future::Future<Output = Result<(), ApiError>>,
    {
        let id = self.stack_id().await.map_err(setup)?.unwrap_or_else(|| self.name.clone());
        let marker = events::newest(&self.cfn, &id).await.map_err(setup)?;
        let began = std::time::Instant::now();
        let label = format!("stack {}", self.name);
        progress.started(&label, operation.doing());
        if let Err(error) = call(&self.cfn).await {
            progress.failed(&label, &error.to_string());
            return Err(ApplyError::Failed {
                resource: self.name.clone(),
                resource_type: STACK_TYPE.into(),
                verb: operation.failed_verb(),
                error,
                done: Vec::new(),
            });
        }
        let id = if id == self.name { self.stack_id().await.map_err(setup)?.unwrap_or(id) } else { id };
        let mut ended = events::follow(&self.cfn, &id, marker, STACK_OPERATION, progress).await.map_err(setup)?;
        if operation.reached().contains(&ended.status.as_str()) {
            let what = match ended.status.as_str() {
                "CREATE_COMPLETE" => "created",
                "IMPORT_COMPLETE" => "imported",
                "DELETE_COMPLETE" => "deleted",
                "UPDATE_ROLLBACK_COMPLETE" => "rolled back",
                _ => "updated",
            };
            progress.finished(&label, &ended.status, began.elapsed());
            ended.done.push(Done { resource: label, what, elapsed: began.elapsed() });
            return Ok(ended);
        }
        progress.failed(&label, &ended.status);
        let causes =
            if ended.causes.is_empty() { "no resource reported why".to_string() } else { ended.causes.join("; ") };
        Err(ApplyError::Failed {
            resource: self.name.clone(),
            resource_type: STACK_TYPE.into(),
            verb: operation.failed_verb(),
            error: ApiError::new("stack", format!("{}: {causes}", ended.status)),
            done: ended.done,
        })
    }

    /// Executes a change set and follows the stack to the operation's end.
    async fn execute(
        &self,
        operation: Operation,
        arn: &str,
        progress: &dyn Progress,
    ) -> Result<events::Ended, ApplyError> {
        self.operate(operation, progress, |cfn| async move {
            cfn.execute_change_set()
                .change_set_name(arn)
                .client_request_token(request_token("pipe-execute"))
                // A failed operation deletes the kept stores it made, and only those: left, they
                // would collide with the next create.
                .retain_except_on_create(true)
                .send()
                .await
                .map_err(api("ExecuteChangeSet"))
                .map(|_| ())
        })
        .await
    }

    /// The step that imports the kept stores CloudFormation adopts only by their identifiers.
    fn import_step(&self, by_id: &[&Outside]) -> Option<Action> {
        let names: Vec<&str> = by_id.iter().map(|o| o.logical_id.as_str()).collect();
        (!names.is_empty()).then(|| Action {
            kind: Kind::Step,
            component: "pipe".into(),
            resource: format!("import kept stores {}", self.name),
            step: Some(Step::ImportKeptStores),
            resource_type: STACK_TYPE.into(),
            physical_id: Some(self.name.clone()),
            reason: Some(format!(
                "{} outside the stack: an import change set (ResourcesToImport) brings {} in, and \
                 the change set after it, made then, is refused if it replaces or deletes more than shown here",
                names.join(", "),
                if names.len() == 1 { "it" } else { "them" }
            )),
            ..Action::default()
        })
    }

    /// Imports the kept stores found live that CloudFormation adopts only by identifier, in an
    /// import change set of their own, read again from live: the plan may be old.
    async fn import_kept(&self, progress: &dyn Progress) -> Result<Vec<Done>, ApplyError> {
        let (_, deployed, rendered) = self.at_apply().await?;
        let state = self.engine.read_modelled().await.map_err(|e| ApplyError::Setup {
            what: "reading the kept stores",
            error: ApiError::new("read", e.to_string()),
        })?;
        let outside = adopt::outside(self.pipeline(), deployed.as_ref(), &state);
        let by_id: Vec<&Outside> = outside.iter().filter(|o| matches!(o.how, How::ById(..))).collect();
        let to_import: Vec<ResourceToImport> = by_id
            .iter()
            .filter_map(|o| {
                let How::ById(key, value) = &o.how else { return None };
                let resource = ResourceToImport::builder()
                    .resource_type(o.resource_type)
                    .logical_resource_id(&o.logical_id)
                    .resource_identifier(*key, value);
                Some(resource.build())
            })
            .collect();
        if to_import.is_empty() {
            return Ok(Vec::new());
        }
        let template = adopt::import_template(deployed.as_ref(), &rendered, &by_id);
        let made = self.change_set(&template, ChangeSetType::Import, false, to_import).await;
        let made = made.map_err(|e| ApplyError::Setup {
            what: "creating the import change set",
            error: ApiError::new("CreateChangeSet", e.to_string()),
        })?;
        let Some((arn, _)) = made else { return Ok(Vec::new()) };
        Ok(self.execute(Operation::Import, &arn, progress).await?.done)
    }

    /// Deletes the stack and follows it to its end. `Operation::ForceDelete` (FORCE_DELETE_STACK,
    /// only for a stack whose delete failed): CloudFormation leaves what it cannot delete instead
    /// of failing again.
    async fn delete_stack(&self, operation: Operation, progress: &dyn Progress) -> Result<events::Ended, ApplyError> {
        let force = operation == Operation::ForceDelete;
        self.operate(operation, progress, |cfn| async move {
            let sent = cfn
                .delete_stack()
                .stack_name(&self.name)
                .client_request_token(request_token("pipe-delete"))
                .set_deletion_mode(force.then_some(DeletionMode::ForceDeleteStack));
            sent.send().await.map_err(api("DeleteStack")).map(|_| ())
        })
        .await
    }

    async fn stack_id(&self) -> Result<Option<String>, ApiError> {
        Ok(events::describe(&self.cfn, &self.name).await?.and_then(|s| s.stack_id().map(str::to_string)))
    }

    /// Deletes the stack; what it keeps (`DeletionPolicy: Retain`) is listed, or deleted too
    /// with `allow_data_loss`.
    pub async fn destroy(
        &self,
        options: Options,
        progress: &dyn Progress,
    ) -> Result<(Vec<Done>, Vec<String>), ApplyError> {
        let now = self.now().await.map_err(setup)?;
        if now.protected {
            return Err(ApplyError::Setup {
                what: "deleting the stack",
                error: ApiError::new(
                    "DeleteStack",
                    format!(
                        "stack {} has termination protection: set `deploy.termination_protection: false` and apply first",
                        self.name
                    ),
                ),
            });
        }
        let mut done = Vec::new();
        if now.status.is_some() {
            // A delete that failed once fails again on the same resources: CloudFormation then
            // lets go of them (FORCE_DELETE_STACK), and the providers below delete them by name,
            // as they delete what an interrupted destroy left.
            let force = now.status.as_deref() == Some("DELETE_FAILED");
            let operation = if force { Operation::ForceDelete } else { Operation::Delete };
            // What the stack deletes: the resources of its template it holds now, but those its
            // DeletionPolicy keeps.
            let deployed = self.deployed().await.map_err(setup)?;
            let deletes = |id: &str| {
                let resource = deployed.as_ref().and_then(|t| t.pointer(&format!("/Resources/{id}")));
                resource.is_some_and(|r| r.get("DeletionPolicy") != Some(&Value::from("Retain")))
            };
            let held: Vec<String> = self
                .stack_resources()
                .await
                .map_err(setup)?
                .iter()
                .filter(|r| r.resource_status().is_some_and(|s| s.as_str() != "DELETE_COMPLETE"))
                .filter_map(|r| r.logical_resource_id().map(str::to_string))
                .filter(|id| deletes(id))
                .collect();
            let began = std::time::Instant::now();
            self.delete_stack(operation, progress).await?;
            let elapsed = began.elapsed();
            done.extend(held.into_iter().map(|resource| Done { resource, what: "deleted", elapsed }));
        }
        // What the stack kept, and anything an interrupted destroy left: found by name.
        let state = self.engine.read_modelled().await.map_err(|e| ApplyError::Setup {
            what: "reading what the stack kept",
            error: ApiError::new("read", e.to_string()),
        })?;
        let (deleted, kept) = self.engine.destroy(&state, options, progress).await?;
        done.extend(deleted);
        Ok((done, kept))
    }

    /// Whether there is anything to destroy.
    pub async fn exists(&self) -> Result<bool, Error> {
        if self.now().await?.status.is_some() {
            return Ok(true);
        }
        Ok(!self.engine.read_modelled().await?.live.is_empty())
    }
}

fn setup(error: ApiError) -> ApplyError {
    ApplyError::Setup { what: "talking to CloudFormation", error }
}

fn with_done(error: ApplyError, before: &[Done]) -> ApplyError {
    match error {
        ApplyError::Failed { resource, resource_type, verb, error, done } => {
            ApplyError::Failed { resource, resource_type, verb, error, done: [before, &done].concat() }
        }
        other => other,
    }
}

/// A stack operation pipe starts and follows to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Execute,
    Import,
    Delete,
    /// Delete a stack whose delete failed, leaving what failed (FORCE_DELETE_STACK).
    ForceDelete,
    /// Delete a stack left by a failed first create or delete, before creating it again.
    DeleteFailed,
    ContinueRollback,
}

impl Operation {
    fn doing(self) -> &'static str {
        match self {
            Operation::Execute => "executing the change set",
            Operation::Import => "importing the kept stores",
            Operation::Delete => "deleting the stack",
            Operation::ForceDelete => "deleting the stack, leaving what it failed to delete",
            Operation::DeleteFailed => "deleting the failed stack",
            Operation::ContinueRollback => "continuing the rollback",
        }
    }

    /// The verb of "could not be …" when it fails.
    fn failed_verb(self) -> &'static str {
        match self {
            Operation::Execute | Operation::Import => "changed",
            Operation::Delete | Operation::ForceDelete | Operation::DeleteFailed => "deleted",
            Operation::ContinueRollback => "rolled back",
        }
    }

    /// The stack statuses it ends in when it succeeds.
    fn reached(self) -> &'static [&'static str] {
        match self {
            Operation::Execute | Operation::Import => EXECUTED,
            Operation::Delete | Operation::ForceDelete | Operation::DeleteFailed => DELETED,
            Operation::ContinueRollback => &["UPDATE_ROLLBACK_COMPLETE"],
        }
    }
}

/// A token for one mutating call (`<prefix>-<seconds>-<random>`): the SDK's own retries of the
/// call send the same one, so CloudFormation takes a retry after a lost response as the same
/// request instead of refusing it, and the stack's events carry it.
fn request_token(prefix: &str) -> String {
    format!("{prefix}-{}-{:08x}", DateTime::from(std::time::SystemTime::now()).secs(), fastrand::u32(..))
}

/// CloudFormation's ways of saying a change set would change nothing.
fn no_changes(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// The IAM capabilities the template needs: none without IAM resources, NAMED_IAM when one of
/// them has a name of its own.
fn capabilities(template: &Value) -> Option<Vec<Capability>> {
    let resources = template.get("Resources").and_then(Value::as_object)?;
    let iam: Vec<&Value> = resources
        .values()
        .filter(|r| r.get("Type").and_then(Value::as_str).is_some_and(|t| t.starts_with("AWS::IAM::")))
        .collect();
    if iam.is_empty() {
        return None;
    }
    let named = iam.iter().any(|r| {
        let properties = r.get("Properties");
        ["RoleName", "ManagedPolicyName", "InstanceProfileName", "GroupName", "UserName"]
            .iter()
            .any(|key| properties.and_then(|p| p.get(key)).is_some())
    });
    Some(vec![if named { Capability::CapabilityNamedIam } else { Capability::CapabilityIam }])
}

/// The resources of a deployed stack that its change set leaves as they are.
fn unchanged(pipeline: &Pipeline, changed: &[Action]) -> Vec<Action> {
    pipeline
        .resources
        .iter()
        .filter(|(id, _)| !changed.iter().any(|a| &a.resource == *id))
        .map(|(id, resource)| Action {
            kind: Kind::NoChange,
            component: resource.component.clone(),
            resource: id.clone(),
            resource_type: resource.cfn_type.to_string(),
            ..Action::default()
        })
        .collect()
}

/// Every resource of the template as a create: what apply does after deleting a failed stack.
/// What a change set made at apply time would do that could not be undone and the plan, made
/// before the stack took change sets, did not show.
fn unshown(plan: &Plan, made: &[Action]) -> Vec<String> {
    made.iter()
        .filter(|a| a.blocked.is_some() || a.data_loss.is_some() || matches!(a.kind, Kind::Replace | Kind::Delete))
        .filter(|a| !plan.actions.iter().any(|p| p.resource == a.resource && p.kind == a.kind && a.blocked.is_none()))
        .map(|a| format!("{} {}", a.kind.verb(), a.resource))
        .collect()
}

/// What a change set from `deployed` to `rendered` would do, read from the two templates: for a
/// diff, and for a plan before a stack can take a change set.
fn predicted(pipeline: &Pipeline, deployed: Option<&Value>, rendered: &Value) -> Vec<Action> {
    changes::actions(pipeline, deployed, rendered, &changes::template_changes(deployed, rendered))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use serde_json::json;

    use super::*;
    use crate::backend::sdk::replay::Replay;
    use crate::model::Resource;

    /// A pipeline of the recorded stack's resources.
    fn pipeline(resources: Vec<(&str, Resource)>) -> Pipeline {
        Pipeline::of("internet-offering", resources)
    }

    /// Progress as the lines a CI log would show.
    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);

    impl Progress for Log {
        fn started(&self, resource: &str, doing: &str) {
            self.0.lock().unwrap().push(format!("{resource}: {doing}"));
        }
        fn finished(&self, resource: &str, done: &str, _: Duration) {
            self.0.lock().unwrap().push(format!("{resource}: {done}"));
        }
        fn failed(&self, resource: &str, error: &str) {
            let start: String = error.chars().take(40).collect();
            self.0.lock().unwrap().push(format!("{resource}: FAILED: {start}"));
        }
    }

    fn plan(actions: Vec<Action>, change_set: Option<&str>) -> Plan {
        Plan { change_set: change_set.map(str::to_string), ..crate::plan::sample(actions) }
    }

    #[tokio::test]
    async fn a_change_set_for_types_moto_skips_is_read_into_the_plan() {
        let replay = Replay::start(include_str!("../../../tests/recorded/cloudformation-change-set.json")).await;
        let template = |stream: &str, workers: u32, in_cluster: bool| {
            json!({ "Resources": {
                "ArchiveDeliveryStream": { "Type": "AWS::KinesisFirehose::DeliveryStream",
                    "Properties": { "DeliveryStreamName": stream } },
                "ArchiveRole": { "Type": "AWS::IAM::Role", "Properties": { "Policies": [{ "PolicyName": "pipe",
                    "PolicyDocument": { "Statement": [{ "Effect": "Allow", "Action": "firehose:PutRecordBatch",
                        "Resource": format!("arn:aws:firehose:eu-west-1:123456789012:deliverystream/{stream}") }] } }] } },
                "JoinJob": { "Type": "AWS::Glue::Job", "Properties": { "Name": "streams-join", "NumberOfWorkers": workers } },
                "TelemetryCluster": { "Type": "AWS::MSK::Cluster", "Properties": {
                    "EncryptionInfo": { "EncryptionInTransit": { "ClientBroker": "TLS", "InCluster": in_cluster } } } }
            } })
        };
        let deployed = template("streams-archive", 2, true);
        let rendered = template("streams-archive-v2", 3, false);
        let pipeline = Pipeline::of(
            "streams",
            vec![
                ("ArchiveDeliveryStream", Resource::new("AWS::KinesisFirehose::DeliveryStream", "archive", json!({}))),
                ("ArchiveRole", Resource::new("AWS::IAM::Role", "archive", json!({}))),
                ("JoinJob", Resource::new("AWS::Glue::Job", "join", json!({}))),
                ("TelemetryCluster", Resource::new("AWS::MSK::Cluster", "telemetry", json!({}))),
            ],
        );
        let stack = Stack::new(replay.account.clone(), &pipeline).expect("a stack");
        let made = stack.change_set(&rendered, ChangeSetType::Update, false, Vec::new()).await;
        replay.finish();
        let (arn, changes) = made.expect("a change set").expect("with changes");
        assert!(arn.contains(":changeSet/pipe-1764590000/"));
        let actions = changes::actions(&pipeline, Some(&deployed), &rendered, &changes);
        let summary: Vec<(&str, Kind, &str)> =
            actions.iter().map(|a| (a.resource.as_str(), a.kind, a.component.as_str())).collect();
        assert_eq!(
            summary,
            [
                ("ArchiveDeliveryStream", Kind::Replace, "archive"),
                ("ArchiveRole", Kind::Update, "archive"),
                ("JoinJob", Kind::Update, "join"),
                ("TelemetryCluster", Kind::Replace, "telemetry"),
            ]
        );
        assert!(actions[0].changes[0].forces_replacement, "DeliveryStreamName: RequiresRecreation Always");
        assert_eq!(actions[2].changes[0].path, "NumberOfWorkers");
        assert!(actions[3].reason.as_deref().unwrap().contains("decides while applying"));
        assert!(actions[3].data_loss.is_some(), "a replaced cluster loses its topics' data");
        assert_eq!(actions[1].physical_id.as_deref(), Some("streams-ArchiveRole"));
    }

    #[tokio::test]
    async fn the_apply_after_a_failed_create_deletes_the_stack_and_creates_it_again() {
        let recorded = include_str!("../../../tests/recorded/cloudformation-recover-rollback-complete.json");
        let replay = Replay::start(recorded).await;
        let pipeline = pipeline(vec![(
            "LogsGroup",
            Resource::new("AWS::Logs::LogGroup", "enrich", json!({ "LogGroupName": "/pipe/internet-offering" })),
        )]);
        let stack = Stack::new(replay.account.clone(), &pipeline).expect("a stack");
        let mut actions = vec![stack.recovery("ROLLBACK_COMPLETE", &[])];
        actions.extend(predicted(&pipeline, None, &crate::render::template(&pipeline)));
        let log = Log::default();
        let options = Options { concurrency: 8, skip_resources: Vec::new(), ..Options::default() };
        let done = stack.apply(&plan(actions, None), options, &log).await;
        replay.finish();
        let done: Vec<String> = done.expect("recovered").iter().map(|d| format!("{} {}", d.resource, d.what)).collect();
        assert_eq!(done, ["stack internet-offering deleted", "LogsGroup created", "stack internet-offering created"]);
        assert_eq!(
            log.0.into_inner().unwrap(),
            [
                "stack internet-offering: deleting the failed stack",
                "stack internet-offering: DELETE_COMPLETE",
                "stack internet-offering: executing the change set",
                "LogsGroup: creating",
                "LogsGroup: create complete",
                "stack internet-offering: CREATE_COMPLETE",
            ]
        );
    }

    #[tokio::test]
    async fn the_apply_after_a_failed_rollback_continues_it_then_updates() {
        let recorded = include_str!("../../../tests/recorded/cloudformation-continue-update-rollback.json");
        let replay = Replay::start(recorded).await;
        let pipeline = pipeline(vec![(
            "LogsGroup",
            Resource::new(
                "AWS::Logs::LogGroup",
                "enrich",
                json!({ "LogGroupName": "/pipe/internet-offering", "RetentionInDays": 30 }),
            ),
        )]);
        let stack = Stack::new(replay.account.clone(), &pipeline).expect("a stack");
        let update = Action {
            kind: Kind::Update,
            component: "enrich".into(),
            resource: "LogsGroup".into(),
            resource_type: "AWS::Logs::LogGroup".into(),
            ..Action::default()
        };
        let actions = vec![stack.recovery("UPDATE_ROLLBACK_FAILED", &[]), update];
        let log = Log::default();
        let options = Options { concurrency: 8, skip_resources: vec!["EnrichFunction".into()], ..Options::default() };
        let done = stack.apply(&plan(actions, None), options, &log).await;
        replay.finish();
        let done: Vec<String> = done.expect("recovered").iter().map(|d| format!("{} {}", d.resource, d.what)).collect();
        assert_eq!(
            done,
            [
                "LogsGroup updated",
                "stack internet-offering rolled back",
                "LogsGroup updated",
                "stack internet-offering updated"
            ]
        );
    }

    #[tokio::test]
    async fn a_failed_rollback_plans_its_recovery_naming_what_can_be_skipped() {
        let replay =
            Replay::start(include_str!("../../../tests/recorded/cloudformation-rollback-failed-resources.json")).await;
        let pipeline = pipeline(Vec::new());
        let stack = Stack::new(replay.account.clone(), &pipeline).expect("a stack");
        let failed = stack.failed_resources().await.expect("read");
        replay.finish();
        let step = stack.recovery("UPDATE_ROLLBACK_FAILED", &failed);
        assert_eq!(step.resource, "continue rollback internet-offering");
        let reason = step.reason.expect("a reason");
        assert!(
            reason.contains(
                "could not roll back: EnrichFunction (Resource handler returned message: \"The role defined for the function cannot be assumed by Lambda.\" (Service: Lambda, Status Code: 400))"
            ),
            "{reason}"
        );
        assert!(reason.contains("`pipe apply --skip-resource ID`"), "{reason}");
    }

    #[tokio::test]
    async fn destroying_a_stack_whose_delete_failed_has_cloudformation_let_go_of_what_failed() {
        let recorded = include_str!("../../../tests/recorded/cloudformation-destroy-delete-failed.json");
        let replay = Replay::start(recorded).await;
        let pipeline = pipeline(Vec::new());
        let stack = Stack::new(replay.account.clone(), &pipeline).expect("a stack");
        let log = Log::default();
        let deleted = stack.delete_stack(Operation::ForceDelete, &log).await;
        replay.finish();
        let done: Vec<String> =
            deleted.expect("deleted").done.iter().map(|d| format!("{} {}", d.resource, d.what)).collect();
        assert_eq!(done, ["stack internet-offering deleted"]);
    }

    #[tokio::test]
    async fn a_kept_secret_is_imported_by_its_arn_in_an_import_of_its_own() {
        let replay = Replay::start(include_str!("../../../tests/recorded/cloudformation-import-by-id.json")).await;
        let mut secret = Resource::new(
            "AWS::SecretsManager::Secret",
            "warehouse",
            json!({ "Name": "pipe/internet-offering-warehouse/admin",
                "GenerateSecretString": { "SecretStringTemplate": "{\"username\":\"pipe_admin\"}", "GenerateStringKey": "password" } }),
        );
        secret.retain = Some(true);
        let pipeline = pipeline(vec![("WarehouseAdminSecret", secret)]);
        let stack = Stack::new(replay.account.clone(), &pipeline).expect("a stack");
        let log = Log::default();
        let imported = stack.import_kept(&log).await;
        replay.finish();
        let done: Vec<String> =
            imported.expect("imported").iter().map(|d| format!("{} {}", d.resource, d.what)).collect();
        assert_eq!(done, ["WarehouseAdminSecret imported", "stack internet-offering imported"]);
    }

    #[tokio::test]
    async fn a_kept_stream_is_imported_by_the_change_set_not_created_again() {
        let replay = Replay::start(include_str!("../../../tests/recorded/cloudformation-import-kept.json")).await;
        let pipeline = Pipeline::of(
            "streams",
            vec![
                ("ArchiveStream", Resource::new("AWS::Kinesis::Stream", "archive", json!({}))),
                ("ArchiveRole", Resource::new("AWS::IAM::Role", "archive", json!({}))),
            ],
        );
        let stack = Stack::new(replay.account.clone(), &pipeline).expect("a stack");
        let template = json!({ "Resources": {
            "ArchiveStream": { "Type": "AWS::Kinesis::Stream", "DeletionPolicy": "Retain",
                "Properties": { "Name": "streams-archive" } },
            "ArchiveRole": { "Type": "AWS::IAM::Role", "Properties": {} } } });
        let made = stack.change_set(&template, ChangeSetType::Create, true, Vec::new()).await;
        replay.finish();
        let (_, changes) = made.expect("a change set").expect("with changes");
        let actions = stack.change_set_actions(None, &template, &changes);
        let kinds: Vec<(&str, Kind)> = actions.iter().map(|a| (a.resource.as_str(), a.kind)).collect();
        assert_eq!(kinds, [("ArchiveStream", Kind::Import), ("ArchiveRole", Kind::Create)]);
        assert_eq!(actions[0].reason.as_deref(), Some(adopt::IMPORT_REASON));
    }

    #[tokio::test]
    async fn a_replacement_of_a_table_whose_name_stays_is_blocked() {
        let replay = Replay::start(include_str!("../../../tests/recorded/cloudformation-named-replacement.json")).await;
        let pipeline =
            Pipeline::of("orders", vec![("OrdersTable", Resource::new("AWS::DynamoDB::Table", "orders", json!({})))]);
        let stack = Stack::new(replay.account.clone(), &pipeline).expect("a stack");
        let table = |key: &str| {
            json!({ "Resources": { "OrdersTable": { "Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain",
                "Properties": { "TableName": "orders-orders",
                    "KeySchema": [{ "AttributeName": key, "KeyType": "HASH" }] } } } })
        };
        let (deployed, rendered) = (table("id"), table("order_id"));
        let made = stack.change_set(&rendered, ChangeSetType::Update, false, Vec::new()).await;
        replay.finish();
        let (_, changes) = made.expect("a change set").expect("with changes");
        let actions = stack.change_set_actions(Some(&deployed), &rendered, &changes);
        assert_eq!(actions[0].kind, Kind::Replace);
        let blocked = actions[0].blocked.as_deref().expect("blocked");
        assert!(
            blocked.starts_with(
                "CloudFormation cannot replace a resource with a name of its own while the name stays \"orders-orders\""
            ),
            "{blocked}"
        );
    }

    #[test]
    fn a_change_set_made_at_apply_is_held_to_what_the_plan_showed() {
        let action = |kind, resource: &str| Action { kind, resource: resource.into(), ..Action::default() };
        let shown = plan(vec![action(Kind::Update, "LogsGroup"), action(Kind::Replace, "EventsStream")], None);
        let mut lost = action(Kind::Delete, "OldTable");
        lost.data_loss = Some(crate::plan::DataLoss { lost: "its items".into(), safer_path: "keep it".into() });
        let made = [action(Kind::Update, "LogsGroup"), action(Kind::Replace, "EventsStream"), lost];
        assert_eq!(unshown(&shown, &made), ["delete OldTable"]);
        let mut blocked = action(Kind::Replace, "EventsStream");
        blocked.blocked = Some("same name".into());
        assert_eq!(unshown(&shown, &[blocked]), ["REPLACE EventsStream"]);
    }

    #[tokio::test]
    async fn a_change_set_of_outputs_only_is_executed_not_discarded() {
        let replay = Replay::start(r#"{ "exchanges": [] }"#).await;
        let pipeline = pipeline(vec![("SignupsStream", Resource::new("AWS::Kinesis::Stream", "signups", json!({})))]);
        let stack = Stack::new(replay.account.clone(), &pipeline).expect("a stack");
        let template = crate::render::template(&pipeline);
        let actions = stack.change_set_actions(Some(&template), &template, &[]);
        replay.finish();
        let summary: Vec<(Kind, &str)> = actions.iter().map(|a| (a.kind, a.resource.as_str())).collect();
        assert_eq!(summary, [(Kind::Step, "update outputs internet-offering")]);
        assert!(plan(actions, Some("arn:aws:cloudformation:eu-west-1:1:changeSet/pipe-1/x")).has_changes());
    }

    #[tokio::test]
    async fn a_change_set_refused_by_early_validation_names_the_resource_that_exists() {
        let replay = Replay::start(include_str!("../../../tests/recorded/cloudformation-early-validation.json")).await;
        let pipeline = Pipeline::of(
            "streams",
            vec![("ArchiveStream", Resource::new("AWS::Kinesis::Stream", "archive", json!({})))],
        );
        let stack = Stack::new(replay.account.clone(), &pipeline).expect("a stack");
        let template = json!({ "Resources": { "ArchiveStream": { "Type": "AWS::Kinesis::Stream",
            "Properties": { "Name": "streams-archive" } } } });
        let refused = stack.change_set(&template, ChangeSetType::Create, false, Vec::new()).await;
        replay.finish();
        let Err(Error::ChangeSet { reason, .. }) = refused else { panic!("{refused:?}") };
        let named = reason.lines().nth(1).expect("a line for the resource").trim();
        assert_eq!(
            named,
            "ArchiveStream (AWS::EarlyValidation::ResourceExistenceCheck): Resource of type AWS::Kinesis::Stream with identifier streams-archive already exists; it lives outside the stack (kept by a destroyed or failed one): delete it, or rename the component"
        );
    }

    #[tokio::test]
    async fn a_retried_execute_carries_the_token_of_its_first_try() {
        let replay =
            Replay::start_retrying(include_str!("../../../tests/recorded/cloudformation-execute-retried.json")).await;
        let pipeline = pipeline(vec![
            ("SignupsStream", Resource::new("AWS::Kinesis::Stream", "signups", json!({}))),
            ("EnrichFunction", Resource::new("AWS::Lambda::Function", "enrich", json!({}))),
        ]);
        let stack = Stack::new(replay.account.clone(), &pipeline).expect("a stack");
        let change_set = "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/pipe-1764583200/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
        let plan = plan(predicted(&pipeline, None, &crate::render::template(&pipeline)), Some(change_set));
        let options = Options { concurrency: 8, skip_resources: Vec::new(), ..Options::default() };
        let failed = stack.apply(&plan, options, &Log::default()).await.expect_err("the create itself failed");
        // Every recorded request was sent, the retried ExecuteChangeSet with the first try's token.
        replay.finish();
        let ApplyError::Failed { error, .. } = failed else { panic!("{failed}") };
        assert!(error.message.starts_with("ROLLBACK_COMPLETE: EnrichFunction CREATE_FAILED"), "{}", error.message);
    }

    #[tokio::test]
    async fn a_failed_create_names_the_first_failure_as_its_cause() {
        let replay = Replay::start(include_str!("../../../tests/recorded/cloudformation-failed-create.json")).await;
        let pipeline = pipeline(vec![
            ("SignupsStream", Resource::new("AWS::Kinesis::Stream", "signups", json!({}))),
            ("EnrichFunction", Resource::new("AWS::Lambda::Function", "enrich", json!({}))),
        ]);
        let stack = Stack::new(replay.account.clone(), &pipeline).expect("a stack");
        let change_set = "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/pipe-1764583200/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
        let plan = plan(predicted(&pipeline, None, &crate::render::template(&pipeline)), Some(change_set));
        let log = Log::default();
        let options = Options { concurrency: 8, skip_resources: Vec::new(), ..Options::default() };
        let failed = stack.apply(&plan, options, &log).await.expect_err("the create failed");
        replay.finish();
        let ApplyError::Failed { resource, error, done, .. } = failed else { panic!("{failed}") };
        assert_eq!(resource, "internet-offering");
        assert_eq!(
            error.message,
            "ROLLBACK_COMPLETE: EnrichFunction CREATE_FAILED: Resource handler returned message: \"Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist. (Service: Lambda, Status Code: 400, Request ID: 2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5e7a)\" (RequestToken: 8f7e6d5c-4b3a-2918-0f1e-2d3c4b5a6978, HandlerErrorCode: InvalidRequest)"
        );
        let rolled_back: Vec<&str> = done.iter().map(|d| d.resource.as_str()).collect();
        assert_eq!(rolled_back, ["SignupsStream", "EnrichFunction"], "the rollback deleted both");
        assert_eq!(
            log.0.into_inner().unwrap(),
            [
                "stack internet-offering: executing the change set",
                "SignupsStream: creating",
                "EnrichFunction: creating",
                "EnrichFunction: FAILED: Resource handler returned message: \"Erro",
                "SignupsStream: FAILED: Resource creation cancelled",
                "SignupsStream: delete complete",
                "EnrichFunction: delete complete",
                "stack internet-offering: FAILED: ROLLBACK_COMPLETE",
            ]
        );
    }

    #[test]
    fn capabilities_follow_the_iam_resources() {
        let template = |resources: Value| json!({ "Resources": resources });
        assert_eq!(capabilities(&template(json!({ "S": { "Type": "AWS::Kinesis::Stream" } }))), None);
        let unnamed = template(json!({ "R": { "Type": "AWS::IAM::Role", "Properties": {} } }));
        assert_eq!(capabilities(&unnamed), Some(vec![Capability::CapabilityIam]));
        let named =
            template(json!({ "P": { "Type": "AWS::IAM::ManagedPolicy", "Properties": { "ManagedPolicyName": "p" } } }));
        assert_eq!(capabilities(&named), Some(vec![Capability::CapabilityNamedIam]));
    }

    #[test]
    fn both_ways_of_saying_nothing_changes_are_understood() {
        assert!(no_changes(
            "The submitted information didn't contain changes. Submit different information to create a change set."
        ));
        assert!(no_changes("No updates are to be performed."));
        assert!(!no_changes("Template format error"));
    }
}
