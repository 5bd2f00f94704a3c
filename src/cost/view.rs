//! The estimate's views: text for people, markdown for a pull request, JSON for scripts.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::prices::{HOURS_PER_MONTH, REGION};
use super::{Estimate, Line};
use crate::capacity::{thousands, usd};

fn quantity(value: f64) -> String {
    if value >= 100.0 {
        thousands(value)
    } else if value >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.4}")
    }
}

fn arithmetic(line: &Line) -> String {
    // A unit that is itself a count ("100,000 deliveries") reads as a multiple of it.
    let times = if line.unit.starts_with(|c: char| c.is_ascii_digit()) { "× " } else { "" };
    format!("{} {times}{} × ${}", quantity(line.quantity), line.unit, line.usd_per_unit)
}

fn heading(estimate: &Estimate) -> String {
    let region = if estimate.region_estimated {
        format!("{} (an estimate: the prices are {REGION}'s)", estimate.region)
    } else {
        estimate.region.clone()
    };
    format!(
        "Monthly cost of `{}` in {region}, USD, {HOURS_PER_MONTH} h a month, at the declared throughput",
        estimate.pipeline
    )
}

/// Each price the estimate used, once: id → (price, per, source, date).
fn prices_used(estimate: &Estimate) -> BTreeMap<&str, &Line> {
    estimate.components.iter().flat_map(|c| &c.lines).map(|l| (l.price.as_str(), l)).collect()
}

pub fn text(estimate: &Estimate) -> String {
    let mut out = format!("{}:\n", heading(estimate));
    let width = estimate.components.iter().flat_map(|c| &c.lines).map(|l| l.item.chars().count()).max().unwrap_or(0);
    for component in &estimate.components {
        let _ = writeln!(out, "\n{}  {}", component.component, usd(component.monthly_usd));
        for line in &component.lines {
            let _ = writeln!(out, "  {:<width$}  {:>12}  = {}", line.item, usd(line.monthly_usd), arithmetic(line));
        }
        for assumption in &component.assumes {
            let _ = writeln!(out, "  assumes {assumption}");
        }
    }
    let _ = writeln!(out, "\nTotal  {} a month", usd(estimate.monthly_usd));
    if !estimate.not_priced.is_empty() {
        let _ = writeln!(out, "\nNot priced:");
        for skipped in &estimate.not_priced {
            let _ = writeln!(out, "  {} ({}): {}", skipped.component, skipped.resource, skipped.reason);
        }
    }
    let _ = writeln!(out, "\nPrices:");
    for (id, line) in prices_used(estimate) {
        let _ = writeln!(out, "  {id}  ${} per {}  {} ({})", line.usd_per_unit, line.per, line.source, line.as_of);
    }
    out
}

pub fn markdown(estimate: &Estimate) -> String {
    let mut out = format!("### {}\n\n", heading(estimate));
    out.push_str("| component | item | quantity × price | monthly |\n|---|---|---|---:|\n");
    for component in &estimate.components {
        for line in &component.lines {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                component.component,
                line.item,
                arithmetic(line),
                usd(line.monthly_usd)
            );
        }
        let _ = writeln!(out, "| **{}** | | | **{}** |", component.component, usd(component.monthly_usd));
        for assumption in &component.assumes {
            let _ = writeln!(out, "| | assumes {assumption} | | |");
        }
    }
    let _ = writeln!(out, "| **total** | | | **{}** |", usd(estimate.monthly_usd));
    if !estimate.not_priced.is_empty() {
        out.push_str("\nNot priced:\n\n");
        for skipped in &estimate.not_priced {
            let _ = writeln!(out, "- `{}` ({}): {}", skipped.component, skipped.resource, skipped.reason);
        }
    }
    out.push_str(
        "\n<details><summary>Prices</summary>\n\n| price | USD | per | source | as of |\n|---|---:|---|---|---|\n",
    );
    for (id, line) in prices_used(estimate) {
        let _ = writeln!(out, "| `{id}` | {} | {} | {} | {} |", line.usd_per_unit, line.per, line.source, line.as_of);
    }
    out.push_str("\n</details>\n");
    out
}

pub fn json(estimate: &Estimate) -> String {
    serde_json::to_string_pretty(estimate).expect("estimates serialise") + "\n"
}
