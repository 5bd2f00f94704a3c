//! `pipe status`: what is live of a pipeline, which of its alarms fire, and the last minutes of
//! the metrics they watch against their thresholds, on either target.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricAlarm, MetricDataQuery, MetricStat};
use serde::Serialize;

use super::Deployment;
use super::aws::{ApiError, api};
use super::sdk;
use crate::model::Pipeline;

/// Bumped whenever a field of the JSON view changes meaning or disappears; additions keep it.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub format_version: u32,
    pub pipeline: String,
    pub region: String,
    pub minutes: u32,
    pub components: Vec<ComponentStatus>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentStatus {
    pub component: String,
    pub kind: String,
    /// The service's own state of its main resource (ACTIVE, RUNNING, ...), where the service
    /// has one; `None` when there is no such state or the resource is missing.
    pub state: Option<String>,
    /// The service's state is not one that moves records (a stream CREATING, an application READY).
    pub stopped: bool,
    /// Its named resources AWS does not have.
    pub missing: Vec<String>,
    pub readings: Vec<Reading>,
    pub throughput: Option<Flowing>,
}

/// What flowed through a component in the window, against the declared flow and the capacity.
#[derive(Debug, Clone, Serialize)]
pub struct Flowing {
    pub metric: String,
    /// What the metric counts: `records`, `invocations`, ...
    pub unit: String,
    /// The mean a second over the minutes with data; `None` without data.
    pub per_second: Option<f64>,
    pub declared_per_second: Option<f64>,
    pub capacity_per_second: Option<f64>,
}

/// One alarm of the component: its state in CloudWatch and the metric's latest value.
#[derive(Debug, Clone, Serialize)]
pub struct Reading {
    pub alarm: String,
    pub metric: String,
    /// CloudWatch's state of the alarm (OK, ALARM, INSUFFICIENT_DATA), or `MISSING`.
    pub state: String,
    /// The latest value in the window, when there is one.
    pub value: Option<f64>,
    pub threshold: f64,
    pub above: bool,
    /// The latest value is past the threshold.
    pub breaching: bool,
}

impl Status {
    /// Healthy: everything is there, no alarm fires and no metric is past its threshold.
    pub fn healthy(&self) -> bool {
        self.components.iter().all(ComponentStatus::healthy)
    }
}

impl ComponentStatus {
    pub fn healthy(&self) -> bool {
        self.missing.is_empty() && !self.stopped && self.readings.iter().all(|r| r.state != "ALARM" && !r.breaching)
    }
}

/// Reads `deployment` (either target) over the last `minutes`.
pub async fn read(deployment: &Deployment<'_>, pipeline: &Pipeline, minutes: u32) -> Result<Status, super::Error> {
    let aws = deployment.clients();
    let (region, cloudwatch) = (aws.account.region.clone(), &aws.cloudwatch);
    let state = deployment.live().await?;
    let names: Vec<String> = pipeline
        .resources
        .values()
        .filter(|r| r.cfn_type == "AWS::CloudWatch::Alarm")
        .filter_map(|r| r.properties.get("AlarmName")?.as_str().map(str::to_string))
        .collect();
    let alarms = describe(cloudwatch, &names).await.map_err(sdk::Error::from)?;
    let now = super::epoch_seconds() as i64;
    // Up to a minute ahead: a datapoint of this very second is in the window too.
    let (from, to) = (now - i64::from(minutes) * 60, now + 60);
    // One GetMetricData for both: each alarm's metric at its own period and statistic, and each
    // component's throughput, a minute's Sum.
    let watched: Vec<(&String, &crate::model::Throughput)> = pipeline.throughput.iter().collect();
    let stats = alarms.values().map(alarm_stat).chain(watched.iter().map(|(_, t)| throughput_stat(t))).collect();
    let mut points = datapoints(cloudwatch, stats, from, to).await.map_err(sdk::Error::from)?;
    let throughput_points = points.split_off(alarms.len());
    let latest: BTreeMap<&String, f64> = alarms
        .keys()
        .zip(&points)
        .filter_map(|(name, points)| Some((name, points.iter().max_by_key(|(at, _)| *at)?.1)))
        .collect();
    let flowing: BTreeMap<&String, Flowing> =
        watched.iter().zip(&throughput_points).map(|((component, t), points)| (*component, flow(t, points))).collect();
    let mut components: Vec<ComponentStatus> = Vec::new();
    for (logical_id, resource) in &pipeline.resources {
        let Some(kind) = pipeline.places.get(&resource.component).map(|p| &p.kind) else { continue };
        let entry = match components.iter_mut().position(|c| c.component == resource.component) {
            Some(i) => &mut components[i],
            None => {
                components.push(ComponentStatus {
                    component: resource.component.clone(),
                    kind: kind.clone(),
                    state: None,
                    stopped: false,
                    missing: Vec::new(),
                    readings: Vec::new(),
                    throughput: None,
                });
                components.last_mut().expect("just pushed")
            }
        };
        if resource.cfn_type == "AWS::CloudWatch::Alarm" {
            let name = resource.properties.get("AlarmName").and_then(|n| n.as_str()).unwrap_or_default();
            let key = name.to_string();
            entry.readings.push(reading(name, resource, alarms.get(name), latest.get(&key).copied()));
        } else if !state.live.contains_key(logical_id) {
            entry.missing.push(logical_id.clone());
        }
    }
    for component in &mut components {
        component.throughput = flowing.get(&component.component).cloned();
        if !component.missing.is_empty() {
            continue;
        }
        let main = pipeline
            .resources
            .iter()
            .find(|(_, r)| r.component == component.component && MOVING.iter().any(|(t, _)| *t == r.cfn_type));
        let Some((logical_id, main)) = main else { continue };
        let name = sdk::name_path(main.cfn_type).and_then(|key| main.properties.get(key)?.as_str()).unwrap_or_default();
        // Not missing, so read: what AWS knows it by where a name is not enough (an EMR cluster).
        let id = state.live.get(logical_id).map_or("", |live| live.handle.physical_id.as_str());
        let service = service_state(aws, main.cfn_type, name, id).await.map_err(sdk::Error::from)?;
        let moving = MOVING.iter().find(|(t, _)| *t == main.cfn_type).map_or(&[][..], |(_, states)| *states);
        component.stopped = service.as_deref().is_some_and(|s| !moving.contains(&s));
        component.state = service;
    }
    Ok(Status { format_version: FORMAT_VERSION, pipeline: pipeline.name.clone(), region, minutes, components })
}

/// The types whose service reports a state, and the states in which they move records.
const MOVING: &[(&str, &[&str])] = &[
    ("AWS::Kinesis::Stream", &["ACTIVE", "UPDATING"]),
    ("AWS::KinesisFirehose::DeliveryStream", &["ACTIVE"]),
    ("AWS::Lambda::Function", &["Active"]),
    ("AWS::KinesisAnalyticsV2::Application", &["RUNNING", "UPDATING", "AUTOSCALING"]),
    ("AWS::DynamoDB::Table", &["ACTIVE", "UPDATING"]),
    // A streaming job moves records only while a run of it is RUNNING.
    ("AWS::Glue::Job", &["RUNNING"]),
    ("AWS::SageMaker::Endpoint", &["InService", "Updating"]),
    ("AWS::MSK::Cluster", &["ACTIVE", "UPDATING"]),
    ("AWS::MSK::ServerlessCluster", &["ACTIVE", "UPDATING"]),
    ("AWS::Redshift::Cluster", &["available"]),
    ("AWS::RedshiftServerless::Workgroup", &["AVAILABLE", "MODIFYING"]),
    ("AWS::OpenSearchService::Domain", &["Active", "Processing"]),
    // A streaming step runs while the cluster is RUNNING; WAITING is a cluster whose step ended.
    ("AWS::EMR::Cluster", &["RUNNING"]),
];

/// What the service says of the resource `name` (physical id `id`) of `cfn_type` (one of
/// [`MOVING`]): its status as the service writes it; an OpenSearch domain is Processing while it
/// changes, else Active.
async fn service_state(
    aws: &sdk::provider::Clients,
    cfn_type: &str,
    name: &str,
    id: &str,
) -> Result<Option<String>, ApiError> {
    Ok(Some(match cfn_type {
        "AWS::Kinesis::Stream" => {
            let out = aws
                .kinesis
                .describe_stream_summary()
                .stream_name(name)
                .send()
                .await
                .map_err(api("DescribeStreamSummary"))?;
            out.stream_description_summary().map(|d| d.stream_status().as_str().to_string()).unwrap_or_default()
        }
        "AWS::KinesisFirehose::DeliveryStream" => {
            let out = aws
                .firehose
                .describe_delivery_stream()
                .delivery_stream_name(name)
                .send()
                .await
                .map_err(api("DescribeDeliveryStream"))?;
            out.delivery_stream_description()
                .map(|d| d.delivery_stream_status().as_str().to_string())
                .unwrap_or_default()
        }
        "AWS::Lambda::Function" => {
            let out = aws
                .lambda
                .get_function_configuration()
                .function_name(name)
                .send()
                .await
                .map_err(api("GetFunctionConfiguration"))?;
            out.state().map(|s| s.as_str().to_string()).unwrap_or_default()
        }
        "AWS::KinesisAnalyticsV2::Application" => {
            let out = aws
                .flink
                .describe_application()
                .application_name(name)
                .send()
                .await
                .map_err(api("DescribeApplication"))?;
            out.application_detail().map(|d| d.application_status().as_str().to_string()).unwrap_or_default()
        }
        "AWS::DynamoDB::Table" => {
            let out = aws.dynamodb.describe_table().table_name(name).send().await.map_err(api("DescribeTable"))?;
            out.table().and_then(|t| t.table_status()).map(|s| s.as_str().to_string()).unwrap_or_default()
        }
        "AWS::Glue::Job" => {
            let out = aws.glue.get_job_runs().job_name(name).send().await.map_err(api("GetJobRuns"))?;
            let latest = out.job_runs().iter().max_by_key(|run| run.started_on().map_or(0, |at| at.secs()));
            match latest.and_then(|run| run.job_run_state()) {
                Some(state) => state.as_str().to_string(),
                None => "no run".to_string(),
            }
        }
        "AWS::SageMaker::Endpoint" => {
            let out =
                aws.sagemaker.describe_endpoint().endpoint_name(name).send().await.map_err(api("DescribeEndpoint"))?;
            out.endpoint_status().map(|s| s.as_str().to_string()).unwrap_or_default()
        }
        "AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster" => {
            let out =
                aws.kafka.list_clusters_v2().cluster_name_filter(name).send().await.map_err(api("ListClustersV2"))?;
            let cluster = out.cluster_info_list().iter().find(|c| c.cluster_name() == Some(name));
            cluster.and_then(|c| c.state()).map(|s| s.as_str().to_string()).unwrap_or_default()
        }
        "AWS::Redshift::Cluster" => {
            let out = aws
                .redshift
                .describe_clusters()
                .cluster_identifier(name)
                .send()
                .await
                .map_err(api("DescribeClusters"))?;
            out.clusters().first().and_then(|c| c.cluster_status()).unwrap_or_default().to_string()
        }
        "AWS::RedshiftServerless::Workgroup" => {
            let out = aws
                .redshift_serverless
                .get_workgroup()
                .workgroup_name(name)
                .send()
                .await
                .map_err(api("GetWorkgroup"))?;
            out.workgroup().and_then(|w| w.status()).map(|s| s.as_str().to_string()).unwrap_or_default()
        }
        "AWS::EMR::Cluster" => {
            // Cluster names are not unique: the one deployed is described by its id.
            let out = aws.emr.describe_cluster().cluster_id(id).send().await.map_err(api("DescribeCluster"))?;
            let cluster = out.cluster().and_then(|c| c.status()).and_then(|s| s.state());
            cluster.map(|s| s.as_str().to_string()).unwrap_or_default()
        }
        "AWS::OpenSearchService::Domain" => {
            let out = aws.opensearch.describe_domain().domain_name(name).send().await.map_err(api("DescribeDomain"))?;
            let status = out.domain_status();
            match status.and_then(|d| d.processing()) {
                Some(true) => "Processing".to_string(),
                _ => "Active".to_string(),
            }
        }
        _ => return Ok(None),
    }))
}

fn reading(name: &str, resource: &crate::model::Resource, live: Option<&MetricAlarm>, value: Option<f64>) -> Reading {
    let p = &resource.properties;
    let threshold = live.and_then(MetricAlarm::threshold).or_else(|| p.get("Threshold")?.as_f64()).unwrap_or_default();
    let above = p.get("ComparisonOperator").and_then(|c| c.as_str()) != Some("LessThanThreshold");
    let breaching = value.is_some_and(|v| if above { v > threshold } else { v < threshold });
    Reading {
        alarm: name.to_string(),
        metric: p.get("MetricName").and_then(|m| m.as_str()).unwrap_or_default().to_string(),
        state: live.and_then(|a| a.state_value()).map_or("MISSING".into(), |s| s.as_str().to_string()),
        value,
        threshold,
        above,
        breaching,
    }
}

/// The alarms named `names`, by name (DescribeAlarms takes 100 names a call).
async fn describe(
    cloudwatch: &aws_sdk_cloudwatch::Client,
    names: &[String],
) -> Result<BTreeMap<String, MetricAlarm>, ApiError> {
    let mut found = BTreeMap::new();
    for batch in names.chunks(100) {
        let answer = cloudwatch
            .describe_alarms()
            .set_alarm_names(Some(batch.to_vec()))
            .max_records(100)
            .send()
            .await
            .map_err(api("DescribeAlarms"))?;
        for alarm in answer.metric_alarms() {
            found.insert(alarm.alarm_name().unwrap_or_default().to_string(), alarm.clone());
        }
    }
    Ok(found)
}

/// An alarm's metric, at the alarm's period and statistic.
fn alarm_stat(alarm: &MetricAlarm) -> MetricStat {
    let metric = Metric::builder()
        .set_namespace(alarm.namespace().map(str::to_string))
        .set_metric_name(alarm.metric_name().map(str::to_string))
        .set_dimensions(Some(alarm.dimensions().to_vec()))
        .build();
    let stat = alarm
        .extended_statistic()
        .map(str::to_string)
        .or_else(|| alarm.statistic().map(|s| s.as_str().to_string()))
        .unwrap_or_else(|| "Maximum".to_string());
    MetricStat::builder().metric(metric).period(alarm.period().unwrap_or(60)).stat(stat).build()
}

/// A component's throughput metric, summed a minute.
fn throughput_stat(t: &crate::model::Throughput) -> MetricStat {
    let dimensions: Vec<Dimension> =
        t.dimensions.iter().map(|(n, v)| Dimension::builder().name(n).value(v).build()).collect();
    let metric =
        Metric::builder().namespace(t.namespace).metric_name(t.metric).set_dimensions(Some(dimensions)).build();
    MetricStat::builder().metric(metric).period(60).stat(t.statistic).build()
}

/// A component's throughput from its minutes with data: their mean, as a rate a second (a
/// minute's count over 60, a rate as it is).
fn flow(t: &crate::model::Throughput, points: &[(i64, f64)]) -> Flowing {
    Flowing {
        metric: t.metric.to_string(),
        unit: t.unit.to_string(),
        per_second: (!points.is_empty())
            .then(|| points.iter().map(|(_, v)| v).sum::<f64>() / points.len() as f64 / t.seconds),
        declared_per_second: t.declared_per_minute.map(|m| m / 60.0),
        capacity_per_second: t.capacity_per_minute.map(|m| m / 60.0),
    }
}

/// Every datapoint (epoch seconds, value) of each of `stats` between `from` and `to`, in the
/// order asked. GetMetricData takes 500 queries a call and pages long answers (NextToken).
async fn datapoints(
    cloudwatch: &aws_sdk_cloudwatch::Client,
    stats: Vec<MetricStat>,
    from: i64,
    to: i64,
) -> Result<Vec<Vec<(i64, f64)>>, ApiError> {
    let mut points = vec![Vec::new(); stats.len()];
    for (batch, chunk) in stats.chunks(500).enumerate() {
        let queries: Vec<MetricDataQuery> = chunk
            .iter()
            .enumerate()
            .map(|(i, stat)| {
                let id = format!("q{}", batch * 500 + i);
                MetricDataQuery::builder().id(id).metric_stat(stat.clone()).return_data(true).build()
            })
            .collect();
        let mut token = None;
        loop {
            let answer = cloudwatch
                .get_metric_data()
                .set_metric_data_queries(Some(queries.clone()))
                .start_time(DateTime::from_secs(from))
                .end_time(DateTime::from_secs(to))
                .set_next_token(token)
                .send()
                .await
                .map_err(api("GetMetricData"))?;
            for result in answer.metric_data_results() {
                let index = result.id().and_then(|id| id.strip_prefix('q')?.parse::<usize>().ok());
                let Some(found) = index.and_then(|i| points.get_mut(i)) else { continue };
                found.extend(result.timestamps().iter().map(|at| at.secs()).zip(result.values().iter().copied()));
            }
            token = answer.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    Ok(points)
}
