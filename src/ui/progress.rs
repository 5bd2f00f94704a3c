//! Progress of apply and destroy: a spinner per resource in flight on a terminal (indicatif),
//! plain timestamped lines elsewhere (CI logs, pipes), so logs stay readable.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::backend::Progress;

/// Picks bars on a terminal, lines otherwise.
pub fn for_stderr(terminal: bool) -> Box<dyn Progress> {
    if terminal { Box::new(Bars::new()) } else { Box::new(Lines) }
}

/// `12:04:31 SignupsStream: creating`, one line per event, on stderr.
pub struct Lines;

impl Lines {
    fn line(&self, text: &str) {
        let _ = writeln!(std::io::stderr(), "{} {text}", clock());
    }
}

impl Progress for Lines {
    fn started(&self, resource: &str, doing: &str) {
        self.line(&format!("{resource}: {doing}"));
    }

    fn finished(&self, resource: &str, done: &str, elapsed: Duration) {
        self.line(&format!("{resource}: {done} in {}", seconds(elapsed)));
    }

    fn failed(&self, resource: &str, error: &str) {
        self.line(&format!("{resource}: FAILED: {error}"));
    }
}

/// A spinner per resource in flight, replaced by a line when it ends; above them, when the total
/// is known, a bar of resources done.
pub struct Bars {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
    overall: Mutex<Option<ProgressBar>>,
}

impl Bars {
    fn new() -> Self {
        Bars { multi: MultiProgress::new(), bars: Mutex::new(HashMap::new()), overall: Mutex::new(None) }
    }

    fn end(&self, resource: &str, text: String) {
        if let Some(overall) = self.overall.lock().expect("progress lock").as_ref() {
            // A failed or rolled-back operation can report more resources than it planned.
            if overall.position() < overall.length().unwrap_or(0) {
                overall.inc(1);
            }
        }
        let bar = self.bars.lock().expect("progress lock").remove(resource);
        match bar {
            Some(bar) => bar.finish_with_message(text),
            None => {
                let _ = self.multi.println(text);
            }
        }
    }
}

impl Progress for Bars {
    fn expect(&self, total: usize) {
        let bar = self.multi.insert(0, ProgressBar::new(total as u64));
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} resources {elapsed}").expect("valid template"),
        );
        if let Some(previous) = self.overall.lock().expect("progress lock").replace(bar) {
            previous.finish_and_clear();
        }
    }

    fn started(&self, resource: &str, doing: &str) {
        let bar = self.multi.add(ProgressBar::new_spinner());
        bar.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template"));
        bar.set_message(format!("{resource}: {doing}"));
        bar.enable_steady_tick(Duration::from_millis(120));
        self.bars.lock().expect("progress lock").insert(resource.to_string(), bar);
    }

    fn finished(&self, resource: &str, done: &str, elapsed: Duration) {
        self.end(resource, format!("✓ {resource}: {done} in {}", seconds(elapsed)));
    }

    fn failed(&self, resource: &str, error: &str) {
        self.end(resource, format!("✗ {resource}: {error}"));
    }
}

impl Drop for Bars {
    /// The done / total bar goes once the run ends: the summary line after it says the rest.
    fn drop(&mut self) {
        if let Some(overall) = self.overall.lock().expect("progress lock").take() {
            overall.finish_and_clear();
        }
    }
}

pub fn seconds(elapsed: Duration) -> String {
    format!("{:.1} s", elapsed.as_secs_f64())
}

/// UTC time of day, `HH:MM:SS`: enough to line up with CI timestamps, no time-zone database.
fn clock() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) % 86_400;
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}
