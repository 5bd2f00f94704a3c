//! CloudWatch alarms on every component the alarm table watches, thresholds evaluated from the
//! blueprint: the sized capacity, the retention read, the buffer interval, the declared flow.

use serde_json::{Value, json};

use crate::blueprint::alarms::{self, Alarm, Threshold};
use crate::blueprint::spec::Component;
use crate::blueprint::spec::monitoring::AlarmSet;
use crate::blueprint::spec::msk::MskDeployment;
use crate::blueprint::spec::redshift::RedshiftDeployment;
use crate::capacity::{kinesis::shards, lambda::invocations_per_second};

use super::super::cfn::{number, ref_};
use super::super::naming::{logical, physical};
use super::super::refs::{arn_of, logical_id};
use super::super::{Builder, Resource};

/// One alarm as the model renders it: its threshold and how it was set.
pub struct Set {
    pub threshold: f64,
    pub because: String,
}

pub fn all(b: &mut Builder) {
    let blueprint = b.blueprint();
    if blueprint.monitoring.alarms == AlarmSet::None {
        return;
    }
    let actions = blueprint.monitoring.notify.as_ref().and_then(|id| {
        let topic = b.graph.get(id)?.component;
        Some(json!([arn_of(topic, b.name)]))
    });
    for placed in blueprint.components() {
        let component = placed.component;
        for alarm in alarms::of(component.kind()) {
            let overridden = blueprint.monitoring.overrides.get(component.id()).and_then(|o| o.get(alarm.name));
            let Some(set) = evaluate(b, component, alarm) else { continue };
            let set = match overridden {
                Some(&threshold) => Set { threshold, because: "set by `monitoring.overrides`".into() },
                None => set,
            };
            for (suffix, dimensions) in dimensions(b, component, alarm) {
                let name = format!("{}-{}{suffix}", physical(b.name, component.id()), alarm.name);
                let mut properties = json!({
                    "AlarmName": name,
                    "AlarmDescription": format!(
                        "{}. Threshold {} {}: {}. Source: {}",
                        capitalised(alarm.fires_when), figure(set.threshold), alarm.unit, set.because, alarm.source
                    ),
                    "Namespace": alarm.namespace,
                    "MetricName": metric(b, component, alarm),
                    "Dimensions": dimensions,
                    "Period": alarm.period_seconds,
                    "EvaluationPeriods": alarm.evaluation_periods,
                    "Threshold": number(set.threshold),
                    "ComparisonOperator": if alarm.above { "GreaterThanThreshold" } else { "LessThanThreshold" },
                    // No data is no traffic, not a fault: a quiet pipeline stays OK.
                    "TreatMissingData": "notBreaching",
                    "Tags": b.tags(component.id()),
                });
                match alarm.statistic.strip_prefix('p') {
                    Some(_) => properties["ExtendedStatistic"] = json!(alarm.statistic),
                    None => properties["Statistic"] = json!(alarm.statistic),
                }
                if let Some(actions) = &actions {
                    properties["AlarmActions"] = actions.clone();
                    properties["OKActions"] = actions.clone();
                }
                let id = logical(component.id(), &format!("{}{}Alarm", pascal(alarm.name), pascal(&suffix)));
                b.add(id, Resource::new("AWS::CloudWatch::Alarm", component.id(), properties));
            }
        }
    }
}

/// The threshold of `alarm` on `component`, or `None` where it does not apply (a stream nothing
/// reads has no iterator age; an on-demand stream no shard capacity).
pub fn evaluate(b: &Builder, component: &Component, alarm: &Alarm) -> Option<Set> {
    let flow = b.graph.flow(component.id());
    let per_period = f64::from(alarm.period_seconds);
    let applies = match (component, alarm.name) {
        (Component::MskCluster(c), _) => c.deployment != MskDeployment::Serverless,
        (Component::Redshift(r), _) => r.deployment == RedshiftDeployment::Cluster,
        (Component::KinesisStream(s), "iterator-age") => b.graph.readers_of(&s.id).next().is_some(),
        _ => true,
    };
    if !applies {
        return None;
    }
    Some(match alarm.threshold {
        Threshold::Fixed(value) => Set { threshold: value, because: "AWS's recommended threshold".into() },
        Threshold::WriteCapacity(share) => {
            let Component::KinesisStream(stream) = component else { return None };
            let shards = shards(&b.graph, stream)?.value();
            let bytes = f64::from(shards) * 1024.0 * 1024.0 * per_period * share;
            Set {
                threshold: bytes.round(),
                because: format!("{:.0}% of {shards} shards × 1 MiB/s over {} s", share * 100.0, alarm.period_seconds),
            }
        }
        Threshold::Retention(share) => {
            let hours = retention_read(b, component)?;
            Set {
                threshold: f64::from(hours) * 3_600_000.0 * share,
                because: format!("{:.0}% of the {hours} h the stream read keeps its records", share * 100.0),
            }
        }
        Threshold::BufferIntervals(times) => {
            let Component::Firehose(stream) = component else { return None };
            let interval = f64::from(stream.buffer.interval_seconds);
            Set { threshold: interval * times, because: format!("{times} × the {interval} s buffer interval") }
        }
        Threshold::DeclaredRecords(share) => match flow {
            Some(flow) => {
                let declared = flow.records_per_second * per_period;
                Set {
                    threshold: (declared * share).ceil().max(1.0),
                    because: format!(
                        "{:.0}% of the {} records declared into it in {} s",
                        share * 100.0,
                        crate::capacity::thousands(declared),
                        alarm.period_seconds
                    ),
                }
            }
            None => Set { threshold: 0.0, because: "any: no flow is declared into it".into() },
        },
        Threshold::Invocations(share) => {
            let Component::Lambda(function) = component else { return None };
            match invocations_per_second(&b.graph, function) {
                Some(rate) => Set {
                    threshold: (rate * per_period * share).ceil().max(1.0),
                    because: format!(
                        "{:.0}% of the {} invocations the declared flow makes in {} s",
                        share * 100.0,
                        crate::capacity::thousands(rate * per_period),
                        alarm.period_seconds
                    ),
                },
                None => Set { threshold: 0.0, because: "any: no flow is declared into it".into() },
            }
        }
        Threshold::Timeout(share) => {
            let Component::Lambda(function) = component else { return None };
            Set {
                threshold: f64::from(function.timeout_seconds) * 1000.0 * share,
                because: format!("{:.0}% of the {} s timeout", share * 100.0, function.timeout_seconds),
            }
        }
        Threshold::Volume(share) => {
            let gb = main_property(b, component, "/EBSOptions/VolumeSize")?.as_f64()?;
            Set {
                threshold: gb * 1024.0 * share,
                because: format!("{:.0}% of each node's {gb} GB volume", share * 100.0),
            }
        }
        Threshold::ProvisionedWrites(share) => {
            let units = main_property(b, component, "/ProvisionedThroughput/WriteCapacityUnits")?.as_f64()?;
            Set {
                threshold: (units * per_period * share).round(),
                because: format!(
                    "{:.0}% of {units} write units a second over {} s",
                    share * 100.0,
                    alarm.period_seconds
                ),
            }
        }
    })
}

/// Hours the stream `component` reads (or is) keeps its records.
fn retention_read(b: &Builder, component: &Component) -> Option<u32> {
    match component {
        Component::KinesisStream(stream) => Some(stream.retention_hours),
        Component::Lambda(function) => b.graph.inputs_of(&function.id).find_map(|edge| match edge.from.component {
            Component::KinesisStream(stream) => Some(stream.retention_hours),
            // A DynamoDB stream keeps its records 24 hours.
            Component::DynamodbTable(_) => Some(24),
            _ => None,
        }),
        _ => None,
    }
}

/// A property of the component's main resource, by JSON pointer.
fn main_property<'b>(b: &'b Builder, component: &Component, pointer: &str) -> Option<&'b Value> {
    let resource = b.pipeline.resources.get(&logical_id(component))?;
    let mut keys = pointer.trim_start_matches('/').split('/');
    let first = resource.properties.get(keys.next()?)?;
    keys.try_fold(first, |value, key| value.get(key))
}

/// The metric name, with a Firehose stream's destination filled in.
pub(super) fn metric(b: &Builder, component: &Component, alarm: &Alarm) -> String {
    let Component::Firehose(stream) = component else { return alarm.metric.to_string() };
    let destination = stream.to.iter().find_map(|id| match b.graph.get(id)?.component {
        Component::OpensearchDomain(_) => Some("DeliveryToAmazonOpenSearchService"),
        // Redshift is loaded from the S3 objects Firehose stages first.
        _ => None,
    });
    alarm.metric.replace("{destination}", destination.unwrap_or("DeliveryToS3"))
}

/// The dimensions of each alarm to set (an MSK cluster's disks are watched broker by broker),
/// with the suffix of its name.
pub(super) fn dimensions(b: &Builder, component: &Component, alarm: &Alarm) -> Vec<(String, Value)> {
    let name = |key: &str| main_property(b, component, &format!("/{key}")).cloned().unwrap_or(Value::Null);
    let one = |pairs: Vec<(&str, Value)>| {
        let dimensions: Vec<Value> = pairs.into_iter().map(|(n, v)| json!({ "Name": n, "Value": v })).collect();
        vec![(String::new(), Value::Array(dimensions))]
    };
    match component {
        Component::KinesisStream(_) => one(vec![("StreamName", name("Name"))]),
        Component::Firehose(_) => one(vec![("DeliveryStreamName", name("DeliveryStreamName"))]),
        Component::Lambda(_) => one(vec![("FunctionName", name("FunctionName"))]),
        Component::FlinkApplication(_) => one(vec![("Application", name("ApplicationName"))]),
        Component::GlueStreamingJob(_) => {
            one(vec![("JobName", name("Name")), ("JobRunId", json!("ALL")), ("Type", json!("count"))])
        }
        Component::MskCluster(_) if alarm.name == "disk-used" => {
            let brokers = main_property(b, component, "/NumberOfBrokerNodes").and_then(Value::as_u64).unwrap_or(0);
            (1..=brokers)
                .map(|broker| {
                    let dimensions = json!([
                        { "Name": "Cluster Name", "Value": name("ClusterName") },
                        { "Name": "Broker ID", "Value": broker.to_string() },
                    ]);
                    (format!("-broker-{broker}"), dimensions)
                })
                .collect()
        }
        Component::MskCluster(_) => one(vec![("Cluster Name", name("ClusterName"))]),
        Component::DynamodbTable(_) => one(vec![("TableName", name("TableName"))]),
        Component::SnsTopic(_) => one(vec![("TopicName", name("TopicName"))]),
        Component::OpensearchDomain(_) => {
            one(vec![("DomainName", name("DomainName")), ("ClientId", ref_("AWS::AccountId"))])
        }
        Component::Redshift(_) => one(vec![("ClusterIdentifier", name("ClusterIdentifier"))]),
        Component::EmrSparkStreaming(_) => one(vec![("JobFlowId", ref_(&logical_id(component)))]),
        Component::SagemakerEndpoint(_) => {
            one(vec![("EndpointName", name("EndpointName")), ("VariantName", json!("AllTraffic"))])
        }
        _ => Vec::new(),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// `write-capacity` → `WriteCapacity`; `-broker-2` → `Broker2`.
fn pascal(text: &str) -> String {
    text.split('-').map(capitalised).collect()
}

/// A threshold as people read it: whole numbers without a fraction.
fn figure(value: f64) -> String {
    if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value}") }
}
