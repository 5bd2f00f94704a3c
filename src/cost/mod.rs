//! A monthly cost estimate of a compiled pipeline: each resource's sizes (from its properties,
//! so a deployed state prices the same way) times the usage the declared flow gives, at dated
//! prices. `pipe cost` shows it; `pipe plan` shows it before and after a change.

pub mod billed;
pub mod delta;
pub mod prices;
pub mod view;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::Resource;

use crate::capacity::usage::{SECONDS_PER_MONTH, Usage};
use prices::{HOURS_PER_MONTH, PriceBook};

/// Bumped whenever a field of the JSON view changes meaning or disappears; additions keep it.
pub const FORMAT_VERSION: u32 = 1;

const KIB_PER_GB: f64 = 1024.0 * 1024.0;
/// Average Lambda duration pipe prices when nothing better is known: stated on the line.
pub const ASSUMED_LAMBDA_MS: f64 = 100.0;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub format_version: u32,
    pub pipeline: String,
    pub region: String,
    /// The prices are for `prices::REGION`; elsewhere the figures are estimates.
    pub region_estimated: bool,
    pub components: Vec<ComponentCost>,
    /// Resources that cost money but that pipe cannot price, and why.
    pub not_priced: Vec<NotPriced>,
    pub monthly_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentCost {
    pub component: String,
    pub lines: Vec<Line>,
    pub monthly_usd: f64,
    /// What its flow rests on that the blueprint does not declare.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumes: Vec<String>,
}

/// One priced dimension: quantity × price, with what both mean.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub resource: String,
    pub item: String,
    pub quantity: f64,
    pub unit: String,
    pub price: String,
    pub usd_per_unit: f64,
    /// The unit the price is per, as the table states it.
    pub per: String,
    pub monthly_usd: f64,
    pub source: String,
    pub as_of: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotPriced {
    pub component: String,
    pub resource: String,
    pub reason: String,
}

/// A sum of dollars. Rust sums floats from -0.0, so nothing to sum would read "-0.0" in JSON.
fn total(amounts: impl Iterator<Item = f64>) -> f64 {
    amounts.sum::<f64>() + 0.0
}

/// What the pricer reads of a resource: one of the model, or one a plan deletes, as deployed.
#[derive(Debug, Clone, Copy)]
pub struct Priced<'r> {
    pub logical_id: &'r str,
    pub cfn_type: &'r str,
    pub component: &'r str,
    pub properties: &'r Map<String, Value>,
}

impl<'r> Priced<'r> {
    /// The compiled resources, by logical id.
    pub fn all(resources: &'r IndexMap<String, Resource>) -> impl Iterator<Item = Priced<'r>> {
        resources.iter().map(|(logical_id, r)| Priced {
            logical_id,
            cfn_type: r.cfn_type,
            component: &r.component,
            properties: &r.properties,
        })
    }
}

/// Prices every resource of `resources` at `usage` (a component without usage: its fixed
/// costs only).
pub fn estimate<'r>(
    pipeline: &str,
    resources: impl IntoIterator<Item = Priced<'r>>,
    usage: &IndexMap<String, Usage>,
    book: &PriceBook,
    region: &str,
) -> Estimate {
    let mut pricer = Pricer { book, lines: Vec::new(), not_priced: Vec::new() };
    for resource in resources {
        let at = usage.get(resource.component).cloned().unwrap_or_default();
        pricer.resource(resource, &at);
    }
    let mut components: Vec<ComponentCost> = Vec::new();
    for (component, line) in pricer.lines {
        match components.iter_mut().find(|c| c.component == component) {
            Some(existing) => existing.lines.push(line),
            None => components.push(ComponentCost { component, lines: vec![line], monthly_usd: 0.0, assumes: vec![] }),
        }
    }
    for component in &mut components {
        component.monthly_usd = total(component.lines.iter().map(|l| l.monthly_usd));
        component.assumes = usage.get(&component.component).map(|u| u.assumes.clone()).unwrap_or_default();
    }
    Estimate {
        format_version: FORMAT_VERSION,
        pipeline: pipeline.to_string(),
        region: region.to_string(),
        region_estimated: region != prices::REGION,
        monthly_usd: total(components.iter().map(|c| c.monthly_usd)),
        components,
        not_priced: pricer.not_priced,
    }
}

struct Pricer<'a> {
    book: &'a PriceBook,
    lines: Vec<(String, Line)>,
    not_priced: Vec<NotPriced>,
}

/// GB a flow carries in a month, each record rounded up to `increment_kib` when one applies.
fn gb_per_month(usage: &Usage, increment_kib: Option<f64>) -> f64 {
    let Some(flow) = usage.flow else { return 0.0 };
    let kib = match increment_kib {
        Some(step) if flow.records_per_second > 0.0 => {
            let record = flow.kib_per_second / flow.records_per_second;
            flow.records_per_second * (record / step).ceil().max(1.0) * step
        }
        _ => flow.kib_per_second,
    };
    kib * SECONDS_PER_MONTH / KIB_PER_GB
}

fn records_per_month(usage: &Usage) -> f64 {
    usage.flow.map_or(0.0, |f| f.records_per_second * SECONDS_PER_MONTH)
}

/// The property at `path` (`["A", "B"]` is `A.B`), when set; through a list, its first item's.
fn value_at<'v>(properties: &'v Map<String, Value>, path: &[&str]) -> Option<&'v Value> {
    let (first, rest) = path.split_first()?;
    rest.iter().try_fold(properties.get(*first)?, |value, key| match value {
        Value::Array(items) => items.first()?.get(key),
        _ => value.get(key),
    })
}

fn number(properties: &Map<String, Value>, path: &[&str]) -> Option<f64> {
    value_at(properties, path)?.as_f64()
}

fn text<'v>(properties: &'v Map<String, Value>, path: &[&str]) -> Option<&'v str> {
    value_at(properties, path)?.as_str()
}

impl Pricer<'_> {
    /// Adds `quantity` of price `id` for `resource`.
    fn line(&mut self, r: Priced, item: String, quantity: f64, unit: &str, id: &str) {
        let logical_id = r.logical_id;
        let Some(price) = self.book.get(id) else {
            self.not_priced.push(NotPriced {
                component: r.component.to_string(),
                resource: logical_id.to_string(),
                reason: format!("no `{id}` price in the table; add one with `--prices`"),
            });
            return;
        };
        let line = Line {
            resource: logical_id.to_string(),
            item,
            quantity,
            unit: unit.to_string(),
            price: price.id.clone(),
            usd_per_unit: price.usd,
            per: price.per.to_string(),
            monthly_usd: quantity * price.usd,
            source: price.source.clone(),
            as_of: price.as_of.clone(),
        };
        self.lines.push((r.component.to_string(), line));
    }

    /// What each reader takes out of a stream or cluster that bills data out.
    fn data_out(&mut self, resource: Priced, gb_in: f64, readers: u32, id: &str) {
        self.line(resource, format!("data out to {readers} readers"), gb_in * f64::from(readers), "GB", id);
    }

    fn skip(&mut self, r: Priced, reason: &str) {
        self.not_priced.push(NotPriced {
            component: r.component.to_string(),
            resource: r.logical_id.into(),
            reason: reason.into(),
        });
    }

    fn resource(&mut self, at: Priced, usage: &Usage) {
        let p = at.properties;
        for reason in billed::not_priced(at.cfn_type, p, usage) {
            self.skip(at, reason);
        }
        match at.cfn_type {
            "AWS::Kinesis::Stream" => self.kinesis(at, usage),
            "AWS::KinesisFirehose::DeliveryStream" => {
                // From MSK, Firehose bills the bytes; from anywhere else, each record rounded up to 5 KB.
                let (rounding, item) = match p.contains_key("MSKSourceConfiguration") {
                    true => (None, "data ingested from MSK (the bytes, not rounded)"),
                    false => (Some(5.0), "data ingested (records rounded up to 5 KB)"),
                };
                let ingested = gb_per_month(usage, rounding);
                self.line(at, item.into(), ingested, "GB", "firehose.ingest");
                let s3 = p.get("ExtendedS3DestinationConfiguration");
                if s3.and_then(|c| c.pointer("/DynamicPartitioningConfiguration/Enabled")).and_then(Value::as_bool)
                    == Some(true)
                {
                    self.line(
                        at,
                        "dynamic partitioning".into(),
                        gb_per_month(usage, None),
                        "GB",
                        "firehose.dynamic-partitioning",
                    );
                }
                if s3.and_then(|c| c.pointer("/DataFormatConversionConfiguration/Enabled")).and_then(Value::as_bool)
                    == Some(true)
                {
                    self.line(
                        at,
                        "format conversion (on the GB ingested, as ingestion counts them)".into(),
                        ingested,
                        "GB",
                        "firehose.format-conversion",
                    );
                }
            }
            "AWS::MSK::Cluster" => {
                let brokers = number(p, &["NumberOfBrokerNodes"]).unwrap_or(0.0);
                let broker_type = text(p, &["BrokerNodeGroupInfo", "InstanceType"]).unwrap_or("?");
                let volume =
                    number(p, &["BrokerNodeGroupInfo", "StorageInfo", "EBSStorageInfo", "VolumeSize"]).unwrap_or(0.0);
                self.line(
                    at,
                    format!("{brokers} × {broker_type} brokers"),
                    brokers * HOURS_PER_MONTH,
                    "broker-hours",
                    &format!("msk.broker-hour:{broker_type}"),
                );
                self.line(
                    at,
                    format!("{brokers} brokers × {volume} GB storage"),
                    brokers * volume,
                    "GB-months",
                    "msk.storage",
                );
            }
            "AWS::MSK::ServerlessCluster" => {
                self.line(at, "cluster".into(), HOURS_PER_MONTH, "cluster-hours", "msk.serverless-cluster-hour");
                let gb = gb_per_month(usage, None);
                self.line(at, "data in".into(), gb, "GB", "msk.serverless-in");
                self.data_out(at, gb, usage.readers, "msk.serverless-out");
            }
            "AWS::Glue::Job" => {
                let workers = number(p, &["NumberOfWorkers"]).unwrap_or(0.0);
                let worker_type = text(p, &["WorkerType"]).unwrap_or("G.1X");
                let dpu = match worker_type {
                    "G.025X" => 0.25,
                    "G.2X" => 2.0,
                    "G.4X" => 4.0,
                    "G.8X" => 8.0,
                    _ => 1.0,
                };
                self.line(
                    at,
                    format!("{workers} × {worker_type} workers ({dpu} DPU each), running all month"),
                    workers * dpu * HOURS_PER_MONTH,
                    "DPU-hours",
                    "glue.dpu-hour",
                );
            }
            "AWS::KinesisAnalyticsV2::Application" => {
                let config = ["ApplicationConfiguration", "FlinkApplicationConfiguration", "ParallelismConfiguration"];
                let parallelism = number(p, &[config[0], config[1], config[2], "Parallelism"]).unwrap_or(1.0);
                let per_kpu = number(p, &[config[0], config[1], config[2], "ParallelismPerKPU"]).unwrap_or(1.0);
                let kpus = (parallelism / per_kpu.max(1.0)).ceil();
                self.line(
                    at,
                    format!("{kpus} KPUs + 1 orchestration KPU"),
                    (kpus + 1.0) * HOURS_PER_MONTH,
                    "KPU-hours",
                    "flink.kpu-hour",
                );
                self.line(
                    at,
                    format!("{kpus} KPUs × 50 GB running storage"),
                    kpus * 50.0,
                    "GB-months",
                    "flink.running-storage",
                );
            }
            "AWS::Lambda::Function" => self.lambda(at, usage),
            "AWS::DynamoDB::Table" => self.dynamodb(at, usage),
            "AWS::SNS::Topic" => {
                let messages = records_per_month(usage);
                self.line(at, "messages published".into(), messages / 1e6, "million requests", "sns.requests");
            }
            "AWS::SNS::Subscription" => {
                let messages = records_per_month(usage);
                match text(p, &["Protocol"]) {
                    Some("email") | Some("email-json") => {
                        self.line(at, "email deliveries".into(), messages / 1e5, "100,000 deliveries", "sns.email")
                    }
                    Some("http") | Some("https") => {
                        self.line(at, "HTTP deliveries".into(), messages / 1e5, "100,000 deliveries", "sns.http")
                    }
                    _ => {}
                }
            }
            "AWS::S3::Bucket" => {
                let Some(flow) = usage.flow else { return };
                if let Some(every) = usage.delivery_seconds {
                    let item = match usage.partitioned {
                        true => format!("PUT requests: at least an object per delivery, every {every:.0} s"),
                        false => format!("PUT requests: an object per delivery, every {every:.0} s"),
                    };
                    self.line(at, item, SECONDS_PER_MONTH / every / 1000.0, "1,000 requests", "s3.put-requests");
                }
                let gb_per_day = flow.kib_per_second * 86_400.0 / KIB_PER_GB;
                let rules = p.get("LifecycleConfiguration").and_then(|c| c.get("Rules")).and_then(Value::as_array);
                let days = rules
                    .and_then(|rules| rules.iter().find_map(|r| r.get("ExpirationInDays").and_then(Value::as_f64)));
                // A versioned bucket keeps an expired object as a noncurrent version for as long
                // again as its rule says: the data is held twice over that span.
                let versioned = text(p, &["VersioningConfiguration", "Status"]) == Some("Enabled");
                let noncurrent = rules.filter(|_| versioned).and_then(|rules| {
                    rules
                        .iter()
                        .find_map(|r| r.pointer("/NoncurrentVersionExpiration/NoncurrentDays").and_then(Value::as_f64))
                });
                let (stored, item) = match (days, noncurrent) {
                    (Some(days), Some(kept)) => {
                        (gb_per_day * (days + kept), format!("{days} days + {kept} days noncurrent (steady state)"))
                    }
                    (Some(days), None) => (gb_per_day * days, format!("{days} days of data kept (steady state)")),
                    // Without an expiry there is no steady state: the bill a year in, and how it grows.
                    (None, _) => (
                        gb_per_day * 365.0,
                        format!(
                            "365 days of data, a year in (no expiry: {:.1} GB more every month after)",
                            gb_per_day * 365.0 / 12.0
                        ),
                    ),
                };
                self.line(at, item, stored, "GB-months", "s3.storage");
            }
            "AWS::OpenSearchService::Domain" => {
                let count = number(p, &["ClusterConfig", "InstanceCount"]).unwrap_or(1.0);
                let instance = text(p, &["ClusterConfig", "InstanceType"]).unwrap_or("?");
                self.line(
                    at,
                    format!("{count} × {instance} data nodes"),
                    count * HOURS_PER_MONTH,
                    "instance-hours",
                    &format!("opensearch.instance-hour:{instance}"),
                );
                if let (Some(masters), Some(master)) = (
                    number(p, &["ClusterConfig", "DedicatedMasterCount"]),
                    text(p, &["ClusterConfig", "DedicatedMasterType"]),
                ) {
                    self.line(
                        at,
                        format!("{masters} × {master} dedicated masters"),
                        masters * HOURS_PER_MONTH,
                        "instance-hours",
                        &format!("opensearch.instance-hour:{master}"),
                    );
                }
                let volume = number(p, &["EBSOptions", "VolumeSize"]).unwrap_or(0.0);
                self.line(
                    at,
                    format!("{count} nodes × {volume} GB gp3"),
                    count * volume,
                    "GB-months",
                    "opensearch.gp3-storage",
                );
            }
            "AWS::EMR::Cluster" => {
                for group in ["MasterInstanceGroup", "CoreInstanceGroup"] {
                    let count = number(p, &["Instances", group, "InstanceCount"]).unwrap_or(0.0);
                    let instance = text(p, &["Instances", group, "InstanceType"]).unwrap_or("?");
                    let role = if group == "MasterInstanceGroup" { "primary" } else { "core" };
                    self.line(
                        at,
                        format!("{count} × {instance} {role}"),
                        count * HOURS_PER_MONTH,
                        "instance-hours",
                        &format!("emr.instance-hour:{instance}"),
                    );
                }
            }
            "AWS::SageMaker::EndpointConfig" => {
                for variant in p.get("ProductionVariants").and_then(Value::as_array).into_iter().flatten() {
                    let count = variant.get("InitialInstanceCount").and_then(Value::as_f64).unwrap_or(1.0);
                    let instance = variant.get("InstanceType").and_then(Value::as_str).unwrap_or("?");
                    self.line(
                        at,
                        format!("{count} × {instance} endpoint instances"),
                        count * HOURS_PER_MONTH,
                        "instance-hours",
                        &format!("sagemaker.instance-hour:{instance}"),
                    );
                }
            }
            "AWS::RedshiftServerless::Workgroup" => {
                let rpus = number(p, &["BaseCapacity"]).unwrap_or(128.0);
                // Each load is billed for at least 60 s of the base capacity.
                let busy = usage.delivery_seconds.map_or(1.0, |every| (60.0 / every.max(1.0)).min(1.0));
                self.line(
                    at,
                    format!(
                        "{rpus} RPUs busy {:.0} % of the month (a COPY every {:.0} s, 60 s minimum each)",
                        busy * 100.0,
                        usage.delivery_seconds.unwrap_or(60.0)
                    ),
                    rpus * HOURS_PER_MONTH * busy,
                    "RPU-hours",
                    "redshift.serverless-rpu-hour",
                );
            }
            "AWS::CloudWatch::Alarm" => {
                // pipe's alarms watch one metric at 60 s or longer: standard resolution.
                let item = format!("alarm on {}", text(p, &["MetricName"]).unwrap_or("a metric"));
                self.line(at, item, 1.0, "alarm metric-months", "cloudwatch.alarm-metric-month");
            }
            "AWS::CloudWatch::Dashboard" => {
                self.line(at, "dashboard".into(), 1.0, "dashboard-months", "cloudwatch.dashboard-month")
            }
            "AWS::KMS::Key" => self.line(at, "customer managed key".into(), 1.0, "key-months", "kms.key-month"),
            "AWS::SecretsManager::Secret" => {
                self.line(at, "secret".into(), 1.0, "secret-months", "secretsmanager.secret-month")
            }
            _ => {}
        }
    }

    fn kinesis(&mut self, at: Priced, usage: &Usage) {
        let p = at.properties;
        let retention = number(p, &["RetentionPeriodHours"]).unwrap_or(24.0);
        // GB the stream holds for `hours` of its flow: what retention is billed on.
        let stored = |hours: f64| usage.flow.map_or(0.0, |f| f.kib_per_second * 3600.0 * hours / KIB_PER_GB);
        if text(p, &["StreamModeDetails", "StreamMode"]) == Some("ON_DEMAND") {
            self.line(at, "on-demand stream".into(), HOURS_PER_MONTH, "stream-hours", "kinesis.on-demand-stream-hour");
            let gb = gb_per_month(usage, Some(1.0));
            self.line(at, "data in (records rounded up to 1 KB)".into(), gb, "GB", "kinesis.on-demand-in");
            // Reads are billed on the bytes read: AWS rounds records up only as they come in.
            let read = gb_per_month(usage, None);
            let (fan_out, shared) = (usage.fan_out_readers, usage.readers.saturating_sub(usage.fan_out_readers));
            if shared > 0 {
                self.data_out(at, read, shared, "kinesis.on-demand-out");
            }
            if fan_out > 0 {
                let item = format!("data out to {fan_out} enhanced fan-out readers");
                self.line(at, item, read * f64::from(fan_out), "GB", "kinesis.on-demand-fan-out-out");
            }
            // On demand, data kept beyond 24 hours is billed by the GB it holds, not per shard.
            if retention > 24.0 {
                let gb = stored(retention.min(168.0) - 24.0);
                let id = "kinesis.on-demand-extended-retention";
                self.line(at, "data kept 24 h to 7 days".into(), gb, "GB-months", id);
            }
        } else {
            let shards = number(p, &["ShardCount"]).unwrap_or(1.0);
            self.line(at, format!("{shards} shards"), shards * HOURS_PER_MONTH, "shard-hours", "kinesis.shard-hour");
            if let Some(flow) = usage.flow.filter(|f| f.records_per_second > 0.0) {
                let units = (flow.kib_per_second / flow.records_per_second / 25.0).ceil().max(1.0);
                let millions = flow.records_per_second * units * SECONDS_PER_MONTH / 1e6;
                let item = format!("PUT payload units ({units} per record)");
                self.line(at, item, millions, "million units", "kinesis.put-units");
            }
            if usage.fan_out_readers > 0 {
                let readers = f64::from(usage.fan_out_readers);
                let item = format!("{} enhanced fan-out consumers × {shards} shards", usage.fan_out_readers);
                let id = "kinesis.fan-out-consumer-shard-hour";
                self.line(at, item, readers * shards * HOURS_PER_MONTH, "consumer-shard-hours", id);
                let item = format!("data out to {} enhanced fan-out readers", usage.fan_out_readers);
                self.line(at, item, gb_per_month(usage, None) * readers, "GB", "kinesis.fan-out-out");
            }
            if retention > 24.0 {
                let item = format!("{shards} shards × retention beyond 24 h");
                self.line(at, item, shards * HOURS_PER_MONTH, "shard-hours", "kinesis.extended-retention");
            }
        }
        if retention > 168.0 {
            let gb = stored(retention - 168.0);
            self.line(at, "data kept beyond 7 days".into(), gb, "GB-months", "kinesis.long-term-retention");
        }
    }

    fn lambda(&mut self, at: Priced, usage: &Usage) {
        let p = at.properties;
        let Some(per_second) = usage.invocations_per_second else { return };
        let invocations = per_second * SECONDS_PER_MONTH;
        self.line(at, "invocations".into(), invocations / 1e6, "million requests", "lambda.requests");
        let memory_gb = number(p, &["MemorySize"]).unwrap_or(128.0) / 1024.0;
        let arm = p.get("Architectures").and_then(|a| a.get(0)).and_then(Value::as_str) == Some("arm64");
        let gb_seconds = invocations * ASSUMED_LAMBDA_MS / 1000.0 * memory_gb;
        let price = if arm { "lambda.duration-arm" } else { "lambda.duration-x86" };
        self.line(
            at,
            format!("duration at {memory_gb} GB, {ASSUMED_LAMBDA_MS:.0} ms per invocation (assumed)"),
            gb_seconds,
            "GB-seconds",
            price,
        );
        if text(p, &["TracingConfig", "Mode"]) == Some("Active") {
            let traces = crate::limits::lambda::traced_per_second(per_second) * SECONDS_PER_MONTH;
            let item = "X-Ray traces (1 a second, 5% of the rest)".to_string();
            self.line(at, item, traces / 1e6, "million traces", "xray.traces-recorded");
        }
    }

    fn dynamodb(&mut self, at: Priced, usage: &Usage) {
        let p = at.properties;
        if text(p, &["BillingMode"]) == Some("PROVISIONED") {
            let wcu = number(p, &["ProvisionedThroughput", "WriteCapacityUnits"]).unwrap_or(0.0);
            let rcu = number(p, &["ProvisionedThroughput", "ReadCapacityUnits"]).unwrap_or(0.0);
            self.line(
                at,
                format!("{wcu} write capacity units"),
                wcu * HOURS_PER_MONTH,
                "WCU-hours",
                "dynamodb.wcu-hour",
            );
            self.line(
                at,
                format!("{rcu} read capacity units"),
                rcu * HOURS_PER_MONTH,
                "RCU-hours",
                "dynamodb.rcu-hour",
            );
        } else {
            let item = usage
                .flow
                .filter(|f| f.records_per_second > 0.0)
                .map_or(1.0, |f| f.kib_per_second / f.records_per_second);
            let writes = records_per_month(usage) * item.ceil().max(1.0);
            self.line(
                at,
                "writes (1 unit per KB)".into(),
                writes / 1e6,
                "million write units",
                "dynamodb.write-request-units",
            );
            if let Some(lookups) = usage.lookups {
                let reads = lookups.records_per_second * SECONDS_PER_MONTH * (item / 4.0).ceil().max(1.0) / 2.0;
                self.line(
                    at,
                    "lookups (eventually consistent, ½ unit per 4 KB)".into(),
                    reads / 1e6,
                    "million read units",
                    "dynamodb.read-request-units",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::blueprint::graph::Flow;

    /// The lines one resource of `cfn_type` is priced with, at `flow` into it.
    fn lines(cfn_type: &str, properties: serde_json::Value, flow: Flow) -> Vec<Line> {
        let properties = properties.as_object().cloned().expect("an object");
        let priced = Priced { logical_id: "R", cfn_type, component: "c", properties: &properties };
        let usage = IndexMap::from([("c".to_string(), Usage { flow: Some(flow), ..Usage::default() })]);
        estimate("p", [priced], &usage, &PriceBook::standard(), prices::REGION).components.remove(0).lines
    }

    fn quantity(lines: &[Line], price: &str) -> f64 {
        lines.iter().find(|l| l.price == price).map(|l| l.quantity).unwrap_or_else(|| panic!("no `{price}` line"))
    }

    #[test]
    fn on_demand_retention_beyond_a_day_is_billed_by_the_gb_held() {
        // 1,024 KiB/s is 1 MiB/s: 3.515625 GB an hour.
        let flow = Flow { records_per_second: 1024.0, kib_per_second: 1024.0 };
        let stream = json!({ "StreamModeDetails": { "StreamMode": "ON_DEMAND" }, "RetentionPeriodHours": 240 });
        let priced = lines("AWS::Kinesis::Stream", stream, flow);
        let per_hour = 3600.0 / 1024.0;
        assert_eq!(quantity(&priced, "kinesis.on-demand-extended-retention"), per_hour * (168.0 - 24.0));
        assert_eq!(quantity(&priced, "kinesis.long-term-retention"), per_hour * (240.0 - 168.0));
    }

    #[test]
    fn on_demand_reads_are_billed_on_the_bytes_read_and_fan_out_at_its_own_rate() {
        // Half-KiB records: ingested as 1 KB each, read as they are.
        let flow = Flow { records_per_second: 1024.0, kib_per_second: 512.0 };
        let stream = json!({ "StreamModeDetails": { "StreamMode": "ON_DEMAND" } });
        let properties = stream.as_object().cloned().expect("an object");
        let priced =
            Priced { logical_id: "S", cfn_type: "AWS::Kinesis::Stream", component: "c", properties: &properties };
        let usage = Usage { flow: Some(flow), readers: 3, fan_out_readers: 1, ..Usage::default() };
        let usage = IndexMap::from([("c".to_string(), usage)]);
        let lines = estimate("p", [priced], &usage, &PriceBook::standard(), prices::REGION).components.remove(0).lines;
        let read = 512.0 * SECONDS_PER_MONTH / KIB_PER_GB;
        assert_eq!(quantity(&lines, "kinesis.on-demand-in"), 2.0 * read, "records rounded up to 1 KB");
        assert_eq!(quantity(&lines, "kinesis.on-demand-out"), 2.0 * read, "two shared readers, unrounded");
        assert_eq!(quantity(&lines, "kinesis.on-demand-fan-out-out"), read, "one fan-out reader");
    }

    #[test]
    fn format_conversion_is_billed_on_ingested_gb_rounded_up_to_5_kb_records() {
        let flow = Flow { records_per_second: 1000.0, kib_per_second: 1500.0 };
        let s3 = json!({ "DataFormatConversionConfiguration": { "Enabled": true } });
        let priced =
            lines("AWS::KinesisFirehose::DeliveryStream", json!({ "ExtendedS3DestinationConfiguration": s3 }), flow);
        let ingested = quantity(&priced, "firehose.ingest");
        assert_eq!(quantity(&priced, "firehose.format-conversion"), ingested);
        assert_eq!(ingested, 1000.0 * 5.0 * SECONDS_PER_MONTH / KIB_PER_GB, "1.5 KB records bill as 5 KB");
    }

    #[test]
    fn active_tracing_is_priced_at_the_sampling_lambda_applies_and_retrieval_is_named() {
        let function = json!({ "MemorySize": 128, "TracingConfig": { "Mode": "Active" } });
        let properties = function.as_object().cloned().expect("an object");
        let priced =
            Priced { logical_id: "F", cfn_type: "AWS::Lambda::Function", component: "c", properties: &properties };
        let usage = Usage { invocations_per_second: Some(21.0), ..Usage::default() };
        let usage = IndexMap::from([("c".to_string(), usage)]);
        let estimate = estimate("p", [priced], &usage, &PriceBook::standard(), prices::REGION);
        // The first invocation each second, then 5% of the other 20: 2 traces a second.
        let traces = quantity(&estimate.components[0].lines, "xray.traces-recorded");
        assert_eq!(traces, 2.0 * SECONDS_PER_MONTH / 1e6);
        let reasons: Vec<&str> = estimate.not_priced.iter().map(|n| n.reason.as_str()).collect();
        assert_eq!(reasons, ["X-Ray traces retrieved and scanned, which depend on how often people look at them"]);
    }

    #[test]
    fn nothing_to_sum_is_zero_not_negative_zero() {
        let empty = super::total(std::iter::empty());
        assert_eq!(serde_json::to_string(&empty).expect("serialises"), "0.0");
        assert_eq!(super::total([1.5, 2.25].into_iter()), 3.75);
    }
}
