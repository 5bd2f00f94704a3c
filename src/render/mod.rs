//! The compiled pipeline as a CloudFormation template: built as data, serialised as YAML or JSON.
//! The same pipeline always renders byte-identical text (ordered maps, no timestamps).

use serde_json::{Map, Value, json};

use crate::model::{Pipeline, Prerequisite, Resource, Suppression};

/// CloudFormation's limits on one template (see `limits/` for sources).
pub const INLINE_BODY_BYTES: usize = 51_200;
pub const MAX_BODY_BYTES: usize = 1_000_000;
pub const MAX_RESOURCES: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Yaml,
    Json,
}

#[derive(Debug)]
pub struct Rendered {
    pub text: String,
    pub resources: usize,
    /// The body is too large to pass inline; it has to be uploaded to S3 first.
    pub needs_upload: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the template has {0} resources; CloudFormation allows {MAX_RESOURCES} per stack")]
    TooManyResources(usize),
    #[error("the template is {0} bytes; CloudFormation accepts at most {MAX_BODY_BYTES}, even from S3")]
    TooLarge(usize),
}

pub fn render(pipeline: &Pipeline, format: Format) -> Result<Rendered, Error> {
    let template = template(pipeline);
    let resources = pipeline.resources.len();
    if resources > MAX_RESOURCES {
        return Err(Error::TooManyResources(resources));
    }
    let text = match format {
        Format::Json => serde_json::to_string_pretty(&template).expect("templates serialise") + "\n",
        Format::Yaml => serde_saphyr::to_string(&template).expect("templates serialise"),
    };
    // Limits apply to the body CloudFormation receives; compact JSON is the smallest form.
    let compact = serde_json::to_string(&template).expect("templates serialise").len();
    if compact > MAX_BODY_BYTES {
        return Err(Error::TooLarge(compact));
    }
    Ok(Rendered { needs_upload: text.len() > INLINE_BODY_BYTES, text, resources })
}

pub fn template(pipeline: &Pipeline) -> Value {
    let mut template = Map::new();
    template.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    template.insert("Description".into(), json!(truncate(&pipeline.description, 1024)));
    let artifacts: Vec<Value> =
        pipeline.artifacts.iter().map(|a| json!({ "component": a.component, "key": a.key })).collect();
    let mut pipe = json!({ "pipeline": pipeline.name, "artifacts": artifacts });
    if !pipeline.prerequisites.is_empty() {
        let prerequisites: Vec<Value> = pipeline
            .prerequisites
            .iter()
            .map(|p| match p {
                Prerequisite::GlueTable { component, database, table } => {
                    json!({ "kind": "glue-table", "component": component, "database": database, "table": table })
                }
            })
            .collect();
        pipe["prerequisites"] = Value::Array(prerequisites);
    }
    if !pipeline.manual_steps.is_empty() {
        let steps: Vec<Value> = pipeline
            .manual_steps
            .iter()
            .map(|(component, step)| json!({ "component": component, "step": step }))
            .collect();
        pipe["manual_steps"] = Value::Array(steps);
    }
    template.insert("Metadata".into(), json!({ "pipe": pipe }));
    if !pipeline.parameters.is_empty() {
        let parameters: Map<String, Value> = pipeline
            .parameters
            .iter()
            .map(|(name, p)| {
                (name.clone(), json!({ "Type": "String", "Description": p.description, "AllowedPattern": p.pattern }))
            })
            .collect();
        template.insert("Parameters".into(), Value::Object(parameters));
    }
    let resources: Map<String, Value> = pipeline.resources.iter().map(|(id, r)| (id.clone(), resource(r))).collect();
    template.insert("Resources".into(), Value::Object(resources));
    if !pipeline.outputs.is_empty() {
        let outputs: Map<String, Value> = pipeline
            .outputs
            .iter()
            .map(|(name, o)| (name.clone(), json!({ "Description": o.description, "Value": o.value })))
            .collect();
        template.insert("Outputs".into(), Value::Object(outputs));
    }
    Value::Object(template)
}

fn resource(resource: &Resource) -> Value {
    let mut out = Map::new();
    out.insert("Type".into(), json!(resource.cfn_type));
    if !resource.depends_on.is_empty() {
        out.insert("DependsOn".into(), json!(resource.depends_on));
    }
    if let Some(retain) = resource.retain {
        let policy = if retain { "Retain" } else { "Delete" };
        out.insert("DeletionPolicy".into(), json!(policy));
        out.insert("UpdateReplacePolicy".into(), json!(policy));
    }
    if let Some(policy) = &resource.update_policy {
        out.insert("UpdatePolicy".into(), policy.clone());
    }
    let mut metadata = json!({ "pipe:component": resource.component });
    // checkov's skips carry their reason; cfn-lint's config has no place for one, so the reason
    // of each ignored cfn-lint check lives beside its `Suppression` in the model.
    let (checkov, lint): (Vec<&Suppression>, Vec<&Suppression>) =
        resource.suppressions.iter().partition(|s| s.check.starts_with("CKV"));
    if !checkov.is_empty() {
        let skip: Vec<Value> = checkov.iter().map(|s| json!({ "id": s.check, "comment": s.reason })).collect();
        metadata["checkov"] = json!({ "skip": skip });
    }
    if !lint.is_empty() {
        let ignore: Vec<&str> = lint.iter().map(|s| s.check).collect();
        metadata["cfn-lint"] = json!({ "config": { "ignore_checks": ignore } });
    }
    out.insert("Metadata".into(), metadata);
    out.insert("Properties".into(), Value::Object(resource.properties.clone()));
    Value::Object(out)
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
