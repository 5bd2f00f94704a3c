//! What must be started after it is deployed, because deploying never starts it: a Managed Flink
//! application (CloudFormation creates it READY) and a Glue streaming job (a job is a definition;
//! a run is what reads the stream). Both targets plan and run these as steps of their own.

use serde_json::Value;

use super::Pipeline;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    FlinkApplication { logical_id: String, component: String, name: String },
    GlueStreamingJob { logical_id: String, component: String, name: String },
}

impl Start {
    pub fn logical_id(&self) -> &str {
        match self {
            Start::FlinkApplication { logical_id, .. } | Start::GlueStreamingJob { logical_id, .. } => logical_id,
        }
    }
}

pub fn starts(pipeline: &Pipeline) -> Vec<Start> {
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_string);
    pipeline
        .resources
        .iter()
        .filter_map(|(id, resource)| {
            let (logical_id, component) = (id.clone(), resource.component.clone());
            match resource.cfn_type {
                "AWS::KinesisAnalyticsV2::Application" => {
                    let name = text(resource.properties.get("ApplicationName"))?;
                    Some(Start::FlinkApplication { logical_id, component, name })
                }
                "AWS::Glue::Job"
                    if resource.properties.get("Command").and_then(|c| c.get("Name")).and_then(Value::as_str)
                        == Some("gluestreaming") =>
                {
                    let name = text(resource.properties.get("Name"))?;
                    Some(Start::GlueStreamingJob { logical_id, component, name })
                }
                _ => None,
            }
        })
        .collect()
}
