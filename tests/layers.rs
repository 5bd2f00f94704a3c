//! The layers `src/lib.rs` lists, lowest first, hold for every import of the library: no module
//! refers (`crate::…`, or `super::…` within a module tree) to one in a higher layer. Test code
//! (`#[cfg(test)]` onwards) may reach anywhere and is not checked.

use std::path::Path;

/// Each unit (a module path such as `blueprint::rules`) with its layer, as `src/lib.rs` lists
/// it: the names before the first colon of each numbered item.
fn layers(lib: &str) -> Vec<(String, usize)> {
    let mut items: Vec<(usize, String)> = Vec::new();
    for line in lib.lines().map_while(|l| l.strip_prefix("//!")) {
        let text = line.trim_start();
        let numbered = text.split_once(". ").and_then(|(n, rest)| Some((n.parse::<usize>().ok()?, rest)));
        match (numbered, items.last_mut()) {
            (Some((layer, rest)), _) => items.push((layer, rest.to_string())),
            (None, Some((_, item))) if line.starts_with("    ") => {
                item.push(' ');
                item.push_str(text);
            }
            _ => {}
        }
    }
    let mut units = Vec::new();
    for (layer, text) in items {
        let names = text.split_once(": ").map_or(text.as_str(), |(names, _)| names);
        units.extend(names.split('`').skip(1).step_by(2).map(|unit| (unit.to_string(), layer)));
    }
    units
}

/// The layer of module path `path` (`blueprint::rules::kinesis`): its longest listed prefix.
fn layer_of(units: &[(String, usize)], path: &[String]) -> Option<(String, usize)> {
    (1..=path.len()).rev().find_map(|n| {
        let prefix = path[..n].join("::");
        units.iter().find(|(unit, _)| *unit == prefix).cloned()
    })
}

/// The module path of a file under `src/`: `blueprint/rules/mod.rs` is `blueprint::rules`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().to_string()).collect();
    let file = parts.pop().unwrap_or_default();
    let stem = file.trim_end_matches(".rs");
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    parts
}

/// The path written at the start of `text`: identifiers joined by `::`.
fn path_at(mut text: &str) -> Vec<String> {
    let mut path = Vec::new();
    loop {
        let ident: String = text.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if ident.is_empty() {
            return path;
        }
        text = &text[ident.len()..];
        path.push(ident);
        match text.strip_prefix("::") {
            Some(rest) => text = rest,
            None => return path,
        }
    }
}

/// The module paths a file's code refers to: `crate::a::b…` as written, `super::…` resolved
/// from the file's own module.
fn references(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = code.match_indices("crate::").map(|(at, _)| path_at(&code[at + 7..])).collect();
    for (at, _) in code.match_indices("super::") {
        if code[..at].ends_with("super::") || code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let mut rest = &code[at..];
        let mut base: Vec<String> = module.to_vec();
        while let Some(after) = rest.strip_prefix("super::") {
            base.pop();
            rest = after;
        }
        base.extend(path_at(rest));
        out.push(base);
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_from_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let units = layers(&std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs"));
    assert!(units.len() >= 14, "the layer list in src/lib.rs reads as {units:?}");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut upward = Vec::new();
    let mut unplaced = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src").to_path_buf();
        if matches!(relative.to_str(), Some("lib.rs" | "main.rs")) {
            continue;
        }
        let module = module_of(&relative);
        let Some((unit, layer)) = layer_of(&units, &module) else {
            unplaced.push(relative.display().to_string());
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("readable");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for reference in references(code, &module) {
            if let Some((target, target_layer)) = layer_of(&units, &reference)
                && target_layer > layer
            {
                upward.push(format!(
                    "{} ({unit}, layer {layer}) uses {} ({target}, layer {target_layer})",
                    relative.display(),
                    reference.join("::")
                ));
            }
        }
    }
    upward.sort();
    upward.dedup();
    assert!(unplaced.is_empty(), "modules src/lib.rs places in no layer: {unplaced:?}");
    assert!(upward.is_empty(), "imports from a higher layer:\n  {}", upward.join("\n  "));
}

#[test]
fn the_layer_list_is_read_as_written() {
    let lib = "//! Intro.\n//!\n//! 1. `a`, `b`: first, unlike `c`.\n//!    more on `d`.\n//! 2. `e::f`,\n//!    `g`: second.\n";
    assert_eq!(
        layers(lib),
        [("a".to_string(), 1), ("b".to_string(), 1), ("e::f".to_string(), 2), ("g".to_string(), 2)]
    );
    let units = layers(lib);
    let path = |p: &str| p.split("::").map(str::to_string).collect::<Vec<_>>();
    assert_eq!(layer_of(&units, &path("e::f::x")), Some(("e::f".to_string(), 2)));
    assert_eq!(layer_of(&units, &path("e::h")), None);
    let module = path("a::x");
    assert_eq!(references("use super::y::Z; crate::g::w()", &module), [path("g::w"), path("a::y::Z")]);
}
