//! The scenario code on its real engines: each Lambda handler in Python on events shaped as AWS
//! documents them, against the local endpoint (`tests/engines/lambda_handlers.py`), each Flink
//! job's SQL in PyFlink 1.20 with only its AWS connectors swapped for files
//! (`tests/engines/flink_jobs.py`), each Spark job's transformations (Glue, EMR) in PySpark 3.5 on
//! fixture frames (`tests/engines/spark_jobs.py`), and the sample Kafka producer against the pinned
//! client library (`tests/engines/kafka_producer.py`). Each script prints how many cases it ran.

use std::path::PathBuf;
use std::process::Command;

use crate::support::aws::endpoint;

/// Runs `script` with the Python of the venv `variable` names; returns what it printed.
fn run(variable: &str, installer: &str, script: &str, endpoint: Option<String>) -> String {
    let bin = std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{variable} is not set: run the tests with `tools/test`, which runs {installer}"));
    let mut command = Command::new(bin.join("python"));
    command
        .arg(script)
        .env("AWS_CONFIG_FILE", "/nonexistent/pipe-tests")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/pipe-tests");
    if let Some(endpoint) = endpoint {
        command
            .env("AWS_ENDPOINT_URL", endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing");
    }
    let out = command.output().expect("run the venv's python");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{script}:\n{stdout}{stderr}");
    stdout.into_owned()
}

/// Runs an engine script and checks the count line it prints when every case passes.
fn check(variable: &str, installer: &str, script: &str, endpoint: Option<String>, expected: &str) {
    let out = run(variable, installer, script, endpoint);
    assert!(out.contains(expected), "{script}: expected `{expected}` in\n{out}");
    print!("{out}");
}

#[test]
fn lambda_handlers_run_on_aws_shaped_events_against_the_local_endpoint() {
    let script = "tests/engines/lambda_handlers.py";
    check("PIPE_SCANNERS_BIN", "tools/install-scanners", script, Some(endpoint()), "handlers: 6 cases over 3 handlers");
}

#[test]
fn flink_jobs_run_in_pyflink_with_their_connectors_swapped_for_files() {
    check(
        "PIPE_ENGINES_BIN",
        "tools/install-engines",
        "tests/engines/flink_jobs.py",
        None,
        "flink: 2 cases over 1 job",
    );
}

#[test]
fn spark_transformations_run_in_pyspark_on_fixture_frames() {
    check(
        "PIPE_ENGINES_BIN",
        "tools/install-engines",
        "tests/engines/spark_jobs.py",
        None,
        "spark: 6 cases over 2 jobs",
    );
}

#[test]
fn the_sample_producer_speaks_the_pinned_kafka_client() {
    let script = "tests/engines/kafka_producer.py";
    check("PIPE_ENGINES_BIN", "tools/install-engines", script, None, "producer: 3 cases over 1 producer");
}

/// The engines the tests run are the ones the shipped scenarios run on: PyFlink's Flink is the
/// Managed Flink runtime's, PySpark's Spark the Glue version's, and the EMR release's within a
/// patch release (`limits::engines`, `tools/engines.txt`).
#[test]
fn the_engines_tested_are_the_ones_the_scenarios_run_on() {
    use pipe::blueprint::spec::Component;
    use pipe::limits::engines::{EMR, FLINK, GLUE, runtime};

    let pins: std::collections::BTreeMap<String, String> = std::fs::read_to_string("tools/engines.txt")
        .expect("tools/engines.txt")
        .lines()
        .filter_map(|line| line.split_once("=="))
        .map(|(name, version)| (name.to_lowercase(), version.to_string()))
        .collect();
    let minor = |version: &str| version.split('.').take(2).collect::<Vec<_>>().join(".");
    let mut checked = Vec::new();
    for scenario in pipe::scenarios::all() {
        let path = std::path::PathBuf::from(format!("blueprints/{}.yaml", scenario.name));
        let blueprint = pipe::blueprint::load(&path, &Default::default()).expect("readable").blueprint.expect("valid");
        for placed in blueprint.components() {
            let (engine, pinned, exact) = match placed.component {
                Component::FlinkApplication(app) => (runtime(FLINK, &app.runtime), "apache-flink", false),
                Component::GlueStreamingJob(job) => (runtime(GLUE, &job.glue_version), "pyspark", true),
                Component::EmrSparkStreaming(job) => (runtime(EMR, &job.release_label), "pyspark", false),
                _ => continue,
            };
            let engine = engine.unwrap_or_else(|| {
                panic!("{}: `{}` has no row in limits::engines", scenario.name, placed.component.id())
            });
            let tested = &pins[pinned];
            let same = if exact { *tested == engine.engine } else { minor(tested) == minor(engine.engine) };
            assert!(
                same,
                "{}: {} runs {} {}, the tests {pinned} {tested}",
                scenario.name, engine.name, pinned, engine.engine
            );
            checked.push(format!("{} {} ({pinned} {tested})", scenario.name, engine.name));
        }
    }
    assert_eq!(checked.len(), 3, "{checked:?}");
    println!("engines: {}", checked.join(", "));
}
