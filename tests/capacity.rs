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

fn scenario(name: &str) -> Estimate {
    let text = std::fs::read_to_string(format!("blueprints/{name}.yaml")).unwrap();
    priced(&compile(&text))
}

/// The pipeline's estimate at the standard us-east-1 prices.
fn priced(pipeline: &pipe::model::Pipeline) -> Estimate {
    estimate(&pipeline.name, Priced::all(&pipeline.resources), &pipeline.usage, &PriceBook::standard(), "us-east-1")
}

/// Each expected (component, USD) is checked to the cent.
fn assert_costs_of(estimate: &Estimate, expected: &[(&str, f64)]) {
    for (id, usd) in expected {
        let got = component(estimate, id);
        assert!((got - usd).abs() < 0.01, "{id}: estimated {got:.4}, arithmetic says {usd:.4}");
    }
}

fn component(estimate: &Estimate, id: &str) -> f64 {
    estimate.components.iter().find(|c| c.component == id).map_or(0.0, |c| c.monthly_usd)
}

/// Each expected (component, USD) is checked to the cent, and so is their sum.
fn assert_costs(estimate: &Estimate, expected: &[(&str, f64)]) {
    assert_costs_of(estimate, expected);
    let total: f64 = expected.iter().map(|(_, usd)| usd).sum();
    assert!((estimate.monthly_usd - total).abs() < 0.01, "total {:.4} vs {total:.4}", estimate.monthly_usd);
}

#[test]
fn internet_offering_costs_what_its_arithmetic_says() {
    // 2,000 records/s of 1 KiB: 2 shards, 1 PUT unit (25 KB) per record.
    let records = 2000.0 * SECONDS;
    assert_costs(
        &scenario("internet-offering"),
        &[
            ("signups", 2.0 * HOURS * 0.015 + records / 1e6 * 0.014),
            // 2 shards × max(1,000 records ÷ 100 per batch, one per 1 s window) = 20 invocations/s.
            ("enrich", 20.0 * SECONDS / 1e6 * 0.20 + 20.0 * SECONDS * 0.1 * 0.25 * 0.0000133334),
            // On-demand: the stream-hour and 1 KB per record in (no reader).
            ("offers", HOURS * 0.04 + 2000.0 * SECONDS / GB * 0.08),
            ("enrich-failures", 0.0),
        ],
    );
}

#[test]
fn security_logs_cost_what_their_arithmetic_says() {
    // 500 records/s of 0.25 KiB, each billed as 5 KB by Firehose.
    let firehose = 500.0 * 5.0 * SECONDS / GB * 0.029;
    // The 5 MiB buffer fills in 5,120 ÷ 125 = 41 s: a COPY at least every minute keeps 8 RPUs busy.
    let warehouse = 8.0 * HOURS * 0.375;
    assert_costs(&scenario("security-logs"), &[("delivery", firehose), ("warehouse", warehouse)]);
}

#[test]
fn clickstream_ml_costs_what_its_arithmetic_says() {
    let clicks = 3000.0 * SECONDS;
    assert_costs(
        &scenario("clickstream-ml"),
        &[
            // 3 shards (3,000 records/s ÷ 1,000), 48 h retention bills extended retention.
            ("clicks", 3.0 * HOURS * 0.015 + clicks / 1e6 * 0.014 + 3.0 * HOURS * 0.02),
            // Written: 5 price changes/s of 1 KiB; read: one lookup per click at ½ unit.
            ("catalog", 5.0 * SECONDS / 1e6 * 0.625 + clicks * 0.5 / 1e6 * 0.125),
            ("orders", clicks * 0.5 / 1e6 * 0.125),
            ("demand", 50.0 * SECONDS / 1e6 * 0.625),
            // 1,500 KiB/s ÷ 1,024 per DPU → 2 executors + 1 driver, G.1X, all month.
            ("join-clicks", 3.0 * 1.0 * HOURS * 0.44),
            // 50 demand records/s over 1 stream shard, batches of 50 in a 5 s window: 1 invocation/s.
            ("reprice", SECONDS / 1e6 * 0.20 + SECONDS * 0.1 * 0.25 * 0.0000133334),
            ("pricing-model", HOURS * 0.115),
        ],
    );
}

#[test]
fn sensor_anomaly_costs_what_its_arithmetic_says() {
    let readings = 1000.0 * SECONDS;
    let gb = 1000.0 * 0.2 * SECONDS / GB;
    assert_costs(
        &scenario("sensor-anomaly"),
        &[
            ("readings", HOURS * 0.015 + readings / 1e6 * 0.014),
            ("alerts", HOURS * 0.015 + SECONDS / 1e6 * 0.014),
            // Parallelism 2 at 1 per KPU, plus the orchestration KPU; 50 GB running storage each.
            ("detect", 3.0 * HOURS * 0.11 + 2.0 * 50.0 * 0.10),
            // One alert a second in batches of 10, no window: one poll a second.
            ("notify", SECONDS / 1e6 * 0.20 + SECONDS * 0.1 * 0.25 * 0.0000133334),
            // Records billed as 5 KB each; dynamic partitioning on the real bytes.
            ("archive", 1000.0 * 5.0 * SECONDS / GB * 0.029 + gb * 0.020),
            // 365 days kept at 200 KiB/s, then 365 more as noncurrent versions: the bucket is
            // versioned, and an expired object stays that long again before it is gone.
            ("readings-archive", 200.0 * 86_400.0 / GB * (365.0 + 365.0) * 0.023),
            // One alert a second published, and mailed (the SMS subscription is not priced).
            ("fleet-alerts", SECONDS / 1e6 * 0.50 + SECONDS / 1e5 * 2.00),
        ],
    );
}

#[test]
fn kafka_telemetry_costs_what_its_arithmetic_says() {
    // 2,000 KiB/s kept 72 h, 3 copies, +20 %, over 3 brokers: 594 GiB each.
    let storage = (2000.0 / 1024.0 * 3600.0 * 72.0 / 1024.0 * 3.0 * 1.2 / 3.0_f64).ceil();
    assert_eq!(storage, 594.0);
    assert_costs(
        &scenario("kafka-telemetry"),
        &[
            ("telemetry", 3.0 * HOURS * 0.204 + 3.0 * storage * 0.10),
            ("aggregate", 3.0 * HOURS * 0.24),
            ("dashboards", 3.0 * HOURS * 0.167 + 3.0 * 100.0 * 0.122),
        ],
    );
}

#[test]
fn doubling_the_declared_throughput_moves_the_figures_as_the_arithmetic_says() {
    let text = std::fs::read_to_string("blueprints/internet-offering.yaml").unwrap();
    let doubled = text.replace("records_per_second: 2000", "records_per_second: 4000");
    let pipeline = compile(&doubled);
    let estimate = priced(&pipeline);
    // 4 shards now, twice the PUT units and twice the on-demand bytes in; still 20 → 40 invocations/s.
    let records = 4000.0 * SECONDS;
    assert!((component(&estimate, "signups") - (4.0 * HOURS * 0.015 + records / 1e6 * 0.014)).abs() < 0.01);
    assert!((component(&estimate, "offers") - (HOURS * 0.04 + 4000.0 * SECONDS / GB * 0.08)).abs() < 0.01);
    assert!(
        (component(&estimate, "enrich") - (40.0 * SECONDS / 1e6 * 0.20 + 40.0 * SECONDS * 0.1 * 0.25 * 0.0000133334))
            .abs()
            < 0.01
    );
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
/// people read, is sized as alerts (one a second) and its email line is a few dollars, not the
/// five figures every page view mailed would cost.
#[test]
fn an_alerting_function_without_an_output_is_priced_at_the_alert_rate() {
    let pipeline = compile(
        "version: 1
name: spikes
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
",
    );
    let estimate = priced(&pipeline);
    // One alert a second, published and mailed.
    assert_costs_of(&estimate, &[("oncall", SECONDS / 1e6 * 0.50 + SECONDS / 1e5 * 2.00)]);
}
