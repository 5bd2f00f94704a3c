//! Drift: what changed outside pipe since the stack was deployed, found by CloudFormation's
//! drift detection (DetectStackDrift). A change set leaves a drifted resource as it is unless the
//! template changes it, so the plan shows drift apart from the intended change.

use std::time::Duration;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::types::{StackDriftDetectionStatus, StackResourceDriftStatus};
use serde_json::Value;

use crate::backend::aws::{ApiError, api};
use crate::backend::sdk::provider::wait_for;
use crate::plan::{Action, Change, Kind, diff};

const DETECTION: Duration = Duration::from_secs(10 * 60);

/// Why drift stays after this plan's apply, and the ways to undo it.
const LEFT_SO: &str = "changed outside pipe; the change set leaves it so, since CloudFormation sets only what the template changes: set it back in AWS, or change it in the blueprint so the template carries it";

/// A resource that differs from its template, or was deleted, outside pipe.
#[derive(Debug, Clone, PartialEq)]
pub struct Drifted {
    pub logical_id: String,
    pub deleted: bool,
    /// Path, as it is (`before`), as the template has it (`after`).
    pub changes: Vec<Change>,
}

/// Runs drift detection on the stack and waits for it. Detection that could not check every
/// resource (DETECTION_FAILED: some types do not support it) still reports the others.
pub async fn detect(cfn: &Client, stack: &str) -> Result<Vec<Drifted>, ApiError> {
    let started = cfn.detect_stack_drift().stack_name(stack).send().await.map_err(api("DetectStackDrift"))?;
    let id = started.stack_drift_detection_id().unwrap_or_default().to_string();
    wait_for("DescribeStackDriftDetectionStatus", DETECTION, || async {
        let status = cfn
            .describe_stack_drift_detection_status()
            .stack_drift_detection_id(&id)
            .send()
            .await
            .map_err(api("DescribeStackDriftDetectionStatus"))?;
        Ok((status.detection_status() != Some(&StackDriftDetectionStatus::DetectionInProgress)).then_some(()))
    })
    .await?;
    let mut drifted = Vec::new();
    let mut token = None;
    loop {
        let page = cfn
            .describe_stack_resource_drifts()
            .stack_name(stack)
            .stack_resource_drift_status_filters(StackResourceDriftStatus::Modified)
            .stack_resource_drift_status_filters(StackResourceDriftStatus::Deleted)
            .set_next_token(token)
            .send()
            .await
            .map_err(api("DescribeStackResourceDrifts"))?;
        for drift in page.stack_resource_drifts() {
            let changes = drift
                .property_differences()
                .iter()
                .map(|d| Change {
                    path: dotted(d.property_path().unwrap_or_default()),
                    before: d.actual_value().map(json_or_text),
                    after: d.expected_value().map(json_or_text),
                    forces_replacement: false,
                    field: None,
                })
                .collect();
            drifted.push(Drifted {
                logical_id: drift.logical_resource_id().unwrap_or_default().to_string(),
                deleted: drift.stack_resource_drift_status() == Some(&StackResourceDriftStatus::Deleted),
                changes,
            });
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(drifted);
        }
    }
}

/// What changed outside pipe, read through the SDK target's readers: where live differs from
/// the model (`differences`, from [`crate::backend::sdk::Engine::live_differences`]).
pub fn from_live(differences: Vec<(String, Vec<Change>)>) -> Vec<Drifted> {
    differences
        .into_iter()
        .map(|(logical_id, changes)| Drifted {
            logical_id,
            deleted: false,
            changes: changes.into_iter().map(|c| Change { forces_replacement: false, ..c }).collect(),
        })
        .collect()
}

/// Marks the drifted resources among `actions`, once each (the live read's and CloudFormation's
/// detection may both find one). One the change set leaves alone shows what differs; one it
/// updates names what stays drifted beyond its own changes; one it creates, replaces or deletes
/// has nothing left to drift.
pub fn mark(actions: &mut [Action], drifted: &[Drifted]) {
    for drift in drifted {
        let Some(action) = actions.iter_mut().find(|a| a.resource == drift.logical_id) else { continue };
        if action.drift {
            continue;
        }
        match action.kind {
            Kind::NoChange => {
                action.drift = true;
                action.reason = Some(if drift.deleted {
                    "deleted outside pipe; the stack still lists it: apply a change to it, or remove and re-add the component"
                        .into()
                } else {
                    LEFT_SO.into()
                });
                action.changes = drift.changes.clone();
            }
            Kind::Update => {
                let planned = |c: &Change| {
                    action.changes.iter().any(|p| diff::within(&c.path, &p.path) || diff::within(&p.path, &c.path))
                };
                let left: Vec<&Change> = drift.changes.iter().filter(|c| !planned(c)).collect();
                if left.is_empty() {
                    continue;
                }
                action.drift = true;
                let said = format!("also changed outside pipe, and left so by this change set: {}", diff::paths(left));
                action.reason = Some(action.reason.take().map_or(said.clone(), |r| format!("{r}; {said}")));
            }
            _ => {}
        }
    }
}

/// `/Tags/0/Value` as `Tags[0].Value`, the plan's spelling.
fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for part in pointer.split('/').filter(|p| !p.is_empty()) {
        if part.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(part);
        }
    }
    out
}

fn json_or_text(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::backend::sdk::replay::Replay;

    #[test]
    fn property_paths_read_as_the_plan_spells_them() {
        assert_eq!(dotted("/Tags/0/Value"), "Tags[0].Value");
        assert_eq!(dotted("/BatchSize"), "BatchSize");
    }

    #[tokio::test]
    async fn detection_reports_what_changed_and_what_was_deleted() {
        let replay = Replay::start(include_str!("../../../tests/recorded/cloudformation-drift.json")).await;
        let cfn = Client::new(&replay.account.config);
        let drifted = detect(&cfn, "internet-offering").await;
        replay.finish();
        let drifted = drifted.expect("detected");
        assert_eq!(
            drifted,
            [
                Drifted {
                    logical_id: "EnrichSignupsMapping".into(),
                    deleted: false,
                    changes: vec![Change {
                        path: "BatchSize".into(),
                        before: Some(json!(10)),
                        after: Some(json!(100)),
                        forces_replacement: false,
                        field: None,
                    }],
                },
                Drifted { logical_id: "EnrichFailuresTopic".into(), deleted: true, changes: Vec::new() },
            ]
        );
        let unchanged = |id: &str| Action { kind: Kind::NoChange, resource: id.into(), ..Action::default() };
        let mut actions = vec![unchanged("EnrichSignupsMapping"), unchanged("SignupsStream")];
        mark(&mut actions, &drifted);
        assert!(actions[0].drift && !actions[1].drift);
        assert_eq!(actions[0].changes, drifted[0].changes);
    }
}
