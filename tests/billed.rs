//! Every billed dimension of every resource pipe renders, walked: each rendered type has an entry
//! in `cost/billed.rs`, each property the model sets there (top level, and the nested ones the
//! table names) is either what a dimension is billed on or named as changing nothing on the bill,
//! and the estimator prices exactly the table's dimensions and names exactly its "not priced"
//! ones, over every pipeline the needs walk covers. The table is a reviewed snapshot.

use std::collections::{BTreeMap, BTreeSet};

use pipe::cost::billed::{self, Billing, Unbilled};
use pipe::cost::prices::{self, PriceBook};
use pipe::cost::{Priced, estimate};
use serde_json::Value;

use crate::needs::pipelines;
use crate::replacement::{sets, within};

/// Whether a table price id (a family when it ends in `:`) covers the price a line used.
fn covers(id: &str, used: &str) -> bool {
    id == used || (id.ends_with(':') && used.starts_with(id))
}

/// The table's paths with a dot, for the walk to look for beside the top-level properties.
fn nested_paths(entry: &billed::Billed) -> Vec<&'static str> {
    let unbilled = match entry.unbilled {
        Unbilled::These(paths) => paths,
        Unbilled::Whole(_) => &[],
    };
    entry.dimensions.iter().flat_map(|d| d.set_by.iter()).chain(unbilled).copied().filter(|p| p.contains('.')).collect()
}

/// What the table says of a property path of `entry`'s type, or `None` when it says nothing.
fn classify(entry: &billed::Billed, path: &str) -> Option<String> {
    let billed: Vec<&str> = entry
        .dimensions
        .iter()
        .filter(|d| d.set_by.iter().any(|p| within(path, p) || within(p, path)))
        .map(|d| d.what)
        .collect();
    if !billed.is_empty() {
        return Some(format!("bills {}", billed.join("; ")));
    }
    match entry.unbilled {
        Unbilled::Whole(_) => Some("not billed".into()),
        Unbilled::These(paths) => paths.iter().any(|p| within(path, p)).then(|| "not billed".into()),
    }
}

fn billing(billing: Billing, book: &PriceBook) -> String {
    match billing {
        Billing::Priced(id) if id.ends_with(':') => {
            let members: Vec<_> = prices::all(book).filter(|p| covers(id, &p.id)).collect();
            let per = members.first().map_or("", |p| p.per);
            format!("priced `{id}TYPE` per {per}, {} types in the table", members.len())
        }
        Billing::Priced(id) => {
            let price = prices::all(book).find(|p| p.id == id).expect("checked: the id is in the book");
            format!("priced `{id}`: ${} per {} ({}, {})", price.usd, price.per, price.source, price.as_of)
        }
        Billing::NotPriced(_, reason) => format!("not priced: {reason}"),
        Billing::Elsewhere(on) => format!("billed elsewhere: {on}"),
        Billing::Free(why) => format!("no charge: {why}"),
    }
}

#[test]
fn every_billed_dimension_of_every_rendered_resource_is_priced_or_named() {
    let book = PriceBook::standard();
    // type → property paths the model sets; (type, price id) the estimator used.
    let mut set: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    let mut used: BTreeSet<(&'static str, String)> = BTreeSet::new();
    let mut unpriced: BTreeSet<(&'static str, String)> = BTreeSet::new();
    for (label, pipeline, _) in pipelines() {
        let label = label.lines().next().unwrap_or_default().to_string();
        for resource in pipeline.resources.values() {
            let entry = billed::of(resource.cfn_type).unwrap_or_else(|| {
                panic!("{} is rendered ({label}) but src/cost/billed.rs has no entry for it", resource.cfn_type)
            });
            let properties = Value::Object(resource.properties.clone());
            let paths = set.entry(resource.cfn_type).or_default();
            paths.extend(resource.properties.keys().cloned());
            paths.extend(nested_paths(entry).into_iter().filter(|p| sets(&properties, p)).map(str::to_string));
        }
        let estimate =
            estimate(&pipeline.name, Priced::all(&pipeline.resources), &pipeline.usage, &book, prices::REGION);
        let type_of = |logical_id: &str| pipeline.resources[logical_id].cfn_type;
        for line in estimate.components.iter().flat_map(|c| &c.lines) {
            let cfn_type = type_of(&line.resource);
            let entry = billed::of(cfn_type).expect("checked above");
            assert!(
                entry.dimensions.iter().any(|d| matches!(d.billing, Billing::Priced(id) if covers(id, &line.price))),
                "{label}: {} is priced at `{}`, which billed.rs does not list for {cfn_type}",
                line.resource,
                line.price
            );
            used.insert((cfn_type, line.price.clone()));
        }
        for skipped in &estimate.not_priced {
            let cfn_type = type_of(&skipped.resource);
            let entry = billed::of(cfn_type).expect("checked above");
            // A family's member the price table lacks (an instance type) is priced by `--prices`.
            let missing_member = skipped.reason.strip_prefix("no `").and_then(|r| r.split('`').next());
            let listed = entry.dimensions.iter().any(|d| match d.billing {
                Billing::NotPriced(_, reason) => reason == skipped.reason,
                Billing::Priced(id) => missing_member.is_some_and(|member| covers(id, member)),
                _ => false,
            });
            if missing_member.is_some() && listed {
                continue;
            }
            assert!(
                listed,
                "{label}: {} is not priced for a reason billed.rs does not give: {}",
                skipped.resource, skipped.reason
            );
            unpriced.insert((cfn_type, skipped.reason.clone()));
        }
    }

    let mut table = String::new();
    let mut unclassified = Vec::new();
    for (cfn_type, paths) in &set {
        let entry = billed::of(cfn_type).expect("checked above");
        table.push_str(&format!("{cfn_type}\n"));
        if let Unbilled::Whole(why) = entry.unbilled {
            table.push_str(&format!("  no charge: {why}\n"));
        }
        for dimension in entry.dimensions {
            table.push_str(&format!(
                "  {} [{}]: {}\n",
                dimension.what,
                dimension.unit,
                billing(dimension.billing, &book)
            ));
        }
        for path in paths {
            match classify(entry, path) {
                Some(verdict) => table.push_str(&format!("    {path}: {verdict}\n")),
                None => unclassified.push(format!("{cfn_type} {path}")),
            }
        }
    }
    assert!(
        unclassified.is_empty(),
        "properties the model renders that billed.rs neither bills nor names as free:\n{}",
        unclassified.join("\n")
    );

    let mut dead = Vec::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in billed::TABLE {
        let Some(paths) = set.get(entry.cfn_type) else {
            dead.push(format!("{}: the model never renders it", entry.cfn_type));
            continue;
        };
        if let Unbilled::These(free) = entry.unbilled {
            for path in free {
                if !paths.contains(*path) {
                    dead.push(format!("{} {path}: named free, never set", entry.cfn_type));
                }
                for dimension in entry.dimensions.iter().filter(|d| d.set_by.iter().any(|b| within(b, path))) {
                    dead.push(format!(
                        "{} {path}: named free, yet `{}` is billed inside it",
                        entry.cfn_type, dimension.what
                    ));
                }
            }
        }
        for dimension in entry.dimensions {
            for path in dimension.set_by {
                if !paths.iter().any(|p| within(p, path) || within(path, p)) {
                    dead.push(format!("{} {path}: `{}` is billed on it, never set", entry.cfn_type, dimension.what));
                }
            }
            let kind = match dimension.billing {
                Billing::Priced(id) => {
                    assert!(prices::all(&book).any(|p| covers(id, &p.id)), "`{id}` is not in the price table");
                    if !used.iter().any(|(t, price)| *t == entry.cfn_type && covers(id, price)) {
                        dead.push(format!("{}: `{id}` is never priced by any pipeline walked", entry.cfn_type));
                    }
                    "priced"
                }
                Billing::NotPriced(_, reason) => {
                    if !unpriced.iter().any(|(t, r)| *t == entry.cfn_type && r == reason) {
                        dead.push(format!("{}: \"{reason}\" is never said by any pipeline walked", entry.cfn_type));
                    }
                    "not priced"
                }
                Billing::Elsewhere(_) => "billed elsewhere",
                Billing::Free(_) => "no charge",
            };
            *counts.entry(kind).or_default() += 1;
        }
    }
    assert!(dead.is_empty(), "billed.rs entries no pipeline walked reaches:\n{}", dead.join("\n"));
    println!(
        "billed dimensions: {} types, {} properties, {} dimensions ({})",
        set.len(),
        set.values().map(BTreeSet::len).sum::<usize>(),
        counts.values().sum::<usize>(),
        counts.iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", ")
    );
    insta::assert_snapshot!(table);
}
