//! The `pipe` binary as users run it: exit codes, output formats, `init`, the schema.

use insta_cmd::assert_cmd_snapshot;

use crate::support::{pipe, root};

#[test]
fn help_lists_the_working_commands() {
    assert_cmd_snapshot!(pipe().arg("--help"));
}

#[test]
fn valid_blueprints_exit_zero() {
    assert_cmd_snapshot!(pipe().args(["validate", "blueprints/"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    ok: 5 blueprints valid
    ");
}

#[test]
fn invalid_blueprints_exit_one() {
    let output = pipe().args(["validate", "blueprints/", "tests/invalid/08-unknown-field.yaml"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("invalid: 6 blueprints:"), "{stderr}");
}

#[test]
fn usage_errors_exit_two() {
    for args in [
        &["validate"][..],
        &["validate", "no/such/file.yaml"],
        &["frobnicate"],
        &["validate", "--output", "xml", "blueprints"],
    ] {
        let output = pipe().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
}

#[test]
fn json_output_is_versioned_and_machine_readable() {
    let output = pipe().args(["validate", "--output", "json", "tests/invalid/08-unknown-field.yaml"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(json["format_version"], 1);
    let diagnostic = &json["files"][0]["diagnostics"][0];
    for field in ["severity", "rule", "message", "path", "line", "column", "hint"] {
        assert!(!diagnostic[field].is_null(), "missing `{field}` in {diagnostic}");
    }
    insta::assert_json_snapshot!(json);
}

#[test]
fn a_typo_in_a_shipped_blueprint_points_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("blueprints/internet-offering.yaml")).unwrap();
    let typo = text.replacen("    retention_hours: 24\n", "    retension_hours: 24\n", 1);
    let line = typo.lines().position(|l| l.contains("retension_hours")).unwrap() + 1;
    std::fs::write(dir.path().join("offers.yaml"), &typo).unwrap();
    std::fs::create_dir_all(dir.path().join("internet-offering/enrich")).unwrap();
    std::fs::write(dir.path().join("internet-offering/enrich/handler.py"), "").unwrap();
    let output = pipe().arg("validate").arg(dir.path().join("offers.yaml")).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains(&format!("offers.yaml:{line}:5")), "{stderr}");
    assert!(stderr.contains("did you mean `retention_hours`?"), "{stderr}");
}

#[test]
fn init_lists_the_scenarios() {
    assert_cmd_snapshot!(pipe().args(["init", "--list"]));
}

#[test]
fn init_writes_a_valid_blueprint_and_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("pipelines/offers.yaml");
    let output = pipe().args(["init", "--scenario", "internet-offering"]).arg(&target).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(dir.path().join("pipelines/internet-offering/enrich/handler.py").is_file());
    // The editor schema the modeline names is there, beside the blueprint, and is pipe's.
    let written = std::fs::read_to_string(&target).unwrap();
    let modeline = written.lines().next().unwrap();
    let schema = modeline.strip_prefix("# yaml-language-server: $schema=").expect("a modeline");
    let schema = std::fs::read_to_string(dir.path().join("pipelines").join(schema)).expect("the schema it names");
    let pipes = pipe().arg("schema").output().unwrap();
    assert_eq!(schema, String::from_utf8(pipes.stdout).unwrap());
    let validate = pipe().arg("validate").arg(&target).output().unwrap();
    assert!(validate.status.success(), "{}", String::from_utf8_lossy(&validate.stderr));

    let again = pipe().args(["init", "--scenario", "internet-offering"]).arg(&target).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let forced = pipe().args(["init", "--force", "--scenario", "internet-offering"]).arg(&target).output().unwrap();
    assert!(forced.status.success());
}

#[test]
fn init_suggests_a_scenario_for_a_typo() {
    let output = pipe().args(["init", "--scenario", "sensor-anomoly"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `sensor-anomaly`?"));
}

/// `schemas/blueprint.schema.json` is generated from the Rust types; regenerate it with
/// `UPDATE_SCHEMA=1 cargo test schema_is_fresh` (or `pipe schema > schemas/blueprint.schema.json`).
#[test]
fn schema_is_fresh() {
    let generated = format!("{}\n", pipe::blueprint::spec::json_schema());
    let path = root().join("schemas/blueprint.schema.json");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "schemas/blueprint.schema.json is stale: run `UPDATE_SCHEMA=1 cargo test schema_is_fresh`"
    );
    let cli = pipe().arg("schema").output().unwrap();
    assert_eq!(String::from_utf8(cli.stdout).unwrap(), generated);
}

#[test]
fn rules_are_listed_with_unique_ids() {
    let output = pipe().arg("rules").output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let rules: Vec<&str> = pipe::blueprint::rules::all().iter().map(|r| r.id).collect();
    let mut unique = rules.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), rules.len(), "duplicate rule ids");
    for id in rules {
        assert!(text.contains(id), "`pipe rules` misses {id}");
    }
}

#[test]
fn render_writes_a_template_or_refuses_an_invalid_blueprint() {
    let json = pipe().args(["render", "--output", "json", "blueprints/internet-offering.yaml"]).output().unwrap();
    assert!(json.status.success(), "{}", String::from_utf8_lossy(&json.stderr));
    let template: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON template");
    assert_eq!(template["AWSTemplateFormatVersion"], "2010-09-09");

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("template.yaml");
    let to_file = pipe().args(["render", "blueprints/internet-offering.yaml", "-o"]).arg(&out).output().unwrap();
    assert!(to_file.status.success() && to_file.stdout.is_empty());
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("AWSTemplateFormatVersion"));

    let invalid = pipe().args(["render", "tests/invalid/08-unknown-field.yaml"]).output().unwrap();
    assert_eq!(invalid.status.code(), Some(1));
    assert!(invalid.stdout.is_empty());
    let stderr = String::from_utf8(invalid.stderr).unwrap();
    assert!(stderr.contains("error[schema::unknown-field]") && stderr.contains("not rendered"), "{stderr}");
}

#[test]
fn completions_and_the_manual_cover_every_command() {
    let help = String::from_utf8(pipe().arg("--help").output().unwrap().stdout).unwrap();
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // A description too long for its line goes on below, indented further.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 12, "{commands:?}");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = pipe().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        for command in &commands {
            assert!(script.contains(command), "{shell} completes `{command}`");
        }
    }
    let output = pipe().arg("man").output().unwrap();
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success() && page.contains(".TH pipe 1"), "{page}");
    for command in &commands {
        assert!(page.contains(&format!("pipe\\-{command}")), "the manual lists `{command}`");
    }
}
