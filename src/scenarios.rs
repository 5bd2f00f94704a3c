//! The whitepaper scenarios shipped in `blueprints/`, embedded so `pipe init` works anywhere.
//!
//! A scenario is `blueprints/<name>.yaml` plus the code it references under `blueprints/<name>/`.

use std::path::Path;

use include_dir::{Dir, DirEntry, include_dir};

use crate::blueprint::yaml;

static BLUEPRINTS: Dir = include_dir!("$CARGO_MANIFEST_DIR/blueprints");

pub struct Scenario {
    pub name: &'static str,
    pub blueprint: &'static str,
    code: Option<&'static Dir<'static>>,
}

impl Scenario {
    /// The blueprint's `description`.
    pub fn description(&self) -> String {
        let (root, _) = yaml::parse(self.blueprint);
        root.and_then(|r| r.get("description").and_then(|d| d.value.scalar().map(str::to_string))).unwrap_or_default()
    }

    /// The code files, as (path relative to the blueprint's directory, contents).
    pub fn code_files(&self) -> Vec<(&'static Path, &'static [u8])> {
        let mut files = Vec::new();
        let mut pending: Vec<&Dir> = self.code.into_iter().collect();
        while let Some(dir) = pending.pop() {
            for entry in dir.entries() {
                match entry {
                    DirEntry::Dir(sub) => pending.push(sub),
                    DirEntry::File(file) => files.push((file.path(), file.contents())),
                }
            }
        }
        files.sort_by_key(|(path, _)| *path);
        files
    }
}

/// Every scenario, by name.
pub fn all() -> Vec<Scenario> {
    let mut scenarios: Vec<Scenario> = BLUEPRINTS
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "yaml"))
        .filter_map(|file| {
            let name = file.path().file_stem()?.to_str()?;
            Some(Scenario { name, blueprint: file.contents_utf8()?, code: BLUEPRINTS.get_dir(name) })
        })
        .collect();
    scenarios.sort_by_key(|s| s.name);
    scenarios
}

pub fn find(name: &str) -> Option<Scenario> {
    all().into_iter().find(|s| s.name == name)
}
