//! Every connection the edge-contract table accepts, built from a minimal blueprint of its own
//! and checked on the compiled pipeline: the actor holds the permissions `iam::grants` names, runs
//! in the VPC of a VPC-only peer, finds the peer where its contract says, and has the catalog
//! objects it reads. The templates then go to cfn-lint and checkov. A row added to the table
//! without a builder that honours it fails here; so does a kind pair the validator accepts that the
//! table does not list.

use std::collections::BTreeSet;

use pipe::blueprint::contract::{self, Actor, Catalog, Contract, Discovery, Grant, Idiom, Known, Reach, Via};
use pipe::blueprint::spec::{Blueprint, Component};
use pipe::blueprint::vars::Vars;
use pipe::model::iam;
use pipe::model::refs::logical_id;
use pipe::model::{Pipeline, Prerequisite};
use pipe::render::{self, Format};
use serde_json::{Value, json};

/// A blueprint under construction: components in flow style, each with its fields.
#[derive(Default)]
pub(crate) struct Draft {
    pub(crate) components: Vec<(String, &'static str, Vec<String>)>,
}

/// Settings that change what a kind needs around it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Variant {
    serverless_msk: bool,
    vpc_opensearch: bool,
    redshift_cluster: bool,
    conversion_columns: bool,
}

pub(crate) const BASE: Variant =
    Variant { serverless_msk: false, vpc_opensearch: false, redshift_cluster: false, conversion_columns: false };

impl Draft {
    fn has(&self, id: &str) -> bool {
        self.components.iter().any(|(i, _, _)| i == id)
    }

    fn kind(&self, id: &str) -> &'static str {
        self.components.iter().find(|(i, _, _)| i == id).map(|c| c.1).expect("declared")
    }

    pub(crate) fn add(&mut self, id: &str, kind: &'static str, variant: Variant) {
        if self.has(id) {
            return;
        }
        self.components.push((id.to_string(), kind, base_fields(kind, variant)));
    }

    pub(crate) fn set(&mut self, id: &str, field: String) {
        let component = self.components.iter_mut().find(|(i, _, _)| i == id).expect("declared");
        let key = field.split(':').next().unwrap().to_string();
        if !component.2.iter().any(|f| f.split(':').next() == Some(&key)) {
            component.2.push(field);
        }
    }

    fn fields(&self, id: &str) -> &[String] {
        &self.components.iter().find(|(i, _, _)| i == id).expect("declared").2
    }

    pub(crate) fn yaml(&self) -> String {
        let mut out = String::from("version: 1\nname: edge\n");
        for layer in pipe::blueprint::spec::Layer::ALL {
            let here: Vec<_> =
                self.components.iter().filter(|(_, kind, _)| Component::layers_of(kind)[0] == layer).collect();
            if here.is_empty() {
                continue;
            }
            out.push_str(&format!("{}:\n", layer.name()));
            for (id, kind, fields) in here {
                let mut all = vec![format!("id: {id}"), format!("kind: {kind}")];
                all.extend(fields.iter().cloned());
                out.push_str(&format!("  - {{ {} }}\n", all.join(", ")));
            }
        }
        out
    }
}

fn base_fields(kind: &str, variant: Variant) -> Vec<String> {
    let network = |n: &str, count: usize| {
        let subnets: Vec<String> = (1..=count).map(|i| format!("subnet-0{n}00000{i}")).collect();
        format!("network: {{ subnets: [{}], security_groups: [sg-0{n}000001] }}", subnets.join(", "))
    };
    let fields: Vec<String> = match kind {
        "application" | "devices" => vec!["throughput: { records_per_second: 100, record_kib: 1 }".into()],
        "log-files" => vec![
            "paths: [/var/log/app/*.log]".into(),
            "format: json".into(),
            "throughput: { records_per_second: 100, record_kib: 1 }".into(),
        ],
        "kafka-producer" => vec!["topic: events".into()],
        "kinesis-stream" => vec!["capacity: { mode: on-demand }".into()],
        "msk-cluster" if variant.serverless_msk => vec!["deployment: serverless".into(), network("a", 2)],
        "msk-cluster" => vec![
            "kafka_version: 3.8.x".into(),
            "broker_type: kafka.m7g.large".into(),
            "brokers: 2".into(),
            "storage_gib: 100".into(),
            network("a", 2),
            "topics: [{ name: events, partitions: 2, replication_factor: 2 }]".into(),
        ],
        "lambda" => vec!["code: code/fn".into(), "runtime: python3.12".into()],
        "glue-streaming-job" => vec![
            "code: code/job.py".into(),
            "glue_version: \"4.0\"".into(),
            "catalog: { database: events_db, table: events, columns: [{ name: id, type: string }] }".into(),
        ],
        "flink-application" => vec!["code: code/fn".into()],
        "emr-spark-streaming" => {
            vec!["topic: events".into(), "code: code/job.py".into(), "release_label: emr-7.5.0".into(), network("b", 1)]
        }
        "sagemaker-endpoint" => {
            vec![
                "image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1".into(),
                "instance_type: ml.m5.large".into(),
            ]
        }
        "dynamodb-table" => vec!["partition_key: { name: id, type: S }".into(), "stream: new-image".into()],
        "redshift" if variant.redshift_cluster => vec![
            "deployment: cluster".into(),
            "node_type: ra3.xlplus".into(),
            "nodes: 2".into(),
            network("c", 2),
            "tables: [{ name: events, ddl: code/t.sql }]".into(),
        ],
        "redshift" => {
            vec!["deployment: serverless".into(), network("c", 3), "tables: [{ name: events, ddl: code/t.sql }]".into()]
        }
        "opensearch-domain" if variant.vpc_opensearch => vec![network("d", 1)],
        _ => Vec::new(),
    };
    fields
}

/// The minimal valid blueprint that holds one connection of `contract`: `up` → `down`, plus what
/// each end needs to be valid on its own (a destination for Firehose, a stream for Glue, ...).
pub(crate) fn draft(contract: &Contract, variant: Variant) -> Draft {
    let mut d = Draft::default();
    d.add("up", contract.from, variant);
    d.add("down", contract.to, variant);
    match contract.via {
        Via::Flow if accepts_field(contract.from, "to") => d.set("up", "to: down".into()),
        Via::Flow => d.set("down", "from: up".into()),
        Via::Lookup => d.set("down", "lookups: up".into()),
        via => d.set("up", format!("{}: down", via.field())),
    }
    complete(&mut d, variant);
    d
}

fn accepts_field(kind: &str, field: &str) -> bool {
    let from_or_to = matches!(
        kind,
        "kinesis-producer"
            | "kinesis-agent"
            | "kafka-producer"
            | "firehose"
            | "lambda"
            | "glue-streaming-job"
            | "flink-application"
            | "emr-spark-streaming"
    );
    (field == "to" || field == "from") && from_or_to
}

/// Adds what each component of the draft needs besides the connection under test.
fn complete(d: &mut Draft, variant: Variant) {
    let ids: Vec<String> = d.components.iter().map(|c| c.0.clone()).collect();
    let reads = |d: &Draft, id: &str, kind: &str| {
        d.fields(id).iter().any(|f| f.starts_with("from: ")) && {
            let from = d.fields(id).iter().find_map(|f| f.strip_prefix("from: ")).unwrap().to_string();
            d.kind(&from) == kind
        } || d
            .components
            .iter()
            .any(|(other, k, fields)| *k == kind && fields.iter().any(|f| f == &format!("to: {id}")) && other != id)
    };
    let writes_to = |d: &Draft, id: &str| d.fields(id).iter().find_map(|f| f.strip_prefix("to: ")).map(str::to_string);
    for id in &ids {
        match d.kind(id) {
            "firehose" => {
                let target = match writes_to(d, id) {
                    Some(target) => target,
                    None => {
                        d.add("sink", "opensearch-domain", variant);
                        d.set(id, "to: sink".into());
                        "sink".to_string()
                    }
                };
                match d.kind(&target) {
                    "redshift" => {
                        d.add("stage", "s3-bucket", variant);
                        d.set(id, "intermediate: stage".into());
                        d.set(id, "copy: { table: events }".into());
                    }
                    "opensearch-domain" => {
                        d.add("stage", "s3-bucket", variant);
                        d.set(id, "intermediate: stage".into());
                        d.set(id, "index: events".into());
                    }
                    "s3-bucket" if variant.conversion_columns => {
                        d.set(id, "buffer: { size_mib: 64 }".into());
                        d.set(id, "format_conversion: { output: parquet, database: lake, table: events, columns: [{ name: id, type: string }] }".into());
                    }
                    _ => {}
                }
                if reads(d, id, "msk-cluster") {
                    d.set(id, "topic: events".into());
                }
            }
            "lambda" | "flink-application" if reads(d, id, "msk-cluster") => d.set(id, "topic: events".into()),
            "glue-streaming-job" => {
                if reads(d, id, "msk-cluster") {
                    d.set(id, "topic: events".into());
                    d.set(id, "network: { subnet: subnet-0a000001, availability_zone: us-east-1a, security_groups: [sg-0a000001] }".into());
                } else if !reads(d, id, "kinesis-stream") {
                    d.add("feed", "kinesis-stream", variant);
                    d.set(id, "from: feed".into());
                }
            }
            _ => {}
        }
        if d.kind(id) == "flink-application" {
            if writes_to(d, id).is_some_and(|t| d.kind(&t) == "msk-cluster") {
                d.set(id, "output_topic: events".into());
            }
            if !d.fields(id).iter().any(|f| f.starts_with("from: ")) {
                d.add("feed", "kinesis-stream", variant);
                d.set(id, "from: feed".into());
            }
        }
        if matches!(d.kind(id), "kinesis-agent" | "kinesis-producer") && writes_to(d, id).is_none() {
            d.add("out", "kinesis-stream", variant);
            d.set(id, "to: out".into());
        }
        // An on-failure destination serves the function's event source mappings.
        if d.kind(id) == "lambda"
            && d.fields(id).iter().any(|f| f.starts_with("on_failure: "))
            && !d.fields(id).iter().any(|f| f.starts_with("from: "))
        {
            d.add("feed", "kinesis-stream", variant);
            d.set(id, "from: feed".into());
        }
        if d.kind(id) == "kinesis-agent" && !d.fields(id).iter().any(|f| f.starts_with("from: ")) {
            d.add("logs", "log-files", variant);
            d.set(id, "from: logs".into());
        }
        if d.kind(id) == "emr-spark-streaming" && !d.fields(id).iter().any(|f| f.starts_with("from: ")) {
            d.add("feed", "msk-cluster", variant);
            d.set(id, "from: feed".into());
        }
    }
}

pub(crate) struct Built {
    pub(crate) template: Value,
    pub(crate) pipeline: Pipeline,
    pub(crate) blueprint: Blueprint,
    pub(crate) warnings: Vec<String>,
}

pub(crate) fn build(yaml: &str) -> Built {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("code/fn")).unwrap();
    std::fs::write(dir.path().join("code/fn/handler.py"), "def handler(event, context):\n    return event\n").unwrap();
    std::fs::write(dir.path().join("code/job.py"), "print('job')\n").unwrap();
    std::fs::write(dir.path().join("code/t.sql"), "CREATE TABLE IF NOT EXISTS events (id VARCHAR(64));\n").unwrap();
    let path = dir.path().join("edge.yaml");
    std::fs::write(&path, yaml).unwrap();
    let loaded = pipe::blueprint::load(&path, &Vars::default()).unwrap();
    let errors: Vec<String> = loaded
        .report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {} at {:?}", d.rule, d.message, d.path))
        .collect();
    assert!(errors.is_empty(), "invalid:\n{yaml}\n{}", errors.join("\n"));
    let warnings = loaded.report.diagnostics.iter().map(|d| d.rule.to_string()).collect();
    let blueprint = loaded.blueprint.unwrap();
    let pipeline = pipe::model::compile(&blueprint, dir.path()).unwrap();
    Built { template: render::template(&pipeline), pipeline, blueprint, warnings }
}

fn component<'a>(blueprint: &'a Blueprint, id: &str) -> &'a Component {
    blueprint.components().find(|p| p.component.id() == id).unwrap().component
}

/// Whether `value` refers to `logical` through `Ref`, `Fn::GetAtt` or a `${...}` in `Fn::Sub`.
pub(crate) fn refers_to(value: &Value, logical: &str) -> bool {
    let text = value.to_string();
    text.contains(&format!("{{\"Ref\":\"{logical}\"}}"))
        || text.contains(&format!("\"Fn::GetAtt\":[\"{logical}\""))
        || text.contains(&format!("${{{logical}}}"))
        || text.contains(&format!("${{{logical}."))
}

/// `(action, resource)` pairs the actor's roles and policies allow.
fn allowed(pipeline: &Pipeline, actor: &str) -> BTreeSet<(String, String)> {
    let mut pairs = BTreeSet::new();
    for resource in pipeline.resources.values().filter(|r| r.component == actor) {
        let documents: Vec<&Value> = match resource.cfn_type {
            "AWS::IAM::Role" => resource
                .properties
                .get("Policies")
                .and_then(Value::as_array)
                .map(|p| p.iter().map(|p| &p["PolicyDocument"]).collect())
                .unwrap_or_default(),
            "AWS::IAM::ManagedPolicy" => vec![&resource.properties["PolicyDocument"]],
            _ => continue,
        };
        for statement in documents.iter().flat_map(|d| d["Statement"].as_array().unwrap()) {
            for action in statement["Action"].as_array().unwrap() {
                for on in statement["Resource"].as_array().unwrap() {
                    pairs.insert((action.as_str().unwrap().to_string(), on.to_string()));
                }
            }
        }
    }
    pairs
}

/// The main resource of a component, in the compiled pipeline.
fn main_resource<'a>(built: &'a Built, id: &str) -> &'a Value {
    let logical = logical_id(component(&built.blueprint, id));
    &built.template["Resources"][logical.as_str()]["Properties"]
}

/// Where an actor of `idiom` finds `key`, as the template holds it.
fn configured(built: &Built, actor: &str, idiom: Idiom, key: &str) -> Option<Value> {
    let properties = main_resource(built, actor);
    match idiom {
        Idiom::Environment => properties["Environment"]["Variables"].get(key).cloned(),
        Idiom::Properties => properties["ApplicationConfiguration"]["EnvironmentProperties"]["PropertyGroups"]
            .as_array()?
            .iter()
            .find(|g| g["PropertyGroupId"] == "pipe")?["PropertyMap"]
            .get(key)
            .cloned(),
        Idiom::Arguments => match component(&built.blueprint, actor) {
            Component::GlueStreamingJob(_) => properties["DefaultArguments"].get(key).cloned(),
            _ => {
                let step = built
                    .pipeline
                    .resources
                    .values()
                    .find(|r| r.component == actor && r.cfn_type == "AWS::EMR::Step")?;
                let args = step.properties["HadoopJarStep"]["Args"].as_array()?;
                let at = args.iter().position(|a| a == key)?;
                args.get(at + 1).cloned()
            }
        },
    }
}

/// The network settings the actor's resources carry, as text (empty when none).
fn network_settings(built: &Built, actor: &str) -> String {
    built
        .pipeline
        .resources
        .values()
        .filter(|r| r.component == actor && r.cfn_type != "AWS::IAM::Role")
        .map(|r| {
            let p = Value::Object(r.properties.clone());
            let parts = [
                &p["VpcConfig"],
                &p["ApplicationConfiguration"]["VpcConfigurations"],
                &p["ConnectionInput"]["PhysicalConnectionRequirements"],
                &p["AmazonopensearchserviceDestinationConfiguration"]["VpcConfiguration"],
                &p["Instances"]["Ec2SubnetId"],
            ];
            parts.iter().filter(|v| !v.is_null()).map(|v| v.to_string()).collect::<String>()
        })
        .collect()
}

/// What an edge of `contract` grants `actor` on `other`, as `iam::grants` names it. Nothing for
/// an on-failure destination: Lambda writes a failed batch's records with what the needs table
/// lists, which tests/needs.rs checks.
pub(crate) fn edge_grants(
    contract: &Contract,
    actor: &Component,
    other: &Component,
    pipeline: &str,
    topic: Option<&str>,
) -> Vec<iam::Statement> {
    match contract.grant {
        Grant::None => Vec::new(),
        _ if contract.via == Via::OnFailure => Vec::new(),
        Grant::Invoke => {
            vec![iam::Statement::new(&["lambda:InvokeFunction"], vec![pipe::model::refs::arn_of(other, pipeline)])]
        }
        _ => {
            let efo = matches!(actor, Component::Lambda(l) if l.batch.enhanced_fan_out);
            iam::grants(contract.access(efo).unwrap(), other, pipeline, topic, None)
        }
    }
}

fn check(contract: &Contract, variant: Variant, built: &Built, yaml: &str) {
    let label = format!("{} → {} via {:?} ({variant:?})\n{yaml}", contract.from, contract.to, contract.via);
    let (actor, other) = match contract.actor {
        Actor::From => ("up", "down"),
        Actor::To => ("down", "up"),
        Actor::Neither => {
            assert!(
                !built.pipeline.resources.values().any(|r| r.component == "up"),
                "{label}: a source runs outside AWS and owns no resource"
            );
            return;
        }
    };
    let actor_spec = component(&built.blueprint, actor);
    let other_spec = component(&built.blueprint, other);
    let topic = contract::topic_of(actor_spec, contract.actor == Actor::To);

    // Permissions: exactly what `iam::grants` names for this access, on the other end.
    let allowed = allowed(&built.pipeline, actor);
    let expected = edge_grants(contract, actor_spec, other_spec, "edge", topic);
    if contract.grant != Grant::None && contract.via != Via::OnFailure {
        assert!(!expected.is_empty(), "{label}: iam::grants has nothing for this access");
    }
    for statement in &expected {
        for action in &statement.actions {
            for resource in &statement.resources {
                assert!(
                    allowed.contains(&(action.to_string(), resource.to_string())),
                    "{label}: `{actor}` lacks {action} on {resource}"
                );
            }
        }
    }

    // Network: a VPC-only peer is reached from inside its VPC.
    let vpc = contract::vpc_of(other_spec);
    match (contract.reach, vpc) {
        (Reach::JoinVpc, Some(_)) => {
            let settings = network_settings(built, actor);
            assert!(settings.contains("subnet-"), "{label}: `{actor}` has no network settings");
            // EMR's instances sit in the subnet themselves, launched by the EMR service role.
            let launches_instances = matches!(actor_spec, Component::EmrSparkStreaming(_));
            assert!(
                launches_instances
                    || allowed.iter().any(|(a, r)| a == "ec2:CreateNetworkInterface" && r.contains(":subnet/")),
                "{label}: `{actor}` cannot create its network interfaces"
            );
        }
        (Reach::EventSourcePoller, Some(network)) => {
            for subnet in &network.subnets {
                assert!(
                    allowed.iter().any(|(a, r)| a == "ec2:CreateNetworkInterface" && r.contains(subnet.as_str())),
                    "{label}: the mapping cannot create interfaces in {subnet}"
                );
            }
        }
        (Reach::PrivateLink, _) => {
            let cluster = logical_id(other_spec);
            let policy = built
                .pipeline
                .resources
                .values()
                .find(|r| r.cfn_type == "AWS::MSK::ClusterPolicy")
                .unwrap_or_else(|| panic!("{label}: no cluster policy"));
            assert!(refers_to(&policy.properties["ClusterArn"], &cluster), "{label}");
            assert!(policy.properties["Policy"].to_string().contains("firehose.amazonaws.com"), "{label}");
            if !variant.serverless_msk {
                assert_eq!(
                    main_resource(built, other)["BrokerNodeGroupInfo"]["ConnectivityInfo"]["VpcConnectivity"]["ClientAuthentication"]
                        ["Sasl"]["Iam"]["Enabled"],
                    true,
                    "{label}"
                );
            }
        }
        _ => {}
    }

    // Discovery: the actor finds the other end where its contract says.
    let other_logical = logical_id(other_spec);
    match contract.discovery {
        Discovery::Outside => {}
        Discovery::Settings => assert!(
            built
                .pipeline
                .resources
                .values()
                .filter(|r| r.component == actor && !r.cfn_type.starts_with("AWS::IAM::"))
                .any(|r| refers_to(&Value::Object(r.properties.clone()), &other_logical)),
            "{label}: no resource of `{actor}` names `{other_logical}`"
        ),
        Discovery::Convention => {
            let idiom = Idiom::of(actor_spec).expect("convention actors have an idiom");
            let attributes = contract::attributes(other_spec, topic);
            assert!(!attributes.is_empty(), "{label}: `{}` has no attributes", contract.to);
            for attribute in attributes {
                let key = idiom.key(other, attribute.name);
                let expected = match attribute.value {
                    Known::Ref => json!({ "Ref": other_logical }),
                    Known::Attribute(name) => json!({ "Fn::GetAtt": [other_logical, name] }),
                    Known::Text(text) => json!(text),
                };
                assert_eq!(configured(built, actor, idiom, &key), Some(expected), "{label}: `{key}`");
            }
        }
        Discovery::AgentConfig => {
            let (_, config) = built.pipeline.agent_configs.iter().find(|(c, _)| c == actor).expect("agent config");
            let flow = &config["flows"][0];
            let named = match other_spec {
                Component::LogFiles(logs) => flow["filePattern"] == logs.paths[0].as_str(),
                _ => [&flow["kinesisStream"], &flow["deliveryStream"]].iter().any(|v| **v == "edge-down"),
            };
            assert!(named, "{label}: agent.json does not name `{other}`: {config}");
        }
        Discovery::Output => assert!(
            built.template["Outputs"].as_object().unwrap().values().any(|o| refers_to(&o["Value"], &other_logical)),
            "{label}: no output names `{other_logical}`"
        ),
        Discovery::Catalog => {
            let table = stream_table(built, actor, &label);
            assert!(refers_to(&Value::Object(table.properties.clone()), &other_logical), "{label}");
        }
    }

    // Catalog objects.
    match contract.catalog {
        Catalog::None => {}
        Catalog::StreamTable => {
            let table = stream_table(built, actor, &label);
            assert!(
                table.properties["TableInput"]["StorageDescriptor"]["Columns"]
                    .as_array()
                    .is_some_and(|c| !c.is_empty())
            );
        }
        Catalog::ConversionSchema if variant.conversion_columns => {
            let firehose = main_resource(built, actor).to_string();
            let table = built.template["Resources"]
                .as_object()
                .unwrap()
                .iter()
                .find(|(_, r)| r["Type"] == "AWS::Glue::Table")
                .map(|(id, _)| id.clone())
                .unwrap_or_else(|| panic!("{label}: no schema table"));
            assert!(
                firehose.contains(&format!("{{\"Ref\":\"{table}\"}}")),
                "{label}: conversion does not read `{table}`"
            );
        }
        Catalog::ConversionSchema => {}
    }
}

/// The Data Catalog table a Glue job defines over its stream.
fn stream_table<'a>(built: &'a Built, actor: &str, label: &str) -> &'a pipe::model::Resource {
    built
        .pipeline
        .resources
        .values()
        .find(|r| r.component == actor && r.cfn_type == "AWS::Glue::Table")
        .unwrap_or_else(|| panic!("{label}: no catalog table"))
}

/// The variants each row runs in: both MSK deployments, public and VPC OpenSearch, both Redshift
/// deployments, and format conversion with declared columns.
pub(crate) fn variants(contract: &Contract) -> Vec<Variant> {
    let kinds = [contract.from, contract.to];
    let mut all = vec![BASE];
    if kinds.contains(&"msk-cluster") {
        all.push(Variant { serverless_msk: true, ..BASE });
    }
    if kinds.contains(&"opensearch-domain") || contract.via == Via::Intermediate {
        all.push(Variant { vpc_opensearch: true, ..BASE });
    }
    if kinds.contains(&"redshift") {
        all.push(Variant { redshift_cluster: true, ..BASE });
    }
    if contract.catalog == Catalog::ConversionSchema {
        all.push(Variant { conversion_columns: true, ..BASE });
    }
    all
}

#[test]
fn every_accepted_connection_meets_its_contract() {
    let scanned = tempfile::tempdir().unwrap();
    let mut cases = 0;
    for (row, contract) in contract::CONTRACTS.iter().enumerate() {
        for (n, variant) in variants(contract).into_iter().enumerate() {
            let draft = draft(contract, variant);
            let yaml = draft.yaml();
            let built = build(&yaml);
            check(contract, variant, &built, &yaml);
            let text = render::render(&built.pipeline, Format::Yaml).unwrap().text;
            std::fs::write(scanned.path().join(format!("{row:02}-{n}.yaml")), text).unwrap();
            cases += 1;
        }
    }
    println!("edge contracts: {} rows, {cases} blueprints built and checked", contract::CONTRACTS.len());
    assert_eq!(contract::CONTRACTS.len(), 43, "a new row: check that this test covers it, then update the count");
    crate::render::assert_scanners_pass(scanned.path());
}

/// Every `to:` the validator accepts between two kinds is a row of the table, and every pair the
/// table lacks is refused with `graph::edge`.
#[test]
fn the_validator_accepts_exactly_the_table() {
    let mut refused = 0;
    for from in Component::KINDS {
        if !accepts_field(from, "to") {
            continue;
        }
        for to in Component::KINDS {
            let listed = contract::find(from, to, Via::Flow).is_some();
            let mut d = Draft::default();
            d.add("up", from, BASE);
            d.add("down", to, BASE);
            d.set("up", "to: down".into());
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("pair.yaml");
            std::fs::write(&path, d.yaml()).unwrap();
            let loaded = pipe::blueprint::load(&path, &Vars::default()).unwrap();
            let edge_refused = loaded.report.diagnostics.iter().any(|d| d.rule == "graph::edge");
            assert_eq!(edge_refused, !listed, "{from} → {to}: listed {listed}, refused {edge_refused}");
            refused += usize::from(edge_refused);
        }
    }
    assert!(refused > 50, "{refused}");
}

/// Firehose format conversion without columns: pipe creates no table, names it as a prerequisite
/// that `pipe plan` checks, and `pipe validate` warns at `format_conversion`.
#[test]
fn external_conversion_schema_is_a_prerequisite_and_a_warning() {
    let contract = contract::find("firehose", "s3-bucket", Via::Flow).unwrap();
    let mut d = draft(contract, BASE);
    d.set("up", "buffer: { size_mib: 64 }".into());
    d.set("up", "format_conversion: { output: orc, database: lake, table: events }".into());
    let built = build(&d.yaml());
    assert!(built.warnings.contains(&"connection::external-schema".to_string()), "{:?}", built.warnings);
    assert_eq!(
        built.pipeline.prerequisites,
        vec![Prerequisite::GlueTable { component: "up".into(), database: "lake".into(), table: "events".into() }]
    );
    assert!(!built.template["Resources"].to_string().contains("AWS::Glue::Table"));
    assert_eq!(built.template["Metadata"]["pipe"]["prerequisites"][0]["table"], "events");
}

#[test]
fn every_row_names_what_its_actor_needs() {
    for c in contract::CONTRACTS {
        if c.actor == Actor::Neither {
            assert_eq!((c.grant, c.discovery), (Grant::None, Discovery::Outside), "{c:?}");
        } else {
            assert_ne!(c.discovery, Discovery::Outside, "{c:?}");
        }
    }
}
