//! What a change loses, on both targets, against moto: a new key replaces a DynamoDB table (its
//! items go with it), a shorter bucket expiry and a shorter stream retention delete stored data
//! without replacing anything, and `apply` refuses all three without `--allow-data-loss`. Values
//! AWS only lets grow are never planned downward: an `auto` figure that falls keeps what is
//! deployed, a smaller declared one stops the plan.
//!
//! The blueprints hold only what moto's CloudFormation deploys (it skips MSK, which the
//! CloudFormation target then plans from the deployed template alone).

use crate::deploy::{assert_plan_snapshot, pipe};
use crate::support::aws::Workspace;

/// A sign-up stream read by a function that keeps state in a table and failed batches in a bucket.
const STORES: &str = r#"version: 1
name: NAME
source:
  - { id: app, kind: application, throughput: { records_per_second: 100, record_kib: 1 } }
ingestion:
  - { id: producer, kind: kinesis-producer, from: app, to: signups }
storage:
  - { id: signups, kind: kinesis-stream, capacity: { mode: provisioned, shards: 1 }, retention_hours: 48 }
  - id: profiles
    kind: dynamodb-table
    partition_key: { name: user_id, type: S }
    sort_key: { name: signed_up_at, type: N }
processing:
  - id: enrich
    kind: lambda
    from: signups
    to: profiles
    code: internet-offering/enrich
    runtime: python3.12
    on_failure: failed-batches
destination:
  - { id: failed-batches, kind: s3-bucket, expire_after_days: 30 }
"#;

/// Telemetry written to a provisioned MSK cluster whose storage pipe sizes.
const KAFKA: &str = r#"version: 1
name: NAME
source:
  - { id: cabs, kind: devices, throughput: { records_per_second: 4000, record_kib: 0.5 } }
ingestion:
  - { id: producer, kind: kafka-producer, from: cabs, to: telemetry, topic: cab-telemetry }
storage:
  - id: telemetry
    kind: msk-cluster
    kafka_version: 3.8.x
    broker_type: kafka.m7g.large
    brokers: 3
    storage_gib: auto
    network:
      subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002, subnet-0a1b2c3d4e5f60003]
      security_groups: [sg-0a1b2c3d4e5f60002]
    auth: { iam: true }
    topics:
      - { name: cab-telemetry, partitions: 12, replication_factor: 3, retention_hours: 72 }
"#;

/// The same blueprint for each target: (label, workspace).
fn targets(yaml: &str, name: &str) -> [(&'static str, Workspace); 2] {
    let on = |target: &'static str, deploy: &str| {
        let name = format!("{name}-{target}");
        let workspace = Workspace::new("internet-offering", &name);
        std::fs::write(&workspace.blueprint, format!("{}{deploy}", yaml.replace("NAME", &name))).expect("blueprint");
        (target, workspace)
    };
    [on("sdk", "deploy:\n  target: sdk\n"), on("stack", "")]
}

#[test]
fn a_new_table_key_a_shorter_expiry_and_a_shorter_retention_lose_data() {
    let region = "eu-west-2";
    for (target, workspace) in targets(STORES, "loss") {
        let (code, out, err) = pipe(region, &["apply", "--yes"], &workspace);
        assert_eq!(code, 0, "{target} apply: {out}{err}");

        workspace.edit("sort_key: { name: signed_up_at, type: N }", "sort_key: { name: region, type: S }");
        workspace.edit("expire_after_days: 30", "expire_after_days: 7");
        workspace.edit("retention_hours: 48", "retention_hours: 24");
        let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
        assert_eq!(code, 2, "{target}: {plan}{err}");
        assert_plan_snapshot(&format!("{target}_data_loss_plan"), &plan);

        let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
        assert_eq!(code, 1, "{target}: {err}");
        if target == "stack" {
            // CloudFormation cannot replace the table under the same name, whatever the flags.
            assert!(err.contains("the plan holds what the target cannot do"), "{target}: {err}");
            let (code, _, err) = pipe(region, &["apply", "--yes", "--allow-data-loss"], &workspace);
            assert_eq!(code, 1, "{target}: {err}");
            assert!(err.contains("ProfilesTable: CloudFormation cannot replace"), "{target}: {err}");
        } else {
            assert!(err.contains("refusing to lose data"), "{target}: {err}");
        }
        let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
        assert_eq!(code, 0, "{target} destroy: {err}");
    }
}

#[test]
fn broker_storage_and_partitions_never_shrink() {
    let region = "eu-west-3";
    for (target, workspace) in targets(KAFKA, "grow") {
        let (code, out, err) = pipe(region, &["apply", "--yes"], &workspace);
        assert_eq!(code, 0, "{target} apply: {out}{err}");

        // A tenth of the flow: `storage_gib: auto` needs far less, and keeps what is deployed.
        workspace.edit("records_per_second: 4000", "records_per_second: 400");
        let (code, plan, err) = pipe(region, &["plan"], &workspace);
        assert_eq!(code, 0, "{target}: {plan}{err}");
        assert!(!plan.contains("VolumeSize"), "{target}: auto storage is held at the deployed size:\n{plan}");
        assert_plan_snapshot(&format!("{target}_falling_auto_storage_plan"), &plan);

        // Enough for the lower flow (validate asks for 60), less than the deployed size.
        workspace.edit("storage_gib: auto", "storage_gib: 100");
        let (code, plan, err) = pipe(region, &["plan"], &workspace);
        assert_eq!(code, 1, "{target}: a declared shrink stops the plan: {plan}");
        assert!(err.contains("below the") && err.contains("UpdateBrokerStorage"), "{target}: {err}");

        workspace.edit("storage_gib: 100", "storage_gib: auto");
        workspace.edit("partitions: 12", "partitions: 6");
        let (code, plan, err) = pipe(region, &["plan"], &workspace);
        assert_eq!(code, 1, "{target}: fewer partitions stop the plan: {plan}");
        assert!(err.contains("declares 6 partitions, below the 12 deployed"), "{target}: {err}");

        let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
        assert_eq!(code, 0, "{target} destroy: {err}");
    }
}
