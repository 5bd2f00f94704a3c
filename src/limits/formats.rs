//! Shapes of the values that reach AWS as they are: tags, network ids, key ARNs, catalog and
//! topic names. Checked after variables are substituted, so a `--var` is held to the same rules
//! as a literal.

use std::sync::OnceLock;

use regex::Regex;

/// A format one kind of value must have, written as AWS's API models write it: a length range and
/// a regular expression the whole value must match. Keeping AWS's own dialect lets the facts
/// cross-check (`tests/facts.rs`) compare pipe's rule with botocore's, pattern for pattern.
#[derive(Debug)]
pub struct Format {
    /// What the value is, for messages: "tag value", "subnet id".
    pub what: &'static str,
    /// Length in characters, inclusive.
    pub min_len: usize,
    pub max_len: usize,
    /// The whole value must match (it is anchored at both ends).
    pub pattern: &'static str,
    /// Allowed characters and shape, for people.
    pub describe: &'static str,
    pub source: &'static str,
    /// `pattern`, compiled on first use.
    pub compiled: OnceLock<Regex>,
}

impl Format {
    const fn new(
        what: &'static str,
        (min_len, max_len): (usize, usize),
        pattern: &'static str,
        describe: &'static str,
        source: &'static str,
    ) -> Self {
        Format { what, min_len, max_len, pattern, describe, source, compiled: OnceLock::new() }
    }

    pub fn accepts(&self, value: &str) -> bool {
        let len = value.chars().count();
        (self.min_len..=self.max_len).contains(&len) && self.regex().is_match(value)
    }

    fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            Regex::new(&format!("^(?:{})$", self.pattern)).expect("the formats' patterns are tested to compile")
        })
    }
}

const TAG_SOURCE: &str = "AWS tagging guide, tag naming limits and requirements (read 2026-11-24); Lambda, SageMaker and CloudWatch Logs API TagKey";

/// Letters, digits, separators and `_ . : / = + - @`: what every service pipe tags accepts.
/// Firehose also takes `%`; the others do not.
const TAG_CHARS: &str = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*";

pub static TAG_KEY: Format = Format::new(
    "tag key",
    (1, 128),
    TAG_CHARS,
    "1 to 128 letters, digits, spaces and `_ . : / = + - @`, not starting with `aws:` or `pipe:`",
    TAG_SOURCE,
);

pub static TAG_VALUE: Format =
    Format::new("tag value", (0, 256), TAG_CHARS, "0 to 256 letters, digits, spaces and `_ . : / = + - @`", TAG_SOURCE);

/// AWS allows 50 tags per resource (botocore's `TagList` and the services' tagging quotas).
pub const TAGS_PER_RESOURCE: usize = 50;

/// The most tags pipe puts on one resource: `pipe:pipeline`, `pipe:component`, the SDK target's
/// `pipe:applied`, and one of its own kind (a function's `pipe:code`, an EMR cluster's
/// `for-use-with-amazon-emr-managed-policies`).
pub const PIPE_TAGS_MAX: usize = 4;

/// What is left for the blueprint's `tags`.
pub const USER_TAGS_MAX: usize = TAGS_PER_RESOURCE - PIPE_TAGS_MAX;

/// Keys AWS reserves, and the one pipe uses for its own tags.
pub const RESERVED_TAG_PREFIXES: &[&str] = &["aws:", "pipe:"];

/// `subnet-` / `sg-` and an 8- or 17-digit hexadecimal id, as EC2 issues them.
pub static SUBNET_ID: Format = Format::new(
    "subnet id",
    (15, 24),
    "subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})",
    "`subnet-` and 8 or 17 hexadecimal digits, e.g. `subnet-0a1b2c3d4e5f60001`",
    EC2_IDS,
);

pub static SECURITY_GROUP_ID: Format = Format::new(
    "security group id",
    (11, 20),
    "sg-(?:[0-9a-f]{8}|[0-9a-f]{17})",
    "`sg-` and 8 or 17 hexadecimal digits, e.g. `sg-0a1b2c3d4e5f60001`",
    EC2_IDS,
);

const EC2_IDS: &str = "Amazon EC2 resource ids";

/// A KMS key where the service takes any identifier: a key ARN, an alias ARN, an alias name or a
/// key id (Kinesis, DynamoDB, S3, SNS, Redshift, OpenSearch). 500 is OpenSearch's maximum, the
/// smallest of them.
pub static KMS_KEY: Format = Format::new(
    "KMS key",
    (1, 500),
    "[a-zA-Z0-9:/_-]+",
    "`arn:aws:kms:<region>:<account>:key/<id>`, an alias ARN, `alias/<name>` or a key id",
    "AWS KMS key identifiers (KeyId); OpenSearch API EncryptionAtRestOptions KmsKeyId (1-500)",
);

/// A KMS key where the service takes only a key ARN (Firehose's `KeyARN`, MSK's
/// `DataVolumeKMSKeyId`): an alias or a bare key id is refused at deploy time.
pub static KMS_KEY_ARN: Format = Format::new(
    "KMS key ARN",
    (1, 512),
    r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[a-zA-Z0-9-]+",
    "`arn:aws:kms:<region>:<account>:key/<key id>` (not an alias or a bare key id)",
    "Firehose API DeliveryStreamEncryptionConfigurationInput KeyARN; MSK API EncryptionAtRest DataVolumeKMSKeyId",
);

/// Glue Data Catalog database and table names pipe refers to. Glue lowercases names; Athena reads
/// only lowercase letters, digits and underscores.
pub static CATALOG_NAME: Format = Format::new(
    "Data Catalog name",
    (1, 255),
    "[a-z0-9_]+",
    "1 to 255 lowercase letters, digits and `_`",
    "AWS Glue and Amazon Athena naming rules for databases, tables and columns",
);

/// Kafka topics, held to what every reader of one takes: Kafka's own characters and length, and
/// Lambda's event source pattern, which refuses a leading `.` and one-character names.
pub static KAFKA_TOPIC: Format = Format::new(
    "Kafka topic",
    (2, 249),
    r"[a-zA-Z0-9_-][a-zA-Z0-9_.-]+",
    "2 to 249 letters, digits and `. _ -`, not starting with `.`",
    "Apache Kafka topic name rules (kafka.common.Topic); Lambda API CreateEventSourceMapping Topics",
);

pub static OPENSEARCH_INDEX: Format = Format::new(
    "OpenSearch index",
    (1, 80),
    "[a-z0-9._-]+",
    "1 to 80 lowercase letters, digits and `. _ -` (Firehose IndexName)",
    "OpenSearch index naming rules; Firehose IndexName 1-80 characters",
);

/// S3 key prefixes: any characters S3 keys take except control characters, which break the
/// tools that list and copy the objects.
pub static S3_PREFIX: Format = Format::new(
    "S3 prefix",
    (0, 1024),
    r"\P{Cc}*",
    "up to 1024 characters, no control characters such as newlines",
    "Firehose API S3DestinationConfiguration Prefix; Amazon S3 object key naming guidelines",
);

/// Lambda's environment, names and values together (quotas page, read 2026-12-05).
pub const ENVIRONMENT_BYTES: usize = 4096;

/// Lambda environment variable names: the model bounds no length; all of them fit in the 4 KB
/// environment.
pub static ENV_NAME: Format = Format::new(
    "environment variable name",
    (2, ENVIRONMENT_BYTES),
    "[a-zA-Z][a-zA-Z0-9_]+",
    "2 or more letters, digits and `_`, starting with a letter",
    "Lambda API Environment Variables key pattern [a-zA-Z]([a-zA-Z0-9_])+",
);

/// A Lambda handler: `file.function` for the scripted runtimes; Lambda takes any text without
/// white space.
pub static HANDLER: Format = Format::new(
    "Lambda handler",
    (1, 128),
    r"\S+",
    "1 to 128 characters without white space, e.g. `app.handler`",
    "Lambda API CreateFunction Handler",
);

/// A SageMaker container image: an ECR URI or registry path.
pub static CONTAINER_IMAGE: Format = Format::new(
    "container image",
    (1, 255),
    r"\S+",
    "1 to 255 characters without white space, e.g. `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`",
    "SageMaker API ContainerDefinition Image",
);

/// Model artifacts SageMaker downloads.
pub static MODEL_DATA_URL: Format = Format::new(
    "model data URL",
    (1, 1024),
    "(?:https|s3)://[^/]+/?.*",
    "`s3://<bucket>/<key>` or an `https://` URL, at most 1024 characters",
    "SageMaker API ContainerDefinition ModelDataUrl",
);

/// DynamoDB key attribute names.
pub static KEY_ATTRIBUTE: Format = Format::new(
    "key attribute name",
    (1, 255),
    r"[\s\S]+",
    "1 to 255 characters",
    "DynamoDB API KeySchemaElement AttributeName",
);

/// Redshift database names: "1 to 64 alphanumeric characters", "only lowercase letters", and an
/// identifier SQL can name unquoted, so starting with a letter.
pub static REDSHIFT_DATABASE: Format = Format::new(
    "Redshift database name",
    (1, 64),
    "[a-z][a-z0-9]*",
    "1 to 64 lowercase letters and digits, starting with a letter",
    "Redshift Management Guide, CreateCluster DBName constraints",
);
