//! Producers outside AWS (SDK/KPL applications, the Kinesis Agent, Kafka clients): pipe creates the
//! managed policy their hosts or roles attach, granting exactly the writes their edges declare.

use serde_json::json;

use crate::blueprint::spec::Component;
use crate::blueprint::spec::ingestion::KinesisAgent;
use crate::blueprint::spec::sources::LogFormat;

use super::super::cfn::ref_;
use super::super::iam;
use super::super::naming::physical;
use super::super::{Builder, Resource};

/// The managed policy of a Kinesis producer, Kinesis Agent or Kafka producer. A producer that
/// writes nowhere pipe manages gets none: IAM refuses a policy without statements
/// (MalformedPolicyDocument).
pub fn policy(b: &mut Builder, logical_id: String, id: &str) {
    let statements = b.connection_grants(b.component(id), false);
    if statements.is_empty() {
        return;
    }
    let properties = json!({
        "ManagedPolicyName": physical(b.name, id),
        "Description": format!("Lets the `{id}` producer write to the pipeline; attach it to the producer's role"),
        "PolicyDocument": iam::document(&statements),
    });
    b.add(logical_id.clone(), Resource::new("AWS::IAM::ManagedPolicy", id, properties));
    b.output(format!("{logical_id}Arn"), format!("Managed policy for the `{id}` producer"), ref_(&logical_id));
}

/// The agent's `agent.json`: one flow per log source and target, converting lines to JSON the way
/// the source's format calls for.
pub fn agent_config(b: &mut Builder, agent: &KinesisAgent) {
    let sources: Vec<&Component> = b.graph.inputs_of(&agent.id).map(|e| e.from.component).collect();
    let targets: Vec<&Component> = b.graph.readers_of(&agent.id).map(|e| e.to.component).collect();
    let mut flows = Vec::new();
    for source in &sources {
        let Component::LogFiles(logs) = source else { continue };
        let processing = match (agent.convert_to_json, logs.format) {
            (false, _) | (true, LogFormat::Json) => None,
            (true, LogFormat::Csv) => {
                Some(json!({ "optionName": "CSVTOJSON", "customFieldNames": logs.columns, "delimiter": "," }))
            }
            (true, LogFormat::CommonApacheLog) => {
                Some(json!({ "optionName": "LOGTOJSON", "logFormat": "COMMONAPACHELOG" }))
            }
            (true, LogFormat::CombinedApacheLog) => {
                Some(json!({ "optionName": "LOGTOJSON", "logFormat": "COMBINEDAPACHELOG" }))
            }
            (true, LogFormat::Syslog) => Some(json!({ "optionName": "LOGTOJSON", "logFormat": "RFC3164SYSLOG" })),
        };
        for pattern in &logs.paths {
            for target in &targets {
                let mut flow = json!({ "filePattern": pattern, "initialPosition": "START_OF_FILE" });
                match target {
                    Component::Firehose(f) => flow["deliveryStream"] = json!(physical(b.name, &f.id)),
                    Component::KinesisStream(s) => {
                        flow["kinesisStream"] = json!(physical(b.name, &s.id));
                        flow["partitionKeyOption"] = json!("RANDOM");
                    }
                    _ => continue,
                }
                if let Some(processing) = &processing {
                    flow["dataProcessingOptions"] = json!([processing]);
                }
                flows.push(flow);
            }
        }
    }
    b.agent_config(&agent.id, json!({ "cloudwatch.emitMetrics": true, "flows": flows }));
}
