//! Speed of validating and of rendering: the five shipped blueprints, and a generated directory of
//! 200 blueprints. Prints figures; asserts nothing about time. Run with `cargo bench --bench pipeline`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pipe::blueprint::{self, vars::Vars};
use pipe::render::{Format, render};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("blueprints");
    let shipped: Vec<PathBuf> = pipe::scenarios::all().iter().map(|s| root.join(format!("{}.yaml", s.name))).collect();
    let vars = Vars::default();

    let dir = tempfile::tempdir().expect("temp dir");
    let generated = generate(dir.path(), 200);
    for (what, work) in [("validate", validate_all as fn(&[PathBuf], &Vars)), ("validate + render", render_all)] {
        let per_run = time(20, || work(&shipped, &vars));
        println!("{what}, 5 shipped blueprints: {:.2} ms per run (mean of 20)", per_run.as_secs_f64() * 1e3);
        let per_run = time(5, || work(&generated, &vars));
        println!(
            "{what}, 200 generated blueprints: {:.1} ms per run (mean of 5), {:.3} ms per blueprint",
            per_run.as_secs_f64() * 1e3,
            per_run.as_secs_f64() * 1e3 / 200.0
        );
    }
    if let Some(peak) = peak_rss_kib() {
        println!("peak RSS: {:.1} MiB", peak as f64 / 1024.0);
    }
}

fn validate_all(files: &[PathBuf], vars: &Vars) {
    for file in files {
        let loaded = blueprint::load(file, vars).expect("readable");
        assert!(loaded.is_valid(), "{} is invalid", file.display());
    }
}

fn render_all(files: &[PathBuf], vars: &Vars) {
    for file in files {
        let loaded = blueprint::load(file, vars).expect("readable");
        let blueprint = loaded.blueprint.expect("valid");
        let pipeline = pipe::model::compile(&blueprint, blueprint::base_dir(file)).expect("code readable");
        let rendered = render(&pipeline, Format::Yaml).expect("within limits");
        assert!(!rendered.text.is_empty());
    }
}

fn time(runs: u32, mut f: impl FnMut()) -> Duration {
    f(); // warm the page cache
    let start = Instant::now();
    for _ in 0..runs {
        f();
    }
    start.elapsed() / runs
}

/// `count` valid blueprints: the shipped scenarios under distinct names, with their code.
fn generate(dir: &Path, count: usize) -> Vec<PathBuf> {
    let scenarios = pipe::scenarios::all();
    for scenario in &scenarios {
        for (relative, contents) in scenario.code_files() {
            let target = dir.join(relative);
            std::fs::create_dir_all(target.parent().expect("has a parent")).expect("mkdir");
            std::fs::write(target, contents).expect("write");
        }
    }
    (0..count)
        .map(|i| {
            let scenario = &scenarios[i % scenarios.len()];
            let renamed = scenario.blueprint.replacen(&format!("name: {}", scenario.name), &format!("name: p{i}"), 1);
            let path = dir.join(format!("p{i:03}.yaml"));
            std::fs::write(&path, renamed).expect("write");
            path
        })
        .collect()
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
