//! The local AWS endpoint for deploy tests: one moto server per test run (tools/moto-server,
//! from the venv `tools/test` installs), on a free 127.0.0.1 port, and a workspace per test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use aws_config::{BehaviorVersion, Region, SdkConfig};

use super::endpoint::Endpoint;
use super::{pipe, root};

/// A moto server of the tests' own (from the venv `tools/test` installs), on a free port, and a
/// proxy in front of the same backends on another. Held, never dropped: it stops when this test
/// process ends, however it ends.
pub struct Server(Endpoint);

impl Server {
    /// Starts a server with `args` for tools/moto-server (which must start the proxy).
    pub fn start(args: &[&str]) -> Server {
        let bin = std::env::var_os("PIPE_SCANNERS_BIN")
            .map(PathBuf::from)
            .expect("PIPE_SCANNERS_BIN is not set: run the tests with `tools/test`, which installs moto");
        Server(Endpoint::start(&bin.join("python"), root(), args))
    }

    /// The server itself: the tests' own describe calls go here.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.0.port)
    }

    /// The proxy in front of it.
    pub fn proxy_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.0.proxy)
    }
}

static MOTO: OnceLock<Server> = OnceLock::new();

/// The server most tests share, with a proxy that is slow and sometimes throttles, like AWS
/// under load.
fn moto() -> &'static Server {
    MOTO.get_or_init(|| {
        Server::start(&["--proxy-latency-ms", &PROXY_LATENCY_MS.to_string(), "--proxy-throttle", "0.1"])
    })
}

/// Milliseconds the proxy adds to every call.
pub const PROXY_LATENCY_MS: u64 = 30;

pub fn endpoint() -> String {
    moto().endpoint()
}

/// The proxy in front of the shared server.
pub fn proxy_endpoint() -> String {
    moto().proxy_endpoint()
}

/// `pipe` pointed at the shared local endpoint in `region`.
pub fn pipe_in(region: &str) -> Command {
    pipe_at(&endpoint(), region)
}

/// `pipe` pointed at `endpoint` in `region`, with credentials that only moto takes and none of
/// the developer's own AWS configuration.
pub fn pipe_at(endpoint: &str, region: &str) -> Command {
    let mut command = pipe();
    command
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", region)
        .env("AWS_CONFIG_FILE", "/nonexistent/pipe-tests")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/pipe-tests")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN");
    command
}

/// The SDK configuration the tests' own describe calls use: the same endpoint, separately from
/// pipe's reader.
pub fn config(region: &str) -> SdkConfig {
    config_at(&endpoint(), region)
}

/// As `config`, for the server at `endpoint`.
pub fn config_at(endpoint: &str, region: &str) -> SdkConfig {
    let credentials = aws_sdk_sts::config::Credentials::new("testing", "testing", None, None, "tests");
    runtime().block_on(
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(Region::new(region.to_string()))
            .credentials_provider(credentials)
            .load(),
    )
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime")
}

/// A VPC in `region` with three subnets (in distinct zones) and a security group, made with the
/// boto3 that moto brings: most services take any `subnet-...` id, but Redshift subnet groups
/// and clusters look theirs up. Returns the subnet ids and the group id.
pub fn network(region: &str) -> (Vec<String>, String) {
    const SCRIPT: &str = r#"
import json, sys
import boto3
ec2 = boto3.client("ec2", endpoint_url=sys.argv[1], region_name=sys.argv[2],
                   aws_access_key_id="testing", aws_secret_access_key="testing")
vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{n}.0/24", AvailabilityZone=zones[n % len(zones)])
           ["Subnet"]["SubnetId"] for n in range(3)]
group = ec2.create_security_group(GroupName="pipe-tests", Description="pipe tests", VpcId=vpc)["GroupId"]
print(json.dumps({"subnets": subnets, "group": group}))
"#;
    let bin = std::env::var_os("PIPE_SCANNERS_BIN").map(PathBuf::from).expect("PIPE_SCANNERS_BIN is set");
    let out = Command::new(bin.join("python"))
        .args(["-c", SCRIPT, &endpoint(), region])
        .output()
        .expect("run the venv's python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let made: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the script prints JSON");
    let subnets = made["subnets"].as_array().expect("subnets").iter().map(|s| s.as_str().unwrap().to_string());
    (subnets.collect(), made["group"].as_str().expect("group").to_string())
}

/// A scenario's blueprint and code, copied into a temporary directory under another pipeline
/// name, so tests that share a scenario never share resources (IAM names are global).
pub struct Workspace {
    _dir: tempfile::TempDir,
    pub blueprint: PathBuf,
    pub name: String,
}

impl Workspace {
    pub fn new(scenario: &str, name: &str) -> Self {
        Workspace::from_dir(&root().join("blueprints"), scenario, name)
    }

    /// As `new`, for a blueprint `<scenario>.yaml` (and its code under `<scenario>/`) in `source`.
    pub fn from_dir(source: &Path, scenario: &str, name: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(&source.join(scenario), &dir.path().join(scenario));
        let text = std::fs::read_to_string(source.join(format!("{scenario}.yaml"))).expect("scenario blueprint");
        let renamed = text.replacen(&format!("\nname: {scenario}\n"), &format!("\nname: {name}\n"), 1);
        assert_ne!(renamed, text, "the scenario names its pipeline `{scenario}`");
        let blueprint = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&blueprint, renamed).expect("write blueprint");
        Workspace { _dir: dir, blueprint, name: name.to_string() }
    }

    /// As `new`, with the blueprint's default target set to the service APIs (`deploy.target: sdk`).
    pub fn sdk(scenario: &str, name: &str) -> Self {
        let workspace = Workspace::new(scenario, name);
        let text = std::fs::read_to_string(&workspace.blueprint).expect("blueprint");
        std::fs::write(&workspace.blueprint, format!("{text}\ndeploy:\n  target: sdk\n")).expect("write blueprint");
        workspace
    }

    /// Replaces `from` with `to` in the blueprint; `from` must occur.
    pub fn edit(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(&self.blueprint).expect("blueprint");
        assert!(text.contains(from), "`{from}` is not in the blueprint");
        std::fs::write(&self.blueprint, text.replacen(from, to, 1)).expect("write blueprint");
    }
}

/// Copies the directory `from` to `to` with everything in it; nothing when `from` does not exist.
pub fn copy_dir(from: &Path, to: &Path) {
    if !from.exists() {
        return;
    }
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
