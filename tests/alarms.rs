//! Alarms follow the declared flow: every kind the table watches renders its alarms, and doubling
//! the flow moves each threshold as its rule says (capacity shares with the sized capacity,
//! shares of the flow with the flow, retention, buffer and timeout shares not at all).

use std::collections::BTreeMap;

use pipe::blueprint::alarms::{self, Threshold};
use pipe::blueprint::vars::Vars;
use serde_json::Value;

use crate::needs::pipelines;

fn compile(yaml: &str) -> pipe::model::Pipeline {
    // Beside the shipped blueprints, so the function's code resolves.
    let file = tempfile::Builder::new().suffix(".yaml").tempfile_in("blueprints").unwrap();
    std::fs::write(file.path(), yaml).unwrap();
    let loaded = pipe::blueprint::load(file.path(), &Vars::default()).expect("readable");
    assert_eq!(loaded.report.errors(), 0, "{:?}", loaded.report.diagnostics);
    pipe::model::compile(&loaded.blueprint.unwrap(), std::path::Path::new("blueprints")).expect("compiles")
}

/// (alarm name as rendered, its threshold), and the shards of the stream.
fn thresholds(pipeline: &pipe::model::Pipeline) -> BTreeMap<String, f64> {
    pipeline
        .resources
        .values()
        .filter(|r| r.cfn_type == "AWS::CloudWatch::Alarm")
        .map(|r| (r.properties["AlarmName"].as_str().unwrap().to_string(), r.properties["Threshold"].as_f64().unwrap()))
        .collect()
}

fn blueprint(records_per_second: u32) -> String {
    format!(
        "version: 1
name: watched
source:
  - {{ id: app, kind: application, throughput: {{ records_per_second: {records_per_second}, record_kib: 1 }} }}
ingestion:
  - {{ id: producer, kind: kinesis-producer, from: app, to: events }}
storage:
  - {{ id: events, kind: kinesis-stream, retention_hours: 48 }}
  - {{ id: lake, kind: s3-bucket }}
processing:
  - {{ id: score, kind: lambda, from: events, to: ops, code: internet-offering/enrich, runtime: python3.12, timeout_seconds: 60, output: {{ ops: {{ records_per_second: 1, record_kib: 1 }} }} }}
  - {{ id: archive, kind: firehose, from: events, to: lake, buffer: {{ size_mib: 64, interval_seconds: 120 }} }}
destination:
  - {{ id: ops, kind: sns-topic, subscriptions: [{{ protocol: email, endpoint: ops@example.com }}] }}
monitoring: {{ notify: ops }}
"
    )
}

#[test]
fn doubling_the_flow_moves_each_threshold_as_its_rule_says() {
    let (once, twice) = (compile(&blueprint(3000)), compile(&blueprint(6000)));
    let shards = |p: &pipe::model::Pipeline| p.resources["EventsStream"].properties["ShardCount"].as_f64().unwrap();
    let (before, after) = (thresholds(&once), thresholds(&twice));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    let mut seen = BTreeMap::new();
    for (name, &t1) in &before {
        let t2 = after[name];
        let (kind, alarm) =
            [("events", "kinesis-stream"), ("score", "lambda"), ("archive", "firehose"), ("ops", "sns-topic")]
                .into_iter()
                .find_map(|(id, kind)| {
                    let rest = name.strip_prefix(&format!("watched-{id}-"))?;
                    alarms::of(kind).find(|a| a.name == rest).map(|a| (kind, a))
                })
                .unwrap_or_else(|| panic!("{name} is in no rule of the table"));
        let expected = match alarm.threshold {
            Threshold::WriteCapacity(_) => t1 * shards(&twice) / shards(&once),
            Threshold::DeclaredRecords(_) | Threshold::Invocations(_) => t1 * 2.0,
            _ => t1,
        };
        assert!(
            (t2 - expected).abs() <= 1.0,
            "{name}: {t1} → {t2}, the {kind} rule {:?} says {expected}",
            alarm.threshold
        );
        seen.insert(format!("{kind} {}", alarm.name), (t1, t2));
    }
    assert_eq!(shards(&once), 3.0);
    assert_eq!(shards(&twice), 6.0);
    // Every alarm of the four kinds is there: the stream is read, the function reads a stream.
    for kind in ["kinesis-stream", "lambda", "firehose", "sns-topic"] {
        for alarm in alarms::of(kind) {
            assert!(seen.contains_key(&format!("{kind} {}", alarm.name)), "{kind} {} not rendered", alarm.name);
        }
    }
    assert_eq!(before["watched-events-write-capacity"], (3.0 * 1024.0 * 1024.0 * 60.0 * 0.8_f64).round());
    assert_eq!(before["watched-events-iterator-age"], 48.0 * 3_600_000.0 * 0.5);
    assert_eq!(before["watched-archive-data-freshness"], 240.0);
    assert_eq!(before["watched-score-duration"], 48_000.0);
    println!("alarm thresholds at 3,000 and 6,000 records/s: {seen:?}");
}

/// Every kind the table watches is rendered with its alarms by some walked pipeline, and each
/// rendered alarm names the topic `monitoring.notify` names, or none.
#[test]
fn every_watched_kind_renders_its_alarms() {
    let mut rendered: BTreeMap<String, usize> = BTreeMap::new();
    for (_, pipeline, _) in pipelines() {
        for resource in pipeline.resources.values().filter(|r| r.cfn_type == "AWS::CloudWatch::Alarm") {
            let name = resource.properties["AlarmName"].as_str().unwrap();
            for alarm in alarms::ALARMS.iter().filter(|a| name.contains(&format!("-{}", a.name))) {
                *rendered.entry(format!("{} {}", alarm.kind, alarm.name)).or_default() += 1;
            }
            assert!(resource.properties.get("AlarmActions").is_none_or(Value::is_array));
        }
    }
    let missing: Vec<String> = alarms::ALARMS
        .iter()
        .map(|a| format!("{} {}", a.kind, a.name))
        .filter(|key| !rendered.contains_key(key))
        .collect();
    assert!(missing.is_empty(), "alarms no walked pipeline renders: {missing:?}");
    println!(
        "alarms rendered over the walked pipelines: {} rules, {} alarms",
        rendered.len(),
        rendered.values().sum::<usize>()
    );
}

/// CloudWatch cannot publish to a topic under the AWS managed key: the topic alarms notify gets
/// a key of its own that lets CloudWatch use it, and the function that publishes there (as its
/// output and as its failure destination) is granted the same key.
#[test]
fn the_topic_alarms_notify_has_a_key_cloudwatch_and_its_publishers_may_use() {
    let pipeline = compile(
        r#"
version: 1
name: keyed
source:
  - { id: app, kind: application, throughput: { records_per_second: 100, record_kib: 1 } }
ingestion:
  - { id: producer, kind: kinesis-producer, from: app, to: events }
storage:
  - { id: events, kind: kinesis-stream }
processing:
  - id: watch
    kind: lambda
    from: events
    to: oncall
    on_failure: oncall
    output: { oncall: { records_per_second: 1, record_kib: 1 } }
    code: internet-offering/enrich
    handler: handler.handler
    runtime: python3.12
destination:
  - { id: oncall, kind: sns-topic }
  - { id: other, kind: sns-topic }
monitoring: { notify: oncall }
"#,
    );
    let key = &pipeline.resources["OncallKey"];
    assert_eq!(key.cfn_type, "AWS::KMS::Key");
    let statements = key.properties["KeyPolicy"]["Statement"].as_array().unwrap();
    let cloudwatch = statements.iter().find(|s| s["Principal"]["Service"] == "cloudwatch.amazonaws.com").unwrap();
    assert_eq!(cloudwatch["Action"], serde_json::json!(["kms:Decrypt", "kms:GenerateDataKey*"]));
    assert_eq!(key.properties["EnableKeyRotation"], true);
    let arn = serde_json::json!({ "Fn::GetAtt": ["OncallKey", "Arn"] });
    assert_eq!(pipeline.resources["OncallTopic"].properties["KmsMasterKeyId"], arn);
    // A topic nothing alarms on keeps the AWS managed key.
    assert_eq!(pipeline.resources["OtherTopic"].properties["KmsMasterKeyId"], "alias/aws/sns");
    let role = serde_json::to_string(&pipeline.resources["WatchRole"].properties).unwrap();
    let granted = r#""Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":[{"Fn::GetAtt":["OncallKey","Arn"]}]"#;
    assert_eq!(role.matches(granted).count(), 1, "once, for both ways it publishes: {role}");
}
