//! The shipped whitepaper scenarios are valid, complete and what `pipe init` writes.

use std::path::Path;

use pipe::blueprint::vars::Vars;

use crate::support::validate_text;

#[test]
fn five_scenarios_ship() {
    let names: Vec<&str> = pipe::scenarios::all().iter().map(|s| s.name).collect();
    assert_eq!(names, ["clickstream-ml", "internet-offering", "kafka-telemetry", "security-logs", "sensor-anomaly"]);
}

#[test]
fn every_scenario_is_valid_without_warnings() {
    for scenario in pipe::scenarios::all() {
        let path = Path::new("blueprints").join(format!("{}.yaml", scenario.name));
        let (rendered, loaded) = validate_text(&path, &Vars::default());
        assert!(loaded.blueprint.is_some(), "{} did not decode\n{rendered}", scenario.name);
        assert!(loaded.report.diagnostics.is_empty(), "{}:\n{rendered}", scenario.name);
        assert!(!scenario.description().is_empty(), "{} has no description", scenario.name);
        assert!(!scenario.code_files().is_empty(), "{} ships no code", scenario.name);
    }
}

#[test]
fn every_scenario_uses_all_five_layers() {
    for scenario in pipe::scenarios::all() {
        let path = Path::new("blueprints").join(format!("{}.yaml", scenario.name));
        let (_, loaded) = validate_text(&path, &Vars::default());
        let blueprint = loaded.blueprint.expect("valid");
        for layer in pipe::blueprint::spec::Layer::ALL {
            assert!(!blueprint.layer(layer).is_empty(), "{} has no {} component", scenario.name, layer.name());
        }
    }
}

#[test]
fn shipped_blueprints_name_the_schema() {
    for scenario in pipe::scenarios::all() {
        assert!(
            scenario.blueprint.starts_with("# yaml-language-server: $schema=../schemas/blueprint.schema.json"),
            "{} lacks the schema modeline",
            scenario.name
        );
    }
}
