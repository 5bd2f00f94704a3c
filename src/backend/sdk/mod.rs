//! The SDK target: a small CloudFormation engine of pipe's own. It converges the compiled model
//! (the resources the template has) through the service APIs: reads every resource by its
//! deterministic name, diffs it in the template's shape, then creates, updates, replaces or
//! deletes it, in dependency order.

pub mod apply;
mod artifacts;
mod discovery;
pub mod graph;
mod journal;
pub(crate) mod lock;
mod operation;
mod predict;
pub mod propagation;
pub mod provider;
mod providers;
#[cfg(test)]
pub(crate) mod replay;
pub mod resolve;

pub use self::providers::name_path;
mod steps;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use self::graph::Dependencies;
use self::provider::{Clients, Desired, Live, Provider, tag_list, tag_pairs};
use self::resolve::{Handle, Resolver};
use crate::backend::aws::{Account, ApiError};
use crate::model::{Pipeline, Prerequisite, Resource};
use crate::plan::grow_only::{self, Held, Shrink};
use crate::plan::{Action, Change, Deployed, Fingerprint, Kind, Plan, Source, diff, risk};

/// The tag holding a hash of the properties pipe last applied: live that differs from a
/// matching hash was changed outside pipe (drift).
pub const APPLIED_TAG: &str = "pipe:applied";

/// Why a resource an apply stopped on is changed.
const UNFINISHED: &str = "unfinished: the last apply stopped here before converging it; this one finishes it";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the sdk target cannot manage {0} yet")]
    Unsupported(String),
    #[error("reading {resource} ({resource_type}): {error}")]
    Read { resource: String, resource_type: String, error: ApiError },
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Shrinks(Vec<Shrink>),
}

/// A pipeline, the account it goes to, and what was read of it.
pub struct Engine<'a> {
    pub aws: Arc<Clients>,
    pub pipeline: &'a Pipeline,
    pub deps: Dependencies,
    parameters: HashMap<String, String>,
}

/// The live state read for a plan: what apply starts from.
#[derive(Default, Clone)]
pub struct State {
    pub live: HashMap<String, Live>,
    /// Resources of this pipeline the blueprint no longer has (a component removed or renamed).
    pub orphans: Vec<Orphan>,
    /// Where leftovers could not be looked for, and why (a service the pipeline does not use
    /// refused the listing).
    pub unread: Vec<String>,
    /// Resources the last apply set out to converge and did not finish (its journal).
    pub unfinished: BTreeSet<String>,
}

/// A resource tagged for this pipeline that no resource of the model names.
#[derive(Clone)]
pub struct Orphan {
    pub resource_type: &'static str,
    pub component: String,
    pub live: Live,
}

impl<'a> Engine<'a> {
    pub fn new(account: Account, pipeline: &'a Pipeline) -> Result<Self, Error> {
        let unsupported: Vec<&str> = pipeline
            .resources
            .values()
            .map(|r| r.cfn_type)
            .filter(|t| providers::for_type(t).is_none())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !unsupported.is_empty() {
            return Err(Error::Unsupported(unsupported.join(", ")));
        }
        let mut parameters = HashMap::new();
        if pipeline.parameters.contains_key(artifacts::PARAMETER) {
            parameters.insert(artifacts::PARAMETER.to_string(), artifacts::bucket_name(&account));
        }
        Ok(Engine {
            aws: Arc::new(Clients::new(account)),
            deps: Dependencies::new(&pipeline.resources),
            pipeline,
            parameters,
        })
    }

    fn provider(resource: &Resource) -> &'static dyn Provider {
        providers::for_type(resource.cfn_type).expect("checked in Engine::new")
    }

    /// The resource as the blueprint wants it, resolved against what is known so far.
    fn resolver<'h>(&'h self, handles: &'h HashMap<String, Handle>) -> Resolver<'h> {
        Resolver { account: &self.aws.account, parameters: &self.parameters, handles }
    }

    fn desired(&self, logical_id: &str, handles: &HashMap<String, Handle>) -> Desired {
        let resource = &self.pipeline.resources[logical_id];
        let resolver = self.resolver(handles);
        let properties = resolver.resolve_map(&resource.properties);
        let name = providers::name_of(resource.cfn_type, &properties)
            .unwrap_or_else(|| generated_name(&self.pipeline.name, logical_id));
        Desired { logical_id: logical_id.to_string(), resource_type: resource.cfn_type, name, properties }
    }

    /// What to converge a resource to, given what is live: [`Self::desired`] with grow-only values
    /// held to the live ones (`plan::grow_only`), and the declared values that would shrink one.
    pub(super) fn desired_held(
        &self,
        logical_id: &str,
        handles: &HashMap<String, Handle>,
        live: Option<&Live>,
    ) -> (Desired, Held) {
        let mut desired = self.desired(logical_id, handles);
        let held = match live {
            Some(live) => {
                grow_only::hold(&self.pipeline.resources[logical_id], &mut desired.properties, &live.properties)
            }
            None => Held::default(),
        };
        (desired, held)
    }

    /// Reads every resource of the model and the leftovers of earlier versions of the blueprint.
    pub async fn read(&self) -> Result<State, Error> {
        let mut state = self.read_modelled().await?;
        let (orphans, unread) = self.orphans(&state.live, &Self::handles(&state)).await?;
        (state.orphans, state.unread) = (orphans, unread);
        let bucket = artifacts::bucket_name(&self.aws.account);
        let journal = journal::read(&self.aws, &bucket, &self.pipeline.name).await?;
        state.unfinished = journal.map(|record| record.pending).unwrap_or_default();
        Ok(state)
    }

    /// Reads the model's resources, wave by wave (a wave's resources concurrently): a resource's
    /// name or identity may come from one read before it.
    pub async fn read_modelled(&self) -> Result<State, Error> {
        self.read_named(&HashMap::new()).await
    }

    /// As [`Self::read_modelled`], with the names another deployer gave the resources the
    /// template leaves unnamed (a stack's physical ids), by logical id.
    pub async fn read_named(&self, names: &HashMap<String, String>) -> Result<State, Error> {
        let mut state = State::default();
        let mut handles = HashMap::new();
        for wave in self.deps.waves() {
            let reads = wave.iter().map(|id| {
                let mut desired = self.desired(id, &handles);
                let resource_type = self.pipeline.resources[id].cfn_type;
                if let (None, Some(name)) = (providers::name_of(resource_type, &desired.properties), names.get(id)) {
                    desired.name = name.clone();
                }
                let provider = Self::provider(&self.pipeline.resources[id]);
                let aws = self.aws.clone();
                async move {
                    let read = if providers::identity_known(&desired) {
                        provider.read(&aws, &desired).await
                    } else {
                        Ok(None)
                    };
                    (desired, read)
                }
            });
            for (desired, read) in futures::future::join_all(reads).await {
                let live = read.map_err(|error| Error::Read {
                    resource: desired.logical_id.clone(),
                    resource_type: desired.resource_type.to_string(),
                    error,
                })?;
                if let Some(live) = live {
                    handles.insert(desired.logical_id.clone(), live.handle.clone());
                    state.live.insert(desired.logical_id.clone(), live);
                }
            }
        }
        Ok(state)
    }

    pub fn handles(state: &State) -> HashMap<String, Handle> {
        state.live.iter().map(|(id, live)| (id.clone(), live.handle.clone())).collect()
    }

    /// Where what was read differs from the model, resource by resource, as a plan would change
    /// it: for the CloudFormation target, whose stack holds the model, to tell what changed
    /// outside pipe. Resources not found are left out (CloudFormation's drift detection tells a
    /// deleted one), and so are values that wait on a resource not read.
    pub fn live_differences(&self, state: &State) -> Vec<(String, Vec<Change>)> {
        let handles = Self::handles(state);
        let mut differences = Vec::new();
        for id in self.deps.waves().into_iter().flatten() {
            let Some(live) = state.live.get(&id) else { continue };
            let resource = &self.pipeline.resources[&id];
            let provider = Self::provider(resource);
            let desired = self.desired(&id, &handles);
            let mut changes = changes(provider, resource.cfn_type, &desired.properties, live);
            // What only pipe's own record gives back is unknown on a resource another deployer
            // made.
            changes.retain(|c| {
                c.after.as_ref().is_none_or(resolve::is_known)
                    && !provider
                        .recorded_only()
                        .iter()
                        .any(|key| diff::within(&c.path, key) && !live.properties.contains_key(*key))
            });
            if !changes.is_empty() {
                differences.push((id, changes));
            }
        }
        differences
    }

    /// Compares the blueprint with what was read.
    pub async fn plan(&self, state: &State, source: Source, vars_fingerprint: String) -> Result<Plan, Error> {
        // What a resource to create will be known by, where its name decides it, so what refers
        // to it shows the value rather than "(known after apply)". Waves run in dependency
        // order: a prediction is there before anything that refers to it.
        let mut handles = Self::handles(state);
        let mut actions = artifacts::plan(&self.aws, self.pipeline).await?;
        let (mut kept, mut refused) = (Vec::new(), Vec::new());
        for id in self.deps.waves().into_iter().flatten() {
            let resource = &self.pipeline.resources[&id];
            let (desired, held) = self.desired_held(&id, &handles, state.live.get(&id));
            if let (None, Some(predicted)) = (state.live.get(&id), predict::handle(&self.aws.account, &desired)) {
                handles.insert(id.clone(), predicted);
            }
            kept.extend(held.kept);
            refused.extend(held.refused);
            actions.push(self.action(resource, &desired, state.live.get(&id), state.unfinished.contains(&id)));
        }
        if !refused.is_empty() {
            return Err(Error::Shrinks(refused));
        }
        let updated: BTreeSet<&str> =
            actions.iter().filter(|a| a.kind == Kind::Update).map(|a| a.resource.as_str()).collect();
        actions.extend(self.plan_steps(state, &updated).await?);
        actions.extend(state.orphans.iter().map(|orphan| Action {
            kind: Kind::Delete,
            component: orphan.component.clone(),
            resource: orphan.live.handle.physical_id.clone(),
            resource_type: orphan.resource_type.to_string(),
            physical_id: Some(orphan.live.handle.physical_id.clone()),
            reason: Some(self.why_left(&orphan.component)),
            data_loss: risk::data_loss(orphan.resource_type),
            deployed: Some(Deployed { properties: orphan.live.properties.clone(), stays: false }),
            ..Action::default()
        }));
        let live = self
            .pipeline
            .resources
            .keys()
            .map(|id| (id.clone(), state.live.get(id).map_or_else(|| "absent".to_string(), fingerprint_live)))
            .chain(state.orphans.iter().map(|o| (o.live.handle.physical_id.clone(), fingerprint_live(&o.live))))
            .collect();
        crate::plan::fields::annotate(&mut actions, self.pipeline);
        let template = crate::render::template(self.pipeline);
        Ok(Plan {
            format_version: crate::plan::FORMAT_VERSION,
            pipeline: self.pipeline.name.clone(),
            target: "sdk".into(),
            account: self.aws.account.id.clone(),
            region: self.aws.account.region.clone(),
            actions,
            missing_prerequisites: self.missing_prerequisites().await?,
            manual_steps: crate::plan::ManualStep::of(self.pipeline),
            kept,
            unchecked: state.unread.clone(),
            source,
            fingerprint: Fingerprint { model: hash(&template), vars: vars_fingerprint, live },
            change_set: None,
            cost: None,
        })
    }

    /// Why a leftover of `component` is deleted: the component is gone, or no longer has it.
    fn why_left(&self, component: &str) -> String {
        if self.pipeline.resources.values().any(|r| r.component == component) {
            format!("the blueprint no longer has it: component `{component}` no longer includes it")
        } else {
            format!("the blueprint no longer has it: component `{component}` was removed or renamed")
        }
    }

    /// The steps (`model::steps`) with something to do; `updated` names the resources the plan
    /// updates (a Glue job among them restarts its run).
    pub async fn plan_steps(&self, state: &State, updated: &BTreeSet<&str>) -> Result<Vec<Action>, Error> {
        let handles = Self::handles(state);
        let resolver = self.resolver(&handles);
        Ok(steps::plan(&self.aws, &crate::model::steps::steps(self.pipeline), &resolver, updated).await?)
    }

    /// The per-account bucket that holds the pipeline's code (and large templates).
    pub fn artifacts_bucket(&self) -> String {
        artifacts::bucket_name(&self.aws.account)
    }

    /// Creates the artifacts bucket when missing and uploads the code not there yet.
    pub async fn upload_artifacts(&self) -> Result<usize, ApiError> {
        artifacts::upload(&self.aws, self.pipeline).await
    }

    /// The pipeline's prerequisites (`model::Prerequisite`) that are not there.
    pub async fn missing_prerequisites(&self) -> Result<Vec<String>, Error> {
        let mut missing = Vec::new();
        for prerequisite in &self.pipeline.prerequisites {
            match prerequisite {
                Prerequisite::GlueTable { component, database, table } => {
                    let found = self.aws.glue.get_table().database_name(database).name(table).send().await;
                    match found.map_err(crate::backend::aws::api("GetTable")) {
                        Ok(_) => {}
                        Err(e) if e.is("EntityNotFoundException") => missing.push(format!(
                            "`{component}` converts records with the Glue table `{database}.{table}`, which does not exist: create it, or list the records' `columns:` under `format_conversion` and pipe creates it"
                        )),
                        Err(e) => return Err(e.into()),
                    }
                }
            }
        }
        Ok(missing)
    }

    /// The action that takes `live` to `desired`. `unfinished`: the last apply set out to
    /// converge it and stopped first.
    fn action(&self, resource: &Resource, desired: &Desired, live: Option<&Live>, unfinished: bool) -> Action {
        let mut action = Action {
            component: resource.component.clone(),
            resource: desired.logical_id.clone(),
            resource_type: resource.cfn_type.to_string(),
            physical_id: providers::is_named(resource.cfn_type).then(|| desired.name.clone()),
            ..Action::default()
        };
        let Some(live) = live else {
            action.kind = Kind::Create;
            return action;
        };
        action.physical_id = Some(live.handle.physical_id.clone());
        let (live_properties, applied) = without_applied(&live.properties);
        let changes = changes(Self::provider(resource), resource.cfn_type, &desired.properties, live);
        if let Some(what) = provider::failure(live) {
            // A broken resource cannot be updated into a working one: it is made again.
            action.kind = Kind::Replace;
            action.reason = Some(format!(
                "`{}` is broken in AWS: {what}; pipe deletes it and creates it again",
                resource.component
            ));
            action.data_loss = risk::data_loss(resource.cfn_type);
            action.changes = changes;
            return action;
        }
        if changes.is_empty() {
            return action;
        }
        // Tagged with this very configuration yet unlike it: an apply stopped on it, or someone
        // changed it since. The journal tells which.
        let tagged_as_desired = applied.as_deref() == Some(applied_hash(&desired.properties).as_str());
        action.unfinished = tagged_as_desired && unfinished;
        action.drift = tagged_as_desired && !unfinished;
        let replaced: Vec<&Change> = changes.iter().filter(|c| c.forces_replacement).collect();
        if replaced.is_empty() {
            action.kind = Kind::Update;
            action.steps = Self::provider(resource).steps(live, &changes);
            action.data_loss =
                risk::shortened(resource.cfn_type, &live_properties, &desired.properties, action.unfinished);
        } else {
            action.kind = Kind::Replace;
            action.reason = Some(format!(
                "`{}` changed ({}), and {} cannot change in place",
                resource.component,
                diff::paths(replaced),
                resource.cfn_type
            ));
            action.data_loss = risk::data_loss(resource.cfn_type);
        }
        if action.unfinished {
            action.reason.get_or_insert_with(|| UNFINISHED.into());
        }
        if action.drift {
            action.reason.get_or_insert_with(|| "live was changed outside pipe; this puts it back".into());
        }
        action.security = risk::security(&changes, &live_properties, &desired.properties);
        action.changes = changes;
        action
    }
}

/// What changes to take `live` to `desired`: `plan::diff` on both (without `pipe:applied`, tags
/// in order), properties the provider cannot update marked as replacing it, and properties the
/// blueprint clears by leaving them out. The plan shows these; `Provider::update` does them.
fn changes(provider: &dyn Provider, resource_type: &str, desired: &Map<String, Value>, live: &Live) -> Vec<Change> {
    let (desired, _) = without_applied(desired);
    let (live, _) = without_applied(&live.properties);
    let mut changes = diff::changes(resource_type, &sorted_tags(&desired), &sorted_tags(&live));
    let cleared = provider.cleared_when_absent().iter().filter(|key| !desired.contains_key(**key));
    changes.extend(cleared.filter_map(|key| {
        let before = live.get(*key)?.clone();
        Some(Change { path: key.to_string(), before: Some(before), after: None, ..Change::default() })
    }));
    let fixed = provider.fixed();
    for change in &mut changes {
        let top = change.path.split(['.', '[']).next().unwrap_or_default();
        change.forces_replacement |= fixed.contains(&top);
    }
    changes
}

/// Properties of `resource_type` the SDK target's update calls cannot change, beyond those
/// `plan::diff` says replace it: on this target a change to one replaces the resource.
pub fn fixed(resource_type: &str) -> &'static [&'static str] {
    providers::for_type(resource_type).map_or(&[], |p| p.fixed())
}

/// A name for a resource whose template leaves naming to CloudFormation (roles, mappings):
/// `<pipeline>-<LogicalId>`, within the 64 characters IAM allows.
fn generated_name(pipeline: &str, logical_id: &str) -> String {
    let name = format!("{pipeline}-{logical_id}");
    if name.len() <= 64 {
        return name;
    }
    let digest = hash(&Value::String(name.clone()));
    format!("{}-{}", &name[..55], &digest[..8])
}

/// The properties with `pipe:applied` taken out of `Tags` (a list or a map), and its value.
fn without_applied(properties: &Map<String, Value>) -> (Map<String, Value>, Option<String>) {
    let mut properties = properties.clone();
    let applied = match properties.get_mut("Tags") {
        Some(Value::Object(map)) => map.remove(APPLIED_TAG).and_then(|v| v.as_str().map(str::to_string)),
        Some(tags @ Value::Array(_)) => {
            let mut pairs = tag_pairs(Some(tags));
            let index = pairs.iter().position(|(k, _)| k == APPLIED_TAG);
            let applied = index.map(|i| pairs.remove(i).1);
            *tags = tag_list(pairs);
            applied
        }
        _ => None,
    };
    (properties, applied)
}

/// Tags compare as a set: a list is sorted by key in both the desired and the live properties
/// (a map compares as a set already).
/// Tags AWS reserves (`aws:cloudformation:stack-name`, ...) are its own: nobody can set or remove
/// them, so they are left out on both sides.
fn sorted_tags(properties: &Map<String, Value>) -> Map<String, Value> {
    let mut properties = properties.clone();
    match properties.get_mut("Tags") {
        Some(tags @ Value::Array(_)) => {
            let mut pairs = tag_pairs(Some(tags));
            pairs.retain(|(key, _)| !key.starts_with("aws:"));
            pairs.sort();
            *tags = tag_list(pairs);
        }
        Some(Value::Object(map)) => map.retain(|key, _| !key.starts_with("aws:")),
        _ => {}
    }
    properties
}

/// The `pipe:applied` value for a resource's desired properties.
fn applied_hash(properties: &Map<String, Value>) -> String {
    hash(&Value::Object(properties.clone()))[..16].to_string()
}

fn fingerprint_live(live: &Live) -> String {
    hash(&serde_json::json!({ "id": live.handle.physical_id, "properties": live.properties }))
}

/// SHA-256 of a value's JSON, in hex. `serde_json` keeps key order, so equal values hash equal.
pub fn hash(value: &Value) -> String {
    Sha256::digest(value.to_string().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::backend::sdk::replay::Replay;

    #[tokio::test]
    async fn a_resource_broken_in_aws_is_planned_for_replacement_with_the_reason() {
        let replay = Replay::start(r#"{ "exchanges": [] }"#).await;
        let resource = Resource::new(
            "AWS::KinesisFirehose::DeliveryStream",
            "archive",
            json!({ "DeliveryStreamName": "pipe-dev-archive", "DeliveryStreamType": "DirectPut" }),
        );
        let pipeline = Pipeline::of("pipe-dev", vec![("ArchiveDeliveryStream", resource.clone())]);
        let engine = Engine::new(replay.account.clone(), &pipeline).expect("an engine");
        let desired = engine.desired("ArchiveDeliveryStream", &HashMap::new());
        let mut live = Live { handle: Handle::default(), properties: desired.properties.clone() };
        let healthy = engine.action(&resource, &desired, Some(&live), false);
        assert_eq!(healthy.kind, Kind::NoChange, "live as the blueprint wants it");

        provider::mark_failed(&mut live, "CREATING_FAILED (INVALID_KMS_KEY: the key is disabled)".into());
        let broken = engine.action(&resource, &desired, Some(&live), false);
        replay.finish();
        assert_eq!(broken.kind, Kind::Replace);
        assert_eq!(
            broken.reason.as_deref(),
            Some(
                "`archive` is broken in AWS: CREATING_FAILED (INVALID_KMS_KEY: the key is disabled); pipe deletes it and creates it again"
            )
        );
    }
}
