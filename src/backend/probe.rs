//! `pipe test`: writes a few marked synthetic records into a deployed pipeline, follows them to
//! every component it can observe, and removes what it wrote where AWS lets it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read as _;
use std::time::Duration;

use aws_sdk_firehose::types::Record as FirehoseRecord;
use aws_sdk_kinesis::primitives::{Blob, DateTime, DateTimeFormat};
use aws_sdk_kinesis::types::{PutRecordsRequestEntry, ShardIteratorType};
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::aws::{ApiError, api};
use super::sdk::{self, provider::Clients, provider::list_all};
use super::{Deployment, epoch_seconds};
use crate::blueprint::spec::firehose::Compression;
use crate::model::Pipeline;
use crate::model::probe::{Delivery, Hop, Shape, Watch};

/// Bumped whenever a field of the JSON view changes meaning or disappears; additions keep it.
pub const FORMAT_VERSION: u32 = 1;

/// The field that marks every record `pipe test` writes, and so every record it may remove.
pub const MARKER_FIELD: &str = "pipe_test";

/// Objects larger than this are not read: a test's records arrive in small deliveries.
const LARGEST_OBJECT: i64 = 64 * 1024 * 1024;
/// Objects listed under one prefix in one look, at most.
const LISTED_AT_MOST: usize = 10_000;
/// Calls per shard and poll: a busy stream is not read to its end in one go.
const READS_PER_SHARD: usize = 10;
/// Firehose delivers a buffer up to about a minute after its interval ends.
const DELIVERY_SLACK_SECONDS: u64 = 60;
/// How long a stream's own records take to show, and what code upstream adds.
const STREAM_SECONDS: u64 = 30;
const CODE_SECONDS: u64 = 60;

#[derive(Debug, Clone)]
pub struct Options {
    pub records: u32,
    /// At most this long for the records to arrive; by default what the buffers need.
    pub timeout: Option<Duration>,
    pub poll: Duration,
    /// Leave what was written in place.
    pub keep: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub format_version: u32,
    pub pipeline: String,
    pub region: String,
    /// The value of every written record's `pipe_test` field.
    pub marker: String,
    pub records: u32,
    pub entries: Vec<String>,
    /// Ingestion pipe could not write to, and why.
    pub unwritable: Vec<String>,
    pub hops: Vec<HopReport>,
    pub waited_seconds: u64,
    /// What pipe removed of what it wrote.
    pub removed: Vec<String>,
    /// What it wrote and left, and why.
    pub kept: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HopReport {
    pub component: String,
    pub kind: String,
    pub verdict: Verdict,
    pub detail: String,
    /// The component upstream whose code decides what reaches this one.
    pub after_code: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Seen,
    NotSeen,
    NotObservable,
    NotChecked,
}

impl Report {
    /// Every hop the records reach with no code in between was seen to receive them.
    pub fn passed(&self) -> bool {
        self.hops.iter().all(|h| h.verdict != Verdict::NotSeen || h.after_code.is_some())
    }
}

/// One synthetic record of `shape`, marked.
pub fn record(shape: &Shape, marker: &str, seq: u32, now: u64) -> Value {
    let mut fields = Map::new();
    match shape {
        Shape::Sample(sample) => fields.extend(sample.iter().map(|(k, v)| (k.clone(), v.clone()))),
        Shape::Columns(columns) => {
            fields.extend(columns.iter().map(|c| (c.name.clone(), typed_value(&c.type_, seq, now))))
        }
        Shape::Fields(names) => fields.extend(names.iter().map(|n| (n.clone(), json!(format!("{n}-{seq}"))))),
        Shape::Free => {}
    }
    fields.insert(MARKER_FIELD.into(), json!(marker));
    fields.insert(format!("{MARKER_FIELD}_seq"), json!(seq));
    Value::Object(fields)
}

/// A value of a Hive column type, as JSON the catalog's SerDe reads.
fn typed_value(hive: &str, seq: u32, now: u64) -> Value {
    let base = hive.split(['(', '<']).next().unwrap_or_default().trim().to_ascii_lowercase();
    match base.as_str() {
        "tinyint" | "smallint" | "int" | "integer" | "bigint" => json!(seq),
        "double" | "float" | "decimal" => json!(f64::from(seq) + 0.5),
        "boolean" => json!(seq.is_multiple_of(2)),
        "timestamp" => json!(hive_timestamp(now)),
        "date" => json!(hive_timestamp(now)[..10].to_string()),
        "array" => json!([]),
        "map" | "struct" => json!({}),
        _ => json!(format!("pipe-test-{seq}")),
    }
}

/// `2026-12-05 23:49:30`, UTC: Hive's timestamp text.
fn hive_timestamp(secs: u64) -> String {
    Utc::at(secs).0.replacen('T', " ", 1)
}

/// A Unix time as UTC calendar text, `2026-12-05T23:49:30`: the SDK's RFC 3339 formatting,
/// whose fields the Java date patterns of Firehose prefixes pick from.
struct Utc(String);

impl Utc {
    fn at(secs: u64) -> Utc {
        let text = DateTime::from_secs(secs as i64).fmt(DateTimeFormat::DateTime).unwrap_or_default();
        Utc(text.trim_end_matches('Z').to_string())
    }

    /// `yyyy`, `MM`, `dd`, `HH`, `mm` and `ss` in `pattern` replaced by this time's fields.
    fn java(&self, pattern: &str) -> String {
        let t = &self.0;
        let fields = [("yyyy", 0..4), ("MM", 5..7), ("dd", 8..10), ("HH", 11..13), ("mm", 14..16), ("ss", 17..19)];
        fields
            .into_iter()
            .fold(pattern.to_string(), |out, (field, at)| out.replace(field, t.get(at).unwrap_or_default()))
    }
}

/// The fixed part of a Firehose prefix at `secs` for `record`: its `!{timestamp:...}` parts
/// evaluated, and its `!{partitionKeyFromQuery:...}` parts where the key's jq expression is a
/// plain path (`.site`, `.device.kind`) into the record; cut before the first part only the
/// service knows (another expression, a random string). A prefix with no timestamp gets
/// Firehose's default `YYYY/MM/dd/HH/` after it (firehose/latest/dev/s3-prefixes.html).
pub fn fixed_prefix(prefix: Option<&str>, secs: u64, partitions: &IndexMap<String, String>, record: &Value) -> String {
    let time = Utc::at(secs);
    let prefix = prefix.unwrap_or_default();
    let mut out = String::new();
    let mut rest = prefix;
    while let Some(at) = rest.find("!{") {
        out.push_str(&rest[..at]);
        let Some(end) = rest[at..].find('}') else { return out };
        let expression = &rest[at + 2..at + end];
        let value = if let Some(key) = expression.strip_prefix("partitionKeyFromQuery:") {
            partitions.get(key).and_then(|jq| plain_path(jq, record))
        } else {
            expression.strip_prefix("timestamp:").map(|pattern| time.java(pattern))
        };
        let Some(value) = value else { return out };
        out.push_str(&value);
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    if !prefix.contains("!{") {
        out.push_str(&time.java("yyyy/MM/dd/HH/"));
    }
    out
}

/// The value a jq expression of the form `.a.b` gives on `record`, as Firehose writes it in a
/// key; `None` for any other expression, or a path to nothing or to an object.
fn plain_path(jq: &str, record: &Value) -> Option<String> {
    let path = jq.trim().strip_prefix('.')?;
    let found = path.split('.').try_fold(record, |value, key| {
        let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if plain { value.get(key) } else { None }
    })?;
    match found {
        Value::String(text) => Some(text.clone()),
        Value::Number(_) | Value::Bool(_) => Some(found.to_string()),
        _ => None,
    }
}

/// What is known so far of one observable hop.
#[derive(Default)]
struct Sighting {
    count: usize,
    /// Objects delivered since the start whose content pipe cannot read (Parquet, Snappy).
    unreadable: usize,
    /// Shard iterators to read on from, by shard.
    iterators: HashMap<String, String>,
    examined: HashSet<String>,
    /// Objects holding the marker: (key, version, only test records).
    holding: Vec<(String, Option<String>, bool)>,
    /// A prefix whose listing stopped at LISTED_AT_MOST objects.
    cut_short: Option<String>,
}

impl Sighting {
    /// The records, or objects delivered since the start that cannot be read, have shown.
    fn seen(&self) -> bool {
        self.count > 0 || self.unreadable > 0
    }
}

/// What the test wrote: when, its marker, and the records themselves.
struct Written<'a> {
    started: u64,
    marker: &'a str,
    records: &'a [Value],
}

/// Runs the test on `deployment`.
pub async fn run(deployment: &Deployment<'_>, pipeline: &Pipeline, options: &Options) -> Result<Report, super::Error> {
    let aws = deployment.clients();
    let probe = &pipeline.probe;
    let state = deployment.live().await?;
    let name_of = |logical_id: &str| state.live.get(logical_id).map(|l| l.handle.physical_id.clone());
    let marker = format!("pipe-test-{:012x}", fastrand::u64(..) & 0xffff_ffff_ffff);
    let mut report = Report {
        format_version: FORMAT_VERSION,
        pipeline: pipeline.name.clone(),
        region: aws.account.region.clone(),
        marker: marker.clone(),
        records: options.records,
        entries: Vec::new(),
        unwritable: probe.unwritable.clone(),
        hops: Vec::new(),
        waited_seconds: 0,
        removed: Vec::new(),
        kept: Vec::new(),
    };
    if probe.entries.is_empty() {
        return Err(super::Error::Test(match probe.unwritable.first() {
            Some(why) => format!("nothing to write to: {why}"),
            None => "nothing to write to: no ingestion writes a Kinesis stream or a Firehose stream".into(),
        }));
    }
    let now = epoch_seconds();
    // A second's margin: the records' arrival times are the service's clock, not this one's.
    let started = now.saturating_sub(1);
    let records: Vec<Value> = (0..options.records).map(|seq| record(&probe.shape, &marker, seq, now)).collect();
    let payloads: Vec<Vec<u8>> = records
        .iter()
        .map(|r| {
            let mut line = r.to_string().into_bytes();
            line.push(b'\n');
            line
        })
        .collect();
    for entry in &probe.entries {
        let Some(name) = name_of(&entry.resource) else {
            return Err(super::Error::Test(format!(
                "`{}` is not deployed (no {}): run `pipe apply` first",
                entry.component, entry.resource
            )));
        };
        let write = if entry.delivery_stream {
            put_delivery(aws, &name, &payloads).await
        } else {
            put_stream(aws, &name, &marker, &payloads).await
        };
        write.map_err(sdk::Error::from)?;
        report.entries.push(entry.component.clone());
    }

    let written = Written { started, marker: &marker, records: &records };
    let deadline = options.timeout.unwrap_or_else(|| Duration::from_secs(default_wait(&probe.hops)));
    let begun = tokio::time::Instant::now();
    let mut sightings: BTreeMap<String, Sighting> = BTreeMap::new();
    loop {
        let mut waiting = false;
        for hop in &probe.hops {
            let sighting = sightings.entry(hop.component.clone()).or_default();
            // Found: nothing more to look for. Objects that cannot be read are counted on while
            // other hops are waited for.
            if sighting.count > 0 {
                continue;
            }
            // What is not deployed, or not watched, is judged as it is: nothing to wait for.
            let read = match &hop.watch {
                Watch::Stream { resource } => match name_of(resource) {
                    Some(stream) => read_stream(aws, &stream, &written, sighting).await,
                    None => continue,
                },
                Watch::Objects(delivery) => match name_of(&delivery.bucket) {
                    Some(bucket) => read_objects(aws, &bucket, delivery, &written, sighting).await,
                    None => continue,
                },
                _ => continue,
            };
            read.map_err(sdk::Error::from)?;
            waiting |= !sighting.seen();
        }
        if !waiting || begun.elapsed() >= deadline {
            break;
        }
        tokio::time::sleep(options.poll.min(deadline.saturating_sub(begun.elapsed()))).await;
    }
    report.waited_seconds = begun.elapsed().as_secs();

    let mut verdicts: HashMap<String, Verdict> = HashMap::new();
    for hop in probe.hops.iter().filter(|h| !matches!(h.watch, Watch::Through { .. })) {
        let sighting = &sightings[&hop.component];
        let (verdict, detail) = judge(hop, sighting, &name_of, options.records, report.waited_seconds);
        verdicts.insert(hop.component.clone(), verdict);
        report.hops.push(HopReport {
            component: hop.component.clone(),
            kind: hop.kind.clone(),
            verdict,
            detail,
            after_code: hop.after_code.clone(),
        });
    }
    // A delivery stream is seen where it delivers, placed before its destination.
    for hop in &probe.hops {
        let Watch::Through { destination } = &hop.watch else { continue };
        let (verdict, detail) = match verdicts.get(destination) {
            Some(Verdict::Seen) => (Verdict::Seen, format!("delivered them to `{destination}`")),
            Some(Verdict::NotSeen) => (Verdict::NotSeen, format!("`{destination}` did not receive them")),
            _ => (Verdict::NotChecked, format!("seen only through `{destination}`, which pipe cannot observe")),
        };
        let at = report.hops.iter().position(|h| &h.component == destination).unwrap_or(report.hops.len());
        report.hops.insert(
            at,
            HopReport {
                component: hop.component.clone(),
                kind: hop.kind.clone(),
                verdict,
                detail,
                after_code: hop.after_code.clone(),
            },
        );
    }

    clean_up(aws, probe, &sightings, &name_of, options.keep, &mut report).await.map_err(sdk::Error::from)?;
    Ok(report)
}

/// The longest any observable hop may take: its buffer interval and Firehose's slack, a
/// stream's own delay, and a minute more for code on the way.
fn default_wait(hops: &[Hop]) -> u64 {
    hops.iter()
        .map(|hop| {
            let code = if hop.after_code.is_some() { CODE_SECONDS } else { 0 };
            match &hop.watch {
                Watch::Stream { .. } => STREAM_SECONDS + code,
                Watch::Objects(d) => u64::from(d.interval_seconds) + DELIVERY_SLACK_SECONDS + code,
                _ => 0,
            }
        })
        .max()
        .unwrap_or(0)
}

fn judge(
    hop: &Hop,
    sighting: &Sighting,
    name_of: &dyn Fn(&str) -> Option<String>,
    records: u32,
    waited_seconds: u64,
) -> (Verdict, String) {
    let waited = format!("in {waited_seconds} s");
    let missing = |resource: &str| format!("not deployed ({resource} is missing)");
    match &hop.watch {
        Watch::Stream { resource } if name_of(resource).is_none() => (Verdict::NotSeen, missing(resource)),
        Watch::Objects(d) if name_of(&d.bucket).is_none() => (Verdict::NotSeen, missing(&d.bucket)),
        Watch::Stream { .. } if sighting.count > 0 => {
            (Verdict::Seen, format!("{} of {records} records read back", sighting.count))
        }
        Watch::Objects(d) if sighting.count > 0 => {
            let staged = match name_of(&d.bucket) {
                Some(bucket) if d.staged => format!(" to s3://{bucket}, staged for the warehouse's COPY"),
                _ => String::new(),
            };
            (
                Verdict::Seen,
                format!(
                    "the records are in {} object(s) delivered since the test began{staged}",
                    sighting.holding.len()
                ),
            )
        }
        Watch::Objects(d) if sighting.unreadable > 0 => (
            Verdict::Seen,
            format!(
                "{} object(s) delivered since the test began; their content ({}) is not read",
                sighting.unreadable,
                d.converted_to.unwrap_or("compressed")
            ),
        ),
        Watch::Stream { .. } | Watch::Objects(_) => {
            let mut why = match &hop.after_code {
                Some(code) => format!("none arrived {waited}; `{code}` runs code that decides what it passes on"),
                None => format!("none arrived {waited}"),
            };
            if let Some(prefix) = &sighting.cut_short {
                why.push_str(&format!(" (the first {LISTED_AT_MOST} objects under `{prefix}` were looked at)"));
            }
            (Verdict::NotSeen, why)
        }
        Watch::Unobservable(why) => (Verdict::NotObservable, why.clone()),
        Watch::Unchecked(why) => (Verdict::NotChecked, why.clone()),
        Watch::Through { .. } => (Verdict::NotChecked, String::new()),
    }
}

async fn put_stream(aws: &Clients, stream: &str, marker: &str, payloads: &[Vec<u8>]) -> Result<(), ApiError> {
    // At most 500 records a call.
    for (batch, chunk) in payloads.chunks(500).enumerate() {
        let entries: Vec<PutRecordsRequestEntry> = chunk
            .iter()
            .enumerate()
            .map(|(n, data)| {
                PutRecordsRequestEntry::builder()
                    .data(Blob::new(data.clone()))
                    .partition_key(format!("{marker}-{}", batch * 500 + n))
                    .build()
                    .expect("data and partition key are set")
            })
            .collect();
        let out = aws.kinesis.put_records().stream_name(stream).set_records(Some(entries)).send().await;
        let out = out.map_err(api("PutRecords"))?;
        if out.failed_record_count().unwrap_or(0) > 0 {
            let why = out.records().iter().find_map(|r| r.error_message()).unwrap_or("no reason given");
            return Err(ApiError::new(
                "PutRecords",
                format!("{} records refused: {why}", out.failed_record_count().unwrap_or(0)),
            ));
        }
    }
    Ok(())
}

async fn put_delivery(aws: &Clients, stream: &str, payloads: &[Vec<u8>]) -> Result<(), ApiError> {
    for chunk in payloads.chunks(500) {
        let records: Vec<FirehoseRecord> = chunk
            .iter()
            .map(|data| {
                FirehoseRecord::builder()
                    .data(aws_sdk_firehose::primitives::Blob::new(data.clone()))
                    .build()
                    .expect("data is set")
            })
            .collect();
        let out = aws.firehose.put_record_batch().delivery_stream_name(stream).set_records(Some(records)).send().await;
        let out = out.map_err(api("PutRecordBatch"))?;
        if out.failed_put_count() > 0 {
            let why = out.request_responses().iter().find_map(|r| r.error_message()).unwrap_or("no reason given");
            return Err(ApiError::new("PutRecordBatch", format!("{} records refused: {why}", out.failed_put_count())));
        }
    }
    Ok(())
}

/// Reads `stream` on from where the last poll stopped (the test's start, the first time),
/// counting the records that carry the marker.
async fn read_stream(
    aws: &Clients,
    stream: &str,
    written: &Written<'_>,
    sighting: &mut Sighting,
) -> Result<(), ApiError> {
    if sighting.iterators.is_empty() {
        let shards = list_all(|token| async move {
            // ListShards takes the stream's name or a token, never both.
            let request = match &token {
                Some(_) => aws.kinesis.list_shards().set_next_token(token),
                None => aws.kinesis.list_shards().stream_name(stream),
            };
            let page = request.send().await.map_err(api("ListShards"))?;
            let ids: Vec<String> = page.shards().iter().map(|s| s.shard_id().to_string()).collect();
            Ok((ids, page.next_token().map(str::to_string)))
        })
        .await?;
        for shard in &shards {
            let iterator = aws
                .kinesis
                .get_shard_iterator()
                .stream_name(stream)
                .shard_id(shard)
                .shard_iterator_type(ShardIteratorType::AtTimestamp)
                .timestamp(DateTime::from_secs(written.started as i64))
                .send()
                .await
                .map_err(api("GetShardIterator"))?;
            if let Some(iterator) = iterator.shard_iterator() {
                sighting.iterators.insert(shard.clone(), iterator.to_string());
            }
        }
    }
    let needle = written.marker.as_bytes();
    let mut closed = Vec::new();
    for (shard, iterator) in sighting.iterators.iter_mut() {
        for _ in 0..READS_PER_SHARD {
            let out = aws.kinesis.get_records().shard_iterator(iterator.as_str()).send().await;
            let out = out.map_err(api("GetRecords"))?;
            sighting.count += out.records().iter().filter(|r| contains(r.data().as_ref(), needle)).count();
            // A closed shard read to its end has no next iterator: nothing more will come.
            let Some(next) = out.next_shard_iterator() else {
                closed.push(shard.clone());
                break;
            };
            *iterator = next.to_string();
            if out.records().is_empty() || out.millis_behind_latest() == Some(0) {
                break;
            }
        }
    }
    for shard in closed {
        sighting.iterators.remove(&shard);
    }
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Lists the objects delivered under the delivery's prefix since the start (at the start's hour
/// and now's), and reads each new one for the marker.
async fn read_objects(
    aws: &Clients,
    bucket: &str,
    delivery: &Delivery,
    written: &Written<'_>,
    sighting: &mut Sighting,
) -> Result<(), ApiError> {
    let prefixes: HashSet<String> = [written.started, epoch_seconds()]
        .iter()
        .flat_map(|&at| {
            written.records.iter().map(move |r| fixed_prefix(delivery.prefix.as_deref(), at, &delivery.partitions, r))
        })
        .collect();
    let readable = delivery.converted_to.is_none()
        && matches!(delivery.compression, Compression::Uncompressed | Compression::Gzip);
    for prefix in prefixes {
        // Listed a page at a time and no further than LISTED_AT_MOST: a prefix cut before a
        // partition key can hold a bucket's whole history.
        let mut listed: Vec<(String, i64, i64)> = Vec::new();
        let mut token = None;
        loop {
            let page = aws
                .s3
                .list_objects_v2()
                .bucket(bucket)
                .prefix(&prefix)
                .set_continuation_token(token)
                .send()
                .await
                .map_err(api("ListObjectsV2"))?;
            listed.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| Some((o.key()?.to_string(), o.last_modified()?.secs(), o.size().unwrap_or(0)))),
            );
            token = page.next_continuation_token().map(str::to_string);
            if token.is_none() {
                break;
            }
            if listed.len() >= LISTED_AT_MOST {
                sighting.cut_short = Some(prefix.clone());
                break;
            }
        }
        for (key, modified, size) in listed {
            if modified < written.started as i64 || !sighting.examined.insert(key.clone()) {
                continue;
            }
            if !readable || size > LARGEST_OBJECT {
                sighting.unreadable += 1;
                continue;
            }
            let object = aws.s3.get_object().bucket(bucket).key(&key).send().await.map_err(api("GetObject"))?;
            let version = object.version_id().map(str::to_string);
            let bytes =
                object.body.collect().await.map_err(|e| ApiError::new("GetObject", e.to_string()))?.into_bytes();
            let text = match delivery.compression {
                Compression::Gzip => gunzip(&bytes).unwrap_or_else(|| bytes.to_vec()),
                _ => bytes.to_vec(),
            };
            let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
            let ours = lines.iter().filter(|l| contains(l, written.marker.as_bytes())).count();
            if ours > 0 {
                sighting.count += ours;
                sighting.holding.push((key, version, ours == lines.len()));
            }
        }
    }
    Ok(())
}

fn gunzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes).take(LARGEST_OBJECT as u64 * 4).read_to_end(&mut out).ok()?;
    Some(out)
}

/// Deletes the objects that hold only test records (the version written, so a versioned bucket
/// keeps nothing of them); says what stays and why.
async fn clean_up(
    aws: &Clients,
    probe: &crate::model::probe::Probe,
    sightings: &BTreeMap<String, Sighting>,
    name_of: &dyn Fn(&str) -> Option<String>,
    keep: bool,
    report: &mut Report,
) -> Result<(), ApiError> {
    for hop in &probe.hops {
        let sighting = &sightings[&hop.component];
        match &hop.watch {
            Watch::Stream { .. } if sighting.count > 0 => report.kept.push(format!(
                "{} record(s) on `{}`: Kinesis cannot delete records; they expire with the stream's retention",
                sighting.count, hop.component
            )),
            Watch::Objects(delivery) => {
                let Some(bucket) = name_of(&delivery.bucket) else { continue };
                for (key, version, only_ours) in &sighting.holding {
                    let place = format!("s3://{bucket}/{key}");
                    if keep {
                        report.kept.push(format!("{place}: --keep"));
                    } else if delivery.staged {
                        report.kept.push(format!("{place}: staged for the warehouse's COPY, which may still read it"));
                    } else if !only_ours {
                        report.kept.push(format!("{place}: it holds other records too"));
                    } else {
                        aws.s3
                            .delete_object()
                            .bucket(&bucket)
                            .key(key)
                            .set_version_id(version.clone())
                            .send()
                            .await
                            .map_err(api("DeleteObject"))?;
                        report.removed.push(place);
                    }
                }
                if sighting.unreadable > 0 {
                    report.kept.push(format!(
                        "{} object(s) in s3://{bucket} delivered during the test: pipe cannot read them to tell its records from others",
                        sighting.unreadable
                    ));
                }
            }
            _ => {}
        }
    }
    if probe.hops.iter().any(|h| h.runs_code) {
        report
            .kept
            .push("whatever the pipeline's code made of the records: find them by their `pipe_test` field".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_firehose_prefix_is_evaluated_up_to_what_only_the_service_knows() {
        // 2026-12-05 23:49:30 UTC
        let at = 1_796_514_570;
        assert_eq!(hive_timestamp(at), "2026-12-05 23:49:30");
        let none = IndexMap::new();
        let record = json!({ "site": "lyon", "door": { "floor": 3 }, "tags": ["a"] });
        assert_eq!(fixed_prefix(None, at, &none, &record), "2026/12/05/23/");
        assert_eq!(fixed_prefix(Some("raw/"), at, &none, &record), "raw/2026/12/05/23/");
        assert_eq!(
            fixed_prefix(Some("events/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/"), at, &none, &record),
            "events/dt=2026-12-05/hour=23/"
        );
        let by_site = "by-site/!{partitionKeyFromQuery:site}/!{timestamp:yyyy}/";
        assert_eq!(fixed_prefix(Some(by_site), at, &none, &record), "by-site/", "a key the stream does not declare");
        let keys = IndexMap::from([
            ("site".to_string(), ".site".to_string()),
            ("floor".to_string(), ".door.floor".to_string()),
            ("tag".to_string(), ".tags[0]".to_string()),
        ]);
        assert_eq!(fixed_prefix(Some(by_site), at, &keys, &record), "by-site/lyon/2026/");
        let nested = "f=!{partitionKeyFromQuery:floor}/t=!{partitionKeyFromQuery:tag}/";
        assert_eq!(fixed_prefix(Some(nested), at, &keys, &record), "f=3/t=", "not a plain path: cut there");
        assert_eq!(fixed_prefix(Some("raw/!{firehose:random-string}/"), at, &none, &record), "raw/");
    }

    #[test]
    fn records_follow_the_declared_shape_and_carry_the_marker() {
        let at = 1_796_514_570;
        let columns = Shape::Columns(vec![
            crate::blueprint::spec::common::Column { name: "user".into(), type_: "string".into() },
            crate::blueprint::spec::common::Column { name: "clicks".into(), type_: "bigint".into() },
            crate::blueprint::spec::common::Column { name: "at".into(), type_: "timestamp".into() },
            crate::blueprint::spec::common::Column { name: "price".into(), type_: "decimal(10,2)".into() },
        ]);
        assert_eq!(
            record(&columns, "pipe-test-1", 3, at),
            json!({ "user": "pipe-test-3", "clicks": 3, "at": "2026-12-05 23:49:30", "price": 3.5, "pipe_test": "pipe-test-1", "pipe_test_seq": 3 })
        );
        let sample = Shape::Sample(indexmap::IndexMap::from([("lat".to_string(), json!(47.6))]));
        assert_eq!(record(&sample, "m", 0, at), json!({ "lat": 47.6, "pipe_test": "m", "pipe_test_seq": 0 }));
        assert_eq!(record(&Shape::Free, "m", 1, at), json!({ "pipe_test": "m", "pipe_test_seq": 1 }));
    }
}
