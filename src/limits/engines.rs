//! What each managed runtime runs (engine and language versions), and the connectors code on it
//! needs beyond what the runtime ships, with the source of each row. `validate` refuses a runtime
//! with no row here, the EMR step takes its connectors from here, and the engine tests run the
//! versions named here (`tests/engines.rs` checks `tools/engines.txt` against this table).

/// A Maven artifact: `group:name:version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Artifact {
    pub group: &'static str,
    pub name: &'static str,
    pub version: &'static str,
}

impl Artifact {
    pub fn coordinates(&self) -> String {
        format!("{}:{}:{}", self.group, self.name, self.version)
    }
}

/// One runtime a job pins: `FLINK-1_20`, Glue `5.0`, `emr-7.5.0`.
#[derive(Debug)]
pub struct Runtime {
    pub name: &'static str,
    /// The engine's version: Flink for Managed Flink, Spark for Glue and EMR.
    pub engine: &'static str,
    pub scala: &'static str,
    pub python: &'static str,
    /// What the scenario code needs that the runtime does not ship.
    pub connectors: &'static [Artifact],
    pub source: &'static str,
}

const FLINK_AWS: &str = "org.apache.flink";

/// Managed Service for Apache Flink runtimes with a known connector set. The `kinesis` and
/// `firehose` tables are flink-connector-aws 5.x's (`stream.arn`, `source.init.position`).
pub static FLINK: &[Runtime] = &[Runtime {
    name: "FLINK-1_20",
    engine: "1.20",
    scala: "2.12",
    python: "3.11",
    connectors: &[
        Artifact { group: FLINK_AWS, name: "flink-sql-connector-kinesis", version: "5.0.0-1.20" },
        Artifact { group: FLINK_AWS, name: "flink-sql-connector-aws-kinesis-firehose", version: "5.0.0-1.20" },
    ],
    source: "docs.aws.amazon.com/managed-flink/latest/java/flink-1-20.html; flink-connector-aws 5.0.0 release notes (Flink 1.19, 1.20)",
}];

const GLUE_RELEASES: &str = "docs.aws.amazon.com/glue/latest/dg/release-notes.html (read 2026-12-05)";

/// Glue versions that run streaming jobs. Glue ships the Kinesis, Kafka and DynamoDB connectors
/// its streaming jobs use.
pub static GLUE: &[Runtime] = &[
    Runtime { name: "3.0", engine: "3.1.1", scala: "2.12", python: "3.7", connectors: &[], source: GLUE_RELEASES },
    Runtime { name: "4.0", engine: "3.3.0", scala: "2.12", python: "3.10", connectors: &[], source: GLUE_RELEASES },
    Runtime { name: "5.0", engine: "3.5.4", scala: "2.12.18", python: "3.11", connectors: &[], source: GLUE_RELEASES },
];

/// EMR releases with a known connector set for Spark Structured Streaming from MSK (IAM) into
/// OpenSearch: Spark's own Kafka source at the release's Spark version, the MSK IAM auth library,
/// and the OpenSearch connector for Spark 3.
pub static EMR: &[Runtime] = &[Runtime {
    name: "emr-7.5.0",
    engine: "3.5.2",
    scala: "2.12",
    python: "3.9",
    connectors: &[
        Artifact { group: "org.apache.spark", name: "spark-sql-kafka-0-10_2.12", version: "3.5.2" },
        Artifact { group: "software.amazon.msk", name: "aws-msk-iam-auth", version: "2.2.0" },
        Artifact { group: "org.opensearch.client", name: "opensearch-spark-30_2.12", version: "1.2.0" },
    ],
    source: "docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-750-release.html; aws-msk-iam-auth README; opensearch-hadoop compatibility matrix",
}];

/// The row of `name` in `table`.
pub fn runtime<'a>(table: &'a [Runtime], name: &str) -> Option<&'a Runtime> {
    table.iter().find(|r| r.name == name)
}

/// The names a table knows, for messages.
pub fn names(table: &[Runtime]) -> Vec<&'static str> {
    table.iter().map(|r| r.name).collect()
}
