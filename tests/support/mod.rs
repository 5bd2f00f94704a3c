//! Helpers shared by the integration tests.

pub mod aws;
pub mod endpoint;

use std::path::{Path, PathBuf};
use std::process::Command;

use pipe::blueprint::{self, vars::Vars};
use pipe::diagnostic::text;

pub fn pipe() -> Command {
    let mut command = Command::new(insta_cmd::get_cargo_bin("pipe"));
    command.env("NO_COLOR", "1").current_dir(root());
    command
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Validates a file in-process and renders its report as `pipe validate` prints it, without colour.
/// The path is relative to the crate root, so snapshots do not depend on where the checkout is.
pub fn validate_text(path: &Path, vars: &Vars) -> (String, blueprint::Loaded) {
    assert_eq!(std::env::current_dir().unwrap(), root(), "cargo runs tests from the crate root");
    let loaded = blueprint::load(path, vars).expect("readable");
    (text::render(&loaded.report, false), loaded)
}

/// A temporary directory with a blueprint written into it.
pub fn temp_blueprint(yaml: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("blueprint.yaml");
    std::fs::write(&path, yaml).expect("write blueprint");
    (dir, path)
}
