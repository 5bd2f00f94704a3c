//! The compiled pipeline: a blueprint turned into the AWS resources that implement it, with
//! physical names, tags, dependencies and IAM derived from the graph's edges.
//!
//! One model feeds every backend: the CloudFormation target deploys it as rendered; the SDK
//! target converges the same resources through the service APIs. Resource properties are kept
//! in CloudFormation's shape, the one vocabulary both targets share.

mod artifacts;
pub(crate) mod build;
pub mod cfn;
pub mod iam;
pub mod naming;
pub mod needs;
pub mod probe;
pub mod refs;
pub mod steps;
pub mod topic_configs;

use std::path::Path;

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use crate::blueprint::contract;
use crate::blueprint::graph::Graph;
use crate::blueprint::spec::{Blueprint, Component};

pub use artifacts::{Artifact, Packaging, files_under};
use cfn::get_att;

#[derive(Debug, Clone)]
pub struct Pipeline {
    pub name: String,
    pub description: String,
    pub parameters: IndexMap<String, Parameter>,
    pub resources: IndexMap<String, Resource>,
    pub outputs: IndexMap<String, Output>,
    /// Code to upload to the artifacts bucket before deploying.
    pub artifacts: Vec<Artifact>,
    /// `agent.json` of each Kinesis Agent, by component id: installed on the log servers.
    pub agent_configs: Vec<(String, Value)>,
    /// What must exist outside the pipeline before it can run; `pipe plan` checks each.
    pub prerequisites: Vec<Prerequisite>,
    /// What pipe cannot do through any API and the user must, by component.
    pub manual_steps: Vec<(String, String)>,
    /// Warehouse tables pipe creates from their DDL once the warehouse is deployed.
    pub tables: Vec<steps::WarehouseTable>,
    /// How the blueprint asks to be deployed.
    pub deploy: crate::blueprint::spec::Deploy,
    /// Where each component is in the blueprint, by id.
    pub places: IndexMap<String, Place>,
    /// What each component does in a month at the declared flow, by id: what cost estimates price.
    pub usage: IndexMap<String, crate::capacity::usage::Usage>,
    /// The metric that counts what flows through each watched component, by id: what the
    /// dashboard plots and `pipe status` reads against the declared flow.
    pub throughput: IndexMap<String, Throughput>,
    /// Where `pipe test` writes synthetic records and where it looks for them.
    pub probe: probe::Probe,
}

/// A component's throughput metric, with the declared flow and the sized capacity in its unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Throughput {
    pub namespace: &'static str,
    pub metric: &'static str,
    /// (name, value): every value a name pipe gave, known before anything is deployed.
    pub dimensions: Vec<(String, String)>,
    /// What the metric counts: `records`, `invocations`, ...
    pub unit: &'static str,
    /// How CloudWatch is asked for it: a minute's `Sum` of a count, or the `Average` of a rate.
    pub statistic: &'static str,
    /// The seconds one value of it covers: 60 for a minute's count, 1 for a rate a second.
    pub seconds: f64,
    pub declared_per_minute: Option<f64>,
    pub capacity_per_minute: Option<f64>,
}

/// A component's kind and its place in the blueprint (`storage[0]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub kind: String,
    pub path: String,
}

/// Something a pipeline relies on but does not create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prerequisite {
    /// A Glue Data Catalog table, such as the schema a Firehose stream converts records with.
    GlueTable { component: String, database: String, table: String },
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub cfn_type: &'static str,
    /// The blueprint component this resource implements.
    pub component: String,
    pub properties: Map<String, Value>,
    pub depends_on: Vec<String>,
    /// Data stores: `Some(true)` keeps them when the stack is deleted or they are replaced.
    pub retain: Option<bool>,
    /// Scanner checks that do not apply here, each with the reason a reviewer can weigh.
    pub suppressions: Vec<Suppression>,
    /// The resource's CloudFormation `UpdatePolicy`, where it has one.
    pub update_policy: Option<Value>,
    /// Properties (JSON pointers) pipe sized from an `auto` figure rather than took as declared:
    /// where AWS only lets them grow, a plan keeps the deployed value (`plan::grow_only`).
    pub sized: Vec<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suppression {
    pub check: &'static str,
    pub reason: &'static str,
}

#[derive(Debug, Clone)]
pub struct Output {
    pub description: String,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub description: &'static str,
    pub pattern: &'static str,
}

#[cfg(test)]
impl Pipeline {
    /// A pipeline of just `resources` (logical id, resource), for tests of what reads a model.
    pub(crate) fn of(name: &str, resources: Vec<(&str, Resource)>) -> Pipeline {
        Pipeline {
            name: name.into(),
            description: String::new(),
            parameters: IndexMap::new(),
            resources: resources.into_iter().map(|(id, r)| (id.to_string(), r)).collect(),
            outputs: IndexMap::new(),
            artifacts: Vec::new(),
            agent_configs: Vec::new(),
            prerequisites: Vec::new(),
            manual_steps: Vec::new(),
            tables: Vec::new(),
            deploy: Default::default(),
            places: IndexMap::new(),
            usage: IndexMap::new(),
            throughput: IndexMap::new(),
            probe: probe::Probe::default(),
        }
    }
}

impl Resource {
    pub fn new(cfn_type: &'static str, component: &str, mut properties: Value) -> Self {
        cfn::strip_nulls(&mut properties);
        let Value::Object(properties) = properties else { panic!("resource properties are an object") };
        Resource {
            cfn_type,
            component: component.to_string(),
            properties,
            depends_on: Vec::new(),
            retain: None,
            suppressions: Vec::new(),
            update_policy: None,
            sized: Vec::new(),
        }
    }

    fn retain(mut self, retain: bool) -> Self {
        self.retain = Some(retain);
        self
    }

    fn suppress(mut self, suppressions: &[Suppression]) -> Self {
        self.suppressions.extend_from_slice(suppressions);
        self
    }

    fn depends_on(mut self, logical_id: &str) -> Self {
        self.depends_on.push(logical_id.to_string());
        self
    }
}

/// Compiles a validated blueprint. `base_dir` is the blueprint's directory, where code paths
/// start. Fails only when code cannot be read.
pub fn compile(blueprint: &Blueprint, base_dir: &Path) -> std::io::Result<Pipeline> {
    let mut builder = Builder::new(blueprint, base_dir);
    build::all(&mut builder)?;
    builder.pipeline.usage = crate::capacity::usage::of(&builder.graph);
    builder.pipeline.probe = probe::of(&builder.graph);
    Ok(builder.pipeline)
}

fn places(blueprint: &Blueprint) -> IndexMap<String, Place> {
    let layers = [
        ("source", &blueprint.source),
        ("ingestion", &blueprint.ingestion),
        ("storage", &blueprint.storage),
        ("processing", &blueprint.processing),
        ("destination", &blueprint.destination),
    ];
    layers
        .into_iter()
        .flat_map(|(layer, components)| {
            components.iter().enumerate().map(move |(i, c)| {
                (c.id().to_string(), Place { kind: c.kind().to_string(), path: format!("{layer}[{i}]") })
            })
        })
        .collect()
}

/// Accumulates the pipeline while the per-service builders add their resources.
pub(crate) struct Builder<'a> {
    pub graph: Graph<'a>,
    pub name: &'a str,
    pub base_dir: &'a Path,
    pipeline: Pipeline,
    /// Data Catalog databases created so far, by name, with their logical ids.
    catalog_databases: IndexMap<String, String>,
}

/// Log retention for every log group pipe creates.
const LOG_RETENTION_DAYS: u32 = 365;

impl<'a> Builder<'a> {
    fn new(blueprint: &'a Blueprint, base_dir: &'a Path) -> Self {
        let description = blueprint.description.clone().unwrap_or_else(|| format!("pipe pipeline {}", blueprint.name));
        Builder {
            graph: Graph::new(blueprint),
            name: &blueprint.name,
            base_dir,
            pipeline: Pipeline {
                name: blueprint.name.clone(),
                description,
                parameters: IndexMap::new(),
                resources: IndexMap::new(),
                outputs: IndexMap::new(),
                artifacts: Vec::new(),
                agent_configs: Vec::new(),
                prerequisites: Vec::new(),
                manual_steps: Vec::new(),
                tables: Vec::new(),
                deploy: blueprint.deploy.clone(),
                places: places(blueprint),
                usage: IndexMap::new(),
                throughput: IndexMap::new(),
                probe: probe::Probe::default(),
            },
            catalog_databases: IndexMap::new(),
        }
    }

    /// pipe's own tags, then the blueprint's, as `[{Key, Value}]`.
    pub fn tags(&self, component: &str) -> Value {
        let tags: Vec<Value> =
            self.tag_pairs(component).into_iter().map(|(key, value)| json!({ "Key": key, "Value": value })).collect();
        Value::Array(tags)
    }

    /// The same tags as a `{key: value}` map, for the resource types that want one.
    pub fn tag_map(&self, component: &str) -> Value {
        Value::Object(self.tag_pairs(component).into_iter().map(|(k, v)| (k, Value::String(v))).collect())
    }

    fn tag_pairs(&self, component: &str) -> Vec<(String, String)> {
        let mut pairs = vec![
            ("pipe:pipeline".to_string(), self.name.to_string()),
            ("pipe:component".to_string(), component.to_string()),
        ];
        pairs.extend(self.graph.blueprint.tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        pairs
    }

    pub fn add(&mut self, logical_id: String, resource: Resource) {
        let previous = self.pipeline.resources.insert(logical_id.clone(), resource);
        assert!(previous.is_none(), "two resources named {logical_id}");
    }

    pub fn output(&mut self, name: String, description: String, value: Value) {
        self.pipeline.outputs.insert(name, Output { description, value });
    }

    /// A role `service` assumes, allowed `statements` and nothing else. A grant two edges need
    /// (an SNS topic that is both a target and the on-failure destination) appears once.
    pub fn role(&mut self, component: &str, service: &str, statements: &[iam::Statement]) -> String {
        self.role_as(naming::logical(component, "Role"), component, service, statements)
    }

    /// [`Builder::role`] under a logical id of the caller's choosing, for a component with two roles.
    pub fn role_as(
        &mut self,
        logical_id: String,
        component: &str,
        service: &str,
        statements: &[iam::Statement],
    ) -> String {
        let mut unique: Vec<iam::Statement> = Vec::with_capacity(statements.len());
        for statement in statements {
            if !unique.contains(statement) {
                unique.push(statement.clone());
            }
        }
        let statements = &unique;
        let properties = json!({
            "AssumeRolePolicyDocument": iam::trust(service),
            "Policies": [{ "PolicyName": "pipe", "PolicyDocument": iam::document(statements) }],
            "Tags": self.tags(component),
        });
        self.add(logical_id.clone(), Resource::new("AWS::IAM::Role", component, properties));
        logical_id
    }

    /// A log group with pipe's retention; returns its logical id.
    pub fn log_group(&mut self, component: &str, name: Value) -> String {
        let logical_id = naming::logical(component, "Logs");
        let properties =
            json!({ "LogGroupName": name, "RetentionInDays": LOG_RETENTION_DAYS, "Tags": self.tags(component) });
        let resource = Resource::new("AWS::Logs::LogGroup", component, properties).suppress(&[build::LOGS_SERVICE_KEY]);
        self.add(logical_id.clone(), resource);
        logical_id
    }

    /// A log stream in `log_group` (its logical id); returns the stream's logical id.
    pub fn log_stream(&mut self, component: &str, log_group: &str, name: &str) -> String {
        let logical_id = naming::logical(component, "LogStream");
        let properties = json!({ "LogGroupName": cfn::ref_(log_group), "LogStreamName": name });
        self.add(logical_id.clone(), Resource::new("AWS::Logs::LogStream", component, properties));
        logical_id
    }

    /// The Data Catalog database `name`, created by the first component that needs it; returns its
    /// logical id.
    pub fn catalog_database(&mut self, component: &str, name: &str) -> String {
        if let Some(id) = self.catalog_databases.get(name) {
            return id.clone();
        }
        let logical_id = self.unique_id(&naming::logical(&format!("catalog-{}", name.replace('_', "-")), "Database"));
        let properties = json!({
            "CatalogId": cfn::ref_("AWS::AccountId"),
            "DatabaseInput": { "Name": name, "Description": format!("Tables of pipeline {}", self.name) },
        });
        self.add(logical_id.clone(), Resource::new("AWS::Glue::Database", component, properties));
        self.catalog_databases.insert(name.to_string(), logical_id.clone());
        logical_id
    }

    /// Registers code to upload; returns its key in the artifacts bucket.
    pub fn artifact(&mut self, component: &str, relative: &str, packaging: Packaging) -> std::io::Result<String> {
        let artifact = artifacts::artifact(self.base_dir, self.name, component, relative, packaging)?;
        let key = artifact.key.clone();
        self.pipeline.artifacts.push(artifact);
        self.pipeline.parameters.entry("ArtifactsBucket".to_string()).or_insert(Parameter {
            description: "S3 bucket that holds the pipeline's code, under the keys listed in Metadata.pipe.artifacts",
            pattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
        });
        Ok(key)
    }

    /// IAM for every connection `actor` acts on, per its edge contract: reads, writes and lookups
    /// of the other end, with the Kafka topic for MSK.
    pub fn connection_grants(&self, actor: &Component, enhanced_fan_out: bool) -> Vec<iam::Statement> {
        contract::acting(&self.graph, actor.id())
            .into_iter()
            .filter_map(|acting| {
                let access = acting.contract.access(enhanced_fan_out)?;
                let topic = contract::topic_of(actor, acting.reads);
                Some(iam::grants(access, acting.other, self.name, topic, self.made_key(acting.other)))
            })
            .flatten()
            .collect()
    }

    /// The ARN of the customer managed key pipe makes for `target`, when it makes one (a topic
    /// alarms notify).
    pub fn made_key(&self, target: &Component) -> Option<Value> {
        match target {
            Component::SnsTopic(topic) => {
                build::sns::alarm_key(self.blueprint(), topic).map(|key| get_att(&key, "Arn"))
            }
            _ => None,
        }
    }

    /// The component a builder is building, as the graph holds it.
    pub fn component(&self, id: &str) -> &'a Component {
        self.graph.get(id).expect("a builder builds a declared component").component
    }

    pub fn manual_step(&mut self, component: &str, step: String) {
        self.pipeline.manual_steps.push((component.to_string(), step));
    }

    /// `base`, or `base2`, `base3`, ... when a resource already has that logical id.
    pub fn unique_id(&self, base: &str) -> String {
        let mut logical_id = base.to_string();
        for n in 2.. {
            if !self.pipeline.resources.contains_key(&logical_id) {
                break;
            }
            logical_id = format!("{base}{n}");
        }
        logical_id
    }

    pub fn prerequisite(&mut self, prerequisite: Prerequisite) {
        self.pipeline.prerequisites.push(prerequisite);
    }

    pub fn agent_config(&mut self, component: &str, config: Value) {
        self.pipeline.agent_configs.push((component.to_string(), config));
    }

    pub fn blueprint(&self) -> &'a Blueprint {
        self.graph.blueprint
    }
}
