//! SageMaker real-time endpoints: model, endpoint configuration, endpoint.

use serde_json::json;

use crate::blueprint::spec::sagemaker::SagemakerEndpoint;

use super::super::cfn::{arn, get_att, sub};
use super::super::iam::Statement;
use super::super::naming::{logical, physical};
use super::super::needs::{self, Feature};
use super::super::{Builder, Resource};

pub fn endpoint(b: &mut Builder, id: String, endpoint: &SagemakerEndpoint) {
    // ECR's token call and CloudWatch's PutMetricData take no resource; the image pull is scoped
    // to the image's repository and the logs to the endpoints' log groups.
    let (unscoped, pull): (Vec<&'static str>, Vec<&'static str>) = needs::actions(Feature::SagemakerModel, "ecr:")
        .into_iter()
        .partition(|action| *action == "ecr:GetAuthorizationToken");
    let mut statements = vec![
        Statement::new(&[unscoped, needs::actions(Feature::SagemakerModel, "cloudwatch:")].concat(), vec![json!("*")]),
        Statement::new(&pull, vec![repository_arn(&endpoint.image)]),
        Statement::new(
            &needs::actions(Feature::SagemakerModel, "logs:"),
            vec![arn("logs", "log-group:/aws/sagemaker/Endpoints/*")],
        ),
    ];
    if let Some(data) = &endpoint.model_data
        && let Some(object) = data.strip_prefix("s3://")
    {
        let object = sub(format!("arn:${{AWS::Partition}}:s3:::{object}"));
        statements.push(needs::grant(Feature::SagemakerModelData, vec![object]));
    }
    let role = b.role(&endpoint.id, "sagemaker.amazonaws.com", &statements);
    let model = logical(&endpoint.id, "Model");
    let mut container = json!({ "Image": endpoint.image });
    if let Some(data) = &endpoint.model_data {
        container["ModelDataUrl"] = json!(data);
    }
    b.add(
        model.clone(),
        Resource::new(
            "AWS::SageMaker::Model",
            &endpoint.id,
            json!({
                "ExecutionRoleArn": get_att(&role, "Arn"),
                "PrimaryContainer": container,
                // The container serves predictions only; SageMaker itself fetches the model data.
                "EnableNetworkIsolation": true,
                "Tags": b.tags(&endpoint.id),
            }),
        ),
    );
    let config = logical(&endpoint.id, "EndpointConfig");
    b.add(
        config.clone(),
        Resource::new(
            "AWS::SageMaker::EndpointConfig",
            &endpoint.id,
            json!({
                "ProductionVariants": [{
                    "ModelName": get_att(&model, "ModelName"),
                    "VariantName": "AllTraffic",
                    "InitialInstanceCount": endpoint.instance_count,
                    "InstanceType": endpoint.instance_type,
                    "InitialVariantWeight": 1,
                }],
                "Tags": b.tags(&endpoint.id),
            }),
        ),
    );
    b.add(
        id.clone(),
        Resource::new(
            "AWS::SageMaker::Endpoint",
            &endpoint.id,
            json!({
                "EndpointName": physical(b.name, &endpoint.id),
                "EndpointConfigName": get_att(&config, "EndpointConfigName"),
                "Tags": b.tags(&endpoint.id),
            }),
        ),
    );
    b.output(format!("{id}Name"), format!("Name of the `{}` endpoint", endpoint.id), get_att(&id, "EndpointName"));
}

/// `123.dkr.ecr.us-east-1.amazonaws.com/repo:tag` → the repository's ARN.
fn repository_arn(image: &str) -> serde_json::Value {
    let (host, path) = image.split_once('/').unwrap_or((image, ""));
    let repository = path.split([':', '@']).next().unwrap_or(path);
    let mut parts = host.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(account), Some("dkr"), Some("ecr"), Some(region)) => {
            sub(format!("arn:${{AWS::Partition}}:ecr:{region}:{account}:repository/{repository}"))
        }
        _ => arn("ecr", &format!("repository/{repository}")),
    }
}
