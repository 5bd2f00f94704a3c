//! Which blueprints a command that takes many works on: files as given, the blueprints in
//! directories, and with `--changed-since REF` only those a git revision changed (the blueprint
//! file, or code it ships).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Args;

use crate::blueprint::vars::Vars;

use super::Error;

/// Blueprint files or directories, and the git revision to compare with.
#[derive(Debug, Clone, Args)]
pub struct Selection {
    /// Blueprint files, or directories whose `*.yaml` and `*.yml` files are blueprints.
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<PathBuf>,
    /// Only the blueprints that changed since git revision REF (where this branch left it, as in
    /// a pull request): the blueprint file, the code it ships, or a `--vars-file`.
    #[arg(long, value_name = "REF")]
    changed_since: Option<String>,
}

/// The blueprints selected, and those the revision had that are gone now.
pub struct Selected {
    pub files: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
}

impl Selection {
    /// One blueprint file and no revision: what a command taking one blueprint is given.
    pub fn single_file(&self) -> Option<&Path> {
        match (self.paths.as_slice(), &self.changed_since) {
            ([one], None) if one.is_file() => Some(one),
            _ => None,
        }
    }

    /// The blueprints to work on. `overrides` are the variables the blueprints are read with (to
    /// find the code they ship); `vars_files` count as inputs of every blueprint.
    pub fn resolve(&self, overrides: &Vars, vars_files: &[PathBuf]) -> Result<Selected, Error> {
        let files = blueprint_files(&self.paths)?;
        let Some(revision) = &self.changed_since else { return Ok(Selected { files, removed: Vec::new() }) };
        let changed = changed_since(revision)?;
        if vars_files.iter().any(|file| changed.touches(file)) {
            return Ok(Selected { files, removed: changed.removed_from(&self.paths) });
        }
        let mut selected = Vec::new();
        for file in files {
            if changed.touches(&file) || inputs(&file, overrides).iter().any(|input| changed.touches(input)) {
                selected.push(file);
            }
        }
        Ok(Selected { files: selected, removed: changed.removed_from(&self.paths) })
    }
}

/// The code a blueprint ships, as paths: what changes its plan besides its own file. A
/// blueprint that does not load ships nothing known.
fn inputs(file: &Path, overrides: &Vars) -> Vec<PathBuf> {
    let Ok(loaded) = crate::blueprint::load(file, overrides) else { return Vec::new() };
    let Some(blueprint) = loaded.blueprint else { return Vec::new() };
    let base = crate::blueprint::base_dir(file);
    blueprint
        .components()
        .flat_map(|placed| {
            placed.component.code_paths().into_iter().map(|(_, path)| base.join(path)).collect::<Vec<_>>()
        })
        .collect()
}

/// Paths a revision range changed, absolute, under the repository's root.
struct Changed {
    paths: BTreeSet<PathBuf>,
}

impl Changed {
    /// Whether `path` (a file, or a directory of code) is or holds a changed path.
    fn touches(&self, path: &Path) -> bool {
        let Some(path) = absolute(path) else { return false };
        self.paths.iter().any(|changed| changed.starts_with(&path))
    }

    /// Changed paths that no longer exist and were blueprints in the directories `paths` name,
    /// relative to the current directory when they are under it.
    fn removed_from(&self, paths: &[PathBuf]) -> Vec<PathBuf> {
        let looked: Vec<PathBuf> = paths.iter().filter_map(|p| absolute(p)).collect();
        let here = absolute(Path::new("."));
        self.paths
            .iter()
            .filter(|changed| !changed.exists() && is_yaml(changed))
            .filter(|changed| looked.iter().any(|dir| changed.parent() == Some(dir.as_path())))
            .map(|changed| match here.as_deref().and_then(|here| changed.strip_prefix(here).ok()) {
                Some(relative) => relative.to_path_buf(),
                None => changed.clone(),
            })
            .collect()
    }
}

/// The paths changed between where HEAD left `revision` (their merge base) and the working
/// tree, new untracked files included: what a pull request or a local edit changes.
fn changed_since(revision: &str) -> Result<Changed, Error> {
    let root = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?.trim());
    let root = root.canonicalize().unwrap_or(root);
    let base = git(&["merge-base", revision, "HEAD"]).map_err(|e| {
        Error::Usage(format!(
            "{e}\n  hint: `--changed-since` needs `{revision}` in this clone; in CI fetch the history (e.g. `fetch-depth: 0`)"
        ))
    })?;
    let changed = git(&["diff", "--name-only", "-z", "--no-renames", base.trim()])?;
    let untracked = git(&["ls-files", "--others", "--exclude-standard", "-z", "--full-name", ":/"])?;
    let paths = changed.split('\0').chain(untracked.split('\0')).filter(|p| !p.is_empty()).map(|p| root.join(p));
    Ok(Changed { paths: paths.collect() })
}

/// Runs git in the current directory; its output, or what it said as a usage error.
fn git(args: &[&str]) -> Result<String, Error> {
    let output = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| Error::Usage(format!("`--changed-since` runs git, which did not start: {e}")))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        return Err(Error::Usage(format!("`git {}` failed: {}", args.join(" "), said.trim())));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| Error::Usage(format!("`git {}` wrote paths that are not UTF-8", args.join(" "))))
}

/// `path` made absolute and resolved, to compare with git's paths under its resolved root; a
/// path that no longer exists is resolved through its parent.
fn absolute(path: &Path) -> Option<PathBuf> {
    if let Ok(resolved) = path.canonicalize() {
        return Some(resolved);
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Some(parent.canonicalize().ok()?.join(path.file_name()?))
}

/// Files as given, and the `*.yaml`/`*.yml` files of directories, sorted; each path once.
pub fn blueprint_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = fs_err::read_dir(path)?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|p| p.is_file() && is_yaml(p))
                .collect();
            if found.is_empty() {
                return Err(Error::Usage(format!("no `*.yaml` or `*.yml` files in `{}`", path.display())));
            }
            found.sort();
            files.extend(found);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(Error::Usage(format!("`{}` does not exist", path.display())));
        }
    }
    // The same blueprint given twice (a directory and a file in it) is planned once.
    let mut seen = std::collections::HashSet::new();
    files.retain(|file| seen.insert(file.canonicalize().unwrap_or_else(|_| file.clone())));
    Ok(files)
}

fn is_yaml(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}
