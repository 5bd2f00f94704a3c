//! Sizing from the flow at its edges, and the monthly cost of each shipped scenario written out
//! as price × quantity, so a change to a formula or a price shows up as a broken sum.

use std::path::Path;

use pipe::blueprint::vars::Vars;
use pipe::cost::prices::PriceBook;
use pipe::cost::{Estimate, Priced, estimate};
use pipe::limits;

const HOURS: f64 = 730.0;
const SECONDS: f64 = 730.0 * 3600.0;
const GB: f64 = 1024.0 * 1024.0;

fn compile(text: &str) -> pipe::model::Pipeline {
    // Beside the shipped blueprints, so their code paths resolve.
    let file = tempfile::Builder::new().suffix(".yaml").tempfile_in("blueprints").unwrap();
    std::fs::write(file.path(), text).unwrap();
    let path = file.path();
    let loaded = pipe::blueprint::load(path, &Vars::default()).expect("readable");
    assert_eq!(loaded.report.errors(), 0, "{:?}", loaded.report.diagnostics);
    pipe::model::compile(&loaded.blueprint.unwrap(), Path::new("blueprints")).expect("code readable")
}

/// The warnings `text` is valid with, as `rule: message`.
fn warnings_of(text: &str) -> Vec<String> {
    let file = tempfile::Builder::new().suffix(".yaml").tempfile_in("blueprints").unwrap();
    std::fs::write(file.path(), text).unwrap();
    let loaded = pipe::blueprint::load(file.path(), &Vars::default()).expect("readable");
    loaded.report.diagnostics.iter().map(|d| format!("{}: {}", d.rule, d.message)).collect()
}

fn scenario(name: &str) -> Estimate {
    let text = std::fs::read_to_string(format!("blueprints/{name}.yaml")).unwrap();
    priced(&compile(&text))
}

/// The pipeline's estimate at the standard us-east-1 prices.
fn priced(pipeline: &pipe::model::Pipeline) -> Estimate {
    estimate(&pipeline.name, Priced::all(&pipeline.resources), &pipeline.usage, &PriceBook::standard(), "us-east-1")
}

/// One line of a bill written out by hand: the component, the price it is billed at, the
/// quantity in the unit AWS bills it, and the unit price read on AWS's pricing page.
type Row = (&'static str, &'static str, f64, f64);

/// Compares pipe's estimate with a hand-written bill line by line, to the cent: each row must be
/// one of pipe's lines at the same unit price, every line of pipe's must be a row, and the totals
/// must agree. The side-by-side bill is printed (`--nocapture`) and shown on a mismatch.
fn assert_bill(estimate: &Estimate, rows: &[Row]) {
    let mut lines: Vec<(&str, &pipe::cost::Line)> =
        estimate.components.iter().flat_map(|c| c.lines.iter().map(move |l| (c.component.as_str(), l))).collect();
    let mut bill = format!(
        "{:<18}{:<40}{:>20}   {:>13}{:>12}{:>12}\n",
        "component", "price", "quantity", "USD per unit", "by hand", "pipe"
    );
    let mut wrong = Vec::new();
    for &(component, price, quantity, usd) in rows {
        let hand = quantity * usd;
        let pipe = lines.iter().position(|(c, l)| *c == component && l.price == price).map(|i| lines.remove(i).1);
        let shown = pipe.map_or("missing".to_string(), |l| format!("{:.2}", l.monthly_usd));
        bill.push_str(&format!("{component:<18}{price:<40}{quantity:>20.4} × {usd:>13}{hand:>12.2}{shown:>12}\n"));
        match pipe {
            Some(line) if line.usd_per_unit != usd => {
                wrong.push(format!("{component} {price}: pipe's table says ${}", line.usd_per_unit))
            }
            Some(line) if (line.monthly_usd - hand).abs() >= 0.005 => wrong.push(format!(
                "{component} {price}: pipe bills {} {} (${:.4}), by hand {quantity} (${hand:.4})",
                line.quantity, line.unit, line.monthly_usd
            )),
            Some(_) => {}
            None => wrong.push(format!("{component} {price}: pipe has no such line")),
        }
    }
    for (component, line) in &lines {
        wrong.push(format!(
            "{component} {}: pipe prices {} ({:.2}), not in the hand bill",
            line.price, line.item, line.monthly_usd
        ));
    }
    let total: f64 = rows.iter().map(|(_, _, quantity, usd)| quantity * usd).sum();
    bill.push_str(&format!("{:<18}{:>86.2}{:>12.2}\n", "total", total, estimate.monthly_usd));
    if (estimate.monthly_usd - total).abs() >= 0.005 {
        wrong.push(format!("total: pipe {:.2}, by hand {total:.2}", estimate.monthly_usd));
    }
    println!("{}\n{bill}", estimate.pipeline);
    assert!(wrong.is_empty(), "{}\n{bill}", wrong.join("\n"));
}

/// The bill of pipe's monitoring: one standard alarm metric a month for each alarm of each
/// (component, count), the topic the alarms notify, and the pipeline's dashboard.
fn monitoring(alarms: &[(&'static str, usize)]) -> Vec<Row> {
    let alarms = alarms.iter().flat_map(|&(component, count)| {
        std::iter::repeat_n((component, "cloudwatch.alarm-metric-month", 1.0, 0.10), count)
    });
    // The topic they notify carries state changes, not the declared flow: nothing to price but
    // the customer managed key CloudWatch needs to publish to an encrypted topic.
    let topic = [
        ("pipeline-alarms", "sns.requests", 0.0, 0.50),
        ("pipeline-alarms", "sns.email", 0.0, 2.00),
        ("pipeline-alarms", "kms.key-month", 1.0, 1.00),
    ];
    alarms.chain(topic).chain([("monitoring", "cloudwatch.dashboard-month", 1.0, 3.00)]).collect()
}

fn component(estimate: &Estimate, id: &str) -> f64 {
    estimate.components.iter().find(|c| c.component == id).map_or(0.0, |c| c.monthly_usd)
}

// Quantities below are written from the blueprint's declared figures; unit prices are those of
// aws.amazon.com/<service>/pricing for us-east-1 as the price table dates them (pipe cost
// --list-prices). S is the seconds of a 730-hour month, GB is 2^20 KiB.

#[test]
fn internet_offering_bill_checked_by_hand() {
    assert_bill(
        &scenario("internet-offering"),
        &[
            // 2,000 records/s of 1 KiB: 2 provisioned shards; each record is one 25 KB PUT unit.
            ("signups", "kinesis.shard-hour", 2.0 * HOURS, 0.015),
            ("signups", "kinesis.put-units", 2000.0 * SECONDS / 1e6, 0.014),
            // 2 shards × (1,000 records/s ÷ batches of 100) = 20 invocations/s, 100 ms at 0.25 GB
            // on Arm; X-Ray traces the first each second and 5% of the other 19.
            ("enrich", "lambda.requests", 20.0 * SECONDS / 1e6, 0.20),
            ("enrich", "lambda.duration-arm", 20.0 * SECONDS * 0.1 * 0.25, 0.0000133334),
            ("enrich", "xray.traces-recorded", (1.0 + 0.05 * 19.0) * SECONDS / 1e6, 5.00),
            // On demand: the stream-hour, and 2,000 KiB/s in (1 KiB records are 1 KB each).
            ("offers", "kinesis.on-demand-stream-hour", HOURS, 0.04),
            ("offers", "kinesis.on-demand-in", 2000.0 * SECONDS / GB, 0.08),
            // Failed batches only: nothing at the declared flow.
            ("enrich-failures", "sns.requests", 0.0, 0.50),
            ("enrich-failures", "sns.email", 0.0, 2.00),
        ]
        .into_iter()
        .chain(monitoring(&[
            ("signups", 3),
            ("enrich", 4),
            ("offers", 1),
            ("enrich-failures", 1),
            ("pipeline-alarms", 1),
        ]))
        .collect::<Vec<_>>(),
    );
}

#[test]
fn security_logs_bill_checked_by_hand() {
    // 500 records/s of 0.25 KiB = 125 KiB/s; the 5 MiB buffer fills in 5,120 ÷ 125 = 40.96 s,
    // before the 60 s interval: an object staged, and a COPY, every 40.96 s.
    let every = 5.0 * 1024.0 / 125.0;
    assert_bill(
        &scenario("security-logs"),
        &[
            // 7 days kept, then 7 more as noncurrent versions (the bucket is versioned).
            ("staging", "s3.put-requests", SECONDS / every / 1000.0, 0.005),
            ("staging", "s3.storage", 125.0 * 86_400.0 / GB * (7.0 + 7.0), 0.023),
            // Each record billed as 5 KB.
            ("delivery", "firehose.ingest", 500.0 * 5.0 * SECONDS / GB, 0.029),
            ("warehouse", "secretsmanager.secret-month", 1.0, 0.40),
            // A COPY at least every minute, each billed 60 s of the 8-RPU base: busy all month.
            ("warehouse", "redshift.serverless-rpu-hour", 8.0 * HOURS, 0.375),
        ]
        .into_iter()
        .chain(monitoring(&[("delivery", 2), ("pipeline-alarms", 1)]))
        .collect::<Vec<_>>(),
    );
}

#[test]
fn clickstream_ml_bill_checked_by_hand() {
    let clicks = 3000.0 * SECONDS;
    assert_bill(
        &scenario("clickstream-ml"),
        &[
            // 3,000 records/s of 0.5 KiB: 3 shards, 1 PUT unit each; 48 h retention.
            ("clicks", "kinesis.shard-hour", 3.0 * HOURS, 0.015),
            ("clicks", "kinesis.put-units", clicks / 1e6, 0.014),
            ("clicks", "kinesis.extended-retention", 3.0 * HOURS, 0.02),
            // 5 price changes/s of 1 KiB written (1 unit each); one lookup per click, ½ unit.
            ("catalog", "dynamodb.write-request-units", 5.0 * SECONDS / 1e6, 0.625),
            ("catalog", "dynamodb.read-request-units", clicks * 0.5 / 1e6, 0.125),
            ("orders", "dynamodb.write-request-units", 0.0, 0.625),
            ("orders", "dynamodb.read-request-units", clicks * 0.5 / 1e6, 0.125),
            // 50 demand signals/s of 0.5 KiB: 1 unit each.
            ("demand", "dynamodb.write-request-units", 50.0 * SECONDS / 1e6, 0.625),
            // 1,500 KiB/s ÷ 1,024 per G.1X executor → 2 executors + 1 driver, all month.
            ("join-clicks", "glue.dpu-hour", 3.0 * HOURS, 0.44),
            // 50 records/s in batches of 50 within a 5 s window: 1 invocation/s, all traced.
            ("reprice", "lambda.requests", SECONDS / 1e6, 0.20),
            ("reprice", "lambda.duration-arm", SECONDS * 0.1 * 0.25, 0.0000133334),
            ("reprice", "xray.traces-recorded", SECONDS / 1e6, 5.00),
            ("pricing-model", "sagemaker.instance-hour:ml.m5.large", HOURS, 0.115),
        ]
        .into_iter()
        .chain(monitoring(&[
            ("clicks", 3),
            ("catalog", 2),
            ("orders", 2),
            ("demand", 2),
            ("join-clicks", 1),
            ("reprice", 4),
            ("pricing-model", 1),
            ("pipeline-alarms", 1),
        ]))
        .collect::<Vec<_>>(),
    );
}

#[test]
fn sensor_anomaly_bill_checked_by_hand() {
    assert_bill(
        &scenario("sensor-anomaly"),
        &[
            // 1,000 readings/s of 0.2 KiB: 1 shard, 1 PUT unit each.
            ("readings", "kinesis.shard-hour", HOURS, 0.015),
            ("readings", "kinesis.put-units", 1000.0 * SECONDS / 1e6, 0.014),
            // One alert a second.
            ("alerts", "kinesis.shard-hour", HOURS, 0.015),
            ("alerts", "kinesis.put-units", SECONDS / 1e6, 0.014),
            // Parallelism 2 at 1 per KPU, plus the orchestration KPU; 50 GB running storage each.
            ("detect", "flink.kpu-hour", 3.0 * HOURS, 0.11),
            ("detect", "flink.running-storage", 2.0 * 50.0, 0.10),
            // One alert a second in batches of 10, no window: 1 invocation/s, all traced.
            ("notify", "lambda.requests", SECONDS / 1e6, 0.20),
            ("notify", "lambda.duration-arm", SECONDS * 0.1 * 0.25, 0.0000133334),
            ("notify", "xray.traces-recorded", SECONDS / 1e6, 5.00),
            // Records billed as 5 KB each; dynamic partitioning on the 200 KiB/s itself.
            ("archive", "firehose.ingest", 1000.0 * 5.0 * SECONDS / GB, 0.029),
            ("archive", "firehose.dynamic-partitioning", 200.0 * SECONDS / GB, 0.020),
            // The 64 MiB buffer takes 327 s to fill at 200 KiB/s: the 300 s interval delivers.
            // 365 days kept, then 365 more as noncurrent versions.
            ("readings-archive", "s3.put-requests", SECONDS / 300.0 / 1000.0, 0.005),
            ("readings-archive", "s3.storage", 200.0 * 86_400.0 / GB * (365.0 + 365.0), 0.023),
            // One alert a second published, and mailed (the SMS subscription is not priced).
            ("fleet-alerts", "sns.requests", SECONDS / 1e6, 0.50),
            ("fleet-alerts", "sns.email", SECONDS / 1e5, 2.00),
        ]
        .into_iter()
        .chain(monitoring(&[
            ("readings", 3),
            ("alerts", 3),
            ("detect", 3),
            ("notify", 4),
            ("archive", 2),
            ("fleet-alerts", 1),
            ("pipeline-alarms", 1),
        ]))
        .collect::<Vec<_>>(),
    );
}

#[test]
fn kafka_telemetry_bill_checked_by_hand() {
    // 2,000 KiB/s kept 72 h, 3 copies, +20 %, over 3 brokers: 594 GiB each.
    let storage = (2000.0 / 1024.0 * 3600.0 * 72.0 / 1024.0 * 3.0 * 1.2 / 3.0_f64).ceil();
    assert_eq!(storage, 594.0);
    assert_bill(
        &scenario("kafka-telemetry"),
        &[
            ("telemetry", "msk.broker-hour:kafka.m7g.large", 3.0 * HOURS, 0.204),
            ("telemetry", "msk.storage", 3.0 * storage, 0.10),
            // One primary and two core m5.xlarge (EC2 $0.192 + EMR $0.048 an hour).
            ("aggregate", "emr.instance-hour:m5.xlarge", HOURS, 0.24),
            ("aggregate", "emr.instance-hour:m5.xlarge", 2.0 * HOURS, 0.24),
            ("dashboards", "opensearch.instance-hour:r6g.large.search", 3.0 * HOURS, 0.167),
            ("dashboards", "opensearch.gp3-storage", 3.0 * 100.0, 0.122),
        ]
        .into_iter()
        .chain(monitoring(&[("telemetry", 4), ("aggregate", 2), ("dashboards", 3), ("pipeline-alarms", 1)]))
        .collect::<Vec<_>>(),
    );
}

#[test]
fn doubling_the_declared_throughput_moves_the_figures_as_the_arithmetic_says() {
    let text = std::fs::read_to_string("blueprints/internet-offering.yaml").unwrap();
    let doubled = text.replace("records_per_second: 2000", "records_per_second: 4000");
    let pipeline = compile(&doubled);
    let estimate = priced(&pipeline);
    // 4 shards now, twice the PUT units and twice the on-demand bytes in; still 20 → 40 invocations/s.
    // The alarms cost what they did: 3 on the stream read, 1 on the one written, 4 on the function.
    let records = 4000.0 * SECONDS;
    let signups = 4.0 * HOURS * 0.015 + records / 1e6 * 0.014 + 3.0 * 0.10;
    assert!((component(&estimate, "signups") - signups).abs() < 0.01);
    let offers = HOURS * 0.04 + 4000.0 * SECONDS / GB * 0.08 + 0.10;
    assert!((component(&estimate, "offers") - offers).abs() < 0.01);
    let traces = (1.0 + 0.05 * 39.0) * SECONDS / 1e6 * 5.00;
    let enrich = 40.0 * SECONDS / 1e6 * 0.20 + 40.0 * SECONDS * 0.1 * 0.25 * 0.0000133334 + traces + 4.0 * 0.10;
    assert!((component(&estimate, "enrich") - enrich).abs() < 0.01);
}

#[test]
fn a_region_other_than_the_tables_is_an_estimate_and_overrides_apply() {
    let text = std::fs::read_to_string("blueprints/internet-offering.yaml").unwrap();
    let pipeline = compile(&text);
    let overrides = [("kinesis.shard-hour".to_string(), 0.02)].into_iter().collect();
    let book = PriceBook::standard().with_overrides(&overrides, "test", "2026-12-01").unwrap();
    let estimate = estimate(&pipeline.name, Priced::all(&pipeline.resources), &pipeline.usage, &book, "eu-west-1");
    assert!(estimate.region_estimated);
    let shards = estimate.components[0].lines.iter().find(|l| l.price == "kinesis.shard-hour").unwrap();
    assert_eq!((shards.monthly_usd * 100.0).round(), 2.0 * HOURS * 0.02 * 100.0);
    assert_eq!(shards.source, "test");
    let unknown = [("kinesis.shard-hours".to_string(), 0.02)].into_iter().collect();
    let refused = PriceBook::standard().with_overrides(&unknown, "test", "today").unwrap_err();
    assert!(refused.contains("did you mean `kinesis.shard-hour`"), "{refused}");
    let negative = [("kinesis.shard-hour".to_string(), -1.0)].into_iter().collect();
    assert!(PriceBook::standard().with_overrides(&negative, "test", "today").is_err());
}

#[test]
fn one_more_byte_per_second_needs_one_more_broker_kpu_or_worker() {
    let m7g = limits::msk::broker_throughput("kafka.m7g.large").unwrap();
    let load = |ingress_mib| limits::msk::ClusterLoad {
        ingress_mib,
        replication: 3,
        consumer_groups: 1,
        partition_replicas: 36,
    };
    // Disk writes bind first: 3 copies of the ingress over 78.75 MiB/s per broker.
    assert_eq!(limits::msk::brokers_for(load(78.75), m7g, 3), 3);
    assert_eq!(limits::msk::brokers_for(load(78.76), m7g, 3), 6, "the next broker count that spreads over 3 subnets");
    assert_eq!(limits::msk::brokers_for(load(78.76), m7g, 1), 4, "one more broker without the subnet rounding");
    assert_eq!(limits::flink::kpus_for(1024.0), 1);
    assert_eq!(limits::flink::kpus_for(1024.001), 2);
    // One driver plus executors: 1 MiB/s per G.1X executor.
    assert_eq!(limits::glue::workers_for(1024.0, 1.0), 2);
    assert_eq!(limits::glue::workers_for(1024.001, 1.0), 3);
    assert_eq!(limits::glue::workers_for(256.0, 0.25), 2);
    assert_eq!(limits::glue::workers_for(256.001, 0.25), 3);
    // One write unit per KB: 1,000 writes of 1 KiB, then of a little more.
    assert_eq!(limits::dynamodb::write_units(1000.0, 1.0), 1000);
    assert_eq!(limits::dynamodb::write_units(1000.0, 1.01), 2000);
    // OpenSearch: source × 2 copies × 1.45 over the nodes, at least 10 GiB.
    assert_eq!(limits::opensearch::storage_gib_for(1024.0, 1, 1), (84.375_f64 * 2.0 * 1.45).ceil() as u32);
}

#[test]
fn auto_renders_the_sized_figures() {
    let text = std::fs::read_to_string("blueprints/kafka-telemetry.yaml").unwrap();
    // 100 MiB/s of cab telemetry: 3 × 100 ÷ 78.75 → 4 brokers, rounded up to 6 over 3 subnets.
    let busy = text.replace("records_per_second: 4000, record_kib: 0.5", "records_per_second: 102400, record_kib: 1");
    let pipeline = compile(&busy);
    let cluster = pipeline.resources.values().find(|r| r.cfn_type == "AWS::MSK::Cluster").unwrap();
    assert_eq!(cluster.properties["NumberOfBrokerNodes"], 6);
    let storage = (100.0_f64 * 3600.0 * 72.0 / 1024.0 * 3.0 * 1.2 / 6.0).ceil();
    assert_eq!(
        cluster.properties["BrokerNodeGroupInfo"]["StorageInfo"]["EBSStorageInfo"]["VolumeSize"],
        storage as u64
    );
}

/// A spike alert reading 2,000 page views a second declares no `output:`: its topic, which only
/// people read, is sized as alerts (one a second), the estimate says it assumes so, and its email
/// line is a few dollars, not the five figures every page view mailed would cost.
#[test]
fn an_alerting_function_fed_by_a_busy_stream_bill_checked_by_hand() {
    let text = "version: 1
name: spikes
monitoring: { alarms: none, dashboard: false }
source:
  - { id: site, kind: application, throughput: { records_per_second: 2000, record_kib: 1 } }
ingestion:
  - { id: producer, kind: kinesis-producer, from: site, to: views }
storage:
  - { id: views, kind: kinesis-stream, capacity: { mode: on-demand } }
processing:
  - { id: spike-alert, kind: lambda, from: views, to: oncall, code: internet-offering/enrich, runtime: python3.12, on_failure: oncall }
destination:
  - id: oncall
    kind: sns-topic
    subscriptions:
      - { protocol: email, endpoint: oncall@example.com }
";
    let warnings = warnings_of(text);
    assert!(
        warnings.iter().any(|w| w.starts_with("capacity::assumed-output: `spike-alert` is assumed to send `oncall`")),
        "{warnings:?}"
    );
    let estimate = priced(&compile(text));
    assert_bill(
        &estimate,
        &[
            // On demand: 2,000 KiB/s in (1 KiB records, 1 KB each) and read once, unrounded.
            ("views", "kinesis.on-demand-stream-hour", HOURS, 0.04),
            ("views", "kinesis.on-demand-in", 2000.0 * SECONDS / GB, 0.08),
            ("views", "kinesis.on-demand-out", 2000.0 * SECONDS / GB, 0.04),
            // 2,000 records/s in batches of 100 (the default): 20 invocations/s of 256 MB on
            // Arm (pipe's defaults), the first each second and 5% of the rest traced.
            ("spike-alert", "lambda.requests", 20.0 * SECONDS / 1e6, 0.20),
            ("spike-alert", "lambda.duration-arm", 20.0 * SECONDS * 0.1 * 0.25, 0.0000133334),
            ("spike-alert", "xray.traces-recorded", (1.0 + 0.05 * 19.0) * SECONDS / 1e6, 5.00),
            // One alert a second, published and mailed.
            ("oncall", "sns.requests", SECONDS / 1e6, 0.50),
            ("oncall", "sns.email", SECONDS / 1e5, 2.00),
        ],
    );
    let oncall = estimate.components.iter().find(|c| c.component == "oncall").unwrap();
    assert_eq!(oncall.assumes, ["`spike-alert` declares no `output.oncall`: assumed to send alerts, 1 a second"]);
}

/// A Firehose stream into two versioned buckets of pipe's: one expires what it holds after 90
/// days (and keeps the noncurrent version 90 more), the other never expires anything.
#[test]
fn versioned_buckets_with_and_without_an_expiry_bill_checked_by_hand() {
    let estimate = priced(&compile(
        "version: 1
name: lake
monitoring: { alarms: none, dashboard: false }
source:
  - { id: app, kind: application, throughput: { records_per_second: 100, record_kib: 2 } }
ingestion:
  - { id: producer, kind: kinesis-producer, from: app, to: events }
storage:
  - { id: events, kind: kinesis-stream }
  - { id: recent, kind: s3-bucket, expire_after_days: 90 }
  - { id: forever, kind: s3-bucket }
processing:
  - { id: to-recent, kind: firehose, from: events, to: recent, buffer: { size_mib: 64, interval_seconds: 900 } }
  - { id: to-forever, kind: firehose, from: events, to: forever, buffer: { size_mib: 128, interval_seconds: 900 } }
",
    ));
    // 100 records/s of 2 KiB: 200 KiB/s, 16.48 GB a day, 501.3 GB a month (365 days ÷ 12).
    let per_day = 200.0 * 86_400.0 / GB;
    assert_bill(
        &estimate,
        &[
            ("events", "kinesis.shard-hour", HOURS, 0.015),
            ("events", "kinesis.put-units", 100.0 * SECONDS / 1e6, 0.014),
            // Each 2 KiB record billed as 5 KB, by each stream.
            ("to-recent", "firehose.ingest", 100.0 * 5.0 * SECONDS / GB, 0.029),
            ("to-forever", "firehose.ingest", 100.0 * 5.0 * SECONDS / GB, 0.029),
            // 64 MiB fills in 65,536 ÷ 200 = 327.68 s, before the 900 s interval.
            ("recent", "s3.put-requests", SECONDS / 327.68 / 1000.0, 0.005),
            // Steady state: 90 days current, 90 more noncurrent.
            ("recent", "s3.storage", per_day * (90.0 + 90.0), 0.023),
            // 128 MiB fills in 655.36 s.
            ("forever", "s3.put-requests", SECONDS / 655.36 / 1000.0, 0.005),
            // No steady state: a year in, 365 days of data.
            ("forever", "s3.storage", per_day * 365.0, 0.023),
        ],
    );
    let forever = estimate.components.iter().find(|c| c.component == "forever").unwrap();
    let storage = forever.lines.iter().find(|l| l.price == "s3.storage").unwrap();
    assert_eq!(storage.item, "365 days of data, a year in (no expiry: 501.3 GB more every month after)");
}
