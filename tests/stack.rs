//! `pipe plan`, `apply` and `destroy` with the CloudFormation target (the default), against the
//! moto server. moto's CloudFormation creates the types of the internet-offering scenario
//! (Kinesis, IAM, Lambda and its event source mapping, SNS topics, logs); it skips SNS
//! subscriptions. What the stack created is checked with the tests' own SDK calls.

use crate::deploy::{assert_plan_snapshot, leftovers, pipe, run};
use crate::support::aws::{Workspace, config, pipe_in, runtime};

#[test]
fn internet_offering_as_a_stack_plans_applies_changes_and_destroys() {
    let region = "us-west-2";
    let workspace = Workspace::new("internet-offering", "io-stack");
    let aws = config(region);
    let cfn = aws_sdk_cloudformation::Client::new(&aws);
    let rt = runtime();
    let stack_status = || {
        rt.block_on(cfn.describe_stacks().stack_name("io-stack").send())
            .ok()
            .and_then(|out| out.stacks().first().and_then(|s| s.stack_status()).map(|s| s.as_str().to_string()))
    };

    let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 2, "a first plan has changes: {err}");
    assert!(plan.starts_with("Plan for `io-stack` (cloudformation target"), "{plan}");
    assert!(plan.contains("23 to create, 0 to update, 0 to REPLACE, 0 to delete"), "{plan}");
    assert_eq!(stack_status(), None, "a plan nobody applies leaves no change set and no stack");

    let (code, out, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {out}{err}");
    assert_eq!(stack_status().as_deref(), Some("CREATE_COMPLETE"));
    let kinesis = aws_sdk_kinesis::Client::new(&aws);
    let lambda = aws_sdk_lambda::Client::new(&aws);
    let batch_size = || {
        let mappings =
            rt.block_on(lambda.list_event_source_mappings().function_name("io-stack-enrich").send()).unwrap();
        mappings.event_source_mappings()[0].batch_size()
    };
    rt.block_on(async {
        let stream = kinesis.describe_stream_summary().stream_name("io-stack-signups").send().await.unwrap();
        assert_eq!(stream.stream_description_summary().unwrap().open_shard_count(), 2);
        let function = lambda.get_function().function_name("io-stack-enrich").send().await.unwrap();
        assert_eq!(function.configuration().unwrap().memory_size(), Some(256));
        let stacks = cfn.describe_stacks().stack_name("io-stack").send().await.unwrap();
        let tags = stacks.stacks()[0].tags();
        assert!(tags.iter().any(|t| t.key() == Some("pipe:pipeline") && t.value() == Some("io-stack")), "{tags:?}");
    });
    assert_eq!(batch_size(), Some(100));

    let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 0, "a plan right after apply has no changes: {plan}{err}");

    workspace.edit("size: 100", "size: 200");
    let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 2, "{err}");
    assert_plan_snapshot("stack_edited_plan", &plan);
    let (code, diff, err) = pipe(region, &["diff"], &workspace);
    assert_eq!(code, 0, "{err}");
    assert_plan_snapshot("stack_edited_diff", &diff);

    // A saved plan executes exactly its change set.
    let saved = workspace.blueprint.with_extension("plan.json");
    let saved_arg = saved.to_str().unwrap();
    let (code, _, err) = pipe(region, &["plan", "--out", saved_arg], &workspace);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(pipe_in(region).args(["apply", "--yes", "--target", "sdk", saved_arg]));
    assert_eq!(code, 1, "a plan made for the stack is not applied through the service APIs");
    assert!(err.contains("it was made for the cloudformation target, this is the sdk target"), "{err}");
    let (code, out, err) = run(pipe_in(region).args(["apply", "--yes", saved_arg]));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(batch_size(), Some(200));
    assert_eq!(stack_status().as_deref(), Some("UPDATE_COMPLETE"));
    let (code, _, err) = run(pipe_in(region).args(["apply", "--yes", saved_arg]));
    assert_eq!(code, 1, "a change set already executed cannot be applied again");
    assert!(err.contains("the saved plan is stale"), "{err}");

    let (code, out, err) = pipe(region, &["destroy", "--yes"], &workspace);
    assert_eq!(code, 0, "destroy: {err}");
    assert_eq!(stack_status(), None);
    assert!(out.contains("Deleted 21 resources."), "the stack's 23 but the 2 kept streams: {out}");
    assert!(out.contains("Kept these data stores"), "{out}");
    assert_eq!(leftovers(region, "io-stack"), ["stream io-stack-offers", "stream io-stack-signups"]);

    // The kept streams are adopted by the next stack, not created again under their names.
    let created = || {
        let stream = rt.block_on(kinesis.describe_stream_summary().stream_name("io-stack-signups").send()).unwrap();
        *stream.stream_description_summary().unwrap().stream_creation_timestamp()
    };
    let kept_since = created();
    let (code, plan, err) = pipe(region, &["plan"], &workspace);
    assert_eq!(code, 0, "{err}");
    assert!(plan.contains("21 to create, 0 to update, 0 to REPLACE, 0 to delete, 2 to import"), "{plan}");
    assert!(plan.contains("<= import SignupsStream (AWS::Kinesis::Stream"), "{plan}");
    let (code, out, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply after destroy: {out}{err}");
    assert_eq!(created(), kept_since, "the stream the stack holds now is the kept one");
    let held =
        rt.block_on(cfn.describe_stack_resource().stack_name("io-stack").logical_resource_id("SignupsStream").send());
    let held = held.expect("the stack holds the kept stream");
    assert_eq!(held.stack_resource_detail().and_then(|r| r.physical_resource_id()), Some("io-stack-signups"));
    let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 0, "a plan right after the adoption has no changes: {plan}{err}");

    let (code, out, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "destroy: {err}");
    assert!(out.contains("Deleted 23 resources."), "the stack's 21, then the 2 kept streams: {out}");
    assert_eq!(leftovers(region, "io-stack"), Vec::<String>::new());
}

/// A pipeline of 60 streams and their producers: its template is over the 51,200 bytes
/// CloudFormation takes in a request, so it goes through the artifacts bucket.
#[test]
fn a_template_too_large_for_the_request_is_deployed_from_the_artifacts_bucket() {
    let region = "eu-west-1";
    let dir = tempfile::tempdir().unwrap();
    let blueprint = dir.path().join("many.yaml");
    let producers: String = (0..60)
        .map(|i| {
            format!("  - id: p{i:02}\n    kind: kinesis-producer\n    library: sdk\n    from: app\n    to: s{i:02}\n")
        })
        .collect();
    let streams: String = (0..60)
        .map(|i| format!("  - id: s{i:02}\n    kind: kinesis-stream\n    capacity: {{ mode: on-demand }}\n"))
        .collect();
    let text = format!(
        "version: 1\nname: io-many\nmonitoring: {{ alarms: none, dashboard: false }}\nsource:\n  - id: app\n    kind: application\n    throughput: {{ records_per_second: 10, record_kib: 1 }}\ningestion:\n{producers}storage:\n{streams}"
    );
    std::fs::write(&blueprint, text).unwrap();
    let pipe = |args: &[&str]| run(pipe_in(region).args(args).arg(&blueprint));

    let (code, out, err) = pipe(&["apply", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("120 to create"), "{out}");
    let aws = config(region);
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&aws).force_path_style(true).build());
    let rt = runtime();
    let templates = rt
        .block_on(
            s3.list_objects_v2()
                .bucket(format!("pipe-artifacts-123456789012-{region}"))
                .prefix("pipe/io-many/templates/")
                .send(),
        )
        .unwrap();
    assert_eq!(templates.contents().len(), 1, "the template went through the bucket");
    let stream =
        rt.block_on(aws_sdk_kinesis::Client::new(&aws).describe_stream_summary().stream_name("io-many-s59").send());
    assert!(stream.is_ok(), "the last stream exists");
    let (code, plan, err) = pipe(&["plan", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{plan}{err}");
    let (code, _, err) = pipe(&["destroy", "--yes", "--allow-data-loss"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(leftovers(region, "io-many"), Vec::<String>::new());
}

/// A stream of the same name exists already (left by someone else): the create fails and the
/// apply says so; once the stream is gone, the stack is created. (The recovery AWS needs, from
/// ROLLBACK_COMPLETE, is tested on a recorded conversation.)
#[test]
fn a_failed_create_fails_the_apply_and_the_stack_is_created_once_the_cause_is_gone() {
    let region = "ap-northeast-2";
    let workspace = Workspace::new("internet-offering", "io-fail");
    let aws = config(region);
    let kinesis = aws_sdk_kinesis::Client::new(&aws);
    let rt = runtime();
    rt.block_on(kinesis.create_stream().stream_name("io-fail-signups").shard_count(1).send()).unwrap();

    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("io-fail (AWS::CloudFormation::Stack) could not be changed"), "{err}");
    // moto fails the ExecuteChangeSet call itself, without a reason it can put in XML; AWS rolls
    // back and the first failed event names the cause (tested on a recorded conversation).
    assert!(err.contains("run `pipe apply` again to resume"), "{err}");

    rt.block_on(kinesis.delete_stream().stream_name("io-fail-signups").send()).unwrap();
    // moto keeps the stack REVIEW_IN_PROGRESS and, unlike AWS, makes a second stack of the same
    // name for the next change set; deleting the empty stack first keeps one.
    let (code, _, err) = pipe(region, &["destroy", "--yes"], &workspace);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "{out}{err}");
    let lambda = aws_sdk_lambda::Client::new(&aws);
    assert!(rt.block_on(lambda.get_function().function_name("io-fail-enrich").send()).is_ok());
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
    assert_eq!(leftovers(region, "io-fail"), Vec::<String>::new());
}

#[test]
fn termination_protection_follows_the_blueprint() {
    let region = "ap-northeast-3";
    let workspace = Workspace::new("internet-offering", "io-guard");
    workspace.edit("\nname: io-guard\n", "\nname: io-guard\ndeploy:\n  termination_protection: true\n");
    let (code, out, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("turn on termination protection"), "{out}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 1);
    assert!(err.contains("has termination protection"), "{err}");

    workspace.edit("termination_protection: true", "termination_protection: false");
    let (code, plan, _) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 2, "{plan}");
    assert!(plan.contains("turn off termination protection"), "{plan}");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
    assert_eq!(leftovers(region, "io-guard"), Vec::<String>::new());
}

/// A stream's retention and a function's memory changed outside pipe (with the SDK, as boto3
/// would): the stack's template still says otherwise, so CloudFormation's change set would leave
/// them. The plan and `pipe diff` read live through the SDK target's readers and say so.
#[test]
fn what_changed_outside_pipe_on_a_stack_shows_in_plan_and_diff() {
    let region = "eu-west-3";
    let workspace = Workspace::new("internet-offering", "io-drift");
    let (code, out, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "{out}{err}");
    let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 0, "what CloudFormation made reads back as the template says: {plan}{err}");

    let aws = config(region);
    let rt = runtime();
    rt.block_on(
        aws_sdk_kinesis::Client::new(&aws)
            .increase_stream_retention_period()
            .stream_name("io-drift-signups")
            .retention_period_hours(72)
            .send(),
    )
    .expect("retention raised");
    rt.block_on(
        aws_sdk_lambda::Client::new(&aws)
            .update_function_configuration()
            .function_name("io-drift-enrich")
            .memory_size(1024)
            .send(),
    )
    .expect("memory raised");

    let (code, plan, err) = pipe(region, &["plan"], &workspace);
    assert_eq!(code, 0, "{err}");
    let drift = &plan[plan.find("Changed outside pipe, and left so by this plan:").expect(&plan)..];
    for (resource, change) in [
        ("SignupsStream (AWS::Kinesis::Stream, component `signups`)", "RetentionPeriodHours: 72 → 24"),
        ("EnrichFunction (AWS::Lambda::Function, component `enrich`)", "MemorySize: 1024 → 256"),
    ] {
        assert!(drift.contains(&format!("~ {resource}")), "{plan}");
        assert!(drift.contains(change), "{plan}");
    }
    assert!(drift.contains("because changed outside pipe; the change set leaves it so"), "{plan}");
    let (_, comment, _) = pipe(region, &["plan", "--output", "markdown"], &workspace);
    let drift = &comment[comment.find("**Changed outside pipe, and left so by this plan**").expect(&comment)..];
    assert!(drift.contains("RetentionPeriodHours: 72 → 24") && drift.contains("MemorySize: 1024 → 256"), "{comment}");

    let (code, diff, err) = pipe(region, &["diff", "--exit-code"], &workspace);
    assert_eq!(code, 2, "live differs: {diff}{err}");
    assert!(diff.contains("changed outside pipe: SignupsStream"), "{diff}");
    assert!(diff.contains("RetentionPeriodHours: 72 → 24"), "{diff}");
    assert!(diff.contains("MemorySize: 1024 → 256"), "{diff}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
}
