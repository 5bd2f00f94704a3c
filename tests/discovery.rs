//! Leftovers found by their tags: a plan lists only the services the pipeline uses and those the
//! Resource Groups Tagging API finds its resources in, so it needs no permission on the rest.

use crate::deploy::{leftovers, leftovers_in, pipe, run};
use crate::support::aws::{Server, Workspace, config_at, pipe_at, runtime};

const PRICING_MODEL: &str = "  - id: pricing-model
    kind: sagemaker-endpoint
    image: \"{{ pricing_image }}\"
    model_data: \"{{ pricing_model }}\"
    instance_type: ml.m5.large
    instance_count: 1
";

#[test]
fn a_service_the_blueprint_no_longer_uses_is_found_by_the_tags_of_what_it_left() {
    let region = "us-west-1";
    let workspace = Workspace::sdk("clickstream-ml", "cm-tags");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {err}");
    // The pipeline drops SageMaker altogether: only the tagging API says its endpoint is there.
    workspace.edit("to: [pricing-model, catalog]", "to: [catalog]");
    workspace.edit("      # One inference request for each demand signal.\n      pricing-model: { records_per_second: 50, record_kib: 0.5 }\n", "");
    workspace.edit(PRICING_MODEL, "");
    let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 2, "{plan}{err}");
    for resource_type in ["AWS::SageMaker::Endpoint", "AWS::SageMaker::EndpointConfig", "AWS::SageMaker::Model"] {
        assert!(plan.lines().any(|l| l.contains("- delete") && l.contains(resource_type)), "{resource_type}:\n{plan}");
    }
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {err}");
    let left = leftovers(region, "cm-tags");
    assert!(!left.iter().any(|l| l.contains("pricing")), "{left:?}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "destroy: {err}");
}

#[test]
fn a_kinesis_and_lambda_pipeline_plans_with_permissions_on_its_own_services_only() {
    let region = "us-west-2";
    let server = Server::start(&["--proxy-latency-ms", "0", "--faults", "denied"]);
    let workspace = Workspace::sdk("internet-offering", "io-denied");
    let through_proxy = |args: &[&str]| {
        let mut command = pipe_at(&server.proxy_endpoint(), region);
        command.args(args).arg(&workspace.blueprint);
        run(&mut command)
    };
    let (code, plan, err) = through_proxy(&["plan", "--detailed-exitcode"]);
    assert_eq!(code, 2, "no call reaches a service the pipeline does not use:\n{plan}{err}");
    assert!(!plan.contains("Not checked"), "{plan}");
    let (code, _, err) = through_proxy(&["apply", "--yes"]);
    assert_eq!(code, 0, "apply: {err}");

    // Something of the pipeline's in a service it may not read: the plan says it did not look.
    let sagemaker = aws_sdk_sagemaker::Client::new(&config_at(&server.endpoint(), region));
    let tag = aws_sdk_sagemaker::types::Tag::builder().key("pipe:pipeline").value("io-denied").build();
    let container = aws_sdk_sagemaker::types::ContainerDefinition::builder().image("123.dkr.ecr/x:1").build();
    let created = sagemaker
        .create_model()
        .model_name("io-denied-Scorer-1a2b3c4d")
        .execution_role_arn("arn:aws:iam::123456789012:role/scorer")
        .primary_container(container)
        .tags(tag)
        .send();
    runtime().block_on(created).expect("a model tagged for the pipeline");
    let (code, plan, err) = through_proxy(&["plan", "--detailed-exitcode"]);
    assert_eq!(code, 0, "an AccessDenied on an unused service is a warning, not a failed plan:\n{plan}{err}");
    assert!(plan.contains("Not checked:"), "{plan}");
    assert!(plan.contains("AWS::SageMaker::Model leftovers of this pipeline were not looked for"), "{plan}");
    assert!(plan.contains("AccessDenied"), "{plan}");

    let (code, _, err) = through_proxy(&["destroy", "--yes", "--allow-data-loss"]);
    assert_eq!(code, 0, "destroy: {err}");
}

/// Without the tagging API (tag:GetResources refused), a pipeline still plans, applies and is
/// destroyed: leftovers are looked for only in its own services, and the plan says so; the
/// alarm topic's key is found by its alias alone.
#[test]
fn a_pipeline_plans_applies_and_is_destroyed_without_the_tagging_api() {
    let region = "ap-northeast-3";
    let server = Server::start(&["--proxy-latency-ms", "0", "--faults", "untagged"]);
    let workspace = Workspace::sdk("internet-offering", "io-untagged");
    let through_proxy = |args: &[&str]| {
        let mut command = pipe_at(&server.proxy_endpoint(), region);
        command.args(args).arg(&workspace.blueprint);
        run(&mut command)
    };
    let (code, plan, err) = through_proxy(&["plan", "--detailed-exitcode"]);
    assert_eq!(code, 2, "{plan}{err}");
    assert!(plan.contains("leftovers were looked for only among the services this pipeline uses"), "{plan}");
    assert!(plan.contains("+ create PipelineAlarmsKey (AWS::KMS::Key"), "{plan}");
    let (code, _, err) = through_proxy(&["apply", "--yes"]);
    assert_eq!(code, 0, "apply: {err}");
    let (code, plan, err) = through_proxy(&["plan", "--detailed-exitcode"]);
    assert_eq!(code, 0, "the key is found by its alias: {plan}{err}");
    let (code, _, err) = through_proxy(&["destroy", "--yes", "--allow-data-loss"]);
    assert_eq!(code, 0, "destroy: {err}");
    assert_eq!(leftovers_in(&config_at(&server.endpoint(), region), &workspace.name), Vec::<String>::new());
}
