//! Every row of the edge-contract table deployed on the SDK target against the local endpoint:
//! each connection's minimal blueprint applies, its next plan is clean, and destroy leaves
//! nothing, in every variant the contract test builds.

use pipe::blueprint::contract;

use crate::contracts::{draft, variants};
use crate::deploy::{leftovers, run};
use crate::support::aws::{network, pipe_in};

const REGION: &str = "ap-southeast-2";

/// Applies, plans and destroys one draft; `Err` says which step failed and how.
fn cycle(name: &str, yaml: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let code = dir.path().join("code");
    std::fs::create_dir_all(code.join("fn")).expect("code dir");
    std::fs::write(code.join("fn/handler.py"), "def handler(event, context):\n    return {}\n").expect("handler");
    std::fs::write(code.join("job.py"), "print('job')\n").expect("job");
    std::fs::write(code.join("t.sql"), "CREATE TABLE IF NOT EXISTS events (id VARCHAR(64));\n").expect("ddl");
    // Catalog databases are named in the blueprint, not after the pipeline: one per case.
    let text = yaml.replacen("name: edge\n", &format!("name: {name}\n"), 1).replace("events_db", &format!("{name}_db"))
        + "deploy:\n  target: sdk\n";
    let blueprint = dir.path().join(format!("{name}.yaml"));
    std::fs::write(&blueprint, text).expect("blueprint");
    let step = |args: &[&str], want: i32| -> Result<(), String> {
        let mut command = pipe_in(REGION);
        command.args(args).arg(&blueprint);
        let (got, out, err) = run(&mut command);
        if got == want { Ok(()) } else { Err(format!("`pipe {}` exited {got}:\n{out}{err}", args.join(" "))) }
    };
    let converged = step(&["apply", "--yes"], 0).and_then(|()| step(&["plan", "--detailed-exitcode"], 0));
    // Destroyed either way: what a failed case leaves would count against the next ones' quotas.
    let destroyed = step(&["destroy", "--yes", "--allow-data-loss"], 0);
    converged.and(destroyed)?;
    let left = leftovers(REGION, name);
    if left.is_empty() { Ok(()) } else { Err(format!("left behind: {left:?}")) }
}

#[test]
fn every_row_of_the_contract_table_deploys_converges_and_is_destroyed() {
    // Redshift looks up the subnets and security group a cluster is given.
    let (subnets, group) = network(REGION);
    let real = |yaml: String| {
        let yaml = (1..=3).fold(yaml, |y, n| y.replace(&format!("subnet-0c00000{n}"), &subnets[n - 1]));
        yaml.replace("sg-0c000001", &group)
    };
    let cases: Vec<(String, String)> = contract::CONTRACTS
        .iter()
        .enumerate()
        .flat_map(|(row, contract)| {
            variants(contract)
                .into_iter()
                .enumerate()
                .map(move |(n, variant)| (format!("edge{row:02}v{n}"), real(draft(contract, variant).yaml())))
        })
        .collect();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let chunks: Vec<_> = cases
            .chunks(cases.len().div_ceil(4))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|(name, yaml)| cycle(name, yaml).err().map(|e| format!("{name}:\n{yaml}{e}")))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        chunks.into_iter().flat_map(|c| c.join().expect("a chunk")).collect()
    });
    println!("contract rows deployed: {} cases, {} failed", cases.len(), failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
