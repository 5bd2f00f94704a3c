//! `pipe plan`, `apply`, `diff` and `destroy` with the SDK target, against a real moto server.
//! What pipe created is checked with the tests' own SDK calls, never with pipe's reader.

use std::process::Output;

use crate::support::aws::{Workspace, config, network, pipe_at, pipe_in, proxy_endpoint, runtime};

pub(crate) fn run(command: &mut std::process::Command) -> (i32, String, String) {
    let Output { status, stdout, stderr } = command.output().expect("pipe runs");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

pub(crate) fn pipe(region: &str, args: &[&str], workspace: &Workspace) -> (i32, String, String) {
    let mut command = pipe_in(region);
    command.args(args).arg(&workspace.blueprint);
    run(&mut command)
}

/// Snapshots a plan view with the random ids of event source mappings as `<uuid>`.
pub(crate) fn assert_plan_snapshot(name: &str, text: &str) {
    insta::with_settings!({ filters => vec![(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>")] }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn internet_offering_plans_applies_changes_and_destroys() {
    let region = "us-east-1";
    let workspace = Workspace::sdk("internet-offering", "io-life");

    let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 2, "a first plan has changes: {err}");
    assert!(plan.contains("23 to create, 0 to update, 0 to REPLACE, 0 to delete, 2 steps"), "{plan}");

    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {err}");

    let aws = config(region);
    let kinesis = aws_sdk_kinesis::Client::new(&aws);
    let lambda = aws_sdk_lambda::Client::new(&aws);
    let sns = aws_sdk_sns::Client::new(&aws);
    let iam = aws_sdk_iam::Client::new(&aws);
    let rt = runtime();
    rt.block_on(async {
        let stream = kinesis.describe_stream_summary().stream_name("io-life-signups").send().await.unwrap();
        let stream = stream.stream_description_summary().unwrap();
        assert_eq!(stream.open_shard_count(), 2);
        assert_eq!(stream.retention_period_hours(), 24);
        assert_eq!(stream.key_id(), Some("alias/aws/kinesis"));
        let tags = kinesis.list_tags_for_stream().stream_name("io-life-signups").send().await.unwrap();
        assert!(tags.tags().iter().any(|t| t.key() == "pipe:pipeline" && t.value() == Some("io-life")));

        let function = lambda.get_function().function_name("io-life-enrich").send().await.unwrap();
        let config = function.configuration().unwrap();
        assert_eq!(config.runtime().map(|r| r.as_str()), Some("python3.12"));
        assert_eq!(config.memory_size(), Some(256));
        assert_eq!(config.timeout(), Some(30));
        let variables = config.environment().unwrap().variables().unwrap();
        assert_eq!(variables["OFFERS_STREAM_NAME"], "io-life-offers");
        assert!(config.role().unwrap().ends_with(":role/io-life-EnrichRole"));

        let mappings = lambda.list_event_source_mappings().function_name("io-life-enrich").send().await.unwrap();
        let mapping = &mappings.event_source_mappings()[0];
        assert_eq!(mapping.batch_size(), Some(100));
        assert_eq!(mapping.parallelization_factor(), Some(2));
        assert_eq!(mapping.bisect_batch_on_function_error(), Some(true));
        assert!(
            mapping
                .destination_config()
                .unwrap()
                .on_failure()
                .unwrap()
                .destination()
                .unwrap()
                .ends_with(":io-life-enrich-failures")
        );

        let topic_arn = "arn:aws:sns:us-east-1:123456789012:io-life-enrich-failures";
        let topic = sns.get_topic_attributes().topic_arn(topic_arn).send().await.unwrap();
        assert_eq!(topic.attributes().unwrap()["KmsMasterKeyId"], "alias/aws/sns");
        // The topic alarms notify is under a key of its own, which CloudWatch may use.
        let alarms_arn = "arn:aws:sns:us-east-1:123456789012:io-life-pipeline-alarms";
        let alarms = sns.get_topic_attributes().topic_arn(alarms_arn).send().await.unwrap();
        let key_arn = &alarms.attributes().unwrap()["KmsMasterKeyId"];
        let kms = aws_sdk_kms::Client::new(&aws);
        let key = kms.describe_key().key_id("alias/io-life-PipelineAlarmsKey").send().await.unwrap();
        assert_eq!(key.key_metadata().unwrap().arn(), Some(key_arn.as_str()));
        let policy = kms.get_key_policy().key_id(key_arn).policy_name("default").send().await.unwrap();
        let policy: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
        assert_eq!(policy["Statement"][1]["Principal"]["Service"], "cloudwatch.amazonaws.com");
        assert_eq!(policy["Statement"][1]["Action"], serde_json::json!(["kms:Decrypt", "kms:GenerateDataKey*"]));
        assert!(kms.get_key_rotation_status().key_id(key_arn).send().await.unwrap().key_rotation_enabled());
        let role = iam.get_role_policy().role_name("io-life-EnrichRole").policy_name("pipe").send().await.unwrap();
        assert!(role.policy_document().contains("sns%3APublish") || role.policy_document().contains("sns:Publish"));
    });

    let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 0, "a plan right after apply has no changes: {plan}{err}");

    workspace.edit("shards: auto", "shards: 16");
    workspace.edit("size: 100", "size: 200");
    workspace.edit(
        "capacity: { mode: on-demand }\n    retention_hours: 24",
        "capacity: { mode: on-demand }\n    retention_hours: 48",
    );
    let (code, plan, _) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 2);
    assert_plan_snapshot("internet_offering_edited_plan", &plan);
    let (_, markdown, _) = pipe(region, &["plan", "--output", "markdown"], &workspace);
    assert_plan_snapshot("internet_offering_edited_plan_markdown", &markdown);
    let (code, json, _) = pipe(region, &["plan", "--output", "json"], &workspace);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&json).expect("the JSON view parses");
    assert_eq!(json["format_version"], 2);
    let updated: Vec<&str> = json["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "update")
        .map(|a| a["resource"].as_str().unwrap())
        .collect();
    // Twice the flow: two more shards, and the alarms and dashboard that follow the flow.
    assert_eq!(
        updated,
        [
            "SignupsStream",
            "OffersStream",
            "PipelineDashboard",
            "SignupsWriteCapacityAlarm",
            "EnrichErrorsAlarm",
            "EnrichSignupsMapping"
        ]
    );
    let (code, diff, _) = pipe(region, &["diff"], &workspace);
    assert_eq!(code, 0);
    assert_plan_snapshot("internet_offering_edited_diff", &diff);
    let (code, _, _) = pipe(region, &["diff", "--exit-code"], &workspace);
    assert_eq!(code, 2, "--exit-code: 2 when something differs");

    let (code, out, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {err}");
    assert!(out.contains(": 6 updated. `pipe plan` now shows no changes."), "the plan's count: {out}");
    let (code, _, err) = pipe(region, &["diff", "--exit-code"], &workspace);
    assert_eq!(code, 0, "nothing differs after apply: {err}");
    rt.block_on(async {
        let stream = kinesis.describe_stream_summary().stream_name("io-life-signups").send().await.unwrap();
        assert_eq!(stream.stream_description_summary().unwrap().open_shard_count(), 16);
        let offers = kinesis.describe_stream_summary().stream_name("io-life-offers").send().await.unwrap();
        assert_eq!(offers.stream_description_summary().unwrap().retention_period_hours(), 48);
        let mappings = lambda.list_event_source_mappings().function_name("io-life-enrich").send().await.unwrap();
        assert_eq!(mappings.event_source_mappings()[0].batch_size(), Some(200));
    });
    let (code, plan, _) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 0, "{plan}");

    // A change made outside pipe is drift, told apart from an intended change, and apply puts it back.
    rt.block_on(
        kinesis.increase_stream_retention_period().stream_name("io-life-signups").retention_period_hours(36).send(),
    )
    .unwrap();
    let (code, plan, _) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 2);
    assert!(plan.contains("update SignupsStream (AWS::Kinesis::Stream io-life-signups, component `signups`) [drift: changed outside pipe]"), "{plan}");
    assert!(plan.contains("RetentionPeriodHours: 36 → 24"), "{plan}");
    // Putting the retention back deletes the records between 24 and 36 hours old.
    assert!(plan.contains("lost: records older than 1 day (kept 36 hours until now) are deleted"), "{plan}");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 1, "{err}");
    let (code, _, err) = pipe(region, &["apply", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
    let stream = rt.block_on(kinesis.describe_stream_summary().stream_name("io-life-signups").send()).unwrap();
    assert_eq!(stream.stream_description_summary().unwrap().retention_period_hours(), 24);

    let (code, out, err) = pipe(region, &["destroy", "--yes"], &workspace);
    assert_eq!(code, 0, "destroy: {err}");
    assert!(out.contains("Kept these data stores"), "{out}");
    assert_eq!(leftovers(region, &workspace.name), ["stream io-life-offers", "stream io-life-signups"]);
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "destroy: {err}");
    assert_eq!(leftovers(region, &workspace.name), Vec::<String>::new());
}

#[test]
fn a_saved_plan_applies_with_the_target_it_was_made_for() {
    let region = "ca-central-1";
    let workspace = Workspace::new("internet-offering", "io-saved-target");
    let saved = workspace.blueprint.with_extension("plan.json");
    let saved_arg = saved.to_str().unwrap();
    let (code, _, err) = pipe(region, &["plan", "--target", "sdk", "--out", saved_arg], &workspace);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(pipe_in(region).args(["apply", "--yes", "--target", "cloudformation", saved_arg]));
    assert_eq!(code, 1, "told another target, the plan is refused");
    assert!(
        err.contains("the saved plan is stale: it was made for the sdk target, this is the cloudformation target; run"),
        "only the target is said, not live state the other target cannot compare: {err}"
    );
    let (code, out, err) = run(pipe_in(region).args(["apply", "--yes", saved_arg]));
    assert_eq!(code, 0, "the blueprint defaults to CloudFormation; the plan says sdk: {out}{err}");
    assert!(leftovers(region, "io-saved-target").contains(&"stream io-saved-target-signups".to_string()));
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss", "--target", "sdk"], &workspace);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_saved_plan_applies_only_to_what_it_was_made_from() {
    let region = "eu-central-1";
    let workspace = Workspace::sdk("internet-offering", "io-saved");
    let saved = workspace.blueprint.with_extension("plan.json");
    let saved_arg = saved.to_str().unwrap();
    let (code, _, err) = pipe(region, &["plan", "--out", saved_arg], &workspace);
    assert_eq!(code, 0, "{err}");

    workspace.edit("memory_mib: 256", "memory_mib: 512");
    let (code, _, err) = run(pipe_in(region).args(["apply", "--yes", saved_arg]));
    assert_eq!(code, 1);
    assert!(err.contains("the saved plan is stale: the blueprint or its code changed"), "{err}");

    workspace.edit("memory_mib: 512", "memory_mib: 256");
    let (code, _, err) = run(pipe_in(region).args(["apply", "--yes", saved_arg]));
    assert_eq!(code, 0, "the unchanged plan applies: {err}");
    let (code, _, err) = run(pipe_in(region).args(["apply", "--yes", saved_arg]));
    assert_eq!(code, 1, "live changed since the plan");
    assert!(err.contains("the saved plan is stale: live changed for ") && err.contains("SignupsStream"), "{err}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn missing_region_and_credentials_are_one_line_errors() {
    let workspace = Workspace::sdk("internet-offering", "io-config");
    let mut command = pipe_in("us-east-1");
    command.env_remove("AWS_REGION").env_remove("AWS_DEFAULT_REGION").args(["plan"]).arg(&workspace.blueprint);
    let (code, _, err) = run(&mut command);
    assert_eq!(
        (code, err.trim()),
        (1, "error: no AWS region: pass `--region`, set AWS_REGION, or set `region` in your AWS profile")
    );

    let mut command = pipe_in("us-east-1");
    command
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["plan"])
        .arg(&workspace.blueprint);
    let (code, _, err) = run(&mut command);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: no usable AWS credentials"), "{err}");
}

/// Profiles as operators keep them: one whose keys come from a `credential_process` (aws-vault,
/// granted) plans; one that signs in through IAM Identity Center without a session says how to
/// sign in, not that no credentials exist.
#[test]
fn credential_process_profiles_work_and_an_sso_profile_without_a_session_says_sign_in() {
    let workspace = Workspace::sdk("internet-offering", "io-profiles");
    let home = tempfile::tempdir().expect("temp dir");
    let config = home.path().join("config");
    std::fs::write(
        &config,
        r#"[profile vault]
credential_process = sh -c "echo '{\"Version\": 1, \"AccessKeyId\": \"testing\", \"SecretAccessKey\": \"testing\"}'"

[profile corp]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Admin

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
"#,
    )
    .expect("write config");
    for (profile, expected_code) in [("vault", 0), ("corp", 1)] {
        let mut command = pipe_in("us-east-1");
        command
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env("AWS_CONFIG_FILE", &config)
            .env("HOME", home.path())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .args(["plan", "--profile", profile])
            .arg(&workspace.blueprint);
        let (code, out, err) = run(&mut command);
        assert_eq!(code, expected_code, "{profile}: {out}{err}");
        if profile == "vault" {
            assert!(out.starts_with("Plan for `io-profiles`"), "{out}");
        } else {
            assert_eq!(
                err,
                "error: profile `corp` signs in through IAM Identity Center and has no valid session \
                 (failed to load the cached SSO token): run `aws sso login --profile corp`\n"
            );
        }
    }
}

/// A closed port and a listener that never answers each end in one line, in seconds, naming the
/// endpoint: not the credential advice, and not a wait without end.
#[test]
fn an_endpoint_that_is_closed_or_silent_is_named_in_seconds() {
    let workspace = Workspace::sdk("internet-offering", "io-endpoint");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let closed_at = format!("http://{}", closed.local_addr().expect("bound"));
    drop(closed);
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let silent_at = format!("http://{}", silent.local_addr().expect("bound"));
    for (endpoint, said) in [
        (&closed_at, format!("error: cannot reach {closed_at} (Connection refused")),
        (&silent_at, format!("error: no answer from {silent_at} within 5 s")),
    ] {
        let began = std::time::Instant::now();
        let (code, _, err) = run(pipe_at(endpoint, "us-east-1").args(["plan"]).arg(&workspace.blueprint));
        let took = began.elapsed();
        assert_eq!((code, err.lines().count()), (1, 1), "{err}");
        assert!(err.starts_with(&said), "{err}");
        assert!(took < std::time::Duration::from_secs(15), "{endpoint}: {took:?}");
    }
    drop(silent);
}

#[test]
fn apply_converges_through_throttling_and_runs_independent_resources_together() {
    let region = "eu-west-3";
    let workspace = Workspace::sdk("internet-offering", "io-proxy");
    let mut command = pipe_in(region);
    command.env("AWS_ENDPOINT_URL", proxy_endpoint()).args(["apply", "--yes"]).arg(&workspace.blueprint);
    let (code, _, log) = run(&mut command);
    assert_eq!(code, 0, "apply through the throttling proxy: {log}");
    assert!(most_in_flight(&log) >= 2, "independent resources run together:\n{log}");

    let mut command = pipe_in(region);
    command.env("AWS_ENDPOINT_URL", proxy_endpoint()).args(["plan", "--detailed-exitcode"]).arg(&workspace.blueprint);
    let (code, plan, err) = run(&mut command);
    assert_eq!(code, 0, "{plan}{err}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
}

/// Whether the lease of `pipeline`'s applies is held (its object is in the artifacts bucket).
fn lease_held(region: &str, pipeline: &str) -> bool {
    let aws = config(region);
    let bucket = format!("pipe-artifacts-123456789012-{region}");
    let head =
        aws_sdk_s3::Client::new(&aws).head_object().bucket(bucket).key(format!("pipe/{pipeline}/apply.lock")).send();
    runtime().block_on(head).is_ok()
}

/// `pipe <args>` through the slow proxy, once it has said `progress` of three resources
/// (`created`, `deleted`): the process, its stderr and what it said so far.
fn part_way(
    region: &str,
    workspace: &Workspace,
    args: &[&str],
    progress: &str,
) -> (std::process::Child, (std::io::BufReader<std::process::ChildStderr>, String)) {
    use std::io::BufRead;
    use std::process::Stdio;

    let mut command = pipe_in(region);
    command.env("AWS_ENDPOINT_URL", proxy_endpoint()).args(args).arg(&workspace.blueprint);
    let mut child = command.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().expect("pipe runs");
    let mut stderr = std::io::BufReader::new(child.stderr.take().expect("piped"));
    let mut seen = String::new();
    while seen.matches(&format!(": {progress} in")).count() < 3 {
        let mut line = String::new();
        assert_ne!(stderr.read_line(&mut line).expect("readable"), 0, "apply ended early: {seen}");
        seen.push_str(&line);
    }
    (child, (stderr, seen))
}

#[test]
fn an_apply_killed_part_way_resumes_without_duplicates() {
    let region = "sa-east-1";
    let workspace = Workspace::sdk("internet-offering", "io-killed");
    let (mut child, _) = part_way(region, &workspace, &["apply", "--yes"], "created");
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");

    let (code, plan, _) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 2, "the interrupted apply left work to do");
    assert!(!plan.contains("9 to create"), "some resources exist already: {plan}");
    assert!(!plan.contains("[drift"), "what the killed apply left is not a change outside pipe: {plan}");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "the re-run takes over the dead run's lease and converges: {err}");
    let (code, plan, _) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 0, "{plan}");

    let aws = config(region);
    runtime().block_on(async {
        let lambda = aws_sdk_lambda::Client::new(&aws);
        let mappings = lambda.list_event_source_mappings().function_name("io-killed-enrich").send().await.unwrap();
        assert_eq!(mappings.event_source_mappings().len(), 1);
        let sns = aws_sdk_sns::Client::new(&aws);
        let topic = "arn:aws:sns:sa-east-1:123456789012:io-killed-enrich-failures";
        let subscriptions = sns.list_subscriptions_by_topic().topic_arn(topic).send().await.unwrap();
        assert_eq!(subscriptions.subscriptions().len(), 1);
        let iam = aws_sdk_iam::Client::new(&aws);
        let policies = iam.list_policies().scope(aws_sdk_iam::types::PolicyScopeType::Local).send().await.unwrap();
        let ours = policies.policies().iter().filter(|p| p.policy_name() == Some("io-killed-signup-producer"));
        assert_eq!(ours.count(), 1);
    });
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
    assert_eq!(leftovers(region, &workspace.name), Vec::<String>::new());
}

/// Ctrl-C mid-apply: in-flight calls are abandoned, the lease released, the exit code 130, and
/// what was done and how to resume said; the next plan shows work left, never drift, and the
/// next apply finishes it.
#[test]
fn an_apply_stopped_by_sigint_releases_its_lease_and_says_how_to_resume() {
    use std::io::Read;

    let region = "sa-east-1";
    let workspace = Workspace::sdk("internet-offering", "io-stopped");
    let (mut child, (mut stderr, mut seen)) = part_way(region, &workspace, &["apply", "--yes"], "created");
    let interrupted = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    assert!(interrupted.expect("kill runs").success());
    stderr.read_to_string(&mut seen).expect("the rest of stderr");
    let status = child.wait().expect("reaped");
    assert_eq!(status.code(), Some(130), "{seen}");
    assert!(seen.contains("SIGINT: stopping: abandoning calls in flight (again to stop at once)"), "{seen}");
    assert!(
        seen.contains("error: stopped by SIGINT: calls in flight were abandoned, and AWS may still finish them; run `pipe apply` again to resume"),
        "{seen}"
    );
    assert!(seen.contains("already done: "), "{seen}");
    let aws = config(region);
    assert!(!lease_held(region, "io-stopped"), "the lease was released, not left to expire");

    let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 2, "the stopped apply left work to do: {err}");
    assert!(!plan.contains("[drift"), "nothing changed outside pipe: {plan}");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "{err}");
    let (code, plan, _) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 0, "{plan}");

    // Changed outside pipe, a resource is drift; the same difference on a resource an apply
    // stopped on (its journal says so) is work left unfinished.
    let kinesis = aws_sdk_kinesis::Client::new(&aws);
    runtime()
        .block_on(
            kinesis
                .increase_stream_retention_period()
                .stream_name("io-stopped-signups")
                .retention_period_hours(72)
                .send(),
        )
        .expect("retention raised outside pipe");
    let (_, plan, _) = pipe(region, &["plan"], &workspace);
    assert!(plan.contains("update SignupsStream (AWS::Kinesis::Stream io-stopped-signups, component `signups`) [drift: changed outside pipe]"), "{plan}");
    runtime()
        .block_on(
            aws_sdk_s3::Client::new(&aws)
                .put_object()
                .bucket(format!("pipe-artifacts-123456789012-{region}"))
                .key("pipe/io-stopped/apply.journal.json")
                .body(br#"{"started": 1, "pending": ["SignupsStream"]}"#.to_vec().into())
                .send(),
        )
        .expect("journal written");
    let (_, plan, _) = pipe(region, &["plan"], &workspace);
    assert!(plan.contains("component `signups`) [unfinished: the last apply stopped here]"), "{plan}");
    assert!(plan.contains("because unfinished: the last apply stopped here before converging it"), "{plan}");

    // A destroy stopped part way releases the lease too, and the next one finishes.
    let (mut child, (mut stderr, mut seen)) =
        part_way(region, &workspace, &["destroy", "--yes", "--allow-data-loss"], "deleted");
    let interrupted = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    assert!(interrupted.expect("kill runs").success());
    stderr.read_to_string(&mut seen).expect("the rest of stderr");
    assert_eq!(child.wait().expect("reaped").code(), Some(143), "{seen}");
    assert!(seen.contains("error: stopped by SIGTERM: deletes in flight were abandoned"), "{seen}");
    assert!(!lease_held(region, "io-stopped"), "the lease was released, not left to expire");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
    assert_eq!(leftovers(region, &workspace.name), Vec::<String>::new());
}

#[test]
fn renaming_a_stream_loses_its_records_so_apply_refuses_it_without_allow_data_loss() {
    let region = "us-west-1";
    let workspace = Workspace::sdk("internet-offering", "io-rename");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "{err}");

    workspace.edit("to: offers", "to: offer-stream");
    workspace.edit("      offers: {", "      offer-stream: {");
    workspace.edit("- id: offers", "- id: offer-stream");
    let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 2, "{err}");
    assert_plan_snapshot("renamed_stream_plan", &plan);

    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 1);
    assert!(err.contains("refusing to lose data: io-rename-offers would lose what they hold"), "{err}");
    assert!(leftovers(region, "io-rename").contains(&"stream io-rename-offers".to_string()), "nothing was changed");

    let (code, _, err) = pipe(region, &["apply", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
    let left = leftovers(region, "io-rename");
    assert!(
        left.contains(&"stream io-rename-offer-stream".to_string())
            && !left.contains(&"stream io-rename-offers".to_string()),
        "{left:?}"
    );
    let (code, plan, _) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 0, "{plan}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn plan_names_a_missing_prerequisite_and_apply_waits_for_it() {
    let region = "eu-south-1";
    let (_dir, blueprint) = crate::support::temp_blueprint(
        "version: 1
name: lake-prereq
source:
  - { id: app, kind: application, throughput: { records_per_second: 100, record_kib: 1 } }
ingestion:
  - { id: producer, kind: kinesis-producer, from: app, to: events }
storage:
  - { id: events, kind: kinesis-stream, capacity: { mode: on-demand } }
  - { id: lake, kind: s3-bucket }
processing:
  - id: to-lake
    kind: firehose
    from: events
    to: lake
    buffer: { size_mib: 64 }
    format_conversion: { output: parquet, database: analytics, table: events }
",
    );
    let run_pipe = |args: &[&str]| run(pipe_in(region).args(args).args(["--target", "sdk"]).arg(&blueprint));
    let (code, plan, err) = run_pipe(&["plan", "--detailed-exitcode"]);
    assert_eq!(code, 2, "{err}");
    assert!(plan.contains("Missing prerequisites (apply refuses until they exist):\n  ! `to-lake` converts records with the Glue table `analytics.events`, which does not exist"), "{plan}");
    let (code, _, err) = run_pipe(&["apply", "--yes"]);
    assert_eq!(code, 1);
    assert!(err.contains("the pipeline relies on what does not exist yet"), "{err}");

    let glue = aws_sdk_glue::Client::new(&config(region));
    runtime().block_on(async {
        let database = aws_sdk_glue::types::DatabaseInput::builder().name("analytics").build().unwrap();
        glue.create_database().database_input(database).send().await.unwrap();
        let table = aws_sdk_glue::types::TableInput::builder().name("events").build().unwrap();
        glue.create_table().database_name("analytics").table_input(table).send().await.unwrap();
    });
    let (code, plan, err) = run_pipe(&["plan"]);
    assert_eq!(code, 0, "{err}");
    assert!(!plan.contains("Missing prerequisites"), "{plan}");
}

#[test]
fn a_renamed_delivery_stream_is_replaced_and_its_leftovers_deleted() {
    let region = "eu-west-2";
    let workspace = Workspace::sdk("sensor-anomaly", "sa-rename");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "{err}");

    workspace.edit("to: [alerts, archive]", "to: [alerts, archiver]");
    workspace.edit("      archive: {", "      archiver: {");
    workspace.edit("- id: archive\n", "- id: archiver\n");
    let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 2, "{err}");
    for leftover in [
        "delete sa-rename-archive (AWS::KinesisFirehose::DeliveryStream",
        "delete sa-rename-ArchiveRole (AWS::IAM::Role",
        "delete /aws/kinesisfirehose/sa-rename-archive (AWS::Logs::LogGroup",
    ] {
        assert!(plan.contains(leftover), "{leftover} in\n{plan}");
    }
    assert!(!plan.contains("Data loss"), "a delivery stream holds no data of its own: {plan}");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "{err}");
    let (code, plan, _) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 0, "{plan}");
    let left = leftovers(region, "sa-rename");
    assert!(!left.iter().any(|l| l.ends_with("sa-rename-archive")), "{left:?}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
    assert_eq!(leftovers(region, "sa-rename"), Vec::<String>::new());
}

#[test]
fn a_second_apply_of_a_pipeline_fails_while_the_first_holds_its_lease() {
    let region = "ap-southeast-1";
    let workspace = Workspace::sdk("internet-offering", "io-lock");
    let aws = config(region);
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&aws).force_path_style(true).build());
    let bucket = format!("pipe-artifacts-123456789012-{region}");
    let key = "pipe/io-lock/apply.lock";
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    // A lease as a running apply holds it: this host, a live process (the test itself).
    let holder = serde_json::json!({
        "host": gethostname::gethostname().to_string_lossy(),
        "pid": std::process::id(),
        "started": now,
        "expires": now + 120,
    });
    runtime().block_on(async {
        let location = aws_sdk_s3::types::BucketLocationConstraint::from(region);
        let configuration =
            aws_sdk_s3::types::CreateBucketConfiguration::builder().location_constraint(location).build();
        s3.create_bucket().bucket(&bucket).create_bucket_configuration(configuration).send().await.unwrap();
        s3.put_object().bucket(&bucket).key(key).body(holder.to_string().into_bytes().into()).send().await.unwrap();
    });
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 1);
    let expected = format!(
        "another `pipe apply` of `io-lock` is running (host {}, process {}",
        holder["host"].as_str().unwrap(),
        std::process::id()
    );
    assert!(err.contains(&expected), "{err}");

    runtime().block_on(async { s3.delete_object().bucket(&bucket).key(key).send().await.unwrap() });
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "with the lease released: {err}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
}

/// The most resources in flight at once, from apply's log lines (`X: creating` ...
/// `X: created in`).
fn most_in_flight(log: &str) -> usize {
    let (mut now, mut most) = (0usize, 0);
    for line in log.lines() {
        if line.ends_with(": creating") || line.ends_with(": updating") {
            now += 1;
            most = most.max(now);
        } else if line.contains(": created in") || line.contains(": updated in") {
            now = now.saturating_sub(1);
        }
    }
    most
}

/// The cycle every scenario goes through: plan shows every create (exit 2), apply, the tests'
/// own describe calls find the blueprint's settings, plan is clean (exit 0), one setting changes,
/// plan shows exactly that update (snapshot), apply, plan is clean, destroy leaves nothing.
struct Cycle {
    scenario: &'static str,
    name: &'static str,
    region: &'static str,
    edit: &'static [(&'static str, &'static str)],
    /// Checks one setting live, before (`false`) or after (`true`) the edit.
    check: fn(&aws_config::SdkConfig, &str, bool),
}

impl Cycle {
    fn run(&self) {
        let workspace = Workspace::sdk(self.scenario, self.name);
        let region = self.region;
        let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
        assert_eq!(code, 2, "{plan}{err}");
        assert!(plan.contains(" to create, 0 to update, 0 to REPLACE, 0 to delete"), "{plan}");
        let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
        assert_eq!(code, 0, "apply: {err}");
        let aws = config(region);
        (self.check)(&aws, self.name, false);
        let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
        assert_eq!(code, 0, "a plan right after apply has no changes: {plan}{err}");

        for (from, to) in self.edit {
            workspace.edit(from, to);
        }
        let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
        assert_eq!(code, 2, "{plan}{err}");
        assert_plan_snapshot(&format!("{}_edited_plan", self.scenario), &plan);
        let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
        assert_eq!(code, 0, "apply: {err}");
        (self.check)(&aws, self.name, true);
        let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
        assert_eq!(code, 0, "{plan}{err}");

        let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
        assert_eq!(code, 0, "destroy: {err}");
        assert_eq!(leftovers(region, self.name), Vec::<String>::new());
    }
}

#[test]
fn security_logs_cycle() {
    Cycle {
        scenario: "security-logs",
        name: "sl-life",
        region: "ap-south-1",
        edit: &[("interval_seconds: 60", "interval_seconds: 120")],
        check: |aws, name, edited| {
            let firehose = aws_sdk_firehose::Client::new(aws);
            let described = runtime()
                .block_on(firehose.describe_delivery_stream().delivery_stream_name(format!("{name}-delivery")).send())
                .unwrap();
            let description = described.delivery_stream_description().unwrap();
            let destination = &description.destinations()[0];
            let hints = destination.redshift_destination_description().unwrap().s3_destination_description().unwrap();
            let interval = hints.buffering_hints().unwrap().interval_in_seconds();
            assert_eq!(interval, Some(if edited { 120 } else { 60 }));

            let secrets = aws_sdk_secretsmanager::Client::new(aws);
            let secret = runtime()
                .block_on(secrets.describe_secret().secret_id(format!("pipe/{name}-warehouse/admin")).send())
                .unwrap();
            let redshift_data = aws_sdk_redshiftdata::Client::new(aws);
            let tables = runtime()
                .block_on(
                    redshift_data
                        .list_tables()
                        .workgroup_name(format!("{name}-warehouse"))
                        .database("security")
                        .secret_arn(secret.arn().unwrap())
                        .send(),
                )
                .unwrap();
            let names: Vec<_> = tables.tables().iter().filter_map(|t| t.name()).collect();
            assert_eq!(names, ["badge_events"], "pipe runs the table's DDL");
        },
    }
    .run();
}

#[test]
fn sensor_anomaly_cycle() {
    Cycle {
        scenario: "sensor-anomaly",
        name: "sa-life",
        region: "ap-northeast-1",
        edit: &[("parallelism: 2", "parallelism: 4")],
        check: |aws, name, edited| {
            let flink = aws_sdk_kinesisanalyticsv2::Client::new(aws);
            let described = runtime()
                .block_on(flink.describe_application().application_name(format!("{name}-detect")).send())
                .unwrap();
            let detail = described.application_detail().unwrap();
            assert_eq!(detail.application_status().as_str(), "RUNNING", "pipe starts the application");
            let parallelism = detail
                .application_configuration_description()
                .and_then(|c| c.flink_application_configuration_description())
                .and_then(|f| f.parallelism_configuration_description())
                .and_then(|p| p.parallelism());
            assert_eq!(parallelism, Some(if edited { 4 } else { 2 }));
        },
    }
    .run();
}

#[test]
fn clickstream_ml_cycle() {
    Cycle {
        scenario: "clickstream-ml",
        name: "cm-life",
        region: "eu-north-1",
        edit: &[("retention_hours: 48", "retention_hours: 72"), ("workers: auto", "workers: 4")],
        check: |aws, name, edited| {
            let rt = runtime();
            let kinesis = aws_sdk_kinesis::Client::new(aws);
            let stream =
                rt.block_on(kinesis.describe_stream_summary().stream_name(format!("{name}-clicks")).send()).unwrap();
            let hours = stream.stream_description_summary().unwrap().retention_period_hours();
            assert_eq!(hours, if edited { 72 } else { 48 });
            let glue = aws_sdk_glue::Client::new(aws);
            let job = rt.block_on(glue.get_job().job_name(format!("{name}-join-clicks")).send()).unwrap();
            assert_eq!(job.job().unwrap().number_of_workers(), Some(if edited { 4 } else { 3 }));
            let runs = rt.block_on(glue.get_job_runs().job_name(format!("{name}-join-clicks")).send()).unwrap();
            let states: Vec<&str> =
                runs.job_runs().iter().filter_map(|r| r.job_run_state()).map(|s| s.as_str()).collect();
            let count = |state: &str| states.iter().filter(|s| **s == state).count();
            assert_eq!(count("RUNNING"), 1, "one run reads the stream: {states:?}");
            // The update stopped the run that started with three workers, and started one with four.
            assert_eq!(count("STOPPED"), usize::from(edited), "{states:?}");
            let dynamodb = aws_sdk_dynamodb::Client::new(aws);
            let table = rt.block_on(dynamodb.describe_table().table_name(format!("{name}-demand")).send()).unwrap();
            assert!(table.table().unwrap().latest_stream_arn().is_some(), "the reprice function reads its stream");
        },
    }
    .run();
}

#[test]
fn kafka_telemetry_cycle() {
    Cycle {
        scenario: "kafka-telemetry",
        name: "kt-life",
        region: "us-east-2",
        edit: &[("storage_gib: 100", "storage_gib: 120"), ("partitions: 12", "partitions: 24")],
        check: |aws, name, edited| {
            let rt = runtime();
            let opensearch = aws_sdk_opensearch::Client::new(aws);
            let domain =
                rt.block_on(opensearch.describe_domain().domain_name(format!("{name}-dashboards")).send()).unwrap();
            let ebs = domain.domain_status().unwrap().ebs_options().unwrap();
            assert_eq!(ebs.volume_size(), Some(if edited { 120 } else { 100 }));
            let kafka = aws_sdk_kafka::Client::new(aws);
            let clusters = rt.block_on(kafka.list_clusters_v2().send()).unwrap();
            let cluster = clusters
                .cluster_info_list()
                .iter()
                .find(|c| c.cluster_name() == Some(format!("{name}-telemetry").as_str()))
                .and_then(|c| c.cluster_arn())
                .expect("the cluster exists");
            let topic =
                rt.block_on(kafka.describe_topic().cluster_arn(cluster).topic_name("cab-telemetry").send()).unwrap();
            assert_eq!(topic.partition_count(), Some(if edited { 24 } else { 12 }));
            assert_eq!(topic.replication_factor(), Some(3));
        },
    }
    .run();
}

/// Renames and removals that leave a resource of every type pipe looks for leftovers of: once
/// the workspace is applied, each phase's edits make a plan that deletes what the phase names,
/// apply removes it, the tests' own listing no longer finds it, and nothing is left to do.
struct Leftovers {
    name: &'static str,
    region: &'static str,
    phases: &'static [Phase],
}

struct Phase {
    edits: &'static [(&'static str, &'static str)],
    /// (resource type, component) of each leftover the plan deletes.
    deletes: &'static [(&'static str, &'static str)],
    /// Starts of what `leftovers` lists that must be gone after the apply.
    gone: &'static [&'static str],
}

impl Leftovers {
    fn run(&self, workspace: &Workspace) {
        let region = self.region;
        let (code, _, err) = pipe(region, &["apply", "--yes"], workspace);
        assert_eq!(code, 0, "apply: {err}");
        for phase in self.phases {
            for (from, to) in phase.edits {
                workspace.edit(from, to);
            }
            let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], workspace);
            assert_eq!(code, 2, "{plan}{err}");
            for (resource_type, component) in phase.deletes {
                let deleted = plan.lines().any(|line| {
                    line.starts_with("  - delete ")
                        && line.contains(&format!("({resource_type} "))
                        && line.ends_with(&format!("component `{component}`)"))
                });
                assert!(deleted, "no delete of the {resource_type} of `{component}` in\n{plan}");
            }
            let (code, _, err) = pipe(region, &["apply", "--yes", "--allow-data-loss"], workspace);
            assert_eq!(code, 0, "apply: {err}");
            let left = leftovers(region, self.name);
            for gone in phase.gone {
                assert!(!left.iter().any(|l| l.starts_with(gone)), "{gone} is still there: {left:?}");
            }
            let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], workspace);
            assert_eq!(code, 0, "nothing is left to delete: {plan}{err}");
        }
    }

    fn destroy(&self, workspace: &Workspace) {
        let (code, _, err) = pipe(self.region, &["destroy", "--yes", "--allow-data-loss"], workspace);
        assert_eq!(code, 0, "destroy: {err}");
        assert_eq!(leftovers(self.region, self.name), Vec::<String>::new());
    }
}

#[test]
fn leftovers_of_glue_sagemaker_buckets_tables_and_a_kept_functions_mapping_are_deleted() {
    let workspace = Workspace::sdk("clickstream-ml", "cm-left");
    // A network gives the job a Glue connection.
    workspace.edit(
        "    starting_position: trim-horizon\n",
        "    starting_position: trim-horizon\n    network:\n      subnet: subnet-0a1b2c3d4e5f60001\n      availability_zone: ca-central-1a\n      security_groups: [sg-0a1b2c3d4e5f60001]\n",
    );
    let case = Leftovers {
        name: "cm-left",
        region: "ca-central-1",
        phases: &[Phase {
            edits: &[
                ("- id: join-clicks\n", "- id: join-views\n"),
                ("to: [pricing-model, catalog]", "to: [price-model, catalog]"),
                ("      pricing-model: {", "      price-model: {"),
                ("- id: pricing-model\n", "- id: price-model\n"),
                ("on_failure: reprice-failures", "on_failure: reprice-errors"),
                ("- id: reprice-failures\n", "- id: reprice-errors\n"),
                // The function stays and reads another table: its old mapping is left behind.
                ("    to: demand\n", "    to: signals\n"),
                ("      demand: { records_per_second", "      signals: { records_per_second"),
                ("    from: demand\n", "    from: signals\n"),
                ("- id: demand\n", "- id: signals\n"),
            ],
            deletes: &[
                ("AWS::Glue::Job", "join-clicks"),
                ("AWS::Glue::SecurityConfiguration", "join-clicks"),
                ("AWS::Glue::Connection", "join-clicks"),
                ("AWS::SageMaker::Endpoint", "pricing-model"),
                ("AWS::SageMaker::EndpointConfig", "pricing-model"),
                ("AWS::SageMaker::Model", "pricing-model"),
                ("AWS::S3::Bucket", "reprice-failures"),
                ("AWS::DynamoDB::Table", "demand"),
                ("AWS::Lambda::EventSourceMapping", "reprice"),
            ],
            gone: &[
                "glue job cm-left-join-clicks",
                "glue security configuration cm-left-join-clicks",
                "glue connection cm-left-join-clicks",
                "role cm-left-JoinClicks",
                "endpoint cm-left-pricing-model",
                "endpoint config cm-left-PricingModel",
                "sagemaker model cm-left-PricingModel",
                "role cm-left-PricingModel",
                "bucket cm-left-reprice-failures",
                "table cm-left-demand",
            ],
        }],
    };
    case.run(&workspace);
    let lambda = aws_sdk_lambda::Client::new(&config(case.region));
    let mappings =
        runtime().block_on(lambda.list_event_source_mappings().function_name("cm-left-reprice").send()).unwrap();
    let sources: Vec<&str> = mappings.event_source_mappings().iter().filter_map(|m| m.event_source_arn()).collect();
    assert_eq!(sources.len(), 1, "{sources:?}");
    assert!(sources[0].contains(":table/cm-left-signals/stream/"), "{sources:?}");
    case.destroy(&workspace);
}

#[test]
fn leftovers_of_msk_emr_and_opensearch_are_deleted() {
    let workspace = Workspace::sdk("kafka-telemetry", "kt-left");
    let case = Leftovers {
        name: "kt-left",
        region: "sa-east-1",
        phases: &[
            Phase {
                edits: &[
                    (
                        "  - id: telemetry\n    kind: msk-cluster\n    deployment: provisioned\n    kafka_version: 3.8.x\n    broker_type: kafka.m7g.large\n    brokers: auto\n    storage_gib: auto\n",
                        "  - id: fleet\n    kind: msk-cluster\n    deployment: serverless\n",
                    ),
                    ("    to: telemetry\n", "    to: fleet\n"),
                    ("    from: telemetry\n", "    from: fleet\n"),
                    ("- id: aggregate\n", "- id: aggregator\n"),
                    ("    to: dashboards\n", "    to: dashboard\n"),
                    ("      dashboards: {", "      dashboard: {"),
                    ("- id: dashboards\n", "- id: dashboard\n"),
                ],
                deletes: &[
                    ("AWS::MSK::Cluster", "telemetry"),
                    ("AWS::EMR::Cluster", "aggregate"),
                    ("AWS::IAM::InstanceProfile", "aggregate"),
                    ("AWS::IAM::Role", "aggregate"),
                    ("AWS::OpenSearchService::Domain", "dashboards"),
                ],
                gone: &[
                    "msk cluster kt-left-telemetry",
                    "emr cluster kt-left-aggregate",
                    "instance profile kt-left-Aggregate",
                    "role kt-left-Aggregate",
                    "domain kt-left-dashboards",
                ],
            },
            Phase {
                edits: &[
                    ("- id: fleet\n", "- id: bus\n"),
                    ("    to: fleet\n", "    to: bus\n"),
                    ("    from: fleet\n", "    from: bus\n"),
                ],
                deletes: &[("AWS::MSK::ServerlessCluster", "fleet")],
                gone: &["msk cluster kt-left-fleet"],
            },
        ],
    };
    case.run(&workspace);
    case.destroy(&workspace);
}

#[test]
fn leftovers_of_redshift_warehouses_secrets_and_buckets_are_deleted() {
    let region = "eu-south-1";
    let workspace = Workspace::sdk("security-logs", "sl-left");
    // Redshift looks up the subnets and security groups a cluster is given.
    let (subnets, group) = network(region);
    for (n, subnet) in subnets.iter().enumerate() {
        workspace.edit(&format!("subnet-0a1b2c3d4e5f6000{}", n + 1), subnet);
    }
    workspace.edit("sg-0a1b2c3d4e5f60001", &group);
    let case = Leftovers {
        name: "sl-left",
        region,
        phases: &[
            Phase {
                edits: &[
                    ("    intermediate: staging\n", "    intermediate: landing\n"),
                    ("- id: staging\n", "- id: landing\n"),
                    ("    to: warehouse\n", "    to: vault\n"),
                    (
                        "  - id: warehouse\n    kind: redshift\n    deployment: serverless\n    base_capacity_rpus: 8\n",
                        "  - id: vault\n    kind: redshift\n    deployment: cluster\n    node_type: ra3.xlplus\n    nodes: 2\n",
                    ),
                ],
                deletes: &[
                    ("AWS::RedshiftServerless::Workgroup", "warehouse"),
                    ("AWS::RedshiftServerless::Namespace", "warehouse"),
                    ("AWS::SecretsManager::Secret", "warehouse"),
                    ("AWS::S3::Bucket", "staging"),
                ],
                gone: &[
                    "workgroup sl-left-warehouse",
                    "namespace sl-left-warehouse",
                    "secret pipe/sl-left-warehouse/",
                    "bucket sl-left-staging",
                ],
            },
            Phase {
                edits: &[("    to: vault\n", "    to: store\n"), ("- id: vault\n", "- id: store\n")],
                deletes: &[("AWS::Redshift::Cluster", "vault"), ("AWS::Redshift::ClusterSubnetGroup", "vault")],
                gone: &["redshift cluster sl-left-vault", "subnet group sl-left-vaultsubnetgroup"],
            },
        ],
    };
    case.run(&workspace);
    case.destroy(&workspace);
}

/// What is left in `region` (and in IAM) under the pipeline's names, found by listing each
/// service the way a person would in the console.
pub(crate) fn leftovers(region: &str, pipeline: &str) -> Vec<String> {
    leftovers_in(&config(region), pipeline)
}

/// What `pipeline` left on the server `aws` points at.
pub(crate) fn leftovers_in(aws: &aws_config::SdkConfig, pipeline: &str) -> Vec<String> {
    let prefix = format!("{pipeline}-");
    runtime().block_on(async {
        let mut found = Vec::new();
        let streams = aws_sdk_kinesis::Client::new(aws).list_streams().send().await.unwrap();
        found.extend(streams.stream_names().iter().filter(|n| n.starts_with(&prefix)).map(|n| format!("stream {n}")));
        let functions = aws_sdk_lambda::Client::new(aws).list_functions().send().await.unwrap();
        found.extend(
            functions
                .functions()
                .iter()
                .filter_map(|f| f.function_name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("function {n}")),
        );
        let mappings = aws_sdk_lambda::Client::new(aws).list_event_source_mappings().send().await.unwrap();
        found.extend(
            mappings
                .event_source_mappings()
                .iter()
                .filter(|m| m.function_arn().is_some_and(|a| a.contains(&format!(":function:{prefix}"))))
                .map(|m| format!("mapping {}", m.uuid().unwrap_or_default())),
        );
        let iam = aws_sdk_iam::Client::new(aws);
        let roles = iam.list_roles().send().await.unwrap();
        found.extend(
            roles.roles().iter().map(|r| r.role_name()).filter(|n| n.starts_with(&prefix)).map(|n| format!("role {n}")),
        );
        let policies = iam.list_policies().scope(aws_sdk_iam::types::PolicyScopeType::Local).send().await.unwrap();
        found.extend(
            policies
                .policies()
                .iter()
                .filter_map(|p| p.policy_name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("policy {n}")),
        );
        let topics = aws_sdk_sns::Client::new(aws).list_topics().send().await.unwrap();
        found.extend(
            topics
                .topics()
                .iter()
                .filter_map(|t| t.topic_arn())
                .filter(|a| a.contains(&format!(":{prefix}")))
                .map(|a| format!("topic {a}")),
        );
        let groups = aws_sdk_cloudwatchlogs::Client::new(aws).describe_log_groups().send().await.unwrap();
        found.extend(
            groups
                .log_groups()
                .iter()
                .filter_map(|g| g.log_group_name())
                .filter(|n| n.contains(&prefix))
                .map(|n| format!("log group {n}")),
        );
        // A deleted key waits a week in PendingDeletion: only a usable one is left over.
        let kms = aws_sdk_kms::Client::new(aws);
        for key in kms.list_keys().send().await.unwrap().keys() {
            let id = key.key_id().unwrap_or_default();
            let described = kms.describe_key().key_id(id).send().await.unwrap();
            if described.key_metadata().and_then(|m| m.key_state()) != Some(&aws_sdk_kms::types::KeyState::Enabled) {
                continue;
            }
            let tags = kms.list_resource_tags().key_id(id).send().await.unwrap();
            if tags.tags().iter().any(|t| t.tag_key() == "pipe:pipeline" && t.tag_value() == pipeline) {
                found.push(format!("key {id}"));
            }
        }
        let aliases = kms.list_aliases().send().await.unwrap();
        found.extend(
            aliases
                .aliases()
                .iter()
                .filter_map(|a| a.alias_name())
                .filter(|n| n.starts_with(&format!("alias/{prefix}")))
                .map(|n| format!("key alias {n}")),
        );
        let delivery = aws_sdk_firehose::Client::new(aws).list_delivery_streams().send().await.unwrap();
        found.extend(
            delivery
                .delivery_stream_names()
                .iter()
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("delivery stream {n}")),
        );
        let tables = aws_sdk_dynamodb::Client::new(aws).list_tables().send().await.unwrap();
        found.extend(tables.table_names().iter().filter(|n| n.starts_with(&prefix)).map(|n| format!("table {n}")));
        let jobs = aws_sdk_glue::Client::new(aws).list_jobs().send().await.unwrap();
        found.extend(jobs.job_names().iter().filter(|n| n.starts_with(&prefix)).map(|n| format!("glue job {n}")));
        let endpoints = aws_sdk_sagemaker::Client::new(aws).list_endpoints().send().await.unwrap();
        found.extend(
            endpoints
                .endpoints()
                .iter()
                .filter_map(|e| e.endpoint_name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("endpoint {n}")),
        );
        let applications = aws_sdk_kinesisanalyticsv2::Client::new(aws).list_applications().send().await.unwrap();
        found.extend(
            applications
                .application_summaries()
                .iter()
                .map(|a| a.application_name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("flink application {n}")),
        );
        let clusters = aws_sdk_kafka::Client::new(aws).list_clusters_v2().send().await.unwrap();
        found.extend(
            clusters
                .cluster_info_list()
                .iter()
                .filter_map(|c| c.cluster_name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("msk cluster {n}")),
        );
        let domains = aws_sdk_opensearch::Client::new(aws).list_domain_names().send().await.unwrap();
        found.extend(
            domains
                .domain_names()
                .iter()
                .filter_map(|d| d.domain_name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("domain {n}")),
        );
        let emr = aws_sdk_emr::Client::new(aws)
            .list_clusters()
            .cluster_states(aws_sdk_emr::types::ClusterState::Waiting)
            .cluster_states(aws_sdk_emr::types::ClusterState::Running)
            .cluster_states(aws_sdk_emr::types::ClusterState::Starting)
            .send()
            .await
            .unwrap();
        found.extend(
            emr.clusters()
                .iter()
                .filter_map(|c| c.name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("emr cluster {n}")),
        );
        let secrets = aws_sdk_secretsmanager::Client::new(aws).list_secrets().send().await.unwrap();
        found.extend(
            secrets
                .secret_list()
                .iter()
                .filter_map(|s| s.name())
                .filter(|n| n.contains(&prefix))
                .map(|n| format!("secret {n}")),
        );
        let profiles = iam.list_instance_profiles().send().await.unwrap();
        found.extend(
            profiles
                .instance_profiles()
                .iter()
                .map(|p| p.instance_profile_name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("instance profile {n}")),
        );
        let glue = aws_sdk_glue::Client::new(aws);
        let configurations = glue.get_security_configurations().send().await.unwrap();
        found.extend(
            configurations
                .security_configurations()
                .iter()
                .filter_map(|c| c.name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("glue security configuration {n}")),
        );
        let connections = glue.get_connections().send().await.unwrap();
        found.extend(
            connections
                .connection_list()
                .iter()
                .filter_map(|c| c.name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("glue connection {n}")),
        );
        let sagemaker = aws_sdk_sagemaker::Client::new(aws);
        let configs = sagemaker.list_endpoint_configs().send().await.unwrap();
        found.extend(
            configs
                .endpoint_configs()
                .iter()
                .filter_map(|c| c.endpoint_config_name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("endpoint config {n}")),
        );
        let models = sagemaker.list_models().send().await.unwrap();
        found.extend(
            models
                .models()
                .iter()
                .filter_map(|m| m.model_name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("sagemaker model {n}")),
        );
        let redshift = aws_sdk_redshift::Client::new(aws);
        let warehouses = redshift.describe_clusters().send().await.unwrap();
        found.extend(
            warehouses
                .clusters()
                .iter()
                .filter_map(|c| c.cluster_identifier())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("redshift cluster {n}")),
        );
        let subnet_groups = redshift.describe_cluster_subnet_groups().send().await.unwrap();
        found.extend(
            subnet_groups
                .cluster_subnet_groups()
                .iter()
                .filter_map(|g| g.cluster_subnet_group_name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("subnet group {n}")),
        );
        let serverless = aws_sdk_redshiftserverless::Client::new(aws);
        let namespaces = serverless.list_namespaces().send().await.unwrap();
        found.extend(
            namespaces
                .namespaces()
                .iter()
                .filter_map(|n| n.namespace_name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("namespace {n}")),
        );
        let workgroups = serverless.list_workgroups().send().await.unwrap();
        found.extend(
            workgroups
                .workgroups()
                .iter()
                .filter_map(|w| w.workgroup_name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("workgroup {n}")),
        );
        let buckets = aws_sdk_s3::Client::new(aws).list_buckets().send().await.unwrap();
        found.extend(
            buckets
                .buckets()
                .iter()
                .filter_map(|b| b.name())
                .filter(|n| n.starts_with(&prefix))
                .map(|n| format!("bucket {n}")),
        );
        found.sort();
        found
    })
}

#[test]
fn a_new_sagemaker_model_is_created_and_the_endpoint_switched_before_the_old_model_is_deleted() {
    let workspace = Workspace::sdk("clickstream-ml", "cm-model");
    let region = "eu-south-1";
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {err}");
    workspace.edit("pricing/model.tar.gz", "pricing/model-v2.tar.gz");
    let (code, _, log) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {log}");
    // The endpoint runs on the old model until UpdateEndpoint moves it: the new model and
    // configuration come first, the old ones go once the endpoint is updated, users first.
    let at = |text: &str| log.find(text).unwrap_or_else(|| panic!("`{text}` is not in the log:\n{log}"));
    assert!(at("PricingModelModel: replaced") < at("PricingModelEndpointConfig: replaced"), "{log}");
    assert!(at("PricingModelEndpointConfig: replaced") < at("PricingModelEndpoint: updated"), "{log}");
    assert!(at("PricingModelEndpoint: updated") < at("endpoint-config/cm-model-PricingModelEndpointConfig-"), "{log}");
    assert!(
        at("endpoint-config/cm-model-PricingModelEndpointConfig-") < at("model/cm-model-PricingModelModel-"),
        "{log}"
    );

    let rt = runtime();
    let sagemaker = aws_sdk_sagemaker::Client::new(&config(region));
    let models = rt.block_on(sagemaker.list_models().name_contains("cm-model-PricingModelModel").send()).unwrap();
    let models: Vec<&str> = models.models().iter().filter_map(|m| m.model_name()).collect();
    let configs = rt
        .block_on(sagemaker.list_endpoint_configs().name_contains("cm-model-PricingModelEndpointConfig").send())
        .unwrap();
    let configs: Vec<&str> = configs.endpoint_configs().iter().filter_map(|c| c.endpoint_config_name()).collect();
    assert_eq!((models.len(), configs.len()), (1, 1), "the old ones are gone: {models:?} {configs:?}");
    let endpoint = rt.block_on(sagemaker.describe_endpoint().endpoint_name("cm-model-pricing-model").send()).unwrap();
    assert_eq!(endpoint.endpoint_config_name(), Some(configs[0]));
    let config = rt.block_on(sagemaker.describe_endpoint_config().endpoint_config_name(configs[0]).send()).unwrap();
    assert_eq!(config.production_variants()[0].model_name(), Some(models[0]));
    let model = rt.block_on(sagemaker.describe_model().model_name(models[0]).send()).unwrap();
    let data = model.primary_container().and_then(|c| c.model_data_url());
    assert_eq!(data, Some("s3://fast-sneakers-models/pricing/model-v2.tar.gz"));

    let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 0, "{plan}{err}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "destroy: {err}");
}

#[test]
fn what_the_plan_shows_is_what_apply_does_including_a_setting_left_out() {
    let region = "eu-central-2";
    let workspace = Workspace::sdk("internet-offering", "io-diff");
    workspace.edit("    memory_mib: 256\n", "    memory_mib: 256\n    reserved_concurrency: 5\n");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {err}");
    let lambda = aws_sdk_lambda::Client::new(&config(region));
    let reserved = || {
        let got = runtime().block_on(lambda.get_function().function_name("io-diff-enrich").send()).unwrap();
        got.concurrency().and_then(|c| c.reserved_concurrent_executions())
    };
    assert_eq!(reserved(), Some(5));

    // Leaving the setting out clears it: the plan says so, and apply does exactly that.
    workspace.edit("    reserved_concurrency: 5\n", "");
    let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 2, "{plan}{err}");
    assert!(plan.contains("ReservedConcurrentExecutions: 5 → (unset)"), "{plan}");
    assert!(plan.contains("0 to create, 1 to update, 0 to REPLACE, 0 to delete"), "{plan}");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {err}");
    assert_eq!(reserved(), None);
    let (code, plan, err) = pipe(region, &["plan", "--detailed-exitcode"], &workspace);
    assert_eq!(code, 0, "{plan}{err}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "destroy: {err}");
}

/// A key made by an apply stopped before its alias (CreateKey, then nothing) is found by the
/// component's tags: the next apply converges it rather than making a second, and destroy
/// deletes it rather than leaving it billed.
#[test]
fn a_key_left_without_its_alias_is_found_by_its_tags() {
    let region = "il-central-1";
    let workspace = Workspace::sdk("internet-offering", "io-key");
    let kms = aws_sdk_kms::Client::new(&config(region));
    let tag = |k: &str, v: &str| aws_sdk_kms::types::Tag::builder().tag_key(k).tag_value(v).build().unwrap();
    let made = runtime()
        .block_on(
            kms.create_key()
                .description("left by a stopped apply")
                .tags(tag("pipe:pipeline", "io-key"))
                .tags(tag("pipe:component", "pipeline-alarms"))
                .send(),
        )
        .unwrap();
    let left = made.key_metadata().unwrap().key_id().to_string();

    let (code, plan, err) = pipe(region, &["plan"], &workspace);
    assert_eq!(code, 0, "{err}");
    assert!(plan.contains(&format!("~ update PipelineAlarmsKey (AWS::KMS::Key {left}")), "{plan}");
    assert!(plan.contains("Description: \"left by a stopped apply\" →"), "{plan}");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "{err}");
    let sns = aws_sdk_sns::Client::new(&config(region));
    let topic = runtime()
        .block_on(
            sns.get_topic_attributes().topic_arn("arn:aws:sns:il-central-1:123456789012:io-key-pipeline-alarms").send(),
        )
        .unwrap();
    assert!(
        topic.attributes().unwrap()["KmsMasterKeyId"].ends_with(&format!(":key/{left}")),
        "the left key is the one used"
    );

    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
    assert_eq!(leftovers(region, &workspace.name), Vec::<String>::new());
}
