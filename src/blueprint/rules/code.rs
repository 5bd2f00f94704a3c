//! Files a component ships (handler code, scripts, DDL) stay inside the blueprint's directory.

use std::path::{Component as PathPart, Path};

use crate::diagnostic::{Diagnostic, Rule, Severity};

use super::Context;

pub static OUTSIDE: Rule = Rule {
    id: "code::outside-blueprint",
    severity: Severity::Error,
    summary: "code paths are relative and stay inside the blueprint's directory",
};
pub static MISSING: Rule =
    Rule { id: "code::missing", severity: Severity::Error, summary: "code paths name files or directories that exist" };

pub static RULES: &[&Rule] = &[&OUTSIDE, &MISSING];

pub fn check(cx: &mut Context) {
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        for (field, relative) in placed.component.code_paths() {
            let path = placed.field(&field);
            if let Some(problem) = escapes(relative) {
                found.push(
                    Diagnostic::new(&OUTSIDE, format!("`{relative}` {problem}"))
                        .at(path)
                        .hint("keep code next to the blueprint, e.g. `my-pipeline/handler/`, so the blueprint and its code move together"),
                );
                continue;
            }
            let full = cx.base_dir.join(relative);
            match (full.canonicalize(), cx.base_dir.canonicalize()) {
                (Ok(target), Ok(base)) if !target.starts_with(&base) => found.push(
                    Diagnostic::new(&OUTSIDE, format!("`{relative}` resolves outside the blueprint's directory"))
                        .at(path)
                        .hint("a symbolic link leads out of the blueprint's directory; copy the code in instead"),
                ),
                (Ok(_), Ok(_)) => {}
                _ => found.push(
                    Diagnostic::new(&MISSING, format!("`{relative}` does not exist"))
                        .at(path)
                        .hint(format!("paths are relative to the blueprint's directory, `{}`", cx.base_dir.display())),
                ),
            }
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

/// Why a path written in a blueprint leaves its directory, if it does.
fn escapes(relative: &str) -> Option<&'static str> {
    let path = Path::new(relative);
    if relative.is_empty() {
        return Some("is empty");
    }
    if path.is_absolute() || relative.starts_with('/') || relative.starts_with('\\') {
        return Some("is an absolute path");
    }
    if path.components().any(|part| part == PathPart::ParentDir) {
        return Some("climbs out with `..`");
    }
    None
}
