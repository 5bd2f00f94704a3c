//! Amazon Data Firehose: buffers a stream and delivers it to S3, Redshift or OpenSearch.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use super::common::{Column, Encryption, Refs};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Firehose {
    pub id: String,
    /// A Kinesis stream or MSK cluster to read; direct PUT from producers when none.
    #[serde(default)]
    pub from: Refs,
    /// Exactly one destination: an s3-bucket, redshift or opensearch-domain.
    #[serde(default)]
    pub to: Refs,
    #[serde(default)]
    pub buffer: Buffer,
    #[serde(default)]
    pub compression: Compression,
    /// S3 key prefix of delivered objects (may use `!{timestamp:...}` and, with dynamic
    /// partitioning, `!{partitionKeyFromQuery:...}`).
    pub prefix: Option<String>,
    /// S3 key prefix for records that failed delivery or processing.
    pub error_prefix: Option<String>,
    /// Partition S3 objects by keys taken from each record.
    pub dynamic_partitioning: Option<DynamicPartitioning>,
    /// Convert JSON records to Parquet or ORC using a Glue table's schema.
    pub format_conversion: Option<FormatConversion>,
    /// The s3-bucket that stages data for Redshift, or keeps documents OpenSearch rejected.
    pub intermediate: Option<String>,
    /// The Redshift COPY into a table that exists (required with a redshift destination).
    pub copy: Option<RedshiftCopy>,
    /// For OpenSearch destinations: the index written to.
    pub index: Option<String>,
    /// For an MSK source: the topic read.
    pub topic: Option<String>,
    /// A `lambda` component that transforms records before delivery.
    pub processor: Option<String>,
    /// S3 destinations: end each record with a newline in the delivered objects
    /// (`AppendDelimiterToRecord`), for producers that send bare JSON, as Flink's firehose sink does.
    #[serde(default)]
    pub newline_delimited: bool,
    /// Encryption of the delivery stream's buffer (direct PUT only; a stream source keeps its own).
    #[serde(default)]
    pub encryption: Encryption,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Buffer {
    /// Deliver when this many MiB are buffered (1 to 128; 1 to 100 for OpenSearch).
    pub size_mib: u32,
    /// Deliver at least this often, in seconds (0 to 900).
    pub interval_seconds: u32,
}

impl Default for Buffer {
    fn default() -> Self {
        Buffer { size_mib: 5, interval_seconds: 300 }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Compression {
    Uncompressed,
    #[default]
    Gzip,
    Zip,
    Snappy,
    HadoopSnappy,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DynamicPartitioning {
    /// Partition key name → jq expression over the record, e.g. `site: .site`.
    pub keys: IndexMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FormatConversion {
    pub output: OutputFormat,
    /// Glue Data Catalog database that holds the schema table.
    pub database: String,
    /// Glue Data Catalog table whose columns describe the records.
    pub table: String,
    /// The records' columns in Hive types (`string`, `bigint`, `double`, `timestamp`): pipe then
    /// creates the database and table. Without them the table must exist already; `pipe validate`
    /// warns and `pipe plan` checks it.
    #[serde(default)]
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OutputFormat {
    Parquet,
    Orc,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedshiftCopy {
    /// Target table; it must be one of the redshift component's `tables`.
    pub table: String,
    /// Columns in the order of the JSON fields; all columns when omitted.
    #[serde(default)]
    pub columns: Vec<String>,
    /// COPY options.
    #[serde(default = "default_copy_options")]
    pub options: String,
}

/// The compression keywords of Redshift's COPY (docs.aws.amazon.com/redshift/latest/dg/copy-parameters-file-compression.html).
const COPY_COMPRESSIONS: [&str; 4] = ["BZIP2", "GZIP", "LZOP", "ZSTD"];

impl RedshiftCopy {
    /// The compression the COPY options name, if any.
    pub fn compression(&self) -> Option<&'static str> {
        self.options
            .split_whitespace()
            .find_map(|word| COPY_COMPRESSIONS.into_iter().find(|keyword| word.eq_ignore_ascii_case(keyword)))
    }

    /// The options the COPY runs with: the blueprint's, with the keyword that reads how Firehose
    /// stages the files when they name none. Without `GZIP`, COPY reads gzip files as text and
    /// every load fails.
    pub fn options_for(&self, staged: Compression) -> String {
        match (self.compression(), staged.copy_keyword()) {
            (None, Some(keyword)) => format!("{} {keyword}", self.options.trim_end()),
            _ => self.options.clone(),
        }
    }
}

impl Compression {
    /// The COPY keyword that reads files staged this way; `None` for plain files (and for
    /// formats COPY cannot read, which validation refuses).
    pub fn copy_keyword(self) -> Option<&'static str> {
        match self {
            Compression::Gzip => Some("GZIP"),
            Compression::Uncompressed | Compression::Zip | Compression::Snappy | Compression::HadoopSnappy => None,
        }
    }
}

fn default_copy_options() -> String {
    "JSON 'auto' TIMEFORMAT 'auto'".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(options: &str) -> RedshiftCopy {
        RedshiftCopy { table: "events".into(), columns: Vec::new(), options: options.into() }
    }

    #[test]
    fn copy_reads_files_as_firehose_stages_them() {
        assert_eq!(copy("JSON 'auto'").options_for(Compression::Gzip), "JSON 'auto' GZIP");
        assert_eq!(copy("JSON 'auto'").options_for(Compression::Uncompressed), "JSON 'auto'");
        assert_eq!(copy("json 'auto' gzip").options_for(Compression::Gzip), "json 'auto' gzip");
        assert_eq!(copy("CSV LZOP").compression(), Some("LZOP"));
        assert_eq!(copy("JSON 'auto' TIMEFORMAT 'auto'").compression(), None);
    }
}
