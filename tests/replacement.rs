//! Replacement, walked: for every resource type the model renders and every property it sets
//! there (each top-level property, and the nested ones a replacement list names), what each target
//! does when it changes: in place, replace (and on whose word), or replace under a condition.
//! Pipelines: every edge-contract and feature draft, the shipped and the test blueprints. The
//! table is a reviewed snapshot. A rendered type the create-only table lacks, or a reviewed or
//! provider entry for a property the model never sets, fails.

use std::collections::{BTreeMap, BTreeSet};

use pipe::backend::sdk;
use pipe::plan::create_only::CREATE_ONLY;
use pipe::plan::grow_only::GROW_ONLY;
use pipe::plan::replaced::{REPLACED, When};
use serde_json::Value;

use crate::needs::pipelines;

/// `a` is `b` or lies inside it (list items written `[]` or left out).
pub(crate) fn within(a: &str, b: &str) -> bool {
    let (a, b) = (a.replace("[]", ""), b.replace("[]", ""));
    a == b || a.strip_prefix(&b).is_some_and(|rest| rest.starts_with('.'))
}

/// Whether the properties set `path` (`A.B.C`, through lists).
pub(crate) fn sets(properties: &Value, path: &str) -> bool {
    let mut values = vec![properties];
    for segment in path.replace("[]", "").split('.') {
        values = values
            .into_iter()
            .flat_map(|v| match v {
                Value::Array(items) => items.iter().filter_map(|i| i.get(segment)).collect::<Vec<_>>(),
                other => other.get(segment).into_iter().collect(),
            })
            .collect();
    }
    !values.is_empty()
}

/// `/A/B` → `A.B`.
fn dotted(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

fn when(condition: When) -> &'static str {
    match condition {
        When::Changed => "replace (resource reference)",
        When::ChangedOnceSet => "replace once set (resource reference; setting it first is in place)",
        When::Removed => "replace when removed (resource reference)",
    }
}

/// What CloudFormation does when `path` of a `resource_type` changes, and what the SDK target does.
fn verdicts(resource_type: &str, path: &str) -> (String, String) {
    let create_only = CREATE_ONLY.iter().find(|(t, _)| *t == resource_type).map_or(&[][..], |(_, p)| *p);
    let reviewed: Vec<_> = REPLACED.iter().filter(|r| r.resource_type == resource_type).collect();
    let cloudformation = if create_only.iter().any(|p| within(path, p)) {
        "replace (registry schema)".to_string()
    } else if let Some(entry) = reviewed.iter().find(|r| within(path, r.path)) {
        when(entry.when).to_string()
    } else if GROW_ONLY.iter().any(|g| g.resource_type == resource_type && dotted(g.pointer) == path) {
        "in place, grows only (a smaller declared value is refused, a smaller `auto` one keeps the deployed)"
            .to_string()
    } else if create_only.iter().any(|p| within(p, path))
        || reviewed.iter().any(|r| within(r.path, path))
        || GROW_ONLY.iter().any(|g| g.resource_type == resource_type && within(&dotted(g.pointer), path))
    {
        "in place, but see the nested rows below".to_string()
    } else {
        "in place".to_string()
    };
    let sdk = if sdk::fixed(resource_type).iter().any(|p| within(path, p)) {
        "replace (its update call cannot change it)".to_string()
    } else {
        "as CloudFormation".to_string()
    };
    (cloudformation, sdk)
}

#[test]
fn every_property_the_model_sets_has_a_replacement_verdict() {
    // type → property paths the model sets.
    let mut set: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for (_, pipeline, _) in pipelines() {
        for resource in pipeline.resources.values() {
            let properties = Value::Object(resource.properties.clone());
            let paths = set.entry(resource.cfn_type).or_default();
            paths.extend(resource.properties.keys().cloned());
            let nested = CREATE_ONLY
                .iter()
                .filter(|(t, _)| *t == resource.cfn_type)
                .flat_map(|(_, p)| p.iter().copied())
                .map(str::to_string)
                .chain(REPLACED.iter().filter(|r| r.resource_type == resource.cfn_type).map(|r| r.path.to_string()))
                .chain(GROW_ONLY.iter().filter(|g| g.resource_type == resource.cfn_type).map(|g| dotted(g.pointer)));
            paths.extend(nested.filter(|p| p.contains('.') && sets(&properties, p)));
        }
    }
    let mut table = String::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (resource_type, paths) in &set {
        assert!(
            CREATE_ONLY.iter().any(|(t, _)| t == resource_type),
            "{resource_type} is rendered but has no create-only entry: rerun tools/gen-create-only"
        );
        table.push_str(&format!("{resource_type}\n"));
        for path in paths {
            let (cloudformation, sdk) = verdicts(resource_type, path);
            let category = cloudformation.split([',', '(']).next().unwrap_or_default().trim().to_string();
            *counts.entry(category).or_default() += 1;
            table.push_str(&format!("  {path}: {cloudformation}; sdk: {sdk}\n"));
        }
    }
    for entry in REPLACED {
        let paths = set.get(entry.resource_type);
        assert!(paths.is_some(), "replaced.rs lists {}, which the model never renders", entry.resource_type);
    }
    for (resource_type, paths) in &set {
        for fixed in sdk::fixed(resource_type) {
            assert!(
                paths.contains(*fixed),
                "the SDK provider of {resource_type} names `{fixed}`, which the model never sets"
            );
        }
    }
    println!(
        "replacement verdicts: {} types, {} properties ({})",
        set.len(),
        set.values().map(BTreeSet::len).sum::<usize>(),
        counts.iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", ")
    );
    insta::assert_snapshot!(table);
}

/// Types a kept store cannot be used, or deleted around, without: the secret holding its only
/// password, the subnet group Redshift refuses to delete under a cluster, its own key.
const NEEDED_BY_A_KEPT_STORE: &[&str] =
    &["AWS::SecretsManager::Secret", "AWS::Redshift::ClusterSubnetGroup", "AWS::KMS::Key", "AWS::KMS::Alias"];

/// Every resource a kept store refers to, of a type it needs to stay usable, is kept with it, in
/// every pipeline the replacement walk covers.
#[test]
fn a_kept_store_keeps_what_it_needs_to_stay_usable() {
    let mut checked = 0;
    for (name, pipeline, _) in pipelines() {
        for (id, store) in pipeline.resources.iter().filter(|(_, r)| r.retain == Some(true)) {
            let properties = Value::Object(store.properties.clone());
            for (needed_id, needed) in &pipeline.resources {
                if !NEEDED_BY_A_KEPT_STORE.contains(&needed.cfn_type)
                    || !crate::contracts::refers_to(&properties, needed_id)
                {
                    continue;
                }
                checked += 1;
                assert_eq!(
                    needed.retain,
                    Some(true),
                    "{name}: {id} ({}) is kept but the {} {needed_id} it needs is deleted",
                    store.cfn_type,
                    needed.cfn_type
                );
            }
        }
    }
    println!("kept stores: {checked} dependencies checked");
    assert!(checked > 0, "no kept store refers to anything it needs: the walk checks nothing");
}
