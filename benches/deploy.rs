//! Wall time of `pipe plan` and `pipe apply` for the shipped scenarios against a local moto
//! server (the SDK target for all five; the CloudFormation target for internet-offering, the one
//! scenario moto's CloudFormation creates), straight and through a proxy that adds latency to
//! every call, beside the sum of the per-call latencies the proxy added (what the run would take
//! if it made its calls one by one). Prints figures; asserts nothing about time. Run with
//! `cargo bench --bench deploy` (needs the venv `tools/install-scanners` makes;
//! PIPE_SCANNERS_BIN points at it, else the default path).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../tests/support/endpoint.rs"]
mod endpoint;

use endpoint::Endpoint;

const LATENCY_MS: u64 = 40;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = std::env::var_os("PIPE_SCANNERS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/pipe-scanners/bin"));
    let Endpoint { port: direct, proxy, mut server } =
        Endpoint::start(&bin.join("python"), root, &["--proxy-latency-ms", &LATENCY_MS.to_string()]);

    println!(
        "{:<18} {:<15} {:<18} {:>8} {:>14} {:>8} {:>14} {:>11}",
        "scenario", "target", "endpoint", "plan", "(Σ latency)", "apply", "(Σ latency)", "plan again"
    );
    let runs = pipe::scenarios::all()
        .iter()
        .map(|s| (s.name, "sdk"))
        .chain([("internet-offering", "cloudformation")])
        .collect::<Vec<_>>();
    for (name, target) in runs {
        for (label, port, proxied) in [("direct", direct, false), ("proxy, 40 ms/call", proxy, true)] {
            let region = if proxied { "eu-west-1" } else { "us-east-1" };
            let blueprint = root.join("blueprints").join(format!("{name}.yaml"));
            let pipe = |args: &[&str]| -> (Duration, bool) {
                let start = Instant::now();
                let status = Command::new(env!("CARGO_BIN_EXE_pipe"))
                    .args(args)
                    .args(["--target", target])
                    .arg(&blueprint)
                    .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
                    .env("AWS_ACCESS_KEY_ID", "bench")
                    .env("AWS_SECRET_ACCESS_KEY", "bench")
                    .env("AWS_REGION", region)
                    .env("AWS_CONFIG_FILE", "/nonexistent")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .expect("pipe runs");
                (start.elapsed(), status.success())
            };
            let before = calls(proxy);
            let (plan, planned) = pipe(&["plan"]);
            let planned_calls = calls(proxy);
            let (apply, applied) = pipe(&["apply", "--yes"]);
            let applied_calls = calls(proxy);
            let (again, _) = pipe(&["plan"]);
            pipe(&["destroy", "--yes", "--allow-data-loss"]);
            if !(planned && applied) {
                println!("{name:<18} {target:<15} {label:<18} could not deploy it");
                break;
            }
            let added = |calls: u64| {
                if proxied {
                    format!("{calls} × 40 ms = {:.1} s", (calls * LATENCY_MS) as f64 / 1000.0)
                } else {
                    "-".into()
                }
            };
            println!(
                "{name:<18} {target:<15} {label:<18} {:>8} {:>14} {:>8} {:>14} {:>11}",
                secs(plan),
                added(planned_calls - before),
                secs(apply),
                added(applied_calls - planned_calls),
                secs(again)
            );
        }
    }
    drop(server.stdin.take());
    let _ = server.wait();
}

/// Calls the proxy has passed on so far (plan and apply together, for the latency column).
fn calls(port: u16) -> u64 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("proxy");
    write!(stream, "GET /__proxy__/calls HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").expect("ask");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    answer.rsplit("\r\n\r\n").next().and_then(|body| body.trim().parse().ok()).expect("a count")
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}
