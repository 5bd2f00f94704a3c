//! `pipe test` against the local endpoint: records written to a stream are read back, followed
//! through Firehose into S3 and removed there; code hops are reported as not observable, and a
//! destination that receives nothing fails the test (exit 3). Both targets.

use crate::deploy::pipe;
use crate::support::aws::{Workspace, config, runtime};
use crate::support::root;

fn hop<'a>(report: &'a serde_json::Value, component: &str) -> &'a serde_json::Value {
    let hops = report["hops"].as_array().expect("hops");
    hops.iter().find(|h| h["component"] == component).unwrap_or_else(|| panic!("no hop `{component}`: {report}"))
}

/// The keys of `bucket` holding `marker`.
fn holding(region: &str, bucket: &str, marker: &str) -> Vec<String> {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config(region)).force_path_style(true).build(),
    );
    runtime().block_on(async {
        let mut found = Vec::new();
        let listed = s3.list_objects_v2().bucket(bucket).send().await.unwrap();
        for object in listed.contents() {
            let key = object.key().unwrap();
            let body = s3.get_object().bucket(bucket).key(key).send().await.unwrap().body.collect().await.unwrap();
            if String::from_utf8_lossy(&body.into_bytes()).contains(marker) {
                found.push(key.to_string());
            }
        }
        found
    })
}

#[test]
fn records_are_followed_through_firehose_into_s3_and_removed_there() {
    let region = "eu-west-3";
    let workspace = Workspace::from_dir(&root().join("tests/probe"), "clicks", "clicks-test");
    workspace.edit("monitoring: { notify: alerts }", "monitoring: { notify: alerts }\ndeploy: { target: sdk }");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {err}");

    let (code, out, err) = pipe(region, &["test", "--output", "json", "--keep"], &workspace);
    assert_eq!(code, 0, "{out}{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("the JSON view parses");
    assert_eq!(report["format_version"], 1);
    assert_eq!(report["entries"], serde_json::json!(["events"]));
    let marker = report["marker"].as_str().unwrap();
    assert_eq!(hop(&report, "events")["verdict"], "seen");
    assert_eq!(hop(&report, "events")["detail"], "5 of 5 records read back");
    assert_eq!(hop(&report, "to-lake")["verdict"], "seen");
    assert_eq!(hop(&report, "lake")["verdict"], "seen");
    assert_eq!(hop(&report, "spikes")["verdict"], "not-observable");
    assert_eq!(hop(&report, "alerts")["verdict"], "not-observable");
    // The records take the source's sample, under the prefix's evaluated date.
    let bucket = "clicks-test-lake-123456789012";
    let kept = holding(region, bucket, marker);
    assert_eq!(kept.len(), 5, "--keep leaves them: {kept:?}");
    assert!(kept.iter().all(|k| k.starts_with("clicks/dt=2") && !k.contains("!{")), "{kept:?}");
    assert!(report["removed"].as_array().unwrap().is_empty());

    // Without --keep, what holds only test records goes; the stream's records cannot.
    let (code, out, err) = pipe(region, &["test"], &workspace);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("events   seen            5 of 5 records read back"), "{out}");
    assert!(
        out.contains("spikes   not observable  a lambda runs code: its side effects are not visible from outside"),
        "{out}"
    );
    assert!(out.contains("Removed what the test wrote:\n  s3://clicks-test-lake-123456789012/clicks/dt="), "{out}");
    assert!(out.contains("Kinesis cannot delete records; they expire with the stream's retention"), "{out}");
    let marker = out.split("pipe_test: ").nth(1).and_then(|rest| rest.split('`').next()).unwrap();
    assert_eq!(holding(region, bucket, marker), Vec::<String>::new(), "the test's objects are gone");
    let filters = vec![
        (r"pipe-test-[0-9a-f]{12}", "pipe-test-<marker>"),
        (r"dt=\d{4}-\d{2}-\d{2}/clicks-test-to-lake-1-[0-9-]+-[0-9a-f-]{36}", "dt=<date>/<object>"),
        (r"waited \d+ s", "waited <n> s"),
    ];
    insta::with_settings!({ filters => filters }, { insta::assert_snapshot!("clicks_test", out) });
    assert_eq!(holding(region, bucket, "pipe-test-").len(), 5, "the --keep run's objects are not this run's to remove");

    // A delivery stream gone: nothing reaches the bucket, and the test fails.
    let firehose = aws_sdk_firehose::Client::new(&config(region));
    runtime().block_on(firehose.delete_delivery_stream().delivery_stream_name("clicks-test-to-lake").send()).unwrap();
    let (code, out, _) = pipe(region, &["test", "--wait", "0", "--output", "markdown"], &workspace);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("| `lake` | s3-bucket | not seen | none arrived in 0 s |"), "{out}");
    assert!(out.contains("| `to-lake` | firehose | not seen | `lake` did not receive them |"), "{out}");

    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_stack_deployed_pipeline_is_tested_and_code_decides_what_reaches_past_it() {
    let region = "ap-south-1";
    let workspace = Workspace::new("internet-offering", "io-test");
    let (code, _, err) = pipe(region, &["test"], &workspace);
    assert_eq!(code, 1);
    assert!(
        err.contains("no stack io-test in this region: the pipeline is not deployed on the CloudFormation target"),
        "{err}"
    );
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {err}");
    let (code, out, err) = pipe(region, &["test", "--wait", "0"], &workspace);
    assert_eq!(code, 0, "what code does not pass on fails nothing: {out}{err}");
    assert!(out.contains("signups  seen            5 of 5 records read back"), "{out}");
    assert!(out.contains("enrich   not observable  a lambda runs code"), "{out}");
    assert!(
        out.contains("offers   not seen        none arrived in 0 s; `enrich` runs code that decides what it passes on"),
        "{out}"
    );
    // A failure destination is not on the records' way.
    assert!(!out.contains("enrich-failures"), "{out}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
}

/// Every pipeline the walks build (contract and feature drafts, the scenarios, the render
/// blueprints): the test writes where the ingestion writes, or says why it cannot; every
/// component the records reach has a hop; what it watches is a resource of the model.
#[test]
fn every_walked_pipeline_has_a_test_route() {
    use pipe::model::probe::Watch;
    let mut counted = std::collections::BTreeMap::<&str, usize>::new();
    for (label, pipeline, _) in crate::needs::pipelines() {
        let probe = &pipeline.probe;
        // With neither, nothing downstream of an ingestion to reach, and `pipe test` says so.
        if probe.entries.is_empty() && probe.unwritable.is_empty() {
            assert!(probe.hops.is_empty(), "hops with no way in: {label}");
        }
        for entry in &probe.entries {
            assert!(pipeline.resources.contains_key(&entry.resource), "entry {} of {label}", entry.resource);
        }
        let ids: Vec<&str> = probe.hops.iter().map(|h| h.component.as_str()).collect();
        for hop in &probe.hops {
            let verdict = match &hop.watch {
                Watch::Stream { resource } => {
                    assert!(pipeline.resources.contains_key(resource), "{resource} of {label}");
                    "stream"
                }
                Watch::Objects(delivery) => {
                    assert!(pipeline.resources.contains_key(&delivery.bucket), "{} of {label}", delivery.bucket);
                    "objects"
                }
                Watch::Through { destination } => {
                    assert!(ids.contains(&destination.as_str()), "{destination} is a hop of {label}");
                    "through"
                }
                Watch::Unobservable(why) | Watch::Unchecked(why) => {
                    assert!(!why.is_empty(), "{label}");
                    "said why"
                }
            };
            *counted.entry(verdict).or_default() += 1;
        }
    }
    println!("test routes: {counted:?}");
    for watch in ["stream", "objects", "through", "said why"] {
        assert!(counted.get(watch).is_some_and(|n| *n > 0), "no walked pipeline is watched as {watch}");
    }
}

#[test]
fn the_scenarios_are_tested_where_their_records_go_in() {
    use pipe::model::probe::Shape;
    let probe = |name: &str| {
        let loaded = pipe::blueprint::load(
            std::path::Path::new(&format!("blueprints/{name}.yaml")),
            &pipe::blueprint::vars::Vars::default(),
        )
        .unwrap();
        pipe::model::compile(&loaded.blueprint.unwrap(), std::path::Path::new("blueprints")).unwrap().probe
    };
    let summary = |name: &str| {
        let p = probe(name);
        let hops: Vec<String> = p
            .hops
            .iter()
            .map(|h| {
                format!("{}{}", h.component, h.after_code.as_ref().map(|c| format!(" (after {c})")).unwrap_or_default())
            })
            .collect();
        (p.entries.iter().map(|e| e.component.clone()).collect::<Vec<_>>(), hops, p.unwritable.len())
    };
    assert_eq!(
        summary("internet-offering"),
        (vec!["signups".into()], vec!["signups".into(), "enrich".into(), "offers (after enrich)".into()], 0)
    );
    assert!(matches!(probe("internet-offering").shape, Shape::Sample(s) if s.contains_key("postcode")));
    // The agent writes the Firehose stream directly; the warehouse is read with SQL, not here.
    let (entries, hops, _) = summary("security-logs");
    assert_eq!(entries, ["delivery"]);
    assert_eq!(hops, ["delivery", "warehouse"]);
    assert!(matches!(probe("security-logs").shape, Shape::Fields(f) if f.contains(&"badge_id".to_string())));
    // The Glue job's catalog columns shape the clickstream.
    assert!(matches!(probe("clickstream-ml").shape, Shape::Columns(c) if !c.is_empty()));
    // Kafka needs a Kafka client.
    let (entries, _, unwritable) = summary("kafka-telemetry");
    assert_eq!((entries.len(), unwritable), (0, 1));
}

/// The agent's Firehose stream is written directly; what it delivers is staged in S3 for the
/// warehouse's COPY, seen there and left for the COPY; the rows themselves are not checked.
#[test]
fn a_direct_put_stream_is_seen_where_it_stages_records_for_the_warehouse() {
    let region = "eu-north-1";
    let workspace = Workspace::sdk("security-logs", "sl-test");
    let (code, _, err) = pipe(region, &["apply", "--yes"], &workspace);
    assert_eq!(code, 0, "apply: {err}");
    let (code, json, err) = pipe(region, &["test", "--output", "json"], &workspace);
    assert_eq!(code, 0, "{json}{err}");
    let report: serde_json::Value = serde_json::from_str(&json).expect("the JSON view parses");
    assert_eq!(report["entries"], serde_json::json!(["delivery"]));
    let delivery = hop(&report, "delivery");
    assert_eq!(delivery["verdict"], "seen", "{report}");
    assert!(delivery["detail"].as_str().unwrap().contains("staged for the warehouse's COPY"), "{report}");
    assert_eq!(hop(&report, "warehouse")["verdict"], "not-checked");
    let kept = report["kept"].as_array().unwrap();
    assert!(
        kept.iter().any(|k| k.as_str().unwrap().ends_with("staged for the warehouse's COPY, which may still read it")),
        "{report}"
    );
    assert!(report["removed"].as_array().unwrap().is_empty(), "{report}");
    let (code, _, err) = pipe(region, &["destroy", "--yes", "--allow-data-loss"], &workspace);
    assert_eq!(code, 0, "{err}");
}
