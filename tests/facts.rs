//! AWS facts cross-checked: every range, format and name list pipe enforces that the AWS API models
//! also state, against the botocore wheel pinned in `tools/aws-facts.txt` (fetched by
//! `tools/install-aws-models`; `tools/test` names it in PIPE_AWS_MODELS).
//!
//! Ranges compare their bounds; formats compare their lengths and are both run on probe values
//! (each character class, both ends, every length boundary); name lists compare members. A
//! difference fails the test unless `DELIBERATE` gives its reason, and a reason that no longer
//! matches a difference fails it too, so the list stays true as the models move.
//! `PIPE_AWS_FACTS_DUMP=<file>` writes what the models say for every member checked, which
//! `tools/refresh-aws-facts` compares across two botocore versions.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Read;

use fancy_regex::Regex;
use pipe::limits::formats::{self, Format};
use pipe::limits::names::{ID_MAX, NAME_MAX, is_name, physical_name_max};
use pipe::limits::{self, Limit, Retired};
use serde_json::Value;

/// What pipe enforces.
enum Ours {
    /// A value's range, or the number of items a list or map holds.
    Range(&'static Limit),
    /// The shape of a string, with a value pipe accepts to build probes from.
    Text(&'static Format, &'static str),
    /// The names pipe knows (accepted or retired) for an enumerated value.
    Names(&'static str, Vec<String>),
    /// The physical name `<name>-<id>` of a component kind.
    PhysicalName(&'static str),
}

impl Ours {
    fn label(&self) -> String {
        match self {
            Ours::Range(limit) => limit.id.to_string(),
            Ours::Text(format, _) => format.what.to_string(),
            Ours::Names(what, _) => what.to_string(),
            Ours::PhysicalName(kind) => format!("{kind} name"),
        }
    }
}

/// Each pipe fact and the model member that states the same fact: `<service> <Operation or
/// Shape>.<member>…`; `[]` after a member steps into its list's items.
fn facts() -> Vec<(Ours, &'static str)> {
    use Ours::{Names, PhysicalName, Range, Text};
    use limits::{emr, firehose, flink, glue, kinesis, lambda, msk, network, opensearch, redshift, s3};
    let known = |supported: &[&str], retired: &[Retired]| -> Vec<String> {
        supported.iter().map(|s| s.to_string()).chain(retired.iter().map(|r| r.name.to_string())).collect()
    };
    vec![
        (Range(&kinesis::RETENTION_HOURS), "kinesis IncreaseStreamRetentionPeriod.RetentionPeriodHours"),
        (Range(&kinesis::MAX_RECORD_SIZE_KIB), "kinesis CreateStream.MaxRecordSizeInKiB"),
        (Range(&kinesis::SHARDS), "kinesis CreateStream.ShardCount"),
        (Range(&firehose::BUFFER_SIZE_MIB), "firehose BufferingHints.SizeInMBs"),
        (Range(&firehose::OPENSEARCH_BUFFER_SIZE_MIB), "firehose AmazonopensearchserviceBufferingHints.SizeInMBs"),
        (Range(&firehose::BUFFER_INTERVAL_SECONDS), "firehose BufferingHints.IntervalInSeconds"),
        (Range(&lambda::MEMORY_MIB), "lambda CreateFunction.MemorySize"),
        (Range(&lambda::TIMEOUT_SECONDS), "lambda CreateFunction.Timeout"),
        (Range(&lambda::BATCH_SIZE), "lambda CreateEventSourceMapping.BatchSize"),
        (Range(&lambda::BATCH_WINDOW_SECONDS), "lambda CreateEventSourceMapping.MaximumBatchingWindowInSeconds"),
        (Range(&lambda::PARALLELIZATION), "lambda CreateEventSourceMapping.ParallelizationFactor"),
        (Range(&lambda::MAX_RECORD_AGE_SECONDS), "lambda CreateEventSourceMapping.MaximumRecordAgeInSeconds"),
        (Range(&lambda::RETRIES), "lambda CreateEventSourceMapping.MaximumRetryAttempts"),
        (
            Range(&msk::STORAGE_GIB),
            "kafka CreateClusterV2.Provisioned.BrokerNodeGroupInfo.StorageInfo.EbsStorageInfo.VolumeSize",
        ),
        (Range(&msk::STORAGE_GIB), "kafka BrokerEBSVolumeInfo.VolumeSizeGB"),
        (Range(&msk::SUBNETS), "kafka CreateClusterV2.Provisioned.BrokerNodeGroupInfo.ClientSubnets"),
        (Range(&msk::BROKERS), "kafka CreateClusterV2.Provisioned.NumberOfBrokerNodes"),
        (Range(&glue::WORKERS), "glue CreateJob.NumberOfWorkers"),
        (Range(&flink::PARALLELISM), "kinesisanalyticsv2 ParallelismConfiguration.Parallelism"),
        (Range(&flink::PARALLELISM_PER_KPU), "kinesisanalyticsv2 ParallelismConfiguration.ParallelismPerKPU"),
        (Range(&flink::CHECKPOINT_INTERVAL_MS), "kinesisanalyticsv2 CheckpointConfiguration.CheckpointInterval"),
        (Range(&flink::PROPERTIES), "kinesisanalyticsv2 PropertyGroup.PropertyMap"),
        (Range(&flink::PROPERTY_LENGTH), "kinesisanalyticsv2 PropertyKey"),
        (Range(&flink::PROPERTY_LENGTH), "kinesisanalyticsv2 PropertyValue"),
        (Range(&opensearch::INSTANCE_COUNT), "opensearch ClusterConfig.InstanceCount"),
        (Range(&opensearch::STORAGE_GIB), "opensearch EBSOptions.VolumeSize"),
        (Range(&opensearch::ZONES), "opensearch ZoneAwarenessConfig.AvailabilityZoneCount"),
        (Range(&redshift::BASE_CAPACITY_RPUS), "redshift-serverless CreateWorkgroup.baseCapacity"),
        (Range(&redshift::NODES), "redshift CreateCluster.NumberOfNodes"),
        (Range(&emr::CORE_INSTANCES), "emr InstanceGroupConfig.InstanceCount"),
        (Range(&s3::EXPIRE_DAYS), "s3 LifecycleExpiration.Days"),
        (Range(&s3::EXPIRE_DAYS), "s3 NoncurrentVersionExpiration.NoncurrentDays"),
        (Range(&network::SUBNETS), "lambda CreateFunction.VpcConfig.SubnetIds"),
        (Range(&network::SUBNETS), "kinesisanalyticsv2 VpcConfiguration.SubnetIds"),
        (Range(&network::SUBNETS), "firehose VpcConfiguration.SubnetIds"),
        (Range(&network::SECURITY_GROUPS), "lambda CreateFunction.VpcConfig.SecurityGroupIds"),
        (Range(&network::SECURITY_GROUPS_REQUIRED), "kinesisanalyticsv2 VpcConfiguration.SecurityGroupIds"),
        (Range(&network::SECURITY_GROUPS_REQUIRED), "firehose VpcConfiguration.SecurityGroupIds"),
        (Text(&formats::TAG_KEY, "team"), "lambda TagKey"),
        (Text(&formats::TAG_KEY, "team"), "sagemaker TagKey"),
        (Text(&formats::TAG_KEY, "team"), "logs TagKey"),
        (Text(&formats::TAG_KEY, "team"), "firehose TagKey"),
        (Text(&formats::TAG_KEY, "team"), "kinesis TagKey"),
        (Text(&formats::TAG_VALUE, "data platform"), "lambda TagValue"),
        (Text(&formats::TAG_VALUE, "data platform"), "firehose TagValue"),
        (Text(&formats::TAG_VALUE, "data platform"), "kinesis TagValue"),
        (Text(&formats::SUBNET_ID, "subnet-0a1b2c3d"), "lambda SubnetId"),
        (Text(&formats::SECURITY_GROUP_ID, "sg-0a1b2c3d"), "lambda SecurityGroupId"),
        (Text(&formats::SUBNET_ID, "subnet-0a1b2c3d"), "firehose VpcConfiguration.SubnetIds[]"),
        (Text(&formats::KMS_KEY, "alias/pipe"), "kinesis StartStreamEncryption.KeyId"),
        (Text(&formats::KMS_KEY, "alias/pipe"), "opensearch EncryptionAtRestOptions.KmsKeyId"),
        (
            Text(&formats::KMS_KEY_ARN, "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            "firehose DeliveryStreamEncryptionConfigurationInput.KeyARN",
        ),
        (Text(&formats::CATALOG_NAME, "clicks"), "glue NameString"),
        (Text(&formats::KAFKA_TOPIC, "telemetry"), "lambda Topic"),
        (Text(&formats::OPENSEARCH_INDEX, "events"), "firehose AmazonopensearchserviceIndexName"),
        (Text(&formats::S3_PREFIX, "raw/"), "firehose Prefix"),
        (Text(&formats::ENV_NAME, "TABLE_NAME"), "lambda EnvironmentVariableName"),
        (Text(&formats::HANDLER, "app.handler"), "lambda Handler"),
        (
            Text(&formats::CONTAINER_IMAGE, "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1"),
            "sagemaker ContainerImage",
        ),
        (Text(&formats::MODEL_DATA_URL, "s3://models/model.tar.gz"), "sagemaker ContainerDefinition.ModelDataUrl"),
        (Text(&formats::KEY_ATTRIBUTE, "user_id"), "dynamodb KeySchemaElement.AttributeName"),
        (Names("Lambda runtimes", known(lambda::SUPPORTED_RUNTIMES, lambda::RETIRED_RUNTIMES)), "lambda Runtime"),
        (
            Names("Flink runtimes", known(flink::SUPPORTED_RUNTIMES, flink::RETIRED_RUNTIMES)),
            "kinesisanalyticsv2 RuntimeEnvironment",
        ),
        (Names("Glue worker types", serde_names::<pipe::blueprint::spec::glue::WorkerType>()), "glue WorkerType"),
        (
            Names("DynamoDB key types", serde_names::<pipe::blueprint::spec::dynamodb::KeyType>()),
            "dynamodb ScalarAttributeType",
        ),
        (PhysicalName("kinesis-stream"), "kinesis StreamName"),
        (PhysicalName("firehose"), "firehose DeliveryStreamName"),
        (PhysicalName("lambda"), "lambda CreateFunction.FunctionName"),
        (PhysicalName("glue-streaming-job"), "glue CreateJob.Name"),
        (PhysicalName("flink-application"), "kinesisanalyticsv2 ApplicationName"),
        (PhysicalName("msk-cluster"), "kafka CreateClusterV2.ClusterName"),
        (PhysicalName("dynamodb-table"), "dynamodb CreateTable.TableName"),
        (PhysicalName("opensearch-domain"), "opensearch DomainName"),
        (PhysicalName("redshift"), "redshift-serverless WorkgroupName"),
        (PhysicalName("redshift"), "redshift-serverless NamespaceName"),
        (PhysicalName("sagemaker-endpoint"), "sagemaker EndpointName"),
        (PhysicalName("sagemaker-endpoint"), "sagemaker ModelName"),
        (PhysicalName("emr-spark-streaming"), "emr RunJobFlow.Name"),
    ]
}

/// Differences kept on purpose: the model member, the difference, and why.
const DELIBERATE: &[(&str, &str, &str)] = &[
    (
        "lambda CreateFunction.MemorySize",
        "max",
        "the Lambda developer guide (configuration-memory, troubleshooting-configuration) still gives 10,240 MB for a function; the model's 32,768 is not documented for the functions pipe deploys",
    ),
    (
        "lambda CreateFunction.Timeout",
        "max",
        "the Lambda developer guide (configuration-timeout) gives 900 seconds (15 minutes); the model's 5,400 is not documented for the functions pipe deploys",
    ),
    (
        "lambda CreateEventSourceMapping.MaximumRecordAgeInSeconds",
        "min",
        "-1 (never discard) is accepted on its own; the API reference refuses 0 to 59",
    ),
    (
        "lambda CreateEventSourceMapping.MaximumRetryAttempts",
        "min",
        "-1 (retry until the record expires) is accepted on its own",
    ),
    (
        "kafka CreateClusterV2.Provisioned.NumberOfBrokerNodes",
        "max",
        "the model's 15 predates the MSK quota page's 30 brokers per ZooKeeper cluster (60 with KRaft)",
    ),
    (
        "lambda CreateFunction.VpcConfig.SubnetIds",
        "min",
        "an empty list detaches a function from its VPC; a declared `network` without subnets is a mistake",
    ),
    ("lambda Topic", "length min", "the model's own pattern needs two characters"),
    (
        "lambda Topic",
        "narrower pattern",
        "Kafka names topics with letters, digits and `. _ -` only; Lambda's pattern lets any first character but `.` through",
    ),
    ("lambda Handler", "length min", "the model's own pattern needs one character"),
    (
        "lambda EnvironmentVariableName",
        "narrower pattern",
        "the Lambda quotas page allows 4 KB of environment variables in all, names included; the model bounds neither",
    ),
    (
        "firehose TagKey",
        "narrower pattern",
        "Firehose also takes `%`; Lambda, SageMaker and CloudWatch Logs do not, and a pipeline's tags go on all of them",
    ),
    ("firehose TagValue", "narrower pattern", "Firehose also takes `%`; Lambda, SageMaker and CloudWatch Logs do not"),
    (
        "kinesis TagKey",
        "narrower pattern",
        "Kinesis states no pattern; pipe holds every service to the set Lambda, SageMaker and CloudWatch Logs state",
    ),
    (
        "kinesis TagValue",
        "narrower pattern",
        "Kinesis states no pattern; pipe holds every service to the set Lambda, SageMaker and CloudWatch Logs state",
    ),
    (
        "lambda SubnetId",
        "narrower pattern",
        "EC2 issues `subnet-` and 8 or 17 hexadecimal digits; Lambda's pattern takes any lowercase alphanumerics",
    ),
    ("lambda SubnetId", "length min", "an EC2 id has 8 or 17 digits after its prefix"),
    ("lambda SubnetId", "length max", "an EC2 id has 8 or 17 digits after its prefix"),
    (
        "lambda SecurityGroupId",
        "narrower pattern",
        "EC2 issues `sg-` and 8 or 17 hexadecimal digits; Lambda's pattern takes any alphanumerics",
    ),
    ("lambda SecurityGroupId", "length min", "an EC2 id has 8 or 17 digits after its prefix"),
    ("lambda SecurityGroupId", "length max", "an EC2 id has 8 or 17 digits after its prefix"),
    (
        "firehose VpcConfiguration.SubnetIds[]",
        "narrower pattern",
        "EC2 issues `subnet-` and 8 or 17 hexadecimal digits; Firehose takes any text without white space",
    ),
    ("firehose VpcConfiguration.SubnetIds[]", "length min", "an EC2 id has 8 or 17 digits after its prefix"),
    ("firehose VpcConfiguration.SubnetIds[]", "length max", "an EC2 id has 8 or 17 digits after its prefix"),
    (
        "kinesis StartStreamEncryption.KeyId",
        "length max",
        "pipe holds every service to OpenSearch's 500, the smallest that takes any key identifier",
    ),
    (
        "kinesis StartStreamEncryption.KeyId",
        "narrower pattern",
        "Kinesis states no pattern; pipe takes the characters of key ids, ARNs and alias names",
    ),
    (
        "opensearch EncryptionAtRestOptions.KmsKeyId",
        "narrower pattern",
        "OpenSearch states `.*`; pipe takes the characters of key ids, ARNs and alias names",
    ),
    (
        "firehose DeliveryStreamEncryptionConfigurationInput.KeyARN",
        "narrower pattern",
        "pipe asks for a key ARN as KMS issues it (an alias ARN passes Firehose's pattern and fails at run time); Firehose's partition and key characters are wider",
    ),
    (
        "glue NameString",
        "narrower pattern",
        "Athena reads catalog names of lowercase letters, digits and `_` only; Glue takes any text",
    ),
    (
        "firehose AmazonopensearchserviceIndexName",
        "narrower pattern",
        "OpenSearch's own index rules: lowercase, no spaces or `\\ / * ? \" < > | , #`; Firehose states `.*`",
    ),
    (
        "firehose Prefix",
        "narrower pattern",
        "control characters break the tools that list and copy the objects; Firehose's `.*` refuses only line breaks",
    ),
    ("sagemaker ContainerImage", "length min", "an image is required"),
    (
        "sagemaker ContainerDefinition.ModelDataUrl",
        "length min",
        "pipe sets ModelDataUrl only when `model_data` is given",
    ),
    ("lambda Runtime", "unknown `custom`", "no runtimes-page entry; pipe offers it once AWS documents what it runs"),
    (
        "kinesisanalyticsv2 RuntimeEnvironment",
        "unknown `ZEPPELIN-FLINK-1_0`",
        "Studio notebooks, not applications pipe deploys",
    ),
    (
        "kinesisanalyticsv2 RuntimeEnvironment",
        "unknown `ZEPPELIN-FLINK-2_0`",
        "Studio notebooks, not applications pipe deploys",
    ),
    (
        "kinesisanalyticsv2 RuntimeEnvironment",
        "unknown `ZEPPELIN-FLINK-3_0`",
        "Studio notebooks, not applications pipe deploys",
    ),
    (
        "glue WorkerType",
        "unknown `Standard`",
        "the pre-Glue-2.0 worker; streaming jobs on supported versions take G types",
    ),
    ("glue WorkerType", "unknown `Z.2X`", "Ray jobs only"),
    (
        "glue WorkerType",
        "unknown `G.12X`",
        "footnoted on the worker-types page (some Regions, Spark ETL); pipe's sizing and pricing cover G.025X to G.8X",
    ),
    (
        "glue WorkerType",
        "unknown `G.16X`",
        "footnoted on the worker-types page (some Regions, Spark ETL); pipe's sizing and pricing cover G.025X to G.8X",
    ),
    (
        "glue WorkerType",
        "unknown `R.1X`",
        "memory-optimized M-DPU workers, priced apart; pipe's pricing covers DPU workers only",
    ),
    (
        "glue WorkerType",
        "unknown `R.2X`",
        "memory-optimized M-DPU workers, priced apart; pipe's pricing covers DPU workers only",
    ),
    (
        "glue WorkerType",
        "unknown `R.4X`",
        "memory-optimized M-DPU workers, priced apart; pipe's pricing covers DPU workers only",
    ),
    (
        "glue WorkerType",
        "unknown `R.8X`",
        "memory-optimized M-DPU workers, priced apart; pipe's pricing covers DPU workers only",
    ),
    (
        "dynamodb CreateTable.TableName",
        "max",
        "the model's 1024 counts table ARNs; a table name is 3 to 255 characters (DynamoDB naming rules)",
    ),
    ("lambda CreateFunction.FunctionName", "max", "the model's 140 counts ARNs; a function name is 1 to 64 characters"),
    (
        "redshift-serverless WorkgroupName",
        "max",
        "pipe's 63 is the provisioned cluster identifier's, the smaller of the two deployments",
    ),
    (
        "redshift-serverless NamespaceName",
        "max",
        "pipe's 63 is the provisioned cluster identifier's, the smaller of the two deployments",
    ),
];

/// Graviton worker types: the same sizes on Arm, priced alike, not offered by pipe yet.
fn deliberate_graviton(aws: &str, key: &str) -> Option<&'static str> {
    (aws == "glue WorkerType" && key.ends_with(".GRAVITON`"))
        .then_some("Graviton workers are not offered yet: pipe's Glue pricing is for x86 DPUs")
}

/// One difference between pipe and a model.
struct Difference {
    aws: &'static str,
    ours: String,
    key: String,
    detail: String,
}

/// What a model member says.
#[derive(Default)]
struct Shape {
    min: Option<i64>,
    max: Option<i64>,
    pattern: Option<String>,
    members: Option<Vec<String>>,
}

impl Shape {
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        parts.extend(self.min.map(|m| format!("min {m}")));
        parts.extend(self.max.map(|m| format!("max {m}")));
        parts.extend(self.pattern.as_ref().map(|p| format!("pattern {p}")));
        parts.extend(self.members.as_ref().map(|m| format!("enum {}", m.join(" "))));
        if parts.is_empty() { "no bounds".to_string() } else { parts.join(", ") }
    }

    /// Whether AWS takes `value`: its length and the whole of its pattern.
    fn accepts(&self, regex: Option<&Regex>, value: &str) -> bool {
        let length = value.chars().count() as i64;
        self.min.is_none_or(|m| length >= m)
            && self.max.is_none_or(|m| length <= m)
            && regex.is_none_or(|r| r.is_match(value).expect("pattern runs"))
    }
}

/// The service models in a botocore wheel.
struct Models {
    wheel: zip::ZipArchive<File>,
    services: BTreeMap<String, Value>,
}

impl Models {
    fn open() -> Models {
        let path = std::env::var_os("PIPE_AWS_MODELS").expect(
            "PIPE_AWS_MODELS is not set: run the tests with `tools/test`, which fetches the pinned botocore wheel",
        );
        let file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.to_string_lossy()));
        Models { wheel: zip::ZipArchive::new(file).expect("a wheel is a zip archive"), services: BTreeMap::new() }
    }

    /// A service's newest model (`botocore/data/<service>/<api version>/service-2.json.gz`).
    fn service(&mut self, name: &str) -> &Value {
        if !self.services.contains_key(name) {
            let prefix = format!("botocore/data/{name}/");
            let entry = self
                .wheel
                .file_names()
                .map(|f| f.expect("a wheel's names are UTF-8").into_owned())
                .filter(|f| f.starts_with(&prefix) && f.ends_with("/service-2.json.gz"))
                .max()
                .unwrap_or_else(|| panic!("no model for `{name}` in the wheel"));
            let mut compressed = Vec::new();
            self.wheel.by_name(&entry).expect("listed").read_to_end(&mut compressed).expect("readable");
            let mut text = String::new();
            flate2::read::GzDecoder::new(&compressed[..]).read_to_string(&mut text).expect("gzip");
            self.services.insert(name.to_string(), serde_json::from_str(&text).expect("model JSON"));
        }
        &self.services[name]
    }

    /// The shape `<service> <Operation or Shape>.<member>…` names.
    fn shape(&mut self, spec: &str) -> Shape {
        let (service, path) = spec.split_once(' ').expect("`<service> <path>`");
        let model = self.service(service);
        let shapes = &model["shapes"];
        let mut segments = path.split('.');
        let first = segments.next().expect("a path");
        let mut name = match model["operations"].get(first) {
            Some(operation) => operation["input"]["shape"].as_str().expect("an input").to_string(),
            None => first.to_string(),
        };
        for segment in segments {
            let (member, items) = segment.strip_suffix("[]").map_or((segment, false), |m| (m, true));
            name = shapes[&name]["members"][member]["shape"]
                .as_str()
                .unwrap_or_else(|| panic!("{spec}: no member `{member}` in `{name}`"))
                .to_string();
            if items {
                name = shapes[&name]["member"]["shape"].as_str().expect("a list").to_string();
            }
        }
        let shape = shapes.get(&name).unwrap_or_else(|| panic!("{spec}: no shape `{name}`"));
        Shape {
            min: shape["min"].as_i64(),
            max: shape["max"].as_i64(),
            pattern: shape["pattern"].as_str().map(str::to_string),
            members: shape["enum"]
                .as_array()
                .map(|m| m.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()),
        }
    }
}

/// A model's pattern as a whole-value regular expression. The models write Java's dialect; the
/// one construct Rust's engines lack is a UTF-16 surrogate pair range, which means "every
/// character beyond the Basic Multilingual Plane".
fn compile(pattern: &str) -> Regex {
    let rust = pattern.replace(r"\uD800\uDC00-\uDBFF\uDFFF", r"\x{10000}-\x{10FFFF}");
    let rust =
        rust.split(r"\u")
            .enumerate()
            .map(|(i, part)| {
                if i == 0 || part.len() < 4 { part.to_string() } else { format!(r"\x{{{}}}{}", &part[..4], &part[4..]) }
            })
            .collect::<String>();
    Regex::new(&format!("^(?:{rust})$")).unwrap_or_else(|e| panic!("pattern {pattern}: {e}"))
}

/// The serde names of a blueprint enum, read from its JSON schema.
fn serde_names<T: schemars::JsonSchema>() -> Vec<String> {
    fn collect(value: &Value, names: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    match (key.as_str(), inner) {
                        ("enum", Value::Array(items)) => {
                            names.extend(items.iter().filter_map(|v| v.as_str().map(str::to_string)))
                        }
                        ("const", Value::String(name)) => names.push(name.clone()),
                        _ => collect(inner, names),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, names)),
            _ => {}
        }
    }
    let mut names = Vec::new();
    collect(&serde_json::to_value(schemars::schema_for!(T)).expect("schema"), &mut names);
    names
}

/// Values to run both sides on: the sample, each probe character at its start, middle and end,
/// and the sample cut or padded to every length boundary either side states.
fn probes(sample: &str, lengths: &[i64]) -> Vec<String> {
    const CHARACTERS: &str = " \t\n%#&*?!\"'`<>|,;()[]{}$~^\\é中ЖÅ٣²\u{a0}\u{2028}\u{301}😀";
    let ascii = (0x20u8..0x7f).map(char::from);
    let characters: BTreeSet<char> = ascii.chain(CHARACTERS.chars()).collect();
    let middle = sample.chars().count() / 2;
    let mut values = vec![sample.to_string()];
    for c in characters {
        let (head, tail): (String, String) =
            (sample.chars().take(middle).collect(), sample.chars().skip(middle).collect());
        values.extend([format!("{c}{sample}"), format!("{head}{c}{tail}"), format!("{sample}{c}")]);
    }
    let filler = sample.chars().last().expect("a sample");
    for &length in lengths {
        for length in [length - 1, length, length + 1] {
            let Ok(length) = usize::try_from(length) else { continue };
            let mut value: String = sample.chars().take(length).collect();
            value.extend(std::iter::repeat_n(filler, length.saturating_sub(value.chars().count())));
            values.push(value);
        }
    }
    values
}

/// Up to three examples, then how many more.
fn examples(values: &[String]) -> String {
    let shown: Vec<String> = values.iter().take(3).map(|v| format!("{v:?}")).collect();
    let more = values.len().saturating_sub(3);
    if more == 0 { shown.join(", ") } else { format!("{} and {more} more", shown.join(", ")) }
}

fn compare(ours: &Ours, aws: &'static str, shape: &Shape) -> Vec<Difference> {
    let mut found = Vec::new();
    let mut differ = |key: &str, detail: String| {
        found.push(Difference { aws, ours: ours.label(), key: key.to_string(), detail });
    };
    let bound = |key: &str, ours: i64, theirs: Option<i64>, differ: &mut dyn FnMut(&str, String)| {
        if let Some(theirs) = theirs
            && theirs != ours
        {
            differ(key, format!("pipe {ours}, AWS {theirs}"));
        }
    };
    match ours {
        Ours::Range(limit) => {
            bound("min", limit.min, shape.min, &mut differ);
            bound("max", limit.max, shape.max, &mut differ);
        }
        Ours::Text(format, sample) => {
            bound("length min", format.min_len as i64, shape.min, &mut differ);
            bound("length max", format.max_len as i64, shape.max, &mut differ);
            let regex = shape.pattern.as_deref().map(compile);
            let lengths: Vec<i64> = [Some(format.min_len as i64), Some(format.max_len as i64), shape.min, shape.max]
                .into_iter()
                .flatten()
                .collect();
            let (mut wider, mut narrower) = (Vec::new(), Vec::new());
            for value in probes(sample, &lengths) {
                match (format.accepts(&value), shape.accepts(regex.as_ref(), &value)) {
                    (true, false) => wider.push(value),
                    (false, true) => narrower.push(value),
                    _ => {}
                }
            }
            assert!(format.accepts(sample), "{}: the sample {sample:?} must pass pipe's own format", format.what);
            if !wider.is_empty() {
                differ("wider pattern", format!("pipe accepts what AWS refuses: {}", examples(&wider)));
            }
            if !narrower.is_empty() {
                differ("narrower pattern", format!("pipe refuses what AWS accepts: {}", examples(&narrower)));
            }
        }
        Ours::Names(_, known) => {
            let theirs = shape.members.clone().unwrap_or_else(|| panic!("{aws} is not an enum"));
            for name in theirs.iter().filter(|n| !known.contains(n)) {
                differ(&format!("unknown `{name}`"), "in AWS's enum, unknown to pipe".to_string());
            }
            for name in known.iter().filter(|n| !theirs.contains(n)) {
                differ(&format!("not in AWS `{name}`"), "pipe accepts a name AWS's enum lacks".to_string());
            }
        }
        Ours::PhysicalName(kind) => {
            let (max, _) = physical_name_max(kind).expect("a named kind");
            bound("max", max as i64, shape.max, &mut differ);
            let regex = shape.pattern.as_deref().map(compile);
            let parts = ["a", "a1", "a-b", "ab-c1-d2", &"n".repeat(NAME_MAX), &"i".repeat(ID_MAX)];
            let refused: Vec<String> = parts
                .iter()
                .flat_map(|name| parts.iter().map(move |id| format!("{name}-{id}")))
                .filter(|physical| physical.len() <= max)
                .filter(|physical| {
                    let (name, id) = physical.split_once('-').expect("joined");
                    is_name(name, NAME_MAX) && is_name(id, ID_MAX)
                })
                .filter(|physical| !shape.accepts(regex.as_ref(), physical))
                .collect();
            if !refused.is_empty() {
                differ("wider pattern", format!("pipe makes names AWS refuses: {}", examples(&refused)));
            }
        }
    }
    found
}

#[test]
fn pipe_facts_match_the_aws_api_models() {
    let mut models = Models::open();
    let facts = facts();
    let mut differences = Vec::new();
    let mut dump = String::new();
    let mut silent = 0;
    for (ours, aws) in &facts {
        let shape = models.shape(aws);
        if shape.min.is_none() && shape.max.is_none() && shape.pattern.is_none() && shape.members.is_none() {
            silent += 1;
        }
        dump.push_str(&format!("{aws}: {}\n", shape.describe()));
        differences.extend(compare(ours, aws, &shape));
    }
    if let Some(path) = std::env::var_os("PIPE_AWS_FACTS_DUMP") {
        std::fs::write(&path, &dump).expect("dump written");
    }
    let reason = |d: &Difference| {
        DELIBERATE
            .iter()
            .find(|(aws, key, _)| *aws == d.aws && *key == d.key)
            .map(|(_, _, why)| *why)
            .or_else(|| deliberate_graviton(d.aws, &d.key))
    };
    let mut unexplained = Vec::new();
    let mut kept = 0;
    for d in &differences {
        match reason(d) {
            Some(why) => {
                kept += 1;
                println!("deliberate  {} ~ {} [{}]: {}; {why}", d.ours, d.aws, d.key, d.detail);
            }
            None => unexplained.push(format!("{} ~ {} [{}]: {}", d.ours, d.aws, d.key, d.detail)),
        }
    }
    let stale: Vec<String> = DELIBERATE
        .iter()
        .filter(|(aws, key, _)| !differences.iter().any(|d| d.aws == *aws && d.key == *key))
        .map(|(aws, key, _)| format!("{aws} [{key}]"))
        .collect();
    println!(
        "AWS facts: {} checked against {} model members ({silent} of which state no bound, so pipe's cited source alone holds); {} differ, {kept} deliberately, {} not",
        facts.len(),
        facts.iter().map(|(_, aws)| *aws).collect::<BTreeSet<_>>().len(),
        differences.len(),
        unexplained.len()
    );
    assert!(unexplained.is_empty(), "pipe differs from the AWS API models:\n{}", unexplained.join("\n"));
    assert!(stale.is_empty(), "deliberate differences that no longer differ (remove them):\n{}", stale.join("\n"));
}
