//! Values AWS lets grow and never shrink. A plan never asks for less: where pipe sized the value
//! itself (`auto`) and the need fell, the deployed value stays; where the blueprint declares less
//! than is deployed, planning stops and names the limit and the way out. Both targets hold to it.

use std::fmt;

use serde_json::{Map, Value};

use crate::model::{Pipeline, Resource};

pub struct GrowOnly {
    pub resource_type: &'static str,
    /// JSON pointer into the resource's properties.
    pub pointer: &'static str,
    pub what: &'static str,
    /// Where AWS says it.
    pub source: &'static str,
    /// What to do to get less.
    pub way_out: &'static str,
}

pub const GROW_ONLY: &[GrowOnly] = &[
    GrowOnly {
        resource_type: "AWS::MSK::Cluster",
        pointer: crate::model::build::msk::BROKER_STORAGE,
        what: "broker storage (GiB per broker)",
        source: "MSK API UpdateBrokerStorage: \"You can increase the amount of EBS storage per broker. You can't decrease the storage.\"",
        way_out: "keep the deployed size, or create a cluster under a new id and move the topics to it (MirrorMaker 2)",
    },
    GrowOnly {
        resource_type: "AWS::MSK::Topic",
        pointer: "/PartitionCount",
        what: "partitions",
        source: "Apache Kafka operations guide: \"Kafka does not currently support reducing the number of partitions for a topic\"",
        way_out: "keep the deployed count, or create a topic under a new name and move producers and consumers to it",
    },
];

/// A declared value below the deployed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shrink {
    pub component: String,
    pub what: &'static str,
    pub declared: i64,
    pub deployed: i64,
    pub source: &'static str,
    pub way_out: &'static str,
}

impl fmt::Display for Shrink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` declares {} {}, below the {} deployed, and AWS cannot shrink it ({}): {}",
            self.component, self.declared, self.what, self.deployed, self.source, self.way_out
        )
    }
}

/// What holding a resource to its deployed values found.
#[derive(Debug, Default)]
pub struct Held {
    /// `auto` figures below the deployed value, which stays: for the plan to say so.
    pub kept: Vec<String>,
    /// Declared values below the deployed one: planning stops on these.
    pub refused: Vec<Shrink>,
}

impl Held {
    fn extend(&mut self, other: Held) {
        self.kept.extend(other.kept);
        self.refused.extend(other.refused);
    }
}

/// Holds `desired` (the properties about to be planned for `resource`) to `deployed`: a grow-only
/// value pipe sized from `auto` that fell takes the deployed value; one the blueprint declares
/// lower is refused.
pub fn hold(resource: &Resource, desired: &mut Map<String, Value>, deployed: &Map<String, Value>) -> Held {
    let mut held = Held::default();
    for rule in GROW_ONLY.iter().filter(|r| r.resource_type == resource.cfn_type) {
        let deployed_value = pointer(deployed, rule.pointer).and_then(Value::as_i64);
        let Some(slot) = pointer_mut(desired, rule.pointer) else { continue };
        let (Some(want), Some(have)) = (slot.as_i64(), deployed_value) else { continue };
        if want >= have {
            continue;
        }
        if resource.sized.contains(&rule.pointer) {
            *slot = Value::from(have);
            held.kept.push(format!(
                "`{}` {}: `auto` sizes {want} now; the {have} deployed stays, since AWS cannot shrink it",
                resource.component, rule.what
            ));
        } else {
            held.refused.push(Shrink {
                component: resource.component.clone(),
                what: rule.what,
                declared: want,
                deployed: have,
                source: rule.source,
                way_out: rule.way_out,
            });
        }
    }
    held
}

/// [`hold`] over a rendered template, resource by resource, against the deployed one.
pub fn hold_template(pipeline: &Pipeline, rendered: &mut Value, deployed: Option<&Value>) -> Held {
    let mut held = Held::default();
    for (id, resource) in &pipeline.resources {
        let properties = format!("/Resources/{id}/Properties");
        let Some(old) = deployed.and_then(|d| d.pointer(&properties)).and_then(Value::as_object) else { continue };
        let Some(new) = rendered.pointer_mut(&properties).and_then(Value::as_object_mut) else { continue };
        held.extend(hold(resource, new, old));
    }
    held
}

fn pointer<'m>(map: &'m Map<String, Value>, path: &str) -> Option<&'m Value> {
    let (first, rest) = split(path)?;
    let value = map.get(first)?;
    if rest.is_empty() { Some(value) } else { value.pointer(rest) }
}

fn pointer_mut<'m>(map: &'m mut Map<String, Value>, path: &str) -> Option<&'m mut Value> {
    let (first, rest) = split(path)?;
    let value = map.get_mut(first)?;
    if rest.is_empty() { Some(value) } else { value.pointer_mut(rest) }
}

/// `/A/B/C` → (`A`, `/B/C`).
fn split(path: &str) -> Option<(&str, &str)> {
    let path = path.strip_prefix('/')?;
    Some(path.find('/').map_or((path, ""), |i| (&path[..i], &path[i..])))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn storage(gib: i64) -> Map<String, Value> {
        json!({ "BrokerNodeGroupInfo": { "StorageInfo": { "EBSStorageInfo": { "VolumeSize": gib } } } })
            .as_object()
            .cloned()
            .unwrap()
    }

    #[test]
    fn auto_keeps_the_deployed_value_and_a_declared_shrink_is_refused() {
        let mut cluster = Resource::new("AWS::MSK::Cluster", "kafka", Value::Object(storage(100)));
        let mut desired = storage(100);
        let refused = hold(&cluster, &mut desired, &storage(500)).refused;
        assert_eq!(refused.len(), 1, "a declared 100 under a deployed 500");
        assert!(refused[0].to_string().contains("below the 500 deployed"), "{}", refused[0]);

        cluster.sized.push(GROW_ONLY[0].pointer);
        let held = hold(&cluster, &mut desired, &storage(500));
        assert!(held.refused.is_empty());
        assert_eq!(
            held.kept,
            [
                "`kafka` broker storage (GiB per broker): `auto` sizes 100 now; the 500 deployed stays, since AWS cannot shrink it"
            ]
        );
        assert_eq!(desired, storage(500), "auto keeps what is deployed");

        let mut grown = storage(800);
        let held = hold(&cluster, &mut grown, &storage(500));
        assert!(held.refused.is_empty() && held.kept.is_empty());
        assert_eq!(grown, storage(800), "growing is fine");
    }
}
