//! The local AWS endpoint (`tools/moto-server`), started and its ports read: one launcher for
//! the tests and the benchmarks (which include this file).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running endpoint: moto's server and the proxy in front of the same backends.
pub struct Endpoint {
    pub port: u16,
    pub proxy: u16,
    /// The server reads its stdin until EOF: it stops when this is dropped or the process ends,
    /// however it ends. The benchmark stops it early; the tests only hold it.
    #[allow(dead_code)]
    pub server: Child,
}

impl Endpoint {
    /// Starts `tools/moto-server` of the repository at `root` with the venv's `python`; `args`
    /// must ask for the proxy (`--proxy-latency-ms`).
    pub fn start(python: &Path, root: &Path, args: &[&str]) -> Endpoint {
        let mut server = Command::new(python)
            .arg(root.join("tools/moto-server"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tools/moto-server (tools/install-scanners makes its venv)");
        let mut lines = BufReader::new(server.stdout.take().expect("piped")).lines();
        let mut port = |label: &str| -> u16 {
            let line = lines.next().expect("moto-server prints its ports").expect("readable");
            line.strip_prefix(label).and_then(|p| p.trim().parse().ok()).expect("`port N` then `proxy N`")
        };
        let (port, proxy) = (port("port "), port("proxy "));
        Endpoint { port, proxy, server }
    }
}
