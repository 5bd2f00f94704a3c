//! The SDK target on AWS's timing: every scenario applied, edited and destroyed through the
//! fault-injecting layer of tools/moto/faults.py, one behaviour at a time and all together. Each
//! converges and its next plan is clean; a failed operation is reported in the service's words
//! and the next plan offers what puts it right.

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::Value;

use crate::deploy::{leftovers_in, run};
use crate::support::aws::{Server, Workspace, config_at, pipe_at};

/// Text replaced in a blueprint: (from, to).
type Edit = (&'static str, &'static str);

/// Each scenario, the pipeline name it runs under and one edit that makes its second apply
/// update what the first created (the cycle tests' edits, and a new model for the endpoint).
const SCENARIOS: &[(&str, &str, &[Edit])] = &[
    (
        "internet-offering",
        "io",
        &[("memory_mib: 256", "memory_mib: 512"), ("retention_hours: 24", "retention_hours: 48")],
    ),
    ("security-logs", "sl", &[("interval_seconds: 60", "interval_seconds: 120")]),
    ("sensor-anomaly", "sa", &[("parallelism: 2", "parallelism: 4")]),
    ("clickstream-ml", "cm", &[("workers: auto", "workers: 4"), ("pricing/model.tar.gz", "pricing/model-v2.tar.gz")]),
    (
        "kafka-telemetry",
        "kt",
        &[
            ("storage_gib: 100", "storage_gib: 120"),
            ("storage_gib: auto", "storage_gib: 4000"),
            ("partitions: 12", "partitions: 24"),
        ],
    ),
];

const REGION: &str = "eu-west-3";

/// What each failing rule leaves in pipe's error output: the service's own words.
const FAILURE_WORDS: &[&str] = &[
    "Firehose could not create the delivery stream.",
    "did not pass the ping health check",
    "is READY after StartApplication",
];

struct Ground {
    server: Server,
    behaviours: &'static str,
}

impl Ground {
    fn start(behaviours: &'static str) -> Ground {
        Ground { server: Server::start(&["--proxy-latency-ms", "0", "--faults", behaviours]), behaviours }
    }

    /// `pipe args blueprint` through the fault layer.
    fn pipe(&self, args: &[&str], workspace: &Workspace) -> (i32, String, String) {
        let mut command = pipe_at(&self.server.proxy_endpoint(), REGION);
        command.args(args).arg(&workspace.blueprint);
        run(&mut command)
    }

    /// Applies until the pipeline converges: an apply fails only with a failing rule's words,
    /// and the plan after it offers to put that right. Returns the failures reported.
    fn converge(&self, workspace: &Workspace) -> Vec<String> {
        let mut failures = Vec::new();
        for _ in 0..4 {
            let (code, _, err) = self.pipe(&["apply", "--yes", "--allow-data-loss"], workspace);
            if code == 0 {
                let (code, plan, err) = self.pipe(&["plan", "--detailed-exitcode"], workspace);
                assert_eq!(code, 0, "{}: the plan after a converged apply is clean:\n{plan}{err}", workspace.name);
                return failures;
            }
            let words = FAILURE_WORDS.iter().find(|w| err.contains(*w));
            let words =
                words.unwrap_or_else(|| panic!("{} [{}]: apply failed:\n{err}", workspace.name, self.behaviours));
            failures.push(words.to_string());
            let (code, plan, err) = self.pipe(&["plan", "--detailed-exitcode"], workspace);
            assert_eq!(code, 2, "{}: the plan after a failure offers a change:\n{plan}{err}", workspace.name);
            if words.contains("StartApplication") {
                assert!(plan.contains("pipe::StartApplication"), "the start is planned again:\n{plan}");
            } else {
                assert!(plan.contains("REPLACE") && plan.contains(words), "the replacement, with its reason:\n{plan}");
            }
        }
        panic!("{} [{}] did not converge in four applies", workspace.name, self.behaviours);
    }

    /// Every scenario, side by side: apply, edit and apply, destroy. Returns the failures.
    fn every_scenario(&self) -> Vec<String> {
        std::thread::scope(|scope| {
            let runs: Vec<_> = SCENARIOS
                .iter()
                .map(|(scenario, short, edits)| {
                    scope.spawn(move || {
                        let name = format!("{short}-{}", self.behaviours.replace(',', "-"));
                        let workspace = Workspace::sdk(scenario, &name);
                        let mut failures = self.converge(&workspace);
                        for (from, to) in *edits {
                            workspace.edit(from, to);
                        }
                        failures.extend(self.converge(&workspace));
                        let (code, _, err) = self.pipe(&["destroy", "--yes", "--allow-data-loss"], &workspace);
                        assert_eq!(code, 0, "{name}: destroy: {err}");
                        let left = leftovers_in(&config_at(&self.server.endpoint(), REGION), &name);
                        assert_eq!(left, Vec::<String>::new(), "{name}");
                        failures
                    })
                })
                .collect();
            runs.into_iter().flat_map(|run| run.join().expect("a scenario's run")).collect()
        })
    }

    /// The faults injected, per behaviour and rule, as the layer counted them.
    fn counts(&self) -> Value {
        let address = self.server.proxy_endpoint().trim_start_matches("http://").to_string();
        let mut stream = TcpStream::connect(&address).expect("the fault layer");
        write!(stream, "GET /__faults__ HTTP/1.0\r\nHost: {address}\r\n\r\n").expect("ask");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        let body = answer.split_once("\r\n\r\n").map(|(_, body)| body).expect("an HTTP answer");
        serde_json::from_str(body).expect("JSON counts")
    }

    /// Prints the counts and checks that every rule the scenarios can meet was met.
    fn report(&self, failures: &[String]) {
        let counts = self.counts();
        println!("faults injected [{}]:", self.behaviours);
        for (behaviour, rules) in counts.as_object().expect("per behaviour") {
            for (rule, count) in rules.as_object().expect("per rule") {
                let count = count.as_u64().unwrap_or(0);
                println!("  {behaviour:>12}  {count:>3}  {rule}");
                assert!(count > 0, "[{}] `{rule}` never fired: it tests nothing", self.behaviours);
            }
        }
        println!("  failures reported and put right: {}", failures.len());
    }
}

#[test]
fn every_scenario_converges_when_aws_answers_not_yet() {
    let ground = Ground::start("not-yet");
    let failures = ground.every_scenario();
    assert_eq!(failures, Vec::<String>::new());
    ground.report(&failures);
}

#[test]
fn every_scenario_converges_through_transitional_statuses() {
    let ground = Ground::start("transitional");
    let failures = ground.every_scenario();
    assert_eq!(failures, Vec::<String>::new());
    ground.report(&failures);
}

#[test]
fn a_failed_operation_is_reported_in_the_services_words_and_the_next_apply_puts_it_right() {
    let ground = Ground::start("failing");
    let failures = ground.every_scenario();
    for words in FAILURE_WORDS {
        assert!(failures.iter().any(|f| f == words), "`{words}` was never reported: {failures:?}");
    }
    ground.report(&failures);
}

#[test]
fn every_scenario_converges_through_every_behaviour_at_once() {
    let ground = Ground::start("all");
    let failures = ground.every_scenario();
    ground.report(&failures);
}
