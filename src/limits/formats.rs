//! Shapes of the values that reach AWS as they are: tags, network ids, key ARNs, catalog and
//! topic names. Checked after variables are substituted, so a `--var` is held to the same rules
//! as a literal.

/// A format one kind of value must have.
#[derive(Debug)]
pub struct Format {
    /// What the value is, for messages: "tag value", "subnet id".
    pub what: &'static str,
    /// Text the value starts with (`subnet-`); the length and characters below are of the rest.
    /// With a prefix the value is an EC2 id, whose length is exactly `min_len` or `max_len`.
    pub prefix: &'static str,
    pub min_len: usize,
    pub max_len: usize,
    /// Whether a character may appear.
    pub allowed: fn(char) -> bool,
    /// Allowed characters and shape, for people.
    pub describe: &'static str,
    pub source: &'static str,
}

impl Format {
    pub fn accepts(&self, value: &str) -> bool {
        let Some(rest) = value.strip_prefix(self.prefix) else { return false };
        let len = rest.chars().count();
        let ec2_id = !self.prefix.is_empty();
        let len_ok = if ec2_id {
            len == self.min_len || len == self.max_len
        } else {
            (self.min_len..=self.max_len).contains(&len)
        };
        len_ok && rest.chars().all(self.allowed)
    }
}

/// Letters, digits, white space and `_ . : / = + - @`: the set every AWS service takes in tags.
fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

fn hex(c: char) -> bool {
    c.is_ascii_digit() || ('a'..='f').contains(&c)
}

const TAG_SOURCE: &str = "AWS tagging guide, tag naming limits and requirements, read 2026-11-24";

pub static TAG_KEY: Format = Format {
    what: "tag key",
    prefix: "",
    min_len: 1,
    max_len: 128,
    allowed: tag_char,
    describe: "1 to 128 letters, digits, spaces and `_ . : / = + - @`, not starting with `aws:` or `pipe:`",
    source: TAG_SOURCE,
};

pub static TAG_VALUE: Format = Format {
    what: "tag value",
    prefix: "",
    min_len: 0,
    max_len: 256,
    allowed: tag_char,
    describe: "0 to 256 letters, digits, spaces and `_ . : / = + - @`",
    source: TAG_SOURCE,
};

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
pub static SUBNET_ID: Format = Format {
    what: "subnet id",
    prefix: "subnet-",
    min_len: 8,
    max_len: 17,
    allowed: hex,
    describe: "`subnet-` and 8 or 17 hexadecimal digits, e.g. `subnet-0a1b2c3d4e5f60001`",
    source: "Amazon EC2 resource ids",
};

pub static SECURITY_GROUP_ID: Format = Format {
    what: "security group id",
    prefix: "sg-",
    min_len: 8,
    max_len: 17,
    allowed: hex,
    describe: "`sg-` and 8 or 17 hexadecimal digits, e.g. `sg-0a1b2c3d4e5f60001`",
    source: "Amazon EC2 resource ids",
};

/// A KMS key as services accept it: a key ARN, an alias ARN, an alias name or a key id.
pub static KMS_KEY: Format = Format {
    what: "KMS key",
    prefix: "",
    min_len: 1,
    max_len: 2048,
    allowed: |c| c.is_ascii_alphanumeric() || ":/_-".contains(c),
    describe: "`arn:aws:kms:<region>:<account>:key/<id>`, an alias ARN, `alias/<name>` or a key id",
    source: "AWS KMS key identifiers (KeyId)",
};

/// Glue Data Catalog database and table names pipe refers to. Glue lowercases names; Athena reads
/// only lowercase letters, digits and underscores.
pub static CATALOG_NAME: Format = Format {
    what: "Data Catalog name",
    prefix: "",
    min_len: 1,
    max_len: 255,
    allowed: |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_',
    describe: "1 to 255 lowercase letters, digits and `_`",
    source: "AWS Glue and Amazon Athena naming rules for databases, tables and columns",
};

pub static KAFKA_TOPIC: Format = Format {
    what: "Kafka topic",
    prefix: "",
    min_len: 1,
    max_len: 249,
    allowed: |c| c.is_ascii_alphanumeric() || "._-".contains(c),
    describe: "1 to 249 letters, digits and `. _ -`",
    source: "Apache Kafka topic name rules (kafka.common.Topic)",
};

pub static OPENSEARCH_INDEX: Format = Format {
    what: "OpenSearch index",
    prefix: "",
    min_len: 1,
    max_len: 80,
    allowed: |c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c),
    describe: "1 to 80 lowercase letters, digits and `. _ -` (Firehose IndexName)",
    source: "OpenSearch index naming rules; Firehose IndexName 1-80 characters",
};

/// S3 key prefixes: any characters S3 keys take except control characters, which break the
/// tools that list and copy the objects.
pub static S3_PREFIX: Format = Format {
    what: "S3 prefix",
    prefix: "",
    min_len: 0,
    max_len: 1024,
    allowed: |c| !c.is_control(),
    describe: "up to 1024 characters, no control characters such as newlines",
    source: "Firehose API S3DestinationConfiguration Prefix; Amazon S3 object key naming guidelines",
};

/// Lambda environment variable names.
pub static ENV_NAME: Format = Format {
    what: "environment variable name",
    prefix: "",
    min_len: 2,
    max_len: 256,
    allowed: |c| c.is_ascii_alphanumeric() || c == '_',
    describe: "letters, digits and `_`, starting with a letter",
    source: "Lambda API Environment Variables key pattern [a-zA-Z]([a-zA-Z0-9_])+",
};
