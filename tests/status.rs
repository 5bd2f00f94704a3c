//! `pipe status` against the local endpoint: a freshly applied pipeline is healthy (exit 0); a
//! metric past an alarm's threshold, or an alarm CloudWatch holds in ALARM, makes it not (exit 3),
//! named in every view; a deleted resource shows as missing. Both targets.

use crate::deploy::pipe;
use crate::support::aws::{Workspace, config, runtime};

/// Puts one datapoint of a Kinesis stream's metric, as the service would.
fn put_stream_metric(region: &str, stream: &str, metric: &str, value: f64) {
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config(region));
    let datum = aws_sdk_cloudwatch::types::MetricDatum::builder()
        .metric_name(metric)
        .dimensions(aws_sdk_cloudwatch::types::Dimension::builder().name("StreamName").value(stream).build())
        .value(value)
        .build();
    runtime().block_on(cloudwatch.put_metric_data().namespace("AWS/Kinesis").metric_data(datum).send()).unwrap();
}

fn put_iterator_age(region: &str, stream: &str, milliseconds: f64) {
    put_stream_metric(region, stream, "GetRecords.IteratorAgeMilliseconds", milliseconds);
}

#[test]
fn status_reports_what_fires_and_what_is_missing_and_exits_3() {
    let region = "eu-central-1";
    let workspace = Workspace::sdk("internet-offering", "io-status");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {err}");
    let (code, out, err) = pipe(region, &["status"], &workspace);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Healthy: every component is deployed and no alarm fires."), "{out}");
    assert!(
        out.contains("io-status-signups-iterator-age: GetRecords.IteratorAgeMilliseconds no data (alarm > 43,200,000)"),
        "{out}"
    );

    // 60,000 records in a minute into 2 shards sized for 2,000 a second.
    put_stream_metric(region, "io-status-signups", "IncomingRecords", 60_000.0);
    let (_, out, _) = pipe(region, &["status"], &workspace);
    assert!(out.contains("signups          ACTIVE  1,000 records/s of 2,000 declared · 50% of capacity"), "{out}");
    assert!(out.contains("enrich           Active  no invocations in the window of 20 declared"), "{out}");

    // A reader 14 hours behind a 24-hour stream: past the half-retention threshold.
    put_iterator_age(region, "io-status-signups", 14.0 * 3_600_000.0);
    let (code, out, _) = pipe(region, &["status"], &workspace);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("io-status-signups-iterator-age: GetRecords.IteratorAgeMilliseconds 50,400,000 (alarm > 43,200,000) past its threshold"), "{out}");
    assert!(
        out.contains("Not healthy: 1 alarm(s) firing or past their threshold (io-status-signups-iterator-age)"),
        "{out}"
    );

    // CloudWatch's own verdict counts too, and a function deleted outside pipe is missing.
    let aws = config(region);
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&aws);
    let lambda = aws_sdk_lambda::Client::new(&aws);
    runtime().block_on(async {
        cloudwatch
            .set_alarm_state()
            .alarm_name("io-status-enrich-errors")
            .state_value(aws_sdk_cloudwatch::types::StateValue::Alarm)
            .state_reason("test")
            .send()
            .await
            .unwrap();
        lambda.delete_function().function_name("io-status-enrich").send().await.unwrap();
    });
    let (code, json, _) = pipe(region, &["status", "--output", "json"], &workspace);
    assert_eq!(code, 3);
    let status: serde_json::Value = serde_json::from_str(&json).expect("the JSON view parses");
    assert_eq!(status["format_version"], 1);
    let enrich = status["components"].as_array().unwrap().iter().find(|c| c["component"] == "enrich").unwrap();
    // Its event source mapping is found through the function: gone with it.
    assert_eq!(enrich["missing"], serde_json::json!(["EnrichFunction", "EnrichSignupsMapping"]));
    let errors =
        enrich["readings"].as_array().unwrap().iter().find(|r| r["alarm"] == "io-status-enrich-errors").unwrap();
    assert_eq!(errors["state"], "ALARM");
    let (_, markdown, _) = pipe(region, &["status", "--output", "markdown"], &workspace);
    assert!(markdown.contains("| `enrich` | MISSING EnrichFunction, EnrichSignupsMapping |"), "{markdown}");

    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "destroy: {err}");
}

#[test]
fn status_reads_a_stack_by_the_same_names() {
    let region = "eu-central-1";
    let workspace = Workspace::new("internet-offering", "io-status-stack");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {err}");
    let (code, out, err) = pipe(region, &["status"], &workspace);
    assert_eq!(code, 0, "{out}{err}");
    put_iterator_age(region, "io-status-stack-offers", 1.0);
    put_iterator_age(region, "io-status-stack-signups", 13.0 * 3_600_000.0);
    let (code, out, _) = pipe(region, &["status"], &workspace);
    assert_eq!(code, 3, "{out}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "destroy: {err}");
}

/// A service's own state counts: a Flink application stopped outside pipe moves no records.
#[test]
fn a_stopped_application_is_not_healthy() {
    let region = "eu-west-3";
    let workspace = Workspace::sdk("sensor-anomaly", "sa-status");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {err}");
    let (code, out, err) = pipe(region, &["status"], &workspace);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("detect ") && l.ends_with(" RUNNING  no records in the window of 1,000 declared")),
        "{out}"
    );
    // Managed Flink publishes a rate a second, averaged over the minute, not a count.
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config(region));
    let datum = aws_sdk_cloudwatch::types::MetricDatum::builder()
        .metric_name("numRecordsInPerSecond")
        .dimensions(
            aws_sdk_cloudwatch::types::Dimension::builder().name("Application").value("sa-status-detect").build(),
        )
        .value(850.0)
        .build();
    runtime()
        .block_on(cloudwatch.put_metric_data().namespace("AWS/KinesisAnalytics").metric_data(datum).send())
        .unwrap();
    let (_, out, _) = pipe(region, &["status"], &workspace);
    assert!(
        out.lines().any(|l| l.starts_with("detect ") && l.ends_with(" RUNNING  850 records/s of 1,000 declared")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("readings ") && l.contains(" ACTIVE  no records in the window of 1,000 declared")),
        "{out}"
    );
    let flink = aws_sdk_kinesisanalyticsv2::Client::new(&config(region));
    runtime().block_on(flink.stop_application().application_name("sa-status-detect").send()).unwrap();
    let (code, out, _) = pipe(region, &["status"], &workspace);
    assert_eq!(code, 3, "{out}");
    assert!(out.lines().any(|l| l.starts_with("detect ") && l.contains(" READY: not moving records")), "{out}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "destroy: {err}");
}

/// Each service's own word: a streaming Glue job's latest run RUNNING, an endpoint InService; a
/// job whose runs were stopped moves no records.
#[test]
fn jobs_and_endpoints_report_their_own_state() {
    let region = "eu-west-3";
    let workspace = Workspace::sdk("clickstream-ml", "cm-status");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {err}");
    let (code, out, err) = pipe(region, &["status"], &workspace);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.lines().any(|l| l.starts_with("join-clicks ") && l.contains(" RUNNING  ")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("pricing-model ") && l.contains(" InService  ")), "{out}");
    let glue = aws_sdk_glue::Client::new(&config(region));
    runtime().block_on(async {
        let runs = glue.get_job_runs().job_name("cm-status-join-clicks").send().await.unwrap();
        let ids: Vec<String> = runs.job_runs().iter().filter_map(|r| r.id().map(str::to_string)).collect();
        glue.batch_stop_job_run().job_name("cm-status-join-clicks").set_job_run_ids(Some(ids)).send().await.unwrap();
    });
    let (code, out, _) = pipe(region, &["status"], &workspace);
    assert_eq!(code, 3, "{out}");
    assert!(out.lines().any(|l| l.starts_with("join-clicks ") && l.contains(": not moving records")), "{out}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "destroy: {err}");
}

/// An EMR cluster is read by the id it was deployed as, since names are not unique: RUNNING
/// its streaming step, it moves records, whatever an idle cluster of the same name does.
#[test]
fn an_emr_cluster_reports_the_state_of_the_one_deployed() {
    let region = "eu-south-1";
    let workspace = Workspace::sdk("kafka-telemetry", "kt-status");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {err}");
    // Another cluster of the same name, idle: not the one deployed.
    let emr = aws_sdk_emr::Client::new(&config(region));
    let instances = aws_sdk_emr::types::JobFlowInstancesConfig::builder()
        .instance_count(1)
        .master_instance_type("m5.xlarge")
        .keep_job_flow_alive_when_no_steps(true)
        .build();
    let twin = runtime()
        .block_on(
            emr.run_job_flow()
                .name("kt-status-aggregate")
                .release_label("emr-7.5.0")
                .instances(instances)
                .job_flow_role("EMR_EC2_DefaultRole")
                .service_role("EMR_DefaultRole")
                .send(),
        )
        .unwrap();
    let aggregate = |json: &str| -> serde_json::Value {
        let status: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|_| panic!("{json}"));
        status["components"].as_array().unwrap().iter().find(|c| c["component"] == "aggregate").unwrap().clone()
    };
    let (_, json, _) = pipe(region, &["status", "--output", "json"], &workspace);
    let read = aggregate(&json);
    assert_eq!((read["state"].as_str(), read["stopped"].as_bool()), (Some("RUNNING"), Some(false)), "{read}");
    let idle = runtime().block_on(emr.describe_cluster().cluster_id(twin.job_flow_id().unwrap()).send()).unwrap();
    assert_eq!(idle.cluster().unwrap().status().unwrap().state().unwrap().as_str(), "WAITING", "the twin is not it");
    runtime().block_on(emr.terminate_job_flows().job_flow_ids(twin.job_flow_id().unwrap()).send()).unwrap();
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "destroy: {err}");
}
