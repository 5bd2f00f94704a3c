//! What a resource not yet created will be known by, where AWS derives it from the name alone:
//! the ARN of a stream, function, role or table is fixed by its name, account and region. A plan
//! shows these values instead of "(known after apply)"; what AWS assigns at creation (a role's
//! id, a table's stream ARN, an MSK cluster's ARN with its random suffix) stays unknown.

use serde_json::{Map, Value, json};

use crate::backend::aws::Account;

use super::provider::Desired;
use super::resolve::{Handle, is_known, url_suffix};

/// The handle `desired` will have once created, when its name decides it; `None` when the name
/// itself waits on another resource or AWS assigns the identity.
pub fn handle(account: &Account, desired: &Desired) -> Option<Handle> {
    let name = desired.name.as_str();
    if !is_known(&Value::String(name.to_string())) {
        return None;
    }
    let (p, r, a) = (&account.partition, &account.region, &account.id);
    let arn = |service: &str, resource: String| format!("arn:{p}:{service}:{r}:{a}:{resource}");
    let named = |attributes: &[(&str, String)]| Handle {
        physical_id: name.to_string(),
        attributes: attributes.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<Map<_, _>>(),
    };
    // IAM names live under a path (`/` unless the template sets one).
    let path = desired.str("Path").unwrap_or("/");
    Some(match desired.resource_type {
        "AWS::Kinesis::Stream" => named(&[("Arn", arn("kinesis", format!("stream/{name}")))]),
        "AWS::KinesisFirehose::DeliveryStream" => named(&[("Arn", arn("firehose", format!("deliverystream/{name}")))]),
        "AWS::Lambda::Function" => named(&[("Arn", arn("lambda", format!("function:{name}")))]),
        "AWS::DynamoDB::Table" => named(&[("Arn", arn("dynamodb", format!("table/{name}")))]),
        "AWS::KinesisAnalyticsV2::Application" => {
            named(&[("Arn", arn("kinesisanalytics", format!("application/{name}")))])
        }
        "AWS::OpenSearchService::Domain" => {
            let domain = arn("es", format!("domain/{name}"));
            named(&[("Arn", domain.clone()), ("DomainArn", domain)])
        }
        "AWS::IAM::Role" => named(&[("Arn", format!("arn:{p}:iam::{a}:role{path}{name}"))]),
        "AWS::IAM::ManagedPolicy" => {
            let policy = format!("arn:{p}:iam::{a}:policy{path}{name}");
            Handle {
                physical_id: policy.clone(),
                attributes: Map::from_iter([("PolicyArn".to_string(), json!(policy))]),
            }
        }
        "AWS::SNS::Topic" => {
            let topic = arn("sns", name.to_string());
            Handle {
                physical_id: topic.clone(),
                attributes: Map::from_iter([
                    ("TopicArn".to_string(), json!(topic)),
                    ("TopicName".to_string(), json!(name)),
                ]),
            }
        }
        "AWS::S3::Bucket" => {
            let suffix = url_suffix(p);
            named(&[
                ("Arn", format!("arn:{p}:s3:::{name}")),
                ("DomainName", format!("{name}.s3.{suffix}")),
                ("RegionalDomainName", format!("{name}.s3.{r}.{suffix}")),
            ])
        }
        "AWS::Logs::LogGroup" => named(&[("Arn", arn("logs", format!("log-group:{name}:*")))]),
        "AWS::Glue::Database" | "AWS::Glue::Table" | "AWS::Glue::Job" | "AWS::Glue::SecurityConfiguration" => {
            named(&[])
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desired(resource_type: &'static str, name: &str, properties: Value) -> Desired {
        Desired {
            logical_id: "X".into(),
            resource_type,
            name: name.into(),
            properties: properties.as_object().cloned().unwrap_or_default(),
        }
    }

    fn account() -> Account {
        Account {
            config: aws_config::SdkConfig::builder().build(),
            id: "123456789012".into(),
            region: "eu-west-1".into(),
            partition: "aws".into(),
        }
    }

    #[test]
    fn arns_follow_from_names() {
        let stream = handle(&account(), &desired("AWS::Kinesis::Stream", "p-clicks", json!({}))).expect("named");
        assert_eq!(stream.physical_id, "p-clicks");
        assert_eq!(stream.attributes["Arn"], "arn:aws:kinesis:eu-west-1:123456789012:stream/p-clicks");
        let role = handle(&account(), &desired("AWS::IAM::Role", "p-r", json!({ "Path": "/pipe/" }))).expect("named");
        assert_eq!(role.attributes["Arn"], "arn:aws:iam::123456789012:role/pipe/p-r");
        assert!(!role.attributes.contains_key("RoleId"), "AWS assigns a role's id");
        let topic = handle(&account(), &desired("AWS::SNS::Topic", "p-t", json!({}))).expect("named");
        assert_eq!(topic.physical_id, "arn:aws:sns:eu-west-1:123456789012:p-t", "a topic's Ref is its ARN");
    }

    #[test]
    fn what_aws_assigns_or_a_name_still_unknown_is_not_predicted() {
        assert!(handle(&account(), &desired("AWS::MSK::Cluster", "p-kafka", json!({}))).is_none());
        let unknown = desired("AWS::Kinesis::Stream", crate::plan::KNOWN_AFTER_APPLY, json!({}));
        assert!(handle(&account(), &unknown).is_none());
    }
}
