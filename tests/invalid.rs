//! The invalid-blueprint corpus: `tests/invalid/*.yaml`, one defect (or a few related ones) per
//! file. Each file names the rule ids it must trigger on `# expect:` lines; the rendered
//! diagnostics are snapshots, reviewed like hand-written text.

use std::collections::BTreeSet;
use std::path::Path;

use pipe::blueprint::vars::Vars;

use crate::support::{root, validate_text};

#[test]
fn invalid_corpus() {
    insta::glob!("invalid/*.yaml", |absolute| {
        let relative = absolute.strip_prefix(root()).expect("inside the crate");
        let (rendered, loaded) = validate_text(relative, &Vars::default());
        let expected = expected_rules(absolute);
        assert!(!expected.is_empty(), "{} has no `# expect: <rule id>` line", relative.display());
        let reported: BTreeSet<&str> = loaded.report.diagnostics.iter().map(|d| d.rule).collect();
        for rule in &expected {
            assert!(
                reported.contains(rule.as_str()),
                "{}: expected `{rule}`, got {reported:?}\n{rendered}",
                relative.display()
            );
        }
        assert!(
            loaded.report.errors() > 0 || expected.iter().all(|r| is_warning(&loaded, r)),
            "{}",
            relative.display()
        );
        insta::assert_snapshot!(rendered);
    });
}

#[test]
fn corpus_has_forty_files_and_covers_distinct_rules() {
    let files: Vec<_> = std::fs::read_dir(root().join("tests/invalid"))
        .expect("corpus")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    assert!(files.len() >= 40, "only {} invalid blueprints", files.len());
    let rules: BTreeSet<String> = files.iter().flat_map(|f| expected_rules(f)).collect();
    assert!(rules.len() >= 40, "only {} distinct rules covered: {rules:?}", rules.len());
}

fn expected_rules(path: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix("# expect:"))
        .flat_map(|rest| rest.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

fn is_warning(loaded: &pipe::blueprint::Loaded, rule: &str) -> bool {
    loaded.report.diagnostics.iter().any(|d| d.rule == rule && !d.is_error())
}
