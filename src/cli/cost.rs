//! `pipe cost`: a monthly estimate of a blueprint at its declared throughput.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::cost::prices::{self, PriceBook};
use crate::cost::{Estimate, Priced, estimate, view};

use super::{Error, Outcome, VarArgs};

#[derive(Debug, Args)]
pub struct CostArgs {
    /// The blueprint to price.
    #[arg(value_name = "FILE", required_unless_present = "list_prices")]
    file: Option<PathBuf>,
    #[command(flatten)]
    vars: VarArgs,
    /// `text` for people, `json` for scripts (versioned), `markdown` for a pull request.
    #[arg(long, value_enum, default_value = "text")]
    output: CostFormat,
    /// A YAML or JSON file of `price-id: USD` that replaces prices of the table or adds instance
    /// types (`opensearch.instance-hour:m6g.large.search: 0.128`).
    #[arg(long, value_name = "FILE")]
    prices: Option<PathBuf>,
    /// The region the pipeline runs in (else AWS_REGION, else us-east-1); prices are us-east-1's.
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// List the price table (id, USD, unit, source, date) and exit.
    #[arg(long)]
    list_prices: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CostFormat {
    Text,
    Json,
    Markdown,
}

pub fn run(args: &CostArgs) -> Result<Outcome, Error> {
    let book = price_book(args.prices.as_deref())?;
    let mut stdout = std::io::stdout();
    if args.list_prices {
        for price in prices::all(&book) {
            writeln!(stdout, "{}\t{}\t{}\t{} ({})", price.id, price.usd, price.per, price.source, price.as_of)?;
        }
        return Ok(Outcome::Success);
    }
    let file = args.file.as_deref().expect("clap requires FILE without --list-prices");
    let Some(compiled) = super::live::compile(file, &args.vars)? else { return Ok(Outcome::Invalid) };
    let pipeline = &compiled.pipeline;
    let estimate = estimate(
        &pipeline.name,
        Priced::all(&pipeline.resources),
        &pipeline.usage,
        &book,
        &region(args.region.as_deref()),
    );
    write!(stdout, "{}", show(&estimate, args.output))?;
    Ok(Outcome::Success)
}

pub fn show(estimate: &Estimate, format: CostFormat) -> String {
    match format {
        CostFormat::Text => view::text(estimate),
        CostFormat::Json => view::json(estimate),
        CostFormat::Markdown => view::markdown(estimate),
    }
}

/// The region an estimate is for: the flag, else the SDK's environment variables, else the table's.
pub fn region(flag: Option<&str>) -> String {
    flag.map(str::to_string)
        .or_else(|| std::env::var("AWS_REGION").ok())
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
        .unwrap_or_else(|| prices::REGION.to_string())
}

/// The price table with the overrides of `path`, dated by the file's modification day.
pub fn price_book(path: Option<&Path>) -> Result<PriceBook, Error> {
    let book = PriceBook::standard();
    let Some(path) = path else { return Ok(book) };
    let text = fs_err::read_to_string(path)?;
    let overrides: BTreeMap<String, f64> = serde_saphyr::from_str(&text)
        .map_err(|e| Error::Usage(format!("`{}`: expected `price-id: USD` lines: {e}", path.display())))?;
    book.with_overrides(&overrides, &format!("--prices {}", path.display()), "given")
        .map_err(|e| Error::Usage(format!("`{}`: {e}", path.display())))
}
