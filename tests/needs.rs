//! Service needs, judged on the rendered model: each resource's features are read from its
//! properties (not from the builders' code), and the role it hands its service must grant every
//! action the needs table lists for them, counting the AWS managed policies it attaches. Each
//! table row that cites a published policy is checked against the dated copy in
//! `src/model/needs/policies/`. Pipelines: every edge-contract row in each of its variants, a
//! draft per feature no row turns on, and the shipped and test blueprints. Both targets deploy
//! these same role documents (the SDK target's IAM provider applies `Policies` and
//! `ManagedPolicyArns` as written).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use pipe::blueprint::contract;
use pipe::blueprint::graph::Graph;
use pipe::blueprint::spec::Blueprint;
use pipe::model::needs::{self, Feature, NEEDS, Source};
use pipe::model::{Pipeline, Resource};
use serde_json::Value;

use crate::contracts::{self, BASE, Draft, refers_to};

const POLICIES: &str = "src/model/needs/policies";

/// A published policy document, as copied.
fn policy(name: &str) -> Value {
    let path = Path::new(POLICIES).join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// Whether an IAM action pattern (`glue:*`, `ec2:Describe*`) covers `action`.
fn covers(pattern: &str, action: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern.eq_ignore_ascii_case(action),
        Some((head, tail)) => {
            action.len() >= head.len() + tail.len()
                && action[..head.len()].eq_ignore_ascii_case(head)
                && action[action.len() - tail.len()..].eq_ignore_ascii_case(tail)
        }
    }
}

/// `(action pattern, resources)` of every Allow statement of a policy document.
fn allows(document: &Value) -> Vec<(String, Vec<Value>)> {
    let statements = match &document["Statement"] {
        Value::Array(all) => all.clone(),
        one => vec![one.clone()],
    };
    statements
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .flat_map(|s| {
            let resources = match &s["Resource"] {
                Value::Array(all) => all.clone(),
                one => vec![one.clone()],
            };
            strings(&s["Action"]).into_iter().map(move |action| (action, resources.clone()))
        })
        .collect()
}

/// What a role allows: its inline policies and the managed policies it attaches, by copy.
fn role_allows(role: &Resource) -> Vec<(String, Vec<Value>)> {
    let mut all: Vec<(String, Vec<Value>)> = role
        .properties
        .get("Policies")
        .and_then(Value::as_array)
        .map_or_else(Vec::new, |policies| policies.iter().flat_map(|p| allows(&p["PolicyDocument"])).collect());
    for arn in role.properties.get("ManagedPolicyArns").and_then(Value::as_array).into_iter().flatten() {
        let text = arn.get("Fn::Sub").or(Some(arn)).and_then(Value::as_str).expect("a managed policy ARN");
        let name = text.rsplit('/').next().expect("a name");
        all.extend(allows(&policy(name)["document"]));
    }
    all
}

/// The logical id `value` names through `Ref` or `Fn::GetAtt`.
fn target(value: &Value) -> Option<&str> {
    value.get("Ref").and_then(Value::as_str).or_else(|| value.get("Fn::GetAtt")?.get(0)?.as_str())
}

fn type_of<'a>(pipeline: &'a Pipeline, value: &Value) -> Option<&'a str> {
    pipeline.resources.get(target(value)?).map(|r| r.cfn_type)
}

/// Every `RoleARN` under a Firehose configuration: the delivery stream's role.
fn firehose_role(properties: &Value) -> Option<String> {
    match properties {
        Value::Object(map) => map
            .iter()
            .find_map(|(key, v)| if key == "RoleARN" { target(v).map(str::to_string) } else { firehose_role(v) }),
        Value::Array(items) => items.iter().find_map(firehose_role),
        _ => None,
    }
}

/// `(role logical id, feature)` for every feature the pipeline's resources turn on, read from
/// their properties.
fn features(pipeline: &Pipeline) -> BTreeSet<(String, Feature)> {
    let mut found = BTreeSet::new();
    let role_of_function = |function: &Value| -> Option<String> {
        let function = pipeline.resources.get(target(function)?)?;
        target(&function.properties["Role"]).map(str::to_string)
    };
    for (id, resource) in &pipeline.resources {
        let p = Value::Object(resource.properties.clone());
        let mut add = |role: Option<String>, feature: Feature| {
            let role = role.unwrap_or_else(|| panic!("{id}: no role for {feature:?}"));
            found.insert((role, feature));
        };
        match resource.cfn_type {
            "AWS::Lambda::Function" => {
                let role = target(&p["Role"]).map(str::to_string);
                if !p["LoggingConfig"].is_null() {
                    add(role.clone(), Feature::LambdaLogs);
                }
                if p["TracingConfig"]["Mode"] == "Active" {
                    add(role.clone(), Feature::LambdaTracing);
                }
                if !p["VpcConfig"].is_null() {
                    add(role, Feature::LambdaVpc);
                }
            }
            "AWS::Lambda::EventSourceMapping" => {
                let role = role_of_function(&p["FunctionName"]);
                match type_of(pipeline, &p["EventSourceArn"]) {
                    Some("AWS::Kinesis::Stream") => add(role.clone(), Feature::LambdaKinesisSource),
                    Some("AWS::Kinesis::StreamConsumer") => {
                        add(role.clone(), Feature::LambdaKinesisSource);
                        add(role.clone(), Feature::LambdaKinesisFanOut);
                    }
                    Some("AWS::DynamoDB::Table") => add(role.clone(), Feature::LambdaDynamodbSource),
                    Some("AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster") => {
                        add(role.clone(), Feature::LambdaMskSource)
                    }
                    other => panic!("{id}: an event source of type {other:?}"),
                }
                match type_of(pipeline, &p["DestinationConfig"]["OnFailure"]["Destination"]) {
                    Some("AWS::SNS::Topic") => add(role, Feature::LambdaOnFailureSns),
                    Some("AWS::S3::Bucket") => add(role, Feature::LambdaOnFailureS3),
                    None => {}
                    other => panic!("{id}: an on-failure destination of type {other:?}"),
                }
            }
            "AWS::KinesisFirehose::DeliveryStream" => {
                let role = firehose_role(&p);
                let text = p.to_string();
                if !p["KinesisStreamSourceConfiguration"].is_null() {
                    add(role.clone(), Feature::FirehoseKinesisSource);
                }
                if !p["MSKSourceConfiguration"].is_null() {
                    add(role.clone(), Feature::FirehoseMskSource);
                }
                if text.contains("\"BucketARN\"") {
                    add(role.clone(), Feature::FirehoseS3);
                }
                if !p["RedshiftDestinationConfiguration"].is_null() {
                    add(role.clone(), Feature::FirehoseRedshift);
                }
                let opensearch = &p["AmazonopensearchserviceDestinationConfiguration"];
                if !opensearch.is_null() {
                    add(role.clone(), Feature::FirehoseOpensearch);
                }
                if !opensearch["VpcConfiguration"].is_null() {
                    add(role.clone(), Feature::FirehoseVpc);
                }
                if text.contains("\"DataFormatConversionConfiguration\":{\"Enabled\":true") {
                    add(role.clone(), Feature::FirehoseConversion);
                }
                if text.contains("\"Type\":\"Lambda\"") {
                    add(role.clone(), Feature::FirehoseProcessor);
                }
                if text.contains("\"CloudWatchLoggingOptions\":{\"Enabled\":true") {
                    add(role, Feature::FirehoseLogging);
                }
            }
            "AWS::KinesisAnalyticsV2::Application" => {
                let role = target(&p["ServiceExecutionRole"]).map(str::to_string);
                add(role.clone(), Feature::FlinkCode);
                if !p["ApplicationConfiguration"]["VpcConfigurations"].is_null() {
                    add(role, Feature::FlinkVpc);
                }
            }
            "AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption" => {
                let application = pipeline.resources.get(target(&p["ApplicationName"]).expect("an application"));
                let role = application.and_then(|a| target(&a.properties["ServiceExecutionRole"])).map(str::to_string);
                add(role, Feature::FlinkLogging);
            }
            "AWS::Glue::Job" => {
                let role = target(&p["Role"]).map(str::to_string);
                let arguments = &p["DefaultArguments"];
                add(role.clone(), Feature::GlueScript);
                if arguments["--enable-metrics"] == "true" {
                    add(role.clone(), Feature::GlueMetrics);
                }
                if arguments["--enable-continuous-cloudwatch-log"] == "true" {
                    add(role.clone(), Feature::GlueLogs);
                }
                if !arguments["--checkpoint_location"].is_null() {
                    add(role.clone(), Feature::GlueCheckpoints);
                }
                if !arguments["--source_table"].is_null() {
                    add(role.clone(), Feature::GlueCatalog);
                }
                if !p["Connections"].is_null() {
                    add(role, Feature::GlueConnection);
                }
            }
            "AWS::EMR::Cluster" => {
                let service = target(&p["ServiceRole"]).map(str::to_string);
                add(service.clone(), Feature::EmrService);
                add(service, Feature::EmrInstanceRole);
                let profile = pipeline.resources.get(target(&p["JobFlowRole"]).expect("an instance profile"));
                let instance = profile.and_then(|r| target(&r.properties["Roles"][0])).map(str::to_string);
                if !p["LogUri"].is_null() {
                    add(instance.clone(), Feature::EmrLogs);
                }
                add(instance.clone(), Feature::EmrScript);
                add(instance, Feature::EmrCheckpoints);
            }
            "AWS::SageMaker::Model" => {
                let role = target(&p["ExecutionRoleArn"]).map(str::to_string);
                add(role.clone(), Feature::SagemakerModel);
                if !p["PrimaryContainer"]["ModelDataUrl"].is_null() {
                    add(role, Feature::SagemakerModelData);
                }
            }
            _ => {}
        }
    }
    found
}

/// The actions `role` lacks of what `feature` needs.
fn missing(pipeline: &Pipeline, role: &str, feature: Feature) -> Vec<&'static str> {
    let resource = &pipeline.resources[role];
    assert_eq!(resource.cfn_type, "AWS::IAM::Role", "{role}");
    let service = resource.properties["AssumeRolePolicyDocument"].to_string();
    assert!(service.contains(needs::of(feature).service), "{role} is not assumed by {}", needs::of(feature).service);
    let allowed = role_allows(resource);
    needs::of(feature)
        .actions
        .iter()
        .copied()
        .filter(|action| !allowed.iter().any(|(pattern, resources)| covers(pattern, action) && !resources.is_empty()))
        .collect()
}

/// Conditions of the managed policies pipe attaches, met: EMR's service role passes the instance
/// role pipe made (the managed policy passes only `EMR_EC2_DefaultRole`), and the cluster carries
/// the tag the policy asks of what it launches.
fn check_emr_conditions(pipeline: &Pipeline, label: &str) {
    for cluster in pipeline.resources.values().filter(|r| r.cfn_type == "AWS::EMR::Cluster") {
        let service = &pipeline.resources[target(&cluster.properties["ServiceRole"]).unwrap()];
        let profile = &pipeline.resources[target(&cluster.properties["JobFlowRole"]).unwrap()];
        let instance_role = target(&profile.properties["Roles"][0]).unwrap();
        let passes = role_allows(service).iter().any(|(action, resources)| {
            covers(action, "iam:PassRole") && resources.iter().any(|r| refers_to(r, instance_role))
        });
        assert!(passes, "{label}: the EMR service role cannot pass `{instance_role}`");
        let tagged = cluster.properties["Tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["Key"] == "for-use-with-amazon-emr-managed-policies" && t["Value"] == "true");
        assert!(tagged, "{label}: the cluster lacks the tag AmazonEMRServicePolicy_v2 asks for");
    }
}

/// Drafts for the features no contract row turns on by itself.
fn feature_drafts() -> Vec<(&'static str, Draft)> {
    let mut drafts = Vec::new();
    let with = |edit: &dyn Fn(&mut Draft)| {
        let contract = contract::find("kinesis-stream", "lambda", contract::Via::Flow).unwrap();
        let mut d = contracts::draft(contract, BASE);
        edit(&mut d);
        d
    };
    drafts.push((
        "lambda in a VPC",
        with(&|d| d.set("down", "network: { subnets: [subnet-0e000001], security_groups: [sg-0e000001] }".into())),
    ));
    drafts.push(("lambda with enhanced fan-out", with(&|d| d.set("down", "batch: { enhanced_fan_out: true }".into()))));
    let mut sagemaker = Draft::default();
    sagemaker.add("model", "sagemaker-endpoint", BASE);
    sagemaker.set("model", "model_data: s3://models-bucket/model.tar.gz".into());
    drafts.push(("sagemaker with model data", sagemaker));
    drafts
}

/// Every pipeline the test judges, with a label, and for the drafts their blueprint.
pub(crate) fn pipelines() -> Vec<(String, Pipeline, Option<Blueprint>)> {
    let mut all = Vec::new();
    let mut add = |label: String, yaml: String| {
        let built = contracts::build(&yaml);
        all.push((format!("{label}\n{yaml}"), built.pipeline, Some(built.blueprint)));
    };
    for contract in contract::CONTRACTS {
        for variant in contracts::variants(contract) {
            add(
                format!("{} → {} ({variant:?})", contract.from, contract.to),
                contracts::draft(contract, variant).yaml(),
            );
        }
    }
    for (label, draft) in feature_drafts() {
        add(label.to_string(), draft.yaml());
    }
    let mut files: Vec<String> = pipe::scenarios::all().iter().map(|s| format!("blueprints/{}.yaml", s.name)).collect();
    files.extend(["variants", "connections", "dimensions"].map(|name| format!("tests/render/{name}.yaml")));
    for file in files {
        let path = Path::new(&file);
        let loaded = pipe::blueprint::load(path, &Default::default()).expect("readable");
        let blueprint = loaded.blueprint.expect("valid");
        let pipeline = pipe::model::compile(&blueprint, pipe::blueprint::base_dir(path)).expect("code");
        all.push((file.clone(), pipeline, None));
    }
    all
}

#[test]
fn every_role_grants_what_its_service_needs() {
    let mut roles = BTreeSet::new();
    let mut seen: BTreeMap<Feature, usize> = BTreeMap::new();
    let mut checks = 0;
    let all = pipelines();
    for (label, pipeline, _) in &all {
        for (role, feature) in features(pipeline) {
            let lacks = missing(pipeline, &role, feature);
            assert!(lacks.is_empty(), "{label}\n`{role}` lacks {lacks:?} for {feature:?}: {}", needs::of(feature).does);
            roles.insert(format!("{label}/{role}"));
            *seen.entry(feature).or_default() += 1;
            checks += 1;
        }
        check_emr_conditions(pipeline, label);
    }
    let unseen: Vec<Feature> = NEEDS.iter().map(|n| n.feature).filter(|f| !seen.contains_key(f)).collect();
    assert!(unseen.is_empty(), "no pipeline turns on {unseen:?}: add a draft that does");
    println!(
        "service needs: {} pipelines, {} roles, {checks} role × feature checks over {} features",
        all.len(),
        roles.len(),
        seen.len()
    );
}

/// Least privilege stays: in each per-edge and per-feature draft, every action a role a service
/// assumes grants is one its resources' features need or one an edge contract grants its
/// component.
#[test]
fn roles_grant_nothing_beyond_needs_and_contracts() {
    let mut checked = 0;
    for (label, pipeline, blueprint) in pipelines().iter().filter_map(|(l, p, b)| Some((l, p, b.as_ref()?))) {
        let features = features(pipeline);
        let graph = Graph::new(blueprint);
        for (id, role) in pipeline.resources.iter().filter(|(_, r)| r.cfn_type == "AWS::IAM::Role") {
            if role.properties["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"].is_null() {
                continue; // assumed by people (an admin role), not by a service
            }
            let mut justified: BTreeSet<&str> = features
                .iter()
                .filter(|(r, _)| r == id)
                .flat_map(|(_, f)| needs::of(*f).actions.iter().copied())
                .collect();
            justified.extend(contract_actions(&graph, &pipeline.name, &role.component));
            let inline = role.properties.get("Policies").and_then(Value::as_array).cloned().unwrap_or_default();
            for (action, _) in inline.iter().flat_map(|p| allows(&p["PolicyDocument"])) {
                assert!(
                    justified.contains(action.as_str()),
                    "{label}\n`{id}` grants {action}, which no need of its features and no edge contract asks for"
                );
                checked += 1;
            }
        }
    }
    println!("least privilege: {checked} granted actions traced to a need or a contract");
}

/// The data-plane actions the edge contracts give `component`, as `iam::grants` names them.
fn contract_actions(graph: &Graph, pipeline: &str, component: &str) -> BTreeSet<&'static str> {
    let actor = graph.get(component).expect("declared").component;
    contract::acting(graph, component)
        .into_iter()
        .flat_map(|acting| {
            let topic = contract::topic_of(actor, acting.reads);
            contracts::edge_grants(acting.contract, actor, acting.other, pipeline, topic)
        })
        .flat_map(|statement| statement.actions)
        .collect()
}

#[test]
fn cited_policies_grant_what_the_table_says() {
    let mut checked = 0;
    for need in NEEDS {
        let Source::Policy(name) = need.source else { continue };
        let copy = policy(name);
        assert_eq!(copy["name"], name, "{name}.json names its policy");
        assert!(copy["read_on"].as_str().is_some_and(|d| d.len() == 10), "{name}.json is dated");
        assert!(copy["source"].as_str().is_some_and(|s| !s.is_empty()), "{name}.json says where it was read");
        let allowed = allows(&copy["document"]);
        for action in need.actions {
            assert!(
                allowed.iter().any(|(pattern, _)| covers(pattern, action)),
                "{:?} cites {name}, which does not grant {action}",
                need.feature
            );
            checked += 1;
        }
    }
    println!(
        "needs table: {checked} actions found in the {} policies they cite",
        std::fs::read_dir(POLICIES).unwrap().count()
    );
}
