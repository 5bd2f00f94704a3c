//! Hostile input: every case gets a clear error within 2 seconds and under 200 MB of RSS, measured
//! on the real binary (its peak RSS, read from /proc while it runs). These are safety bounds (no hang, no runaway memory), far
//! above the milliseconds and few MB such files take; speed figures live in `benches/`.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::pipe;

const TIME_BOUND: Duration = Duration::from_secs(2);
const RSS_BOUND_KIB: i64 = 200 * 1024;

struct Run {
    exit_code: Option<i32>,
    elapsed: Duration,
    max_rss_kib: i64,
    stderr: String,
}

fn run_validate(path: &Path) -> Run {
    let stderr_file = tempfile::NamedTempFile::new().expect("temp file");
    let start = Instant::now();
    let mut child = pipe()
        .arg("validate")
        .arg(path)
        .stdout(std::process::Stdio::null())
        .stderr(stderr_file.reopen().expect("reopen"))
        .spawn()
        .expect("spawn pipe");
    let status_file = format!("/proc/{}/status", child.id());
    let mut max_rss_kib = 0;
    let status = loop {
        // The child's own high-water mark, read while it runs: its rusage `ru_maxrss` would start
        // from this test process's (a spawned child shares its parent's memory until exec).
        if let Some(kib) = std::fs::read_to_string(&status_file).ok().as_deref().and_then(high_water_kib) {
            max_rss_kib = max_rss_kib.max(kib);
        }
        if let Some(status) = child.try_wait().expect("wait for pipe") {
            break status;
        }
        assert!(start.elapsed() < TIME_BOUND * 5, "pipe validate {} hung", path.display());
        std::thread::sleep(Duration::from_millis(1));
    };
    Run {
        exit_code: status.code(),
        elapsed: start.elapsed(),
        max_rss_kib,
        stderr: std::fs::read_to_string(stderr_file.path()).unwrap_or_default(),
    }
}

/// `VmHWM` (peak resident set size) of a `/proc/<pid>/status`, in KiB.
fn high_water_kib(status: &str) -> Option<i64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Writes `contents`, validates it, and checks the error, the exit code and the bounds.
fn assert_rejected(name: &str, contents: &[u8], rule: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(format!("{name}.yaml"));
    std::fs::File::create(&path).and_then(|mut f| f.write_all(contents)).expect("write");
    let run = run_validate(&path);
    assert_eq!(run.exit_code, Some(1), "{name}: exit code\n{}", run.stderr);
    assert!(run.stderr.contains(&format!("error[{rule}]")), "{name}: expected {rule}\n{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{name}: panic\n{}", run.stderr);
    assert!(run.elapsed < TIME_BOUND, "{name}: took {:?}", run.elapsed);
    assert!(run.max_rss_kib < RSS_BOUND_KIB, "{name}: peak RSS {} KiB", run.max_rss_kib);
}

#[test]
fn alias_expansion_bomb() {
    let mut yaml = String::from("version: 1\nname: bomb\na: &a [x, x, x, x, x, x, x, x, x]\n");
    let mut previous = 'a';
    for level in 'b'..='j' {
        let refs = vec![format!("*{previous}"); 9].join(", ");
        yaml.push_str(&format!("{level}: &{level} [{refs}]\n"));
        previous = level;
    }
    assert_rejected("alias-bomb", yaml.as_bytes(), "yaml::too-many-nodes");
}

#[test]
fn ten_thousand_deep_flow_nesting() {
    let yaml = format!("version: 1\nname: deep\nsource: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    assert_rejected("deep-seq", yaml.as_bytes(), "yaml::too-deep");
}

#[test]
fn ten_thousand_deep_mapping_nesting() {
    let yaml = format!("version: 1\nname: deep\ntags: {}x{}\n", "{a: ".repeat(10_000), "}".repeat(10_000));
    assert_rejected("deep-map", yaml.as_bytes(), "yaml::too-deep");
}

#[test]
fn fifty_megabyte_file() {
    let mut yaml = b"version: 1\nname: huge\n".to_vec();
    let line = b"# padding padding padding padding padding padding padding padding\n";
    while yaml.len() < 50 * 1024 * 1024 {
        yaml.extend_from_slice(line);
    }
    assert_rejected("huge", &yaml, "yaml::file-too-large");
}

#[test]
fn invalid_utf8() {
    assert_rejected("latin1", b"version: 1\nname: caf\xe9\n", "yaml::not-utf8");
}

#[test]
fn duplicate_keys() {
    assert_rejected("dup", b"version: 1\nname: a\nname: b\n", "yaml::duplicate-key");
}

#[test]
fn custom_tags() {
    assert_rejected("tag", b"version: 1\nname: !Ref PipelineName\n", "yaml::tag");
    assert_rejected("python-tag", b"version: 1\nname: !!python/object:os.system [echo]\n", "yaml::tag");
}

#[test]
fn a_hundred_thousand_keys() {
    let mut yaml = String::from("version: 1\nname: wide\ntags:\n");
    for i in 0..120_000 {
        yaml.push_str(&format!(" k{i}: v\n"));
    }
    assert!(yaml.len() < 1024 * 1024 * 2);
    let bytes = &yaml.as_bytes()[..yaml.len().min(1024 * 1024 - 1)];
    let cut = bytes.iter().rposition(|&b| b == b'\n').map_or(bytes, |i| &bytes[..=i]);
    assert_rejected("wide", cut, "yaml::too-many-nodes");
}

#[test]
fn template_that_never_ends() {
    let yaml = "version: 1\nname: loop\ntags:\n  x: \"{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}\"\n";
    assert_rejected("loop", yaml.as_bytes(), "template::render");
}

#[test]
fn template_that_recurses() {
    let yaml = "version: 1\nname: recurse\ntags:\n  x: \"{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}\"\n";
    assert_rejected("recurse", yaml.as_bytes(), "template::render");
}

#[test]
fn binary_garbage() {
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("garbage.yaml");
    std::fs::write(&path, &garbage).expect("write");
    let run = run_validate(&path);
    assert_eq!(run.exit_code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("error["), "{}", run.stderr);
    assert!(run.elapsed < TIME_BOUND && run.max_rss_kib < RSS_BOUND_KIB);
}
