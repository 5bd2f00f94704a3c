//! The monthly cost before and after a plan: the deployed resources are the compiled ones with
//! each planned change's `before` value put back, so both sides are priced by one estimator.

use serde_json::{Map, Value};

use crate::model::Pipeline;
use crate::plan::cost::CostDelta;
use crate::plan::{Kind, Plan};

use super::prices::PriceBook;
use super::{Estimate, estimate};

/// The cost before and after `plan`, for the plan to carry.
pub fn of(pipeline: &Pipeline, plan: &Plan, book: &PriceBook) -> CostDelta {
    let after = estimate(&pipeline.name, &pipeline.resources, &pipeline.usage, book, &plan.region);
    let mut deployed = pipeline.resources.clone();
    for action in &plan.actions {
        match action.kind {
            Kind::Create => {
                deployed.shift_remove(&action.resource);
            }
            Kind::Update | Kind::Replace => {
                if let Some(resource) = deployed.get_mut(&action.resource) {
                    for change in &action.changes {
                        put_back(&mut resource.properties, &change.path, change.before.clone());
                    }
                }
            }
            _ => {}
        }
    }
    let before = estimate(&pipeline.name, &deployed, &pipeline.usage, book, &plan.region);
    CostDelta {
        before_usd: before.monthly_usd,
        after_usd: after.monthly_usd,
        components: moved(&before, &after),
        deleted_unpriced: plan.actions.iter().filter(|a| a.kind == Kind::Delete).map(|a| a.resource.clone()).collect(),
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

/// Sets the property at a plan path (`A.B[0].C`) to `value`, or removes it for `None`.
fn put_back(properties: &mut Map<String, Value>, path: &str, value: Option<Value>) {
    let mut segments: Vec<(String, Option<usize>)> = path
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
    match (last_index, value) {
        (None, Some(value)) => {
            node.insert(last_key, value);
        }
        (None, None) => {
            node.remove(&last_key);
        }
        (Some(i), value) => {
            if let Some(Value::Array(items)) = node.get_mut(&last_key)
                && i < items.len()
            {
                match value {
                    Some(value) => items[i] = value,
                    None => {
                        items.remove(i);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn put_back_restores_nested_and_listed_values() {
        let mut properties = json!({ "A": { "B": [ { "C": 2 } ] }, "D": 1 }).as_object().unwrap().clone();
        put_back(&mut properties, "A.B[0].C", Some(json!(1)));
        put_back(&mut properties, "D", None);
        put_back(&mut properties, "E", Some(json!("x")));
        assert_eq!(Value::Object(properties), json!({ "A": { "B": [ { "C": 1 } ] }, "E": "x" }));
    }
}
