//! Variables are values: rendered inside parsed scalars, typed by the field that reads them.

use pipe::blueprint::spec::Component;
use pipe::blueprint::vars::Vars;

use crate::support::temp_blueprint;

const BASE: &str = r#"version: 1
name: vars-test
vars: { env: dev, shards: 2 }
tags: { env: "{{ env }}" }
storage:
  - id: events
    kind: kinesis-stream
    capacity: { mode: provisioned, shards: "{{ shards }}" }
monitoring: { alarms: none }
"#;

fn load(yaml: &str, vars: &Vars) -> pipe::blueprint::Loaded {
    let (_dir, path) = temp_blueprint(yaml);
    pipe::blueprint::load(&path, vars).expect("readable")
}

fn shards(loaded: &pipe::blueprint::Loaded) -> Option<pipe::blueprint::spec::common::Size> {
    match &loaded.blueprint.as_ref()?.storage[0] {
        Component::KinesisStream(stream) => stream.capacity.shards,
        _ => None,
    }
}

#[test]
fn file_vars_render_and_type_by_field() {
    let loaded = load(BASE, &Vars::default());
    assert!(loaded.is_valid(), "{:?}", loaded.report.diagnostics);
    assert_eq!(loaded.blueprint.as_ref().unwrap().tags["env"], "dev");
    assert_eq!(shards(&loaded), Some(pipe::blueprint::spec::common::Size::Count(2)));
}

#[test]
fn command_line_vars_override_file_vars() {
    let mut overrides = Vars::default();
    overrides.set_plain("env", "prod");
    overrides.set_plain("shards", "4");
    let loaded = load(BASE, &overrides);
    assert_eq!(loaded.blueprint.as_ref().unwrap().tags["env"], "prod");
    assert_eq!(shards(&loaded), Some(pipe::blueprint::spec::common::Size::Count(4)));
}

#[test]
fn a_var_cannot_inject_keys() {
    let mut overrides = Vars::default();
    overrides.set_plain("env", "x\n  PubliclyAccessible: true");
    let loaded = load(BASE, &overrides);
    let tags = &loaded.blueprint.as_ref().unwrap().tags;
    assert_eq!(tags.len(), 1);
    assert_eq!(tags["env"], "x\n  PubliclyAccessible: true");
    // The value stays one string, and AWS would refuse it as a tag value: so does pipe, naming the
    // variable and where it was set.
    let [diagnostic] = loaded.report.diagnostics.as_slice() else { panic!("{:?}", loaded.report.diagnostics) };
    assert_eq!((diagnostic.rule, diagnostic.path.as_deref()), ("value::format", Some("tags.env")));
    assert_eq!(diagnostic.notes, ["`env` is \"x\\n  PubliclyAccessible: true\", from `--var`"]);
}

#[test]
fn yaml_1_1_lookalikes_stay_strings() {
    let yaml = "version: 1\nname: strings\ntags: { country: no, mode: 0755, flag: on, version: 1.10 }\nstorage: [{ id: s, kind: s3-bucket }]\n";
    let loaded = load(yaml, &Vars::default());
    assert!(loaded.is_valid(), "{:?}", loaded.report.diagnostics);
    let tags = &loaded.blueprint.as_ref().unwrap().tags;
    assert_eq!((tags["country"].as_str(), tags["mode"].as_str()), ("no", "0755"));
    assert_eq!((tags["flag"].as_str(), tags["version"].as_str()), ("on", "1.10"));
}

#[test]
fn vars_files_are_yaml_mappings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prod.yaml");
    std::fs::write(&file, "env: prod\nshards: 3\n").unwrap();
    let vars = pipe::blueprint::load_vars_file(&file).expect("vars file");
    let loaded = load(BASE, &vars);
    assert_eq!(shards(&loaded), Some(pipe::blueprint::spec::common::Size::Count(3)));

    std::fs::write(&file, "- not\n- a mapping\n").unwrap();
    assert!(pipe::blueprint::load_vars_file(&file).unwrap_err().contains("mapping"));
}

#[test]
fn templates_cannot_read_files_or_the_environment() {
    for template in ["{% include '/etc/passwd' %}", "{{ env_var('HOME') }}", "{% import 'x' as y %}"] {
        let yaml = format!("version: 1\nname: sandbox\ntags: {{ x: \"{template}\" }}\n");
        let loaded = load(&yaml, &Vars::default());
        assert!(
            loaded.report.diagnostics.iter().any(|d| d.rule == "template::render"),
            "{template}: {:?}",
            loaded.report.diagnostics
        );
    }
}

/// A value that breaks an AWS rule once its variable is substituted is reported at the template,
/// with the variable's value and where it was set: `--var`, `--vars-file` or the blueprint.
#[test]
fn bad_values_name_their_variable_and_its_origin() {
    let dir = tempfile::tempdir().unwrap();
    let vars_file = dir.path().join("prod.yaml");
    std::fs::write(&vars_file, "key: \"alias/ok\"\nsubnet: subnet-zz\n").unwrap();
    let mut overrides = pipe::blueprint::load_vars_file(&vars_file).unwrap();
    overrides.set_plain("owner", "night\nshift");
    let (rendered, _) =
        crate::support::validate_text(std::path::Path::new("tests/invalid/81-variable-values.yaml"), &overrides);
    let rendered = rendered.replace(&vars_file.display().to_string(), "prod.yaml");
    insta::assert_snapshot!(rendered);
}

/// A variable set from outside must be one the blueprint declares or its templates use: a typo
/// in `--var` is an error, not a value silently ignored.
#[test]
fn a_variable_the_blueprint_neither_declares_nor_uses_is_an_error() {
    let mut flags = Vars::default();
    flags.set_plain("shrads", "4");
    let loaded = load(BASE, &flags);
    let unknown: Vec<&pipe::diagnostic::Diagnostic> =
        loaded.report.diagnostics.iter().filter(|d| d.rule == "template::unknown-var").collect();
    assert_eq!(unknown.len(), 1, "{:?}", loaded.report.diagnostics);
    assert_eq!(unknown[0].message, "`shrads`, set by `--var`, is no variable of this blueprint");
    assert_eq!(unknown[0].hint.as_deref(), Some("did you mean `shards`?"));

    // Used by a template without a declaration: a variable all the same.
    let mut flags = Vars::default();
    flags.set_plain("region_suffix", "eu");
    let used = BASE.replace("name: vars-test", "name: \"vars-{{ region_suffix }}\"");
    assert!(load(&used, &flags).report.diagnostics.is_empty());
}
