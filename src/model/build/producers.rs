//! Producers outside AWS (SDK/KPL applications, the Kinesis Agent, Kafka clients): pipe creates the
//! managed policy their hosts or roles attach, granting exactly the writes their edges declare.

use serde_json::json;

use crate::blueprint::spec::Component;
use crate::blueprint::spec::ingestion::KafkaProducer;

use super::super::cfn::ref_;
use super::super::iam::{self, Access, grants};
use super::super::naming::{logical, physical};
use super::super::{Builder, Resource};

pub fn kinesis(b: &mut Builder, id: &str) {
    let targets: Vec<&Component> = b.graph.readers_of(id).map(|e| e.to.component).collect();
    let statements: Vec<_> = targets.into_iter().flat_map(|t| grants(Access::Write, t, b.name, None)).collect();
    policy(b, id, &statements);
}

pub fn kafka(b: &mut Builder, producer: &KafkaProducer) {
    let targets: Vec<&Component> = b.graph.readers_of(&producer.id).map(|e| e.to.component).collect();
    let statements: Vec<_> =
        targets.into_iter().flat_map(|t| grants(Access::Write, t, b.name, Some(&producer.topic))).collect();
    policy(b, &producer.id, &statements);
}

fn policy(b: &mut Builder, id: &str, statements: &[iam::Statement]) {
    let logical_id = logical(id, "Policy");
    let properties = json!({
        "ManagedPolicyName": physical(b.name, id),
        "Description": format!("Lets the `{id}` producer write to the pipeline; attach it to the producer's role"),
        "PolicyDocument": iam::document(statements),
    });
    b.add(logical_id.clone(), Resource::new("AWS::IAM::ManagedPolicy", id, properties));
    b.output(format!("{logical_id}Arn"), format!("Managed policy for the `{id}` producer"), ref_(&logical_id));
}
