//! Amazon Data Firehose.

use super::Limit;

const API: &str = "Firehose API BufferingHints";

pub static BUFFER_SIZE_MIB: Limit =
    Limit { id: "firehose::buffer-size", min: 1, max: 128, unit: "MiB", source: API, as_of: "2026-05-20" };

pub static OPENSEARCH_BUFFER_SIZE_MIB: Limit = Limit {
    id: "firehose::buffer-size",
    min: 1,
    max: 100,
    unit: "MiB",
    source: "Firehose API AmazonopensearchserviceBufferingHints",
    as_of: "2026-05-20",
};

pub static BUFFER_INTERVAL_SECONDS: Limit =
    Limit { id: "firehose::buffer-interval", min: 0, max: 900, unit: "seconds", source: API, as_of: "2026-05-20" };

pub static PREFIX_LENGTH: Limit = Limit {
    id: "firehose::prefix-length",
    min: 0,
    max: 1024,
    unit: "characters",
    source: "Firehose API S3DestinationConfiguration Prefix",
    as_of: "2026-05-20",
};

/// Dynamic partitioning and record format conversion both need at least a 64 MiB buffer.
pub const MIN_BUFFER_FOR_PARTITIONING_MIB: u32 = 64;
pub const PARTITIONING_SOURCE: &str = "docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html";
pub const CONVERSION_SOURCE: &str = "docs.aws.amazon.com/firehose/latest/dev/enable-record-format-conversion.html";
