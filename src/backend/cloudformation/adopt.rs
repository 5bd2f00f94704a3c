//! Stores that outlive their stack: a `DeletionPolicy: Retain` store stays in the account when
//! `pipe destroy` deletes the stack, or when a failed first create rolls back. Creating it
//! again under its name would collide; CloudFormation instead adopts it. By name, when the
//! change set is made with `ImportExistingResources` ("auto-import"): for a type whose primary
//! identifier is its name property, given as a literal. Otherwise by the identifier AWS gave
//! it, in an IMPORT change set of its own (`ResourcesToImport`), which may add nothing else to
//! the stack: so only for a store whose properties refer to no other resource of the template.

use serde_json::{Value, json};

use crate::backend::aws::Account;
use crate::backend::sdk::graph::references;
use crate::backend::sdk::provider::tag_pairs;
use crate::backend::sdk::resolve::{Resolver, is_known};
use crate::backend::sdk::{State, name_path};
use crate::model::Pipeline;
use crate::plan::{Action, Kind};

/// Kept store types CloudFormation adopts by name: in each type's resource schema, the primary
/// identifier is the name property pipe sets. The rest (a secret's `Id`, an MSK cluster's
/// `Arn`) are read-only identifiers, which auto-import does not take.
const BY_NAME: &[&str] = &[
    "AWS::Kinesis::Stream",
    "AWS::DynamoDB::Table",
    "AWS::S3::Bucket",
    "AWS::OpenSearchService::Domain",
    "AWS::Redshift::Cluster",
    "AWS::RedshiftServerless::Namespace",
];

/// Kept store types CloudFormation imports by an identifier AWS assigns, and that identifier
/// (the primary identifier of the type's resource schema; pipe's handle holds its value, an ARN).
const BY_ID: &[(&str, &str)] =
    &[("AWS::SecretsManager::Secret", "Id"), ("AWS::MSK::Cluster", "Arn"), ("AWS::MSK::ServerlessCluster", "Arn")];

/// A kept store of the template that is live but not in the stack.
pub struct Outside {
    pub logical_id: String,
    pub resource_type: &'static str,
    pub how: How,
}

/// How CloudFormation can adopt a store.
#[derive(Debug, PartialEq)]
pub enum How {
    /// Auto-import, by the literal name, within the change set.
    ByName,
    /// An import change set of its own, before the change set: the identifier's key and value.
    ById(&'static str, String),
    /// Not at all: a type without import, or one that refers to other resources.
    No,
}

/// The kept stores the template adds to the stack that the SDK readers found live, tagged as
/// this pipeline's. One of the same name that someone else made is not taken over: its create
/// fails, and the change set's events name it.
pub fn outside(pipeline: &Pipeline, deployed: Option<&Value>, state: &State) -> Vec<Outside> {
    let ours = ("pipe:pipeline".to_string(), pipeline.name.clone());
    let mut found = Vec::new();
    for (id, resource) in &pipeline.resources {
        let in_stack = deployed.and_then(|t| t.pointer(&format!("/Resources/{id}"))).is_some();
        let Some(live) = state.live.get(id).filter(|_| resource.retain == Some(true) && !in_stack) else { continue };
        if !tag_pairs(live.properties.get("Tags")).contains(&ours) {
            continue;
        }
        let by_id = BY_ID.iter().find(|(t, _)| *t == resource.cfn_type);
        let how = match by_id {
            _ if BY_NAME.contains(&resource.cfn_type) => How::ByName,
            Some((_, key)) if refers_to_nothing(resource) => How::ById(key, live.handle.physical_id.clone()),
            _ => How::No,
        };
        found.push(Outside { logical_id: id.clone(), resource_type: resource.cfn_type, how });
    }
    found
}

/// Whether the resource's properties refer (`Ref`, `Fn::GetAtt`, `Fn::Sub`) to nothing but
/// pseudo parameters: what an import of it alone needs.
fn refers_to_nothing(resource: &crate::model::Resource) -> bool {
    let mut named = std::collections::BTreeSet::new();
    resource.properties.values().for_each(|value| references(value, &mut named));
    named.iter().all(|name| name.starts_with("AWS::"))
}

/// The template of an import change set: the deployed one (an empty one for a new stack) with
/// the stores to import added, as rendered, and nothing else.
pub fn import_template(deployed: Option<&Value>, rendered: &Value, imported: &[&Outside]) -> Value {
    let mut template = deployed.cloned().unwrap_or_else(|| json!({ "AWSTemplateFormatVersion": "2010-09-09" }));
    let resources = template.as_object_mut().map(|t| t.entry("Resources").or_insert_with(|| json!({})));
    if let Some(Value::Object(resources)) = resources {
        for store in imported {
            if let Some(resource) = rendered.pointer(&format!("/Resources/{}", store.logical_id)) {
                resources.insert(store.logical_id.clone(), resource.clone());
            }
        }
    }
    template
}

/// Writes the names of adoptable kept stores as literals: auto-import takes no name built with
/// a function (`Fn::Sub` of the account id, say). A store the stack already holds keeps the form
/// it was deployed with, so that no plan shows a name change that changes nothing.
pub fn literal_names(template: &mut Value, deployed: Option<&Value>, account: &Account) {
    let (parameters, handles) = Default::default();
    let resolver = Resolver { account, parameters: &parameters, handles: &handles };
    let Some(resources) = template.get_mut("Resources").and_then(Value::as_object_mut) else { return };
    for (id, resource) in resources.iter_mut() {
        let kept = resource.get("DeletionPolicy").and_then(Value::as_str) == Some("Retain");
        let resource_type = resource.get("Type").and_then(Value::as_str).unwrap_or_default();
        let Some(path) = name_path(resource_type).filter(|_| kept && BY_NAME.contains(&resource_type)) else {
            continue;
        };
        let pointer = format!("/Properties/{}", path.replace('.', "/"));
        let Some(name) = resource.pointer_mut(&pointer) else { continue };
        let literal = resolver.resolve(name);
        if !is_known(&literal) || literal == *name {
            continue;
        }
        let deployed_name = deployed.and_then(|t| t.pointer(&format!("/Resources/{id}{pointer}")));
        if deployed_name.is_none_or(|deployed| *deployed == literal) {
            *name = literal;
        }
    }
}

/// Marks the plan's creates of kept stores found live: an import where CloudFormation adopts
/// them, blocked where it cannot (creating them would collide with the kept one).
pub fn mark(actions: &mut [Action], outside: &[Outside]) {
    for action in actions.iter_mut().filter(|a| a.kind == Kind::Create || a.kind == Kind::Import) {
        let Some(found) = outside.iter().find(|o| o.logical_id == action.resource) else { continue };
        match &found.how {
            How::ByName => {
                action.kind = Kind::Import;
                action.reason = Some(IMPORT_REASON.into());
            }
            How::ById(key, value) => {
                action.kind = Kind::Import;
                action.physical_id = Some(value.clone());
                action.reason = Some(format!(
                    "{IMPORT_REASON}; CloudFormation adopts a {} only by its {key}, in an import of its own \
                     before the change set",
                    action.resource_type
                ));
            }
            How::No => {
                action.blocked = Some(format!(
                    "a {} of this name exists outside the stack (kept by a destroyed or failed one), and \
                     CloudFormation can import it neither by name nor, as it refers to other resources of \
                     the stack, on its own: delete it (its data goes with it), or deploy with \
                     `--target sdk`, which takes it over",
                    action.resource_type
                ));
            }
        }
    }
}

pub const IMPORT_REASON: &str = "it exists outside the stack (kept by a destroyed or failed one): \
    CloudFormation adopts it by its name, data and all, as it is; `pipe plan --detect-drift` then \
    shows where it differs from the blueprint";

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::backend::sdk::provider::Live;
    use crate::model::Resource;

    fn account() -> Account {
        let config = aws_config::SdkConfig::builder().build();
        Account { config, id: "123456789012".into(), region: "eu-west-1".into(), partition: "aws".into() }
    }

    fn bucket(name: Value) -> Value {
        json!({ "Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "Properties": { "BucketName": name } })
    }

    #[test]
    fn a_kept_store_new_to_the_stack_gets_its_name_as_a_literal() {
        let mut template = json!({ "Resources": {
            "Lake": bucket(json!({ "Fn::Sub": "lake-${AWS::AccountId}" })),
            "Scratch": { "Type": "AWS::S3::Bucket", "Properties": { "BucketName": { "Fn::Sub": "s-${AWS::AccountId}" } } },
        } });
        literal_names(&mut template, None, &account());
        assert_eq!(template.pointer("/Resources/Lake/Properties/BucketName"), Some(&json!("lake-123456789012")));
        // Not kept: nothing to adopt, so its form stays as rendered.
        assert_eq!(
            template.pointer("/Resources/Scratch/Properties/BucketName"),
            Some(&json!({ "Fn::Sub": "s-${AWS::AccountId}" }))
        );
    }

    #[test]
    fn a_kept_store_in_the_stack_keeps_the_form_it_was_deployed_with() {
        let sub = json!({ "Fn::Sub": "lake-${AWS::AccountId}" });
        let deployed = json!({ "Resources": { "Lake": bucket(sub.clone()) } });
        let mut template = deployed.clone();
        literal_names(&mut template, Some(&deployed), &account());
        assert_eq!(template, deployed);
        let deployed = json!({ "Resources": { "Lake": bucket(json!("lake-123456789012")) } });
        let mut template = json!({ "Resources": { "Lake": bucket(sub) } });
        literal_names(&mut template, Some(&deployed), &account());
        assert_eq!(template, deployed);
    }

    #[test]
    fn creates_of_kept_stores_found_live_are_imports_or_blocked() {
        let mut pipeline = Pipeline::of(
            "p",
            vec![
                ("EventsStream", Resource::new("AWS::Kinesis::Stream", "events", json!({}))),
                (
                    "AdminSecret",
                    Resource::new(
                        "AWS::SecretsManager::Secret",
                        "warehouse",
                        // A pseudo parameter is no resource: the secret still imports on its own.
                        json!({ "Name": { "Fn::Sub": "admin-${AWS::Region}" } }),
                    ),
                ),
                (
                    "KafkaCluster",
                    Resource::new(
                        "AWS::MSK::Cluster",
                        "kafka",
                        json!({ "ConfigurationInfo": { "Arn": { "Ref": "KafkaConfig" } } }),
                    ),
                ),
                ("NewStream", Resource::new("AWS::Kinesis::Stream", "fresh", json!({}))),
                ("Role", Resource::new("AWS::IAM::Role", "events", json!({}))),
            ],
        );
        for id in ["EventsStream", "AdminSecret", "NewStream", "KafkaCluster"] {
            pipeline.resources[id].retain = Some(true);
        }
        let mut state = State::default();
        let tagged = |pipeline: &str| {
            let tags = json!([{ "Key": "team", "Value": "data" }, { "Key": "pipe:pipeline", "Value": pipeline }]);
            let handle = crate::backend::sdk::resolve::Handle { physical_id: "arn:kept".into(), ..Default::default() };
            Live { handle, properties: serde_json::Map::from_iter([("Tags".to_string(), tags)]) }
        };
        for id in ["EventsStream", "AdminSecret", "Role", "KafkaCluster"] {
            state.live.insert(id.into(), tagged("p"));
        }
        // Someone else's stream of the name the template gives: not this pipeline's to adopt.
        state.live.insert("NewStream".into(), tagged("another"));
        let found = outside(&pipeline, None, &state);
        let ids: Vec<(&str, &How)> = found.iter().map(|o| (o.logical_id.as_str(), &o.how)).collect();
        let by_arn = How::ById("Id", "arn:kept".into());
        assert_eq!(ids, [("EventsStream", &How::ByName), ("AdminSecret", &by_arn), ("KafkaCluster", &How::No)]);
        let create = |id: &str, t: &str| Action {
            kind: Kind::Create,
            resource: id.into(),
            resource_type: t.into(),
            ..Action::default()
        };
        let mut actions = vec![
            create("EventsStream", "AWS::Kinesis::Stream"),
            create("AdminSecret", "AWS::SecretsManager::Secret"),
            create("NewStream", "AWS::Kinesis::Stream"),
            create("KafkaCluster", "AWS::MSK::Cluster"),
        ];
        mark(&mut actions, &found);
        assert_eq!(actions[0].kind, Kind::Import);
        assert_eq!((actions[1].kind, actions[1].physical_id.as_deref()), (Kind::Import, Some("arn:kept")));
        assert_eq!((actions[2].kind, actions[2].blocked.is_none()), (Kind::Create, true));
        assert!(actions[3].blocked.as_deref().is_some_and(|b| b.contains("AWS::MSK::Cluster")));
        // Once in the stack, a kept store is the stack's own: nothing outside.
        let deployed = json!({ "Resources": { "EventsStream": {}, "AdminSecret": {}, "KafkaCluster": {} } });
        assert!(outside(&pipeline, Some(&deployed), &state).is_empty());
    }

    #[test]
    fn an_import_template_adds_only_the_imported_stores() {
        let deployed = json!({ "Parameters": { "ArtifactsBucket": {} }, "Resources": { "Stream": { "Type": "S" } },
            "Outputs": { "StreamArn": {} } });
        let rendered = json!({ "Resources": { "Stream": { "Type": "S", "Properties": { "New": 1 } },
            "Secret": { "Type": "T" }, "Role": { "Type": "R" } } });
        let secret = Outside { logical_id: "Secret".into(), resource_type: "T", how: How::ById("Id", "arn".into()) };
        let template = import_template(Some(&deployed), &rendered, &[&secret]);
        assert_eq!(
            template,
            json!({ "Parameters": { "ArtifactsBucket": {} }, "Outputs": { "StreamArn": {} },
                "Resources": { "Stream": { "Type": "S" }, "Secret": { "Type": "T" } } })
        );
        assert_eq!(
            import_template(None, &rendered, &[&secret]),
            json!({ "AWSTemplateFormatVersion": "2010-09-09", "Resources": { "Secret": { "Type": "T" } } })
        );
    }
}
