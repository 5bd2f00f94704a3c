//! What `pipe cost`, `pipe graph` and `validate --explain` print, as users see it, and the
//! diagrams checked by the real parsers: Mermaid's (under node) and Graphviz's `dot`.

use std::process::Command;

use crate::support::pipe;

fn stdout(args: &[&str]) -> String {
    let output = pipe().args(args).env_remove("AWS_REGION").env_remove("AWS_DEFAULT_REGION").output().unwrap();
    assert!(output.status.success(), "pipe {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn cost_in_three_formats() {
    let file = "blueprints/sensor-anomaly.yaml";
    insta::assert_snapshot!("cost_text", stdout(&["cost", file]));
    insta::assert_snapshot!("cost_markdown", stdout(&["cost", file, "--output", "markdown"]));
    let json = stdout(&["cost", file, "--output", "json"]);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed["format_version"], 1);
    insta::assert_snapshot!("cost_json", json);
}

#[test]
fn cost_elsewhere_is_marked_and_bad_price_files_are_refused() {
    let text = stdout(&["cost", "blueprints/internet-offering.yaml", "--region", "eu-west-1"]);
    assert!(text.contains("eu-west-1 (an estimate: the prices are us-east-1's)"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let prices = dir.path().join("prices.yaml");
    std::fs::write(&prices, "kinesis.shard-hour: 0.02\nmsk.broker-hour:kafka.m5.4xlarge: 1.68\n").unwrap();
    let overridden = stdout(&["cost", "blueprints/internet-offering.yaml", "--prices", prices.to_str().unwrap()]);
    assert!(overridden.contains("1,460 shard-hours × $0.02"), "{overridden}");
    std::fs::write(&prices, "kinesis.shard: [1]\n").unwrap();
    let refused = pipe().args(["cost", "blueprints/internet-offering.yaml", "--prices"]).arg(&prices).output().unwrap();
    assert_eq!(refused.status.code(), Some(2), "{}", String::from_utf8_lossy(&refused.stderr));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("expected `price-id: USD` lines"));
}

#[test]
fn explain_shows_each_load_against_its_limit() {
    let output = pipe().args(["validate", "--explain", "blueprints/internet-offering.yaml"]).output().unwrap();
    assert!(output.status.success());
    insta::assert_snapshot!("explain_internet_offering", String::from_utf8(output.stdout).unwrap());
}

#[test]
fn graphs_of_every_scenario_pass_the_real_parsers() {
    let checker = std::env::var("PIPE_MERMAID_CHECK")
        .expect("PIPE_MERMAID_CHECK is not set: run the tests with `tools/test`, which installs mermaid and graphviz");
    let dir = tempfile::tempdir().unwrap();
    let mut mermaid_files = Vec::new();
    for scenario in pipe::scenarios::all() {
        let file = format!("blueprints/{}.yaml", scenario.name);
        let mermaid = stdout(&["graph", &file]);
        let dot = stdout(&["graph", &file, "--output", "dot"]);
        if scenario.name == "clickstream-ml" {
            insta::assert_snapshot!("graph_mermaid", mermaid);
            insta::assert_snapshot!("graph_dot", dot);
        }
        let path = dir.path().join(format!("{}.mmd", scenario.name));
        std::fs::write(&path, &mermaid).unwrap();
        mermaid_files.push(path);
        let dot_path = dir.path().join(format!("{}.dot", scenario.name));
        std::fs::write(&dot_path, &dot).unwrap();
        let svg = Command::new("dot").arg("-Tsvg").arg(&dot_path).output().expect("graphviz `dot` runs");
        assert!(svg.status.success(), "{}: {}", scenario.name, String::from_utf8_lossy(&svg.stderr));
        let svg = String::from_utf8_lossy(&svg.stdout);
        assert!(
            svg.contains("cluster_storage") && svg.contains("rec/s"),
            "{}: the SVG lacks layers or flows",
            scenario.name
        );
    }
    let parsed = Command::new("node").arg(&checker).args(&mermaid_files).output().expect("node runs");
    assert!(parsed.status.success(), "mermaid rejected a graph: {}", String::from_utf8_lossy(&parsed.stderr));
    // The checker is a real judge: it refuses a broken diagram.
    let broken = dir.path().join("broken.mmd");
    std::fs::write(&broken, "flowchart LR\n  subgraph a\n  x -->\n").unwrap();
    let refused = Command::new("node").arg(&checker).arg(&broken).output().unwrap();
    assert!(!refused.status.success(), "mermaid accepted a broken diagram");
}
