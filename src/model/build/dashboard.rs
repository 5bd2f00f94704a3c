//! One CloudWatch dashboard per pipeline: a row per layer in flow order, a widget per component
//! with its throughput against the declared flow and the sized capacity, and the metrics its
//! alarms watch (lag, errors) beside it.

use serde_json::{Value, json};

use crate::blueprint::alarms;
use crate::blueprint::spec::{Component, Layer};
use crate::capacity::{kinesis::shards, lambda::invocations_per_second};

use super::super::cfn::sub;
use super::super::{Builder, Resource, Throughput};
use super::alarms::{dimensions, evaluate, metric};

const WIDTH: u32 = 8;
const HEIGHT: u32 = 6;
const PER_ROW: u32 = 24 / WIDTH;

pub fn dashboard(b: &mut Builder) {
    let blueprint = b.blueprint();
    let mut widgets = Vec::new();
    let mut y = 0;
    for layer in Layer::ALL {
        let watched: Vec<Value> = blueprint.layer(layer).iter().filter_map(|component| widget(b, component)).collect();
        if watched.is_empty() {
            continue;
        }
        widgets.push(json!({
            "type": "text", "x": 0, "y": y, "width": 24, "height": 1,
            "properties": { "markdown": format!("## {}", layer.name()) },
        }));
        y += 1;
        let count = watched.len() as u32;
        for (i, mut widget) in (0..).zip(watched) {
            widget["x"] = json!((i % PER_ROW) * WIDTH);
            widget["y"] = json!(y + (i / PER_ROW) * HEIGHT);
            widgets.push(widget);
        }
        y += count.div_ceil(PER_ROW) * HEIGHT;
    }
    // The widgets are built either way: they record each component's throughput for `status`.
    if widgets.is_empty() || !blueprint.monitoring.dashboard {
        return;
    }
    let body = serde_json::to_string(&json!({ "widgets": widgets })).expect("a dashboard serialises");
    // The region (and a cluster's id) are known to the deployment, not to the template.
    let body = if body.contains("${") { sub(body) } else { Value::String(body) };
    let properties = json!({ "DashboardName": b.name, "DashboardBody": body });
    b.add("PipelineDashboard".into(), Resource::new("AWS::CloudWatch::Dashboard", "monitoring", properties));
}

/// A component's widget: its throughput with the declared flow and the sized capacity as
/// horizontal lines, and its alarms' metrics on the right axis. `None` for what has no metrics.
fn widget(b: &mut Builder, component: &Component) -> Option<Value> {
    let watched: Vec<&alarms::Alarm> =
        alarms::of(component.kind()).filter(|alarm| evaluate(b, component, alarm).is_some()).collect();
    let (_, dims) = dimensions(b, component, watched.first()?).into_iter().next()?;
    let pairs: Vec<(String, String)> = dims
        .as_array()?
        .iter()
        .map(|d| (d["Name"].as_str().unwrap_or_default().to_string(), in_sub(&d["Value"])))
        .collect();
    let line = |namespace: &str, metric: &str, stat: &str, right: bool| {
        let mut line: Vec<Value> = vec![json!(namespace), json!(metric)];
        line.extend(pairs.iter().flat_map(|(n, v)| [json!(n), json!(v)]));
        line.push(json!({ "stat": stat, "yAxis": if right { "right" } else { "left" } }));
        Value::Array(line)
    };
    let mut metrics = Vec::new();
    let mut lines = Vec::new();
    if let Some((namespace, name, unit, per_minute)) = throughput(b, component) {
        let flow = b.graph.flow(component.id());
        let declared = per_minute.or(flow.map(|f| f.records_per_second * 60.0));
        let sized = capacity(b, component);
        // A rate a second is averaged over the minute; a count is summed.
        let (statistic, seconds) = if name.ends_with("PerSecond") { ("Average", 1.0) } else { ("Sum", 60.0) };
        metrics.push(line(namespace, name, statistic, false));
        // The lines in the metric's own unit: a minute's count, or a rate a second.
        let in_unit = |per_minute: f64| per_minute / 60.0 * seconds;
        if let Some(declared) = declared {
            lines.push(json!({ "label": "declared flow", "value": in_unit(declared).round() }));
        }
        if let Some(sized) = sized {
            lines.push(json!({ "label": "sized capacity", "value": in_unit(sized) }));
        }
        let watched = Throughput {
            namespace,
            metric: name,
            dimensions: pairs.clone(),
            unit,
            statistic,
            seconds,
            declared_per_minute: declared,
            capacity_per_minute: sized,
        };
        b.pipeline.throughput.insert(component.id().to_string(), watched);
    }
    for alarm in &watched {
        metrics.push(line(alarm.namespace, &metric(b, component, alarm), alarm.statistic, true));
    }
    Some(json!({
        "type": "metric", "width": WIDTH, "height": HEIGHT,
        "properties": {
            "title": format!("{} ({})", component.id(), component.kind()),
            "region": "${AWS::Region}",
            "period": 60,
            "view": "timeSeries",
            "metrics": metrics,
            "annotations": { "horizontal": lines },
        },
    }))
}

/// The metric that counts what flows through a component a minute, what it counts, and the
/// declared figure when it is not the records the flow carries (a function's invocations).
fn throughput(b: &Builder, component: &Component) -> Option<(&'static str, &'static str, &'static str, Option<f64>)> {
    Some(match component {
        Component::KinesisStream(_) => ("AWS/Kinesis", "IncomingRecords", "records", None),
        Component::Firehose(stream) => {
            let from_stream = stream
                .from
                .iter()
                .any(|id| matches!(b.graph.get(id).map(|p| p.component), Some(Component::KinesisStream(_))));
            let name = if from_stream { "DataReadFromKinesisStream.Records" } else { "IncomingRecords" };
            ("AWS/Firehose", name, "records", None)
        }
        Component::Lambda(function) => (
            "AWS/Lambda",
            "Invocations",
            "invocations",
            invocations_per_second(&b.graph, function).map(|rate| rate * 60.0),
        ),
        Component::GlueStreamingJob(_) => ("Glue", "glue.driver.aggregate.recordsRead", "records", None),
        // What the application takes in, at the Application level (managed-flink metrics-dimensions.html).
        Component::FlinkApplication(_) => ("AWS/KinesisAnalytics", "numRecordsInPerSecond", "records", None),
        Component::DynamodbTable(_) => ("AWS/DynamoDB", "ConsumedWriteCapacityUnits", "write units", None),
        Component::SnsTopic(_) => ("AWS/SNS", "NumberOfMessagesPublished", "messages", None),
        Component::SagemakerEndpoint(_) => ("AWS/SageMaker", "Invocations", "invocations", None),
        _ => return None,
    })
}

/// What the sized capacity admits a minute, in the throughput metric's unit.
fn capacity(b: &Builder, component: &Component) -> Option<f64> {
    match component {
        // A shard takes 1,000 records a second.
        Component::KinesisStream(stream) => Some(f64::from(shards(&b.graph, stream)?.value()) * 1000.0 * 60.0),
        Component::DynamodbTable(_) => {
            let resource = b.pipeline.resources.get(&super::super::refs::logical_id(component))?;
            let units = resource.properties.get("ProvisionedThroughput")?.get("WriteCapacityUnits")?.as_f64()?;
            Some(units * 60.0)
        }
        _ => None,
    }
}

/// A dimension value inside the body's `Fn::Sub`: a reference becomes `${Name}`.
fn in_sub(value: &Value) -> String {
    match value.get("Ref").and_then(Value::as_str) {
        Some(name) => format!("${{{name}}}"),
        None => value.as_str().unwrap_or_default().to_string(),
    }
}
