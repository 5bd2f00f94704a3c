//! The handler code shipped with the scenarios reads its configuration by the convention the model
//! writes (`model::contract::Idiom`): every name a handler requires is one the model gives it, and
//! a Spark job accepts every argument the model passes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pipe::blueprint::spec::Component;
use pipe::blueprint::vars::Vars;
use serde_json::Value;

/// Every quoted name that follows `opener` in `code`: `os.environ["` → `OFFERS_STREAM_NAME`.
fn quoted_after(code: &str, opener: &str) -> BTreeSet<String> {
    code.split(opener).skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_string).collect()
}

fn python_sources(dir: &Path) -> String {
    let files = if dir.is_file() { vec![dir.to_path_buf()] } else { pipe::model::files_under(dir).unwrap() };
    files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "py"))
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default()
}

#[test]
fn handlers_read_the_names_the_model_gives_them() {
    let mut checked = 0;
    for scenario in pipe::scenarios::all() {
        let path = PathBuf::from(format!("blueprints/{}.yaml", scenario.name));
        let loaded = pipe::blueprint::load(&path, &Vars::default()).unwrap();
        let blueprint = loaded.blueprint.unwrap();
        let base = pipe::blueprint::base_dir(&path);
        let pipeline = pipe::model::compile(&blueprint, base).unwrap();
        let template = pipe::render::template(&pipeline);
        for placed in blueprint.components() {
            let component = placed.component;
            let Some((_, code)) = component.code_paths().into_iter().next() else { continue };
            let code_text = python_sources(&base.join(code));
            let logical = pipe::model::refs::logical_id(component);
            let properties = &template["Resources"][logical.as_str()]["Properties"];
            let (required, given): (BTreeSet<String>, BTreeSet<String>) = match component {
                Component::Lambda(_) => {
                    (quoted_after(&code_text, "os.environ[\""), keys(&properties["Environment"]["Variables"]))
                }
                Component::FlinkApplication(_) => {
                    let groups = properties["ApplicationConfiguration"]["EnvironmentProperties"]["PropertyGroups"]
                        .as_array()
                        .unwrap();
                    let pipe_group = groups.iter().find(|g| g["PropertyGroupId"] == "pipe").unwrap();
                    (quoted_after(&code_text, "props[\""), keys(&pipe_group["PropertyMap"]))
                }
                Component::GlueStreamingJob(_) => {
                    let list = code_text.split("getResolvedOptions(").nth(1).unwrap().split(')').next().unwrap();
                    let names = list.split('"').skip(1).step_by(2).filter(|n| *n != "JOB_NAME");
                    let given = keys(&properties["DefaultArguments"])
                        .iter()
                        .map(|k| k.trim_start_matches("--").to_string())
                        .collect();
                    (names.map(str::to_string).collect(), given)
                }
                Component::EmrSparkStreaming(_) => {
                    let step = pipeline
                        .resources
                        .values()
                        .find(|r| r.component == component.id() && r.cfn_type == "AWS::EMR::Step")
                        .unwrap();
                    let passed: BTreeSet<String> = step.properties["HadoopJarStep"]["Args"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .skip_while(|a| a.as_str() != Some("cluster"))
                        .skip(3) // cluster, --packages, its value, then the script
                        .filter_map(|a| {
                            a.as_str().filter(|a| a.starts_with("--")).map(|a| a.trim_start_matches("--").to_string())
                        })
                        .collect();
                    let declared = quoted_after(&code_text, "add_argument(\"--");
                    let required: BTreeSet<String> = code_text
                        .lines()
                        .filter(|l| l.contains("add_argument(\"--") && l.contains("required=True"))
                        .flat_map(|l| quoted_after(l, "add_argument(\"--"))
                        .collect();
                    // argparse stops at an argument it does not know, so each one passed is declared.
                    let unknown: Vec<&String> = passed.difference(&declared).collect();
                    assert!(unknown.is_empty(), "{}: the job does not accept {unknown:?}", component.id());
                    (required, passed)
                }
                _ => continue,
            };
            let missing: Vec<&String> = required.difference(&given).collect();
            assert!(
                missing.is_empty(),
                "{}/{}: the handler reads {missing:?}, which the model does not give it (it gives {given:?})",
                scenario.name,
                component.id()
            );
            assert!(!required.is_empty(), "{}/{}: found no configuration read", scenario.name, component.id());
            checked += 1;
        }
    }
    println!("handlers checked against the model: {checked}");
    assert_eq!(checked, 6, "every scenario's handler code is checked");
}
