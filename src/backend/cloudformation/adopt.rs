//! Stores that outlive their stack: a `DeletionPolicy: Retain` store stays in the account when
//! `pipe destroy` deletes the stack, or when a failed first create rolls back. Creating it
//! again under its name would collide; CloudFormation instead adopts it, by name, when the
//! change set is made with `ImportExistingResources` ("auto-import"). That works only for a
//! type whose primary identifier is its name property, given as a literal in the template,
//! and whose resource belongs to no other stack.

use serde_json::Value;

use crate::backend::aws::Account;
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

/// A kept store of the template that is live but not in the stack.
pub struct Outside {
    pub logical_id: String,
    pub adoptable: bool,
}

/// The kept stores the template adds to the stack that the SDK readers found live, tagged as
/// this pipeline's. One of the same name that someone else made is not taken over: its create
/// fails, and the change set's events name it.
pub fn outside(pipeline: &Pipeline, deployed: Option<&Value>, state: &State) -> Vec<Outside> {
    let ours = ("pipe:pipeline".to_string(), pipeline.name.clone());
    pipeline
        .resources
        .iter()
        .filter(|(id, resource)| {
            resource.retain == Some(true)
                && deployed.and_then(|t| t.pointer(&format!("/Resources/{id}"))).is_none()
                && state.live.get(*id).is_some_and(|live| tag_pairs(live.properties.get("Tags")).contains(&ours))
        })
        .map(|(id, resource)| Outside { logical_id: id.clone(), adoptable: BY_NAME.contains(&resource.cfn_type) })
        .collect()
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
        if found.adoptable {
            action.kind = Kind::Import;
            action.reason = Some(IMPORT_REASON.into());
        } else {
            action.blocked = Some(format!(
                "a {} of this name exists outside the stack (kept by a destroyed or failed one), and \
                 CloudFormation adopts one only by an identifier AWS assigns, which pipe does not import \
                 yet: delete it (its data goes with it), or deploy with `--target sdk`, which takes it over",
                action.resource_type
            ));
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
                ("AdminSecret", Resource::new("AWS::SecretsManager::Secret", "warehouse", json!({}))),
                ("NewStream", Resource::new("AWS::Kinesis::Stream", "fresh", json!({}))),
                ("Role", Resource::new("AWS::IAM::Role", "events", json!({}))),
            ],
        );
        for id in ["EventsStream", "AdminSecret", "NewStream"] {
            pipeline.resources[id].retain = Some(true);
        }
        let mut state = State::default();
        let tagged = |pipeline: &str| {
            let tags = json!([{ "Key": "team", "Value": "data" }, { "Key": "pipe:pipeline", "Value": pipeline }]);
            Live { properties: serde_json::Map::from_iter([("Tags".to_string(), tags)]), ..Live::default() }
        };
        for id in ["EventsStream", "AdminSecret", "Role"] {
            state.live.insert(id.into(), tagged("p"));
        }
        // Someone else's stream of the name the template gives: not this pipeline's to adopt.
        state.live.insert("NewStream".into(), tagged("another"));
        let found = outside(&pipeline, None, &state);
        let ids: Vec<(&str, bool)> = found.iter().map(|o| (o.logical_id.as_str(), o.adoptable)).collect();
        assert_eq!(ids, [("EventsStream", true), ("AdminSecret", false)]);
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
        ];
        mark(&mut actions, &found);
        assert_eq!(actions[0].kind, Kind::Import);
        assert!(actions[1].blocked.as_deref().is_some_and(|b| b.contains("AWS::SecretsManager::Secret")));
        assert_eq!((actions[2].kind, actions[2].blocked.is_none()), (Kind::Create, true));
        // Once in the stack, a kept store is the stack's own: nothing outside.
        let deployed = json!({ "Resources": { "EventsStream": {}, "AdminSecret": {} } });
        assert!(outside(&pipeline, Some(&deployed), &state).is_empty());
    }
}
