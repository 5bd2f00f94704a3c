//! The monthly cost before and after a plan: the deployed resources are the compiled ones with
//! each planned change's `before` value put back, plus the ones the plan deletes as deployed, so
//! both sides are priced by one estimator.

use serde_json::{Map, Value};

use crate::model::Pipeline;
use crate::plan::cost::CostDelta;
use crate::plan::{Action, Change, Deployed, Kind, Plan};

use super::prices::PriceBook;
use super::{Estimate, Priced, estimate};

/// The cost before and after `plan`, for the plan to carry. Resources the plan deletes count
/// before it as deployed, when the target read them.
pub fn of(pipeline: &Pipeline, plan: &Plan, book: &PriceBook) -> CostDelta {
    let mut deployed = pipeline.resources.clone();
    for action in &plan.actions {
        match action.kind {
            Kind::Create => {
                deployed.shift_remove(&action.resource);
            }
            Kind::Update | Kind::Replace => {
                if let Some(resource) = deployed.get_mut(&action.resource) {
                    for change in in_undo_order(&action.changes) {
                        put_back(&mut resource.properties, change);
                    }
                }
            }
            _ => {}
        }
    }
    let deleted: Vec<(&Action, &Deployed)> = plan
        .actions
        .iter()
        .filter(|a| a.kind == Kind::Delete)
        .filter_map(|a| Some((a, a.deployed.as_ref()?)))
        .collect();
    // What stays in the account stays on the bill: priced on both sides.
    let staying = deleted.iter().filter(|(_, d)| d.stays).map(priced);
    let after =
        estimate(&pipeline.name, Priced::all(&pipeline.resources).chain(staying), &pipeline.usage, book, &plan.region);
    let before = estimate(
        &pipeline.name,
        Priced::all(&deployed).chain(deleted.iter().map(priced)),
        &pipeline.usage,
        book,
        &plan.region,
    );
    let mut removed_components: Vec<String> = deleted
        .iter()
        .filter(|(a, d)| !d.stays && !pipeline.usage.contains_key(&a.component))
        .map(|(a, _)| a.component.clone())
        .collect();
    removed_components.sort();
    removed_components.dedup();
    let components = moved(&before, &after);
    let assumes = after
        .components
        .iter()
        .filter(|c| !c.assumes.is_empty() && components.iter().any(|(moved, ..)| *moved == c.component))
        .map(|c| (c.component.clone(), c.assumes.clone()))
        .collect();
    CostDelta {
        before_usd: before.monthly_usd,
        after_usd: after.monthly_usd,
        components,
        assumes,
        deleted_unpriced: plan
            .actions
            .iter()
            .filter(|a| a.kind == Kind::Delete && a.deployed.is_none())
            .map(|a| a.resource.clone())
            .collect(),
        removed_components,
    }
}

/// A deleted resource, priced as deployed.
fn priced<'a>(&(action, deployed): &(&'a Action, &'a Deployed)) -> Priced<'a> {
    Priced {
        logical_id: &action.resource,
        cfn_type: &action.resource_type,
        component: &action.component,
        properties: &deployed.properties,
    }
}

fn moved(before: &Estimate, after: &Estimate) -> Vec<(String, f64, f64)> {
    let cost = |estimate: &Estimate, component: &str| {
        estimate.components.iter().find(|c| c.component == component).map_or(0.0, |c| c.monthly_usd)
    };
    let mut names: Vec<&str> = after.components.iter().map(|c| c.component.as_str()).collect();
    names.extend(
        before
            .components
            .iter()
            .map(|c| c.component.as_str())
            .filter(|n| !after.components.iter().any(|c| c.component == *n)),
    );
    names
        .into_iter()
        .map(|name| (name.to_string(), cost(before, name), cost(after, name)))
        .filter(|(_, b, a)| (b - a).abs() >= 0.005)
        .collect()
}

/// Changes in the order that undoes them on the after side. Every path indexes lists as the
/// after side has them, so changed values go first, then the items lists gained and lost,
/// deepest lists first (an outer list reshaped would move the items an inner path names); in one
/// list, the items gained (from the last), then those lost (from the first, at their before
/// indices).
fn in_undo_order(changes: &[Change]) -> Vec<&Change> {
    let index = |c: &Change| c.path.rsplit_once('[').and_then(|(_, i)| i.trim_end_matches(']').parse::<usize>().ok());
    let depth = |c: &Change| c.path.matches(['.', '[']).count();
    let (mut values, mut items) = (Vec::new(), Vec::new());
    for change in changes {
        match (change.before.is_some(), change.after.is_some(), index(change)) {
            (false, true, Some(i)) => items.push((depth(change), 0, std::cmp::Reverse(i), i, change)),
            (true, false, Some(i)) => items.push((depth(change), 1, std::cmp::Reverse(0), i, change)),
            _ => values.push(change),
        }
    }
    items.sort_by_key(|&(depth, lost, gained_from_last, lost_from_first, _)| {
        (std::cmp::Reverse(depth), lost, gained_from_last, lost_from_first)
    });
    values.into_iter().chain(items.into_iter().map(|(.., change)| change)).collect()
}

/// Puts a change's `before` back at its plan path (`A.B[0].C`): sets it, removes what it did
/// not have, re-inserts a list item it lost.
fn put_back(properties: &mut Map<String, Value>, change: &Change) {
    let mut segments: Vec<(String, Option<usize>)> = change
        .path
        .split('.')
        .map(|segment| match segment.split_once('[') {
            Some((key, index)) => (key.to_string(), index.trim_end_matches(']').parse().ok()),
            None => (segment.to_string(), None),
        })
        .collect();
    let Some((last_key, last_index)) = segments.pop() else { return };
    let mut node = properties;
    for (key, index) in segments {
        let Some(next) = node.get_mut(&key) else { return };
        let next = match index {
            Some(i) => match next.get_mut(i) {
                Some(item) => item,
                None => return,
            },
            None => next,
        };
        let Some(object) = next.as_object_mut() else { return };
        node = object;
    }
    match (last_index, change.before.clone()) {
        (None, Some(value)) => {
            node.insert(last_key, value);
        }
        (None, None) => {
            node.remove(&last_key);
        }
        (Some(i), value) => {
            let Some(Value::Array(items)) = node.get_mut(&last_key) else { return };
            match (value, change.after.is_some()) {
                (Some(value), true) if i < items.len() => items[i] = value,
                (Some(value), false) if i <= items.len() => items.insert(i, value),
                (None, _) if i < items.len() => {
                    items.remove(i);
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A plan that deletes a removed component's two-shard stream and leaves a retained one in the
    /// account, for a pipeline that has nothing else.
    fn deleting(stays: bool) -> CostDelta {
        let stream = json!({ "StreamModeDetails": { "StreamMode": "PROVISIONED" }, "ShardCount": 2 });
        let deleted = Action {
            kind: Kind::Delete,
            component: "old".into(),
            resource: "OldStream".into(),
            resource_type: "AWS::Kinesis::Stream".into(),
            deployed: Some(Deployed { properties: stream.as_object().unwrap().clone(), stays }),
            ..Action::default()
        };
        let pipeline = Pipeline::of("p", Vec::new());
        of(&pipeline, &crate::plan::sample(vec![deleted]), &PriceBook::standard())
    }

    #[test]
    fn a_deleted_resource_counts_before_the_plan_and_a_retained_one_on_both_sides() {
        let gone = deleting(false);
        let shard_hour = PriceBook::standard().get("kinesis.shard-hour").expect("priced").usd;
        let expected = 2.0 * shard_hour * super::super::prices::HOURS_PER_MONTH;
        assert!((gone.before_usd - expected).abs() < 1e-9, "{gone:?}");
        assert_eq!(gone.after_usd, 0.0);
        assert_eq!(gone.removed_components, ["old"]);
        assert!(gone.deleted_unpriced.is_empty());
        assert!(gone.lines()[1].ends_with("→ $0.00 (removed: its fixed costs; what its flow cost is not priced)"));

        let kept = deleting(true);
        assert_eq!((kept.before_usd, kept.after_usd), (gone.before_usd, gone.before_usd), "still billed after");
        assert!(kept.components.is_empty() && kept.removed_components.is_empty(), "{kept:?}");
    }

    #[test]
    fn a_component_that_moves_carries_what_its_flow_assumes_into_the_plan() {
        let topic = crate::model::Resource::new("AWS::SNS::Topic", "oncall", json!({}));
        let mut pipeline = Pipeline::of("p", vec![("OncallTopic", topic)]);
        let assumed = "`spike-alert` declares no `output.oncall`: assumed to send alerts, 1 a second";
        let usage = crate::capacity::usage::Usage {
            flow: Some(crate::blueprint::graph::Flow { records_per_second: 1.0, kib_per_second: 1.0 }),
            assumes: vec![assumed.to_string()],
            ..Default::default()
        };
        pipeline.usage.insert("oncall".into(), usage);
        let create = Action {
            kind: Kind::Create,
            component: "oncall".into(),
            resource: "OncallTopic".into(),
            resource_type: "AWS::SNS::Topic".into(),
            ..Action::default()
        };
        let delta = of(&pipeline, &crate::plan::sample(vec![create]), &PriceBook::standard());
        assert_eq!(delta.lines()[1..], ["  oncall: $0.00 → $1.31".to_string(), format!("    assumes {assumed}")]);
    }

    #[test]
    fn put_back_undoes_what_the_diff_found_nested_and_item_by_item() {
        let before = json!({ "A": { "B": [ { "C": 1 }, "kept", "lost" ] }, "E": "x", "L": [1, 2, 3],
            "S": [ { "Sid": "a" }, { "Sid": "b", "R": [1, 2] } ] });
        let after = json!({ "A": { "B": [ "new", { "C": 2 }, "kept" ] }, "D": 1, "L": [0, 1, 3, 4],
            "S": [ { "Sid": "b", "R": [1] } ] });
        let changes =
            crate::plan::diff::changes("AWS::Kinesis::Stream", after.as_object().unwrap(), before.as_object().unwrap());
        let mut properties = after.as_object().unwrap().clone();
        for change in in_undo_order(&changes) {
            put_back(&mut properties, change);
        }
        // `E` is not in the blueprint: the diff never reports what the blueprint leaves unset.
        let mut expected = before.as_object().unwrap().clone();
        expected.remove("E");
        assert_eq!(Value::Object(properties), Value::Object(expected), "{changes:#?}");
    }
}
