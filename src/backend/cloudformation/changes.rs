//! A change set's resource changes as plan actions. CloudFormation says what it will do to each
//! resource and whether it replaces it; pipe adds what the SDK target's plan says too: the
//! component, the property changes (the deployed template against the one rendered now), the
//! replacement in blueprint terms, and the data-loss and security verdicts.

use aws_sdk_cloudformation::types::{
    ChangeAction, Replacement, RequiresRecreation, ResourceChange, ResourceChangeDetail,
};
use serde_json::{Map, Value};

use crate::model::Pipeline;
use crate::plan::{Action, Change, Deployed, Kind, diff, risk};

/// The actions for `changes`, given the template deployed now (`deployed`, absent for a new
/// stack) and the one the change set was made from.
pub fn actions(
    pipeline: &Pipeline,
    deployed: Option<&Value>,
    rendered: &Value,
    changes: &[ResourceChange],
) -> Vec<Action> {
    let mut actions: Vec<Action> = changes.iter().map(|change| action(pipeline, deployed, rendered, change)).collect();
    // A replacement that will happen: the change set's `True`, or the create-only verdict pipe
    // makes from the templates; not one CloudFormation decides while applying.
    let certain = changes.iter().map(|c| c.replacement() != Some(&Replacement::Conditional));
    for (action, _) in actions.iter_mut().zip(certain).filter(|(a, certain)| *certain && a.kind == Kind::Replace) {
        let name = |template: Option<&Value>| custom_name(&action.resource_type, resource(template, &action.resource)?);
        if let Some(name) = name(Some(rendered)).filter(|n| name(deployed).as_ref() == Some(n)) {
            action.blocked = Some(format!(
                "CloudFormation cannot replace a resource with a name of its own while the name stays {name}: \
                 rename the component (the old resource is then deleted after the new one is made), \
                 or remove it, apply, and add it back"
            ));
        }
    }
    actions
}

/// The name the template gives the resource (its type's name property), when it gives one.
fn custom_name(resource_type: &str, resource: &Value) -> Option<Value> {
    let path = crate::backend::sdk::name_path(resource_type)?;
    path.split('.').try_fold(resource.get("Properties")?, |value, key| value.get(key)).cloned()
}

/// What CloudFormation would be asked to change, from the templates alone: every resource added,
/// removed, or with other properties (a replacement when one of them is create-only).
pub fn template_changes(deployed: Option<&Value>, rendered: &Value) -> Vec<ResourceChange> {
    let resources = |template: Option<&Value>| {
        template.and_then(|t| t.get("Resources")).and_then(Value::as_object).cloned().unwrap_or_default()
    };
    let (before, after) = (resources(deployed), resources(Some(rendered)));
    let change = |id: &str, resource: &Value, action: ChangeAction| {
        ResourceChange::builder()
            .logical_resource_id(id)
            .resource_type(resource.get("Type").and_then(Value::as_str).unwrap_or_default())
            .action(action)
    };
    let mut out = Vec::new();
    for (id, resource) in &after {
        match before.get(id) {
            None => out.push(change(id, resource, ChangeAction::Add).build()),
            Some(old) => {
                let resource_type = resource.get("Type").and_then(Value::as_str).unwrap_or_default();
                let changes = diff::changes(resource_type, &properties(Some(resource)), &properties(Some(old)));
                if changes.is_empty() {
                    continue;
                }
                let replaces = changes.iter().any(|c| c.forces_replacement);
                let replacement = if replaces { Replacement::True } else { Replacement::False };
                out.push(change(id, resource, ChangeAction::Modify).replacement(replacement).build());
            }
        }
    }
    out.extend(
        before
            .iter()
            .filter(|(id, _)| !after.contains_key(*id))
            .map(|(id, r)| change(id, r, ChangeAction::Remove).build()),
    );
    out
}

fn resource<'t>(template: Option<&'t Value>, logical_id: &str) -> Option<&'t Value> {
    template?.get("Resources")?.get(logical_id)
}

fn properties(resource: Option<&Value>) -> Map<String, Value> {
    resource.and_then(|r| r.get("Properties")).and_then(Value::as_object).cloned().unwrap_or_default()
}

fn action(pipeline: &Pipeline, deployed: Option<&Value>, rendered: &Value, change: &ResourceChange) -> Action {
    let logical_id = change.logical_resource_id().unwrap_or_default();
    let resource_type = change.resource_type().unwrap_or_default().to_string();
    let before = resource(deployed, logical_id);
    let after = resource(Some(rendered), logical_id);
    // A removed component is no longer in the model: its old template says whose it was.
    let component = pipeline.resources.get(logical_id).map(|r| r.component.clone()).unwrap_or_else(|| {
        before
            .and_then(|r| r.pointer("/Metadata/pipe:component"))
            .and_then(Value::as_str)
            .unwrap_or("(removed)")
            .to_string()
    });
    let mut action = Action {
        component,
        resource: logical_id.to_string(),
        resource_type: resource_type.clone(),
        physical_id: change.physical_resource_id().map(str::to_string),
        ..Action::default()
    };
    let retained = before.and_then(|r| r.get("DeletionPolicy")).and_then(Value::as_str) == Some("Retain");
    match change.action() {
        Some(ChangeAction::Add) => action.kind = Kind::Create,
        Some(ChangeAction::Import) => {
            action.kind = Kind::Import;
            action.reason = Some(super::adopt::IMPORT_REASON.into());
        }
        Some(ChangeAction::Remove) => {
            action.kind = Kind::Delete;
            action.deployed = Some(Deployed { properties: properties(before), stays: retained });
            action.reason =
                Some(format!("the blueprint no longer has it: `{}` was removed or renamed", action.component));
            if retained {
                action.reason = Some(
                    "the blueprint no longer has it; its DeletionPolicy is Retain, so CloudFormation leaves it in the account (`pipe destroy --allow-data-loss` deletes it)".to_string(),
                );
            } else {
                action.data_loss = risk::data_loss(&resource_type);
            }
        }
        _ => {
            let (before, after) = (properties(before), properties(after));
            let mut changes = diff::changes(&resource_type, &after, &before);
            mark_recreation(&mut changes, change.details());
            action.security = risk::security(&changes, &before, &after);
            match change.replacement() {
                Some(Replacement::True) => {
                    action.kind = Kind::Replace;
                    action.reason = Some(replacement_reason(&action.component, &resource_type, &changes, false));
                    action.data_loss = risk::data_loss(&resource_type);
                }
                Some(Replacement::Conditional) => {
                    action.kind = Kind::Replace;
                    action.reason = Some(replacement_reason(&action.component, &resource_type, &changes, true));
                    action.data_loss = risk::data_loss(&resource_type);
                }
                // The reference's replacements the change set may not flag (`plan::replaced`).
                _ if changes.iter().any(|c| c.forces_replacement) => {
                    action.kind = Kind::Replace;
                    action.reason = Some(replacement_reason(&action.component, &resource_type, &changes, false));
                    action.data_loss = risk::data_loss(&resource_type);
                }
                _ => {
                    action.kind = Kind::Update;
                    // A stack's template is what it holds: nothing is half-applied.
                    action.data_loss = risk::shortened(&resource_type, &before, &after, false);
                    if changes.is_empty() {
                        action.reason = Some(caused_by(change.details()));
                    }
                }
            }
            action.changes = changes;
        }
    }
    action
}

/// Marks the property changes CloudFormation says always recreate the resource, beside those the
/// resource schema names.
fn mark_recreation(changes: &mut [Change], details: &[ResourceChangeDetail]) {
    for detail in details {
        let Some(target) = detail.target() else { continue };
        if target.requires_recreation() != Some(&RequiresRecreation::Always) {
            continue;
        }
        let Some(name) = target.name() else { continue };
        for change in changes.iter_mut().filter(|c| diff::within(&c.path, name)) {
            change.forces_replacement = true;
        }
    }
}

fn replacement_reason(component: &str, resource_type: &str, changes: &[Change], conditional: bool) -> String {
    let forcing = diff::paths(changes.iter().filter(|c| c.forces_replacement));
    let paths = if forcing.is_empty() { diff::paths(changes) } else { forcing };
    if conditional {
        format!(
            "`{component}` changed ({paths}); CloudFormation replaces a {resource_type} for this change only in some cases, and decides while applying: plan for a replacement"
        )
    } else {
        format!("`{component}` changed ({paths}), and {resource_type} cannot change that in place")
    }
}

/// Why a resource whose own properties did not change is updated: a resource it refers to
/// changes (a replaced role gives a new ARN), or its parameter did.
fn caused_by(details: &[ResourceChangeDetail]) -> String {
    let causes: Vec<String> = details
        .iter()
        .filter_map(|d| d.causing_entity().map(|e| format!("`{e}`")))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if causes.is_empty() {
        "CloudFormation updates it although its properties are unchanged".to_string()
    } else {
        format!("it refers to {}, which changes", causes.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudformation::types::{ChangeSource, ResourceTargetDefinition};
    use serde_json::json;

    use super::*;
    use crate::model::Resource;

    /// A pipeline with one delivery stream and one Kinesis stream, as the model has them.
    fn pipeline() -> Pipeline {
        Pipeline::of(
            "security-logs",
            vec![
                (
                    "DeliveryDeliveryStream",
                    Resource::new("AWS::KinesisFirehose::DeliveryStream", "delivery", json!({})),
                ),
                ("EventsStream", Resource::new("AWS::Kinesis::Stream", "events", json!({}))),
            ],
        )
    }

    fn template(resources: Value) -> Value {
        json!({ "Resources": resources })
    }

    fn change(
        logical_id: &str,
        resource_type: &str,
        action: ChangeAction,
    ) -> aws_sdk_cloudformation::types::builders::ResourceChangeBuilder {
        ResourceChange::builder().logical_resource_id(logical_id).resource_type(resource_type).action(action)
    }

    fn detail(name: &str, recreation: RequiresRecreation) -> ResourceChangeDetail {
        let target = ResourceTargetDefinition::builder()
            .attribute(aws_sdk_cloudformation::types::ResourceAttribute::Properties)
            .name(name)
            .requires_recreation(recreation)
            .build();
        ResourceChangeDetail::builder().target(target).change_source(ChangeSource::DirectModification).build()
    }

    #[test]
    fn a_renamed_delivery_stream_is_a_replacement_named_in_blueprint_terms() {
        let deployed = template(json!({ "DeliveryDeliveryStream": {
            "Type": "AWS::KinesisFirehose::DeliveryStream",
            "Properties": { "DeliveryStreamName": "security-logs-delivery", "DeliveryStreamType": "DirectPut" }
        } }));
        let rendered = template(json!({ "DeliveryDeliveryStream": {
            "Type": "AWS::KinesisFirehose::DeliveryStream",
            "Properties": { "DeliveryStreamName": "security-logs-badges", "DeliveryStreamType": "DirectPut" }
        } }));
        let replaced = change("DeliveryDeliveryStream", "AWS::KinesisFirehose::DeliveryStream", ChangeAction::Modify)
            .replacement(Replacement::True)
            .details(detail("DeliveryStreamName", RequiresRecreation::Always))
            .physical_resource_id("security-logs-delivery")
            .build();
        let actions = actions(&pipeline(), Some(&deployed), &rendered, &[replaced]);
        let action = &actions[0];
        assert_eq!((action.kind, action.component.as_str()), (Kind::Replace, "delivery"));
        assert_eq!(action.changes.len(), 1);
        assert!(action.changes[0].forces_replacement);
        assert_eq!(action.changes[0].after, Some(json!("security-logs-badges")));
        assert_eq!(
            action.reason.as_deref(),
            Some(
                "`delivery` changed (DeliveryStreamName), and AWS::KinesisFirehose::DeliveryStream cannot change that in place"
            )
        );
    }

    #[test]
    fn a_conditional_replacement_of_a_stream_is_planned_as_one_with_its_data_loss() {
        let stream = |mode: &str| {
            template(json!({ "EventsStream": {
                "Type": "AWS::Kinesis::Stream",
                "Properties": { "Name": "security-logs-events", "StreamEncryption": { "EncryptionType": mode, "KeyId": "alias/aws/kinesis" } }
            } }))
        };
        let modified = change("EventsStream", "AWS::Kinesis::Stream", ChangeAction::Modify)
            .replacement(Replacement::Conditional)
            .details(detail("StreamEncryption", RequiresRecreation::Conditionally))
            .build();
        let actions = actions(&pipeline(), Some(&stream("KMS")), &stream("NONE"), &[modified]);
        assert_eq!(actions[0].kind, Kind::Replace);
        assert!(actions[0].data_loss.is_some(), "a stream's records go with it");
        assert!(actions[0].reason.as_deref().unwrap().contains("decides while applying"), "{:?}", actions[0].reason);
    }

    #[test]
    fn replacing_a_resource_whose_name_stays_is_blocked_and_a_renamed_one_is_not() {
        let table = |name: &str, key: &str| {
            template(json!({ "DemandTable": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": { "TableName": name, "KeySchema": [{ "AttributeName": key, "KeyType": "HASH" }] }
            } }))
        };
        let replaced = change("DemandTable", "AWS::DynamoDB::Table", ChangeAction::Modify)
            .replacement(Replacement::True)
            .details(detail("KeySchema", RequiresRecreation::Always))
            .build();
        let same_name = actions(
            &pipeline(),
            Some(&table("cm-demand", "sku")),
            &table("cm-demand", "product_id"),
            std::slice::from_ref(&replaced),
        );
        assert_eq!(same_name[0].kind, Kind::Replace);
        let blocked = same_name[0].blocked.as_deref().expect("blocked");
        assert!(blocked.contains("while the name stays \"cm-demand\""), "{blocked}");
        assert!(blocked.contains("rename the component"), "{blocked}");
        let renamed =
            actions(&pipeline(), Some(&table("cm-demand", "sku")), &table("cm-signals", "product_id"), &[replaced]);
        assert_eq!((renamed[0].kind, renamed[0].blocked.as_deref()), (Kind::Replace, None));
    }

    #[test]
    fn a_removed_store_kept_by_its_deletion_policy_loses_no_data() {
        let deployed = template(json!({ "ArchiveBucket": {
            "Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain",
            "Metadata": { "pipe:component": "archive" }, "Properties": {}
        } }));
        let removed = change("ArchiveBucket", "AWS::S3::Bucket", ChangeAction::Remove).build();
        let actions = actions(&pipeline(), Some(&deployed), &template(json!({})), &[removed]);
        assert_eq!((actions[0].kind, actions[0].component.as_str()), (Kind::Delete, "archive"));
        assert!(actions[0].data_loss.is_none());
        assert!(actions[0].reason.as_deref().unwrap().contains("Retain"));
    }

    #[test]
    fn an_update_caused_by_another_resource_says_which() {
        let same =
            template(json!({ "EventsStream": { "Type": "AWS::Kinesis::Stream", "Properties": { "Name": "s" } } }));
        let detail = ResourceChangeDetail::builder()
            .change_source(ChangeSource::ResourceAttribute)
            .causing_entity("EventsKey.Arn")
            .build();
        let modified = change("EventsStream", "AWS::Kinesis::Stream", ChangeAction::Modify)
            .replacement(Replacement::False)
            .details(detail)
            .build();
        let actions = actions(&pipeline(), Some(&same), &same, &[modified]);
        assert_eq!(actions[0].kind, Kind::Update);
        assert_eq!(actions[0].reason.as_deref(), Some("it refers to `EventsKey.Arn`, which changes"));
    }

    #[test]
    fn templates_alone_give_adds_removes_and_replacements() {
        let deployed = template(json!({
            "EventsStream": { "Type": "AWS::Kinesis::Stream", "Properties": { "Name": "a", "ShardCount": 2 } },
            "OldTopic": { "Type": "AWS::SNS::Topic", "Properties": {} },
            "Same": { "Type": "AWS::SNS::Topic", "Properties": { "TopicName": "t" } }
        }));
        let rendered = template(json!({
            "EventsStream": { "Type": "AWS::Kinesis::Stream", "Properties": { "Name": "b", "ShardCount": 2 } },
            "NewTopic": { "Type": "AWS::SNS::Topic", "Properties": {} },
            "Same": { "Type": "AWS::SNS::Topic", "Properties": { "TopicName": "t" } }
        }));
        let changes = template_changes(Some(&deployed), &rendered);
        let summary: Vec<(&str, &str, Option<&str>)> = changes
            .iter()
            .map(|c| {
                (c.logical_resource_id().unwrap(), c.action().unwrap().as_str(), c.replacement().map(|r| r.as_str()))
            })
            .collect();
        assert_eq!(
            summary,
            [("EventsStream", "Modify", Some("True")), ("NewTopic", "Add", None), ("OldTopic", "Remove", None)]
        );
    }

    #[test]
    fn a_new_resource_is_a_create() {
        let added = change("EventsStream", "AWS::Kinesis::Stream", ChangeAction::Add).build();
        let actions = actions(&pipeline(), None, &template(json!({})), &[added]);
        assert_eq!((actions[0].kind, actions[0].component.as_str()), (Kind::Create, "events"));
    }
}
