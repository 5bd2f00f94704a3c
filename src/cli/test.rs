//! `pipe test`: synthetic records through a deployed pipeline, followed to every component pipe
//! can observe. Exit 0 when every directly observable hop saw them, 3 when one did not, 1 on error.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::backend::probe::{self, HopReport, Report, Verdict};
use crate::style::{Style, paint};

use super::live::{self, TargetArgs};
use super::status::{StatusFormat, write_view};
use super::{Error, Outcome, VarArgs};

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The blueprint of the deployed pipeline.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    vars: VarArgs,
    #[command(flatten)]
    target: TargetArgs,
    /// How many records to write.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=500))]
    records: u32,
    /// Wait at most this many seconds for the records to arrive [default: what the pipeline's
    /// buffers need: the longest Firehose interval and a minute].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(0..=3600))]
    wait: Option<u64>,
    /// Seconds between looks.
    #[arg(long, value_name = "SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=300))]
    poll: u64,
    /// Leave the objects holding only test records in place.
    #[arg(long)]
    keep: bool,
    /// `text` for people, `json` for scripts (versioned), `markdown` for a pull request or a ticket.
    #[arg(long, value_enum, default_value = "text")]
    output: StatusFormat,
}

pub fn run(args: &TestArgs) -> Result<Outcome, Error> {
    let Some(compiled) = live::compile(&args.file, &args.vars)? else { return Ok(Outcome::Invalid) };
    let options = probe::Options {
        records: args.records,
        timeout: args.wait.map(Duration::from_secs),
        poll: Duration::from_secs(args.poll),
        keep: args.keep,
    };
    let runtime = live::runtime()?;
    let report = runtime.block_on(async {
        let deployment = args.target.connect(&compiled).await?;
        Ok::<_, Error>(probe::run(&deployment, &compiled.pipeline, &options).await?)
    })?;
    write_view(args.output, &report, text, markdown)?;
    Ok(if report.passed() { Outcome::Success } else { Outcome::Unhealthy })
}

fn verdict(h: &HopReport) -> &'static str {
    match h.verdict {
        Verdict::Seen => "seen",
        Verdict::NotSeen => "not seen",
        Verdict::NotObservable => "not observable",
        Verdict::NotChecked => "not checked",
    }
}

fn style(h: &HopReport) -> Style {
    match (h.verdict, &h.after_code) {
        (Verdict::Seen, _) => Style::Success,
        (Verdict::NotSeen, None) => Style::Error,
        _ => Style::Warning,
    }
}

fn heading(report: &Report) -> String {
    format!(
        "{} record(s) marked `{}: {}` written to {}",
        report.records,
        probe::MARKER_FIELD,
        report.marker,
        report.entries.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ")
    )
}

pub fn text(report: &Report, color: bool) -> String {
    let mut out = format!("Test of `{}` in {}: {}.\n\n", report.pipeline, report.region, heading(report));
    let width = report.hops.iter().map(|h| h.component.len()).max().unwrap_or(0);
    for h in &report.hops {
        let label = format!("{:<14}", verdict(h));
        let _ = writeln!(out, "{:<width$}  {}  {}", h.component, paint(&label, style(h), color), h.detail);
    }
    for why in &report.unwritable {
        let _ = writeln!(out, "\nNot written: {why}");
    }
    if !report.removed.is_empty() {
        let _ = writeln!(out, "\nRemoved what the test wrote:");
        for place in &report.removed {
            let _ = writeln!(out, "  {place}");
        }
    }
    if !report.kept.is_empty() {
        let _ = writeln!(out, "\nLeft in place:");
        for why in &report.kept {
            let _ = writeln!(out, "  {why}");
        }
    }
    let failed: Vec<&str> = report
        .hops
        .iter()
        .filter(|h| h.verdict == Verdict::NotSeen && h.after_code.is_none())
        .map(|h| h.component.as_str())
        .collect();
    let _ = if failed.is_empty() {
        writeln!(
            out,
            "\nPassed: every component pipe can observe directly received the records (waited {} s).",
            report.waited_seconds
        )
    } else {
        writeln!(out, "\nFailed: {} did not receive the records within {} s.", failed.join(", "), report.waited_seconds)
    };
    out
}

pub fn markdown(report: &Report) -> String {
    let mut out = format!("### Test of `{}` ({})\n\n{}.\n\n", report.pipeline, report.region, heading(report));
    out.push_str("| component | kind | verdict | detail |\n|---|---|---|---|\n");
    for h in &report.hops {
        let _ = writeln!(out, "| `{}` | {} | {} | {} |", h.component, h.kind, verdict(h), h.detail);
    }
    out
}
