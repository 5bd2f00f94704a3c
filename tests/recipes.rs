//! The CI recipes in `examples/ci/`: each parses, every `pipe` command in it is one pipe takes,
//! and what makes it work is there (full history for `--changed-since`, OIDC credentials, exit
//! code 2 kept from `set -e`).

use clap::Parser;
use serde_json::Value;

use crate::support::root;

#[test]
fn the_github_actions_workflow_runs_only_commands_pipe_has() {
    let workflow = recipe("github-actions.yml");
    assert_eq!(workflow["permissions"]["id-token"], "write", "OIDC credentials need the job's ID token");
    assert_eq!(workflow["permissions"]["pull-requests"], "write", "the plan is posted as a comment");
    let steps = workflow["jobs"]["plan"]["steps"].as_array().expect("the plan job's steps");
    let checkout = steps.iter().find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/checkout@")));
    let history = checkout.expect("a checkout step")["with"]["fetch-depth"].clone();
    let scripts: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let commands = check_scripts(&scripts, |script| script.contains("set +e"));
    assert!(
        !commands.iter().any(|c| c.contains(&"--changed-since".to_string())) || history == 0,
        "`--changed-since` needs the base branch's history: fetch-depth 0, found {history}"
    );
    assert!(
        steps
            .iter()
            .any(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("aws-actions/configure-aws-credentials@"))
                && s["with"]["role-to-assume"].is_string())
    );
}

#[test]
fn the_gitlab_job_runs_only_commands_pipe_has() {
    let pipeline = recipe("gitlab-ci.yml");
    let job = &pipeline["pipe-plan"];
    assert_eq!(job["id_tokens"]["AWS_ID_TOKEN"]["aud"], "sts.amazonaws.com", "OIDC credentials need an ID token");
    assert!(
        job["variables"]["AWS_WEB_IDENTITY_TOKEN_FILE"].is_string() && job["variables"]["AWS_ROLE_ARN"].is_string()
    );
    let scripts: Vec<&str> = job["script"].as_array().expect("script").iter().filter_map(Value::as_str).collect();
    // GitLab runs each script line under `set -e`: only `|| code=$?` on the same line keeps exit 2.
    let commands = check_scripts(&scripts, |_| false);
    assert!(commands.iter().any(|c| c.contains(&"--changed-since".to_string())));
    assert_eq!(job["variables"]["GIT_DEPTH"], 0, "`--changed-since` needs the target branch's history");
}

fn recipe(name: &str) -> Value {
    let text = std::fs::read_to_string(root().join("examples/ci").join(name)).expect("the recipe exists");
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("`{name}` is not YAML: {e}"))
}

/// Parses every `pipe` command of `scripts` as pipe itself would and returns them (words after
/// `pipe`). Requires a validate and a plan of changed blueprints with detailed exit codes as
/// markdown, and each `--detailed-exitcode` command kept from `set -e`: on its own line by
/// `|| code=$?`, or in a script `tolerant` accepts.
fn check_scripts(scripts: &[&str], tolerant: impl Fn(&str) -> bool) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    for script in scripts {
        let joined = script.replace("\\\n", " ");
        for line in joined.lines() {
            for command in line.split([';', '|', '&']).map(str::trim).filter(|c| c.starts_with("pipe ")) {
                let words = shell_words(command.split('>').next().expect("a command"));
                if let Err(error) = pipe::cli::Cli::try_parse_from(&words) {
                    panic!("`{command}` is not a command pipe takes:\n{error}");
                }
                if words.iter().any(|w| w == "--detailed-exitcode") {
                    assert!(
                        line.contains("|| code=$?") || tolerant(script),
                        "exit 2 (changes) would end the script under `set -e`: `{line}`"
                    );
                }
                commands.push(words);
            }
        }
    }
    let has = |words: &[&str]| commands.iter().any(|c| words.iter().all(|w| c.iter().any(|x| x == w)));
    assert!(has(&["validate", "--changed-since"]), "validates the changed blueprints: {commands:?}");
    assert!(has(&["plan", "--changed-since", "--detailed-exitcode", "markdown"]), "plans them: {commands:?}");
    commands
}

/// Splits a command into words as a shell would for these scripts: whitespace outside quotes,
/// quotes removed, variables left as written.
fn shell_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let (mut word, mut quote, mut started) = (String::new(), None, false);
    for c in command.chars() {
        match (quote, c) {
            (None, '"' | '\'') => (quote, started) = (Some(c), true),
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            (_, c) => (word.push(c), started = true).1,
        }
    }
    if started {
        words.push(word);
    }
    words
}
