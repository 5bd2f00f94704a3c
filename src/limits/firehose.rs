//! Amazon Data Firehose.

use super::Limit;

const API: &str = "Firehose API BufferingHints";

pub static BUFFER_SIZE_MIB: Limit =
    Limit { id: "firehose::buffer-size", min: 1, max: 128, unit: "MiB", source: API, as_of: "2026-12-05" };

pub static OPENSEARCH_BUFFER_SIZE_MIB: Limit = Limit {
    id: "firehose::buffer-size",
    min: 1,
    max: 100,
    unit: "MiB",
    source: "Firehose API AmazonopensearchserviceBufferingHints",
    as_of: "2026-12-05",
};

pub static BUFFER_INTERVAL_SECONDS: Limit =
    Limit { id: "firehose::buffer-interval", min: 0, max: 900, unit: "seconds", source: API, as_of: "2026-12-05" };

pub static PREFIX_LENGTH: Limit = Limit {
    id: "firehose::prefix-length",
    min: 0,
    max: 1024,
    unit: "characters",
    source: "Firehose API S3DestinationConfiguration Prefix",
    as_of: "2026-12-05",
};

/// Dynamic partitioning and record format conversion both need at least a 64 MiB buffer.
pub const MIN_BUFFER_FOR_PARTITIONING_MIB: u32 = 64;
pub const PARTITIONING_SOURCE: &str = "docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html";
pub const CONVERSION_SOURCE: &str = "docs.aws.amazon.com/firehose/latest/dev/enable-record-format-conversion.html";

/// Firehose delivers when the buffer reaches its size or its interval, whichever comes first.
pub const BUFFERING_SOURCE: &str = "Firehose API BufferingHints (read 2026-12-01)";
/// AWS advises a buffer larger than 10 seconds of ingest.
pub const MIN_BUFFERED_SECONDS: f64 = 10.0;

/// Size (KiB) and age (seconds) of each delivered object for a flow of `kib_per_second`.
pub fn delivery(kib_per_second: f64, size_mib: u32, interval_seconds: u32) -> (f64, f64) {
    let size_kib = f64::from(size_mib) * 1024.0;
    if kib_per_second <= 0.0 {
        return (0.0, f64::from(interval_seconds));
    }
    let fill_seconds = size_kib / kib_per_second;
    let seconds = fill_seconds.min(f64::from(interval_seconds));
    (kib_per_second * seconds, seconds)
}

/// Direct PUT quotas per stream (default, most Regions): records/s and MiB/s.
pub const DIRECT_PUT_RECORDS_PER_SECOND: f64 = 5000.0;
pub const DIRECT_PUT_KIB_PER_SECOND: f64 = 5.0 * 1024.0;
pub const DIRECT_PUT_SOURCE: &str = "docs.aws.amazon.com/firehose/latest/dev/limits.html";
