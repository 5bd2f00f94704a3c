//! Firehose: buffering, one destination, and what each destination requires.

use crate::diagnostic::{Diagnostic, Rule, Severity, one_of};
use crate::limits::firehose::{
    BUFFER_INTERVAL_SECONDS, BUFFER_SIZE_MIB, CONVERSION_SOURCE, MIN_BUFFER_FOR_PARTITIONING_MIB,
    OPENSEARCH_BUFFER_SIZE_MIB, PARTITIONING_SOURCE, PREFIX_LENGTH,
};

use super::super::spec::firehose::{Compression, Firehose};
use super::super::spec::{Component, Placed};
use super::Context;

pub static DESTINATION_COUNT: Rule = Rule {
    id: "firehose::destination-count",
    severity: Severity::Error,
    summary: "a Firehose stream has exactly one destination",
};
pub static SOURCE_COUNT: Rule = Rule {
    id: "firehose::source-count",
    severity: Severity::Error,
    summary: "a Firehose stream reads one Kinesis stream or MSK cluster, or takes direct writes, not both",
};
pub static REDSHIFT_NEEDS_S3: Rule = Rule {
    id: "firehose::redshift-needs-s3",
    severity: Severity::Error,
    summary: "delivery to Redshift stages data in an intermediate S3 bucket",
};
pub static REDSHIFT_COPY: Rule = Rule {
    id: "firehose::redshift-copy",
    severity: Severity::Error,
    summary: "delivery to Redshift names the COPY target, a table the redshift component defines",
};
pub static REDSHIFT_COMPRESSION: Rule = Rule {
    id: "firehose::redshift-compression",
    severity: Severity::Error,
    summary: "Firehose stages Redshift loads uncompressed or as GZIP, and the COPY options read them that way",
};
pub static PARTITIONING: Rule = Rule {
    id: "firehose::dynamic-partitioning",
    severity: Severity::Error,
    summary: "dynamic partitioning delivers to S3 with a buffer of at least 64 MiB",
};
pub static FORMAT_CONVERSION: Rule = Rule {
    id: "firehose::format-conversion",
    severity: Severity::Error,
    summary: "record format conversion delivers to S3 with a buffer of at least 64 MiB",
};
pub static BACKUP_BUCKET: Rule = Rule {
    id: "firehose::opensearch-backup",
    severity: Severity::Error,
    summary: "delivery to OpenSearch keeps rejected documents in an S3 bucket",
};
pub static OPENSEARCH_INDEX: Rule = Rule {
    id: "firehose::opensearch-index",
    severity: Severity::Error,
    summary: "delivery to OpenSearch names an index",
};
pub static NEWLINE: Rule = Rule {
    id: "firehose::newline-delimited",
    severity: Severity::Error,
    summary: "newline-delimited records are for S3 destinations",
};
pub static STREAM_SOURCE_KEY: Rule = Rule {
    id: "firehose::stream-source-encryption",
    severity: Severity::Error,
    summary: "a Firehose stream that reads Kinesis takes no key of its own; the source stream's encryption applies",
};

pub static RULES: &[&Rule] = &[
    &DESTINATION_COUNT,
    &SOURCE_COUNT,
    &REDSHIFT_NEEDS_S3,
    &REDSHIFT_COPY,
    &REDSHIFT_COMPRESSION,
    &PARTITIONING,
    &FORMAT_CONVERSION,
    &BACKUP_BUCKET,
    &OPENSEARCH_INDEX,
    &NEWLINE,
    &STREAM_SOURCE_KEY,
];

pub fn check(cx: &mut Context) {
    for placed in cx.blueprint.components() {
        if let Component::Firehose(firehose) = placed.component {
            check_one(cx, placed, firehose);
        }
    }
}

fn check_one(cx: &mut Context, placed: Placed, firehose: &Firehose) {
    let destinations: Vec<Placed> = cx.readers_of(&firehose.id).map(|e| e.to).collect();
    let streams = cx
        .inputs_of(&firehose.id)
        .filter(|e| matches!(e.from.component, Component::KinesisStream(_) | Component::MskCluster(_)))
        .count();
    let destination = destinations.first().map(|d| d.component.kind());
    let mut found = Vec::new();

    if firehose.to.0.len() != 1 {
        found.push(
            Diagnostic::new(&DESTINATION_COUNT, format!("`{}` has {} destinations", firehose.id, firehose.to.0.len()))
                .at(placed.field("to"))
                .expected("exactly one s3-bucket, redshift or opensearch-domain")
                .hint("use one Firehose stream per destination, each reading the same source"),
        );
    }
    if streams > 1 {
        found.push(
            Diagnostic::new(&SOURCE_COUNT, format!("`{}` reads {streams} streams", firehose.id))
                .at(placed.field("from"))
                .expected("at most one Kinesis stream or MSK cluster")
                .hint("add one Firehose stream per source"),
        );
    }
    let writers: Vec<&str> = cx
        .inputs_of(&firehose.id)
        .filter(|e| !matches!(e.from.component, Component::KinesisStream(_) | Component::MskCluster(_)))
        .map(|e| e.from.component.id())
        .collect();
    if streams > 0 && !writers.is_empty() {
        found.push(
            Diagnostic::new(
                &SOURCE_COUNT,
                format!("`{}` reads a stream, so it accepts no direct writes from {}", firehose.id, one_of(&writers)),
            )
            .at(placed.field("from"))
            .hint("write to the source stream instead, or give the direct writers a Firehose stream of their own"),
        );
    }

    let size_limit =
        if destination == Some("opensearch-domain") { &OPENSEARCH_BUFFER_SIZE_MIB } else { &BUFFER_SIZE_MIB };
    cx.range(size_limit, placed.field("buffer.size_mib"), i64::from(firehose.buffer.size_mib));
    cx.range(
        &BUFFER_INTERVAL_SECONDS,
        placed.field("buffer.interval_seconds"),
        i64::from(firehose.buffer.interval_seconds),
    );
    for (field, prefix) in [("prefix", &firehose.prefix), ("error_prefix", &firehose.error_prefix)] {
        if let Some(prefix) = prefix {
            cx.range(&PREFIX_LENGTH, placed.field(field), prefix.chars().count() as i64);
        }
    }

    if destination == Some("redshift") {
        redshift(&mut found, placed, firehose, destinations[0]);
    }
    if destination == Some("opensearch-domain") && firehose.intermediate.is_none() {
        found.push(
            Diagnostic::new(&BACKUP_BUCKET, "delivery to OpenSearch needs a bucket for rejected documents")
                .at(placed.path())
                .hint("add an s3-bucket component and set `intermediate: <its id>`"),
        );
    }
    if destination == Some("opensearch-domain") && firehose.index.is_none() {
        found.push(
            Diagnostic::new(&OPENSEARCH_INDEX, "delivery to OpenSearch needs an index")
                .at(placed.path())
                .hint("add `index: <name>`; Firehose writes each record as a document there"),
        );
    }
    let to_s3 = destination.is_none_or(|kind| kind == "s3-bucket");
    if firehose.newline_delimited && !to_s3 {
        found.push(
            Diagnostic::new(&NEWLINE, "newline-delimited records work only for S3 destinations")
                .at(placed.field("newline_delimited"))
                .expected("an s3-bucket destination")
                .hint("remove `newline_delimited`: Redshift and OpenSearch take each record as it comes"),
        );
    }
    let big_enough = firehose.buffer.size_mib >= MIN_BUFFER_FOR_PARTITIONING_MIB;
    for (rule, field, on, what, source) in [
        (
            &PARTITIONING,
            "dynamic_partitioning",
            firehose.dynamic_partitioning.is_some(),
            "dynamic partitioning",
            PARTITIONING_SOURCE,
        ),
        (
            &FORMAT_CONVERSION,
            "format_conversion",
            firehose.format_conversion.is_some(),
            "record format conversion",
            CONVERSION_SOURCE,
        ),
    ] {
        if !on {
            continue;
        }
        if !to_s3 {
            found.push(
                Diagnostic::new(rule, format!("{what} works only for S3 destinations"))
                    .at(placed.field(field))
                    .expected("an s3-bucket destination")
                    .hint(format!("remove `{field}`, or deliver to S3 ({source})")),
            );
        }
        if !big_enough {
            found.push(
                Diagnostic::new(
                    rule,
                    format!("{what} needs a buffer of at least {MIN_BUFFER_FOR_PARTITIONING_MIB} MiB"),
                )
                .at(placed.field("buffer.size_mib"))
                .label(format!("{} MiB", firehose.buffer.size_mib))
                .expected(format!("at least {MIN_BUFFER_FOR_PARTITIONING_MIB} MiB"))
                .hint(format!("set `buffer.size_mib: {MIN_BUFFER_FOR_PARTITIONING_MIB}` or more ({source})")),
            );
        }
    }
    if streams > 0 && firehose.encryption.kms_key.is_some() {
        let reads_kinesis = cx.inputs_of(&firehose.id).any(|e| matches!(e.from.component, Component::KinesisStream(_)));
        if reads_kinesis {
            found.push(
                Diagnostic::new(
                    &STREAM_SOURCE_KEY,
                    "server-side encryption of the delivery stream is not supported with a Kinesis source",
                )
                .at(placed.field("encryption.kms_key"))
                .hint("remove `kms_key`; encrypt the source stream instead (its `encryption.kms_key`)"),
            );
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

fn redshift(found: &mut Vec<Diagnostic>, placed: Placed, firehose: &Firehose, target: Placed) {
    if firehose.intermediate.is_none() {
        found.push(
            Diagnostic::new(&REDSHIFT_NEEDS_S3, "delivery to Redshift needs an intermediate S3 bucket")
                .at(placed.path())
                .hint("add an s3-bucket component and set `intermediate: <its id>`; Firehose stages data there and runs COPY from it"),
        );
    }
    if matches!(firehose.compression, Compression::Snappy | Compression::Zip | Compression::HadoopSnappy) {
        found.push(
            Diagnostic::new(&REDSHIFT_COMPRESSION, "Firehose cannot stage Snappy or ZIP files for Redshift's COPY")
                .at(placed.field("compression"))
                .expected("`gzip` or `uncompressed`"),
        );
    }
    if let Some(named) = firehose.copy.as_ref().and_then(|copy| copy.compression())
        && Some(named) != firehose.compression.copy_keyword()
    {
        let staged = firehose.compression.copy_keyword().unwrap_or("uncompressed");
        found.push(
            Diagnostic::new(
                &REDSHIFT_COMPRESSION,
                format!("the COPY options read {named} files, and Firehose stages {staged} files"),
            )
            .at(placed.field("copy.options"))
            .hint("leave the compression out of `copy.options`: pipe adds the keyword that matches `compression`"),
        );
    }
    let Component::Redshift(redshift) = target.component else { return };
    match &firehose.copy {
        None => found.push(
            Diagnostic::new(&REDSHIFT_COPY, "delivery to Redshift needs a COPY target")
                .at(placed.path())
                .hint("add `copy: { table: <table> }` naming one of the redshift component's `tables`"),
        ),
        Some(copy) if !redshift.tables.iter().any(|t| t.name == copy.table) => {
            let names: Vec<&str> = redshift.tables.iter().map(|t| t.name.as_str()).collect();
            found.push(
                Diagnostic::new(&REDSHIFT_COPY, format!("table `{}` is not defined by `{}`", copy.table, redshift.id))
                    .at(placed.field("copy.table"))
                    .expected(if names.is_empty() { "a table listed under the redshift component's `tables`".to_string() } else { crate::diagnostic::one_of(&names) })
                    .hint("COPY needs a table that exists; define it under the redshift component's `tables` with its DDL"),
            );
        }
        Some(_) => {}
    }
}
