//! Many blueprints in one run: `pipe plan DIR` and `pipe validate`/`plan --changed-since REF`,
//! against the local endpoint and a temporary git repository.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::deploy::run;
use crate::support::aws::{copy_dir, pipe_in};
use crate::support::root;

#[test]
fn planning_a_directory_gives_one_comment_with_a_section_per_pipeline() {
    let region = "eu-south-2";
    let (code, markdown, err) =
        run(pipe_in(region).args(["plan", "blueprints/", "--output", "markdown", "--detailed-exitcode"]));
    assert_eq!(code, 2, "every shipped pipeline is still to create: {err}");
    insta::assert_snapshot!("plan_of_the_shipped_blueprints", markdown);

    let (code, json, err) = run(pipe_in(region).args(["plan", "blueprints/", "--output", "json"]));
    assert_eq!(code, 0, "without --detailed-exitcode changes are success: {err}");
    let document: Value = serde_json::from_str(&json).expect("one JSON document");
    assert_eq!(document["summary"]["blueprints"], 5);
    assert_eq!(document["summary"]["changes"], 5);
    for entry in document["plans"].as_array().expect("plans") {
        assert_eq!(entry["status"], "changes");
        assert_eq!(entry["plan"]["format_version"], 2, "each entry holds the one-blueprint document");
    }
}

#[test]
fn one_blueprint_that_fails_leaves_the_others_planned_and_the_run_failed() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_scenario("internet-offering", dir.path());
    std::fs::write(dir.path().join("broken.yaml"), "name: broken\nsurce: {}\n").expect("write");
    let (code, text, err) = run(pipe_in("eu-south-2").arg("plan").arg(dir.path()).arg("--detailed-exitcode"));
    assert_eq!(code, 1, "an invalid blueprint fails the run, changes or not: {text}{err}");
    assert!(err.contains("broken.yaml"), "its diagnostics are on stderr: {err}");
    assert!(text.contains("Plan for `internet-offering`"), "the valid one is still planned: {text}");
    assert!(text.ends_with("2 blueprints: 1 with changes, 1 invalid\n"), "{text}");

    let (code, _, err) = run(pipe_in("eu-south-2").arg("plan").arg(dir.path()).args(["--out", "p.json"]));
    assert_eq!(code, 2, "a saved plan is one pipeline's: {err}");
    assert!(err.contains("`--out` saves one plan for `pipe apply`: give one blueprint file"), "{err}");
}

#[test]
fn changed_since_selects_the_blueprints_whose_file_or_code_a_revision_changed() {
    let repo = tempfile::tempdir().expect("temp dir");
    let path = repo.path();
    for scenario in ["internet-offering", "sensor-anomaly", "security-logs"] {
        copy_scenario(scenario, path);
    }
    git(path, &["init", "-q", "-b", "main"]);
    git(path, &["add", "-A"]);
    git(path, &["commit", "-q", "-m", "three pipelines"]);
    git(path, &["checkout", "-q", "-b", "change"]);
    let handler = path.join("sensor-anomaly/notify/handler.py");
    let code = std::fs::read_to_string(&handler).expect("handler");
    std::fs::write(&handler, code + "\n# a change a reviewer should see planned\n").expect("edit handler");
    git(path, &["commit", "-q", "-am", "change the notifier"]);
    git(path, &["rm", "-q", "security-logs.yaml"]);
    git(path, &["commit", "-q", "-m", "retire the security pipeline"]);
    let text = std::fs::read_to_string(path.join("internet-offering.yaml")).expect("blueprint");
    let renamed = text.replacen("\nname: internet-offering\n", "\nname: offers-next\n", 1);
    std::fs::write(path.join("offers-next.yaml"), renamed).expect("a new, uncommitted blueprint");

    let mut validate = crate::support::pipe();
    validate.current_dir(path).args(["validate", ".", "--changed-since", "main", "--output", "json"]);
    let (code, json, err) = run(&mut validate);
    assert_eq!(code, 0, "{err}");
    let document: Value = serde_json::from_str(&json).expect("JSON");
    let files: Vec<&str> = document["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(files, ["./offers-next.yaml", "./sensor-anomaly.yaml"], "not internet-offering, which did not change");
    assert!(err.contains("`security-logs.yaml` was removed"), "{err}");

    let (code, json, err) =
        run(pipe_in("eu-south-2").current_dir(path).args(["plan", ".", "--changed-since", "main", "--output", "json"]));
    assert_eq!(code, 0, "{err}");
    let document: Value = serde_json::from_str(&json).expect("JSON");
    let planned: Vec<&str> =
        document["plans"].as_array().unwrap().iter().map(|p| p["plan"]["pipeline"].as_str().unwrap()).collect();
    assert_eq!(planned, ["offers-next", "sensor-anomaly"]);
    assert_eq!(document["removed"], serde_json::json!(["security-logs.yaml"]));

    git(path, &["checkout", "-q", "main"]);
    std::fs::remove_file(path.join("offers-next.yaml")).expect("remove the new blueprint");
    let (code, _, err) =
        run(crate::support::pipe().current_dir(path).args(["validate", ".", "--changed-since", "main"]));
    assert_eq!((code, err.as_str()), (0, "ok: no blueprint changed\n"));
    let (code, _, err) =
        run(crate::support::pipe().current_dir(path).args(["validate", ".", "--changed-since", "nosuch"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`--changed-since` needs `nosuch` in this clone"), "{err}");
}

/// A shipped scenario's blueprint and code, copied into `dir`.
fn copy_scenario(scenario: &str, dir: &Path) {
    let blueprints = root().join("blueprints");
    copy_dir(&blueprints.join(scenario), &dir.join(scenario));
    std::fs::copy(blueprints.join(format!("{scenario}.yaml")), dir.join(format!("{scenario}.yaml"))).expect("copy");
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "pipe tests")
        .env("GIT_AUTHOR_EMAIL", "tests@pipe.invalid")
        .env("GIT_COMMITTER_NAME", "pipe tests")
        .env("GIT_COMMITTER_EMAIL", "tests@pipe.invalid")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}
