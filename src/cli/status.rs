//! `pipe status`: per component, whether it is all there, its alarms' states and the latest
//! value of each metric they watch against its threshold. Exit 0 healthy, 3 not, 1 on error.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::backend::status::{self, ComponentStatus, Reading, Status};
use crate::capacity::thousands;
use crate::style::{Style, paint};

use super::live::{self, TargetArgs};
use super::{Error, Outcome, VarArgs, color_stdout};

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The blueprint of the deployed pipeline.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    vars: VarArgs,
    #[command(flatten)]
    target: TargetArgs,
    /// How many of the last minutes of metrics to read.
    #[arg(long, value_name = "MINUTES", default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..=1440))]
    minutes: u32,
    /// `text` for people, `json` for scripts (versioned), `markdown` for a pull request or a ticket.
    #[arg(long, value_enum, default_value = "text")]
    output: StatusFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    Text,
    Json,
    Markdown,
}

pub fn run(args: &StatusArgs) -> Result<Outcome, Error> {
    let Some(compiled) = live::compile(&args.file, &args.vars)? else { return Ok(Outcome::Invalid) };
    let runtime = live::runtime()?;
    let status = runtime.block_on(async {
        let deployment = args.target.connect(&compiled).await?;
        Ok::<_, Error>(status::read(&deployment, &compiled.pipeline, args.minutes).await?)
    })?;
    write_view(args.output, &status, text, markdown)?;
    Ok(if status.healthy() { Outcome::Success } else { Outcome::Unhealthy })
}

/// Writes a report of a deployed pipeline (`status`, `test`) to stdout in the format asked: its
/// versioned JSON, text (in colour on a terminal) or markdown.
pub(super) fn write_view<T: serde::Serialize>(
    format: StatusFormat,
    report: &T,
    text: fn(&T, bool) -> String,
    markdown: fn(&T) -> String,
) -> Result<(), Error> {
    let mut stdout = std::io::stdout();
    match format {
        StatusFormat::Json => writeln!(stdout, "{}", serde_json::to_string_pretty(report).expect("serialises"))?,
        StatusFormat::Text => write!(stdout, "{}", text(report, color_stdout()))?,
        StatusFormat::Markdown => write!(stdout, "{}", markdown(report))?,
    }
    Ok(())
}

/// `12,345` or `0.25`: a metric's value as people read it.
fn figure(value: f64) -> String {
    if value.fract() == 0.0 || value.abs() >= 100.0 { thousands(value) } else { format!("{value:.2}") }
}

/// `errors 75 > 60 ALARM`, `iterator-age no data < ...`.
fn reading(r: &Reading) -> String {
    let value = r.value.map_or("no data".to_string(), figure);
    let comparison = if r.above { ">" } else { "<" };
    let verdict = match (r.state.as_str(), r.breaching) {
        ("ALARM", _) => " ALARM",
        (_, true) => " past its threshold",
        ("MISSING", _) => " (alarm not deployed)",
        _ => "",
    };
    format!("{}: {} {value} (alarm {comparison} {}){verdict}", r.alarm, r.metric, figure(r.threshold))
}

/// `1,830 records/s of 2,000 declared · 46% of capacity`.
fn flowing(c: &ComponentStatus) -> Option<String> {
    let t = c.throughput.as_ref()?;
    let mut parts = vec![match t.per_second {
        Some(rate) => format!("{} {}/s", figure(rate), t.unit),
        None => format!("no {} in the window", t.unit),
    }];
    if let Some(declared) = t.declared_per_second {
        parts[0].push_str(&format!(" of {} declared", figure(declared)));
    }
    if let (Some(rate), Some(capacity)) = (t.per_second, t.capacity_per_second.filter(|c| *c > 0.0)) {
        parts.push(format!("{:.0}% of capacity", rate / capacity * 100.0));
    }
    Some(parts.join(" · "))
}

fn state(c: &ComponentStatus) -> String {
    match (c.missing.is_empty(), &c.state) {
        (false, _) => format!("MISSING {}", c.missing.join(", ")),
        (true, Some(state)) if c.stopped => format!("{state}: not moving records"),
        (true, Some(state)) => state.clone(),
        (true, None) => "deployed".into(),
    }
}

pub fn text(status: &Status, color: bool) -> String {
    let mut out = format!(
        "Status of `{}` in {}, metrics of the last {} minutes:\n\n",
        status.pipeline, status.region, status.minutes
    );
    let width = status.components.iter().map(|c| c.component.len()).max().unwrap_or(0);
    for c in &status.components {
        let style = if c.healthy() { Style::Success } else { Style::Error };
        let flow = flowing(c).map(|f| format!("  {f}")).unwrap_or_default();
        let _ = writeln!(out, "{}  {}{flow}", paint(&format!("{:<width$}", c.component), style, color), state(c));
        for r in &c.readings {
            let _ = writeln!(out, "  {:<width$}  {}", "", reading(r));
        }
    }
    let firing: Vec<&str> = status
        .components
        .iter()
        .flat_map(|c| &c.readings)
        .filter(|r| r.state == "ALARM" || r.breaching)
        .map(|r| r.alarm.as_str())
        .collect();
    let missing = status.components.iter().filter(|c| !c.missing.is_empty() || c.stopped).count();
    let _ = match (firing.len(), missing) {
        (0, 0) => writeln!(out, "\nHealthy: every component is deployed and no alarm fires."),
        (alarms, missing) => writeln!(
            out,
            "\nNot healthy: {alarms} alarm(s) firing or past their threshold{}, {missing} component(s) missing something or stopped.",
            if firing.is_empty() { String::new() } else { format!(" ({})", firing.join(", ")) }
        ),
    };
    out
}

pub fn markdown(status: &Status) -> String {
    let mut out =
        format!("### Status of `{}` ({}, last {} minutes)\n\n", status.pipeline, status.region, status.minutes);
    out.push_str("| component | state | flow | alarms |\n|---|---|---|---|\n");
    for c in &status.components {
        let readings: Vec<String> = c.readings.iter().map(reading).collect();
        let flow = flowing(c).unwrap_or_default();
        let _ = writeln!(out, "| `{}` | {} | {flow} | {} |", c.component, state(c), readings.join("<br>"));
    }
    out
}
