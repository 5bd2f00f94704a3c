//! The order resources are converged in: each after the resources its properties refer to
//! (`Ref`, `Fn::GetAtt`, `Fn::Sub`) and those it `DependsOn`.

use std::collections::BTreeSet;

use indexmap::IndexMap;
use serde_json::Value;

use crate::model::Resource;

/// Each resource's dependencies among the pipeline's resources, by logical id, in model order.
#[derive(Debug, Clone)]
pub struct Dependencies {
    pub of: IndexMap<String, BTreeSet<String>>,
}

impl Dependencies {
    pub fn new(resources: &IndexMap<String, Resource>) -> Self {
        let of = resources
            .iter()
            .map(|(id, resource)| {
                let mut deps = BTreeSet::new();
                for value in resource.properties.values() {
                    references(value, &mut deps);
                }
                deps.extend(resource.depends_on.iter().cloned());
                deps.retain(|d| resources.contains_key(d) && d != id);
                (id.clone(), deps)
            })
            .collect();
        Dependencies { of }
    }

    /// Logical ids grouped in waves: every resource comes after all of its dependencies, and the
    /// resources of one wave are independent of each other. Model order within a wave.
    pub fn waves(&self) -> Vec<Vec<String>> {
        let mut placed: BTreeSet<&str> = BTreeSet::new();
        let mut waves = Vec::new();
        while placed.len() < self.of.len() {
            let wave: Vec<String> = self
                .of
                .iter()
                .filter(|(id, deps)| !placed.contains(id.as_str()) && deps.iter().all(|d| placed.contains(d.as_str())))
                .map(|(id, _)| id.clone())
                .collect();
            assert!(!wave.is_empty(), "the model's references form a cycle");
            placed.extend(self.of.keys().filter(|id| wave.contains(id)).map(String::as_str));
            waves.push(wave);
        }
        waves
    }

    /// The resources that depend on `id`, directly.
    pub fn dependents<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a String> + 'a {
        self.of.iter().filter(move |(_, deps)| deps.contains(id)).map(|(dependent, _)| dependent)
    }
}

/// Adds the logical ids `value` refers to. Pseudo parameters and parameters are kept too; the
/// caller keeps what it needs.
pub fn references(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) if map.len() == 1 => match map.iter().next().expect("one entry") {
            (key, Value::String(target)) if key == "Ref" => {
                out.insert(target.clone());
            }
            (key, Value::Array(args)) if key == "Fn::GetAtt" => {
                if let Some(Value::String(target)) = args.first() {
                    out.insert(target.clone());
                }
            }
            (key, Value::String(text)) if key == "Fn::Sub" => {
                out.extend(sub_placeholders(text).map(|p| p.split('.').next().unwrap_or(p).to_string()));
            }
            (_, inner) => references(inner, out),
        },
        Value::Object(map) => map.values().for_each(|v| references(v, out)),
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

/// The `${Name}` and `${Name.Attribute}` placeholders of an `Fn::Sub` text; `${!Literal}` is not
/// one.
pub fn sub_placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split("${")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter(|n| !n.starts_with('!'))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn sub_placeholders_skip_literals() {
        let names: Vec<_> = sub_placeholders("arn:${AWS::Partition}:x:${Stream.Arn}/${!Literal}").collect();
        assert_eq!(names, ["AWS::Partition", "Stream.Arn"]);
    }

    #[test]
    fn references_are_found_inside_intrinsics() {
        let mut out = BTreeSet::new();
        references(
            &json!({ "A": [{ "Ref": "X" }, { "Fn::GetAtt": ["Y", "Arn"] }], "B": { "Fn::Sub": "${Z.Id}" } }),
            &mut out,
        );
        assert_eq!(out.into_iter().collect::<Vec<_>>(), ["X", "Y", "Z"]);
    }
}
