//! The alarms pipe sets on each component kind: the CloudWatch metric AWS's guidance names, and
//! how its threshold follows from the blueprint (the sized capacity, the retention read, the
//! buffer interval, the declared flow). `monitoring.overrides` replaces a threshold by the
//! alarm's name; the model evaluates the rest (`model::build::alarms`).

/// AWS's list of recommended alarms, per service: the metric, statistic and threshold each names.
const RECOMMENDED: &str =
    "docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html";
const FIREHOSE_PRACTICES: &str =
    "docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html";
const FLINK_ALARMS: &str = "docs.aws.amazon.com/managed-flink/latest/java/monitoring-metrics-alarms.html";
const MSK_PRACTICES: &str = "docs.aws.amazon.com/msk/latest/developerguide/bestpractices.html";
const OPENSEARCH_ALARMS: &str = "docs.aws.amazon.com/opensearch-service/latest/developerguide/cloudwatch-alarms.html";
const GLUE_METRICS: &str = "docs.aws.amazon.com/glue/latest/dg/monitoring-awsglue-with-cloudwatch-metrics.html";
const EMR_METRICS: &str = "docs.aws.amazon.com/emr/latest/ManagementGuide/UsingEMR_ViewingMetrics.html";
const REDSHIFT_METRICS: &str = "docs.aws.amazon.com/redshift/latest/mgmt/metrics-listing.html";

/// One alarm of a component kind.
#[derive(Debug)]
pub struct Alarm {
    pub kind: &'static str,
    /// Its name in `monitoring.overrides` and in the alarm's own name.
    pub name: &'static str,
    /// What it means when it fires.
    pub fires_when: &'static str,
    pub namespace: &'static str,
    /// The metric; `{destination}` is the Firehose destination's metric prefix.
    pub metric: &'static str,
    pub statistic: &'static str,
    pub period_seconds: u32,
    pub evaluation_periods: u32,
    /// Fires above the threshold; else below it.
    pub above: bool,
    pub threshold: Threshold,
    /// The threshold's unit, as the metric reports it.
    pub unit: &'static str,
    pub source: &'static str,
}

/// How a threshold follows from the blueprint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// Bytes a period: this share of the stream's sized write capacity (1 MiB/s a shard).
    WriteCapacity(f64),
    /// Milliseconds: this share of the retention of the stream the component reads.
    Retention(f64),
    /// Seconds: this many of the Firehose stream's buffer intervals.
    BufferIntervals(f64),
    /// Records a period: this share of the records the blueprint declares into it, at least 1.
    DeclaredRecords(f64),
    /// Invocations a period: this share of those the declared flow makes, at least 1.
    Invocations(f64),
    /// Milliseconds: this share of the function's timeout.
    Timeout(f64),
    /// Megabytes: this share of a data node's volume, free.
    Volume(f64),
    /// Write units a period: this share of the provisioned write capacity.
    ProvisionedWrites(f64),
    /// A figure AWS's guidance names.
    Fixed(f64),
}

const fn alarm(
    kind: &'static str,
    name: &'static str,
    fires_when: &'static str,
    (namespace, metric, statistic): (&'static str, &'static str, &'static str),
    (period_seconds, evaluation_periods): (u32, u32),
    (above, threshold, unit): (bool, Threshold, &'static str),
    source: &'static str,
) -> Alarm {
    Alarm {
        kind,
        name,
        fires_when,
        namespace,
        metric,
        statistic,
        period_seconds,
        evaluation_periods,
        above,
        threshold,
        unit,
        source,
    }
}

const ABOVE: bool = true;
const BELOW: bool = false;

pub const ALARMS: &[Alarm] = &[
    alarm(
        "kinesis-stream",
        "write-capacity",
        "writes near the shards' capacity: add shards before producers are throttled",
        ("AWS/Kinesis", "IncomingBytes", "Sum"),
        (60, 5),
        (ABOVE, Threshold::WriteCapacity(0.8), "bytes a minute"),
        RECOMMENDED,
    ),
    alarm(
        "kinesis-stream",
        "write-throttled",
        "producers' records are refused for want of capacity",
        ("AWS/Kinesis", "WriteProvisionedThroughputExceeded", "Sum"),
        (300, 1),
        (ABOVE, Threshold::DeclaredRecords(0.01), "records in 5 minutes"),
        RECOMMENDED,
    ),
    alarm(
        "kinesis-stream",
        "iterator-age",
        "a reader falls behind: records near the end of their retention will be lost",
        ("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "Maximum"),
        (300, 1),
        (ABOVE, Threshold::Retention(0.5), "milliseconds"),
        RECOMMENDED,
    ),
    alarm(
        "firehose",
        "data-freshness",
        "the oldest record waits longer than two buffer intervals: delivery is failing or behind",
        ("AWS/Firehose", "{destination}.DataFreshness", "Maximum"),
        (300, 1),
        (ABOVE, Threshold::BufferIntervals(2.0), "seconds"),
        FIREHOSE_PRACTICES,
    ),
    alarm(
        "firehose",
        "throttled",
        "records are refused over the stream's quota",
        ("AWS/Firehose", "ThrottledRecords", "Sum"),
        (300, 1),
        (ABOVE, Threshold::DeclaredRecords(0.01), "records in 5 minutes"),
        FIREHOSE_PRACTICES,
    ),
    alarm(
        "lambda",
        "errors",
        "more than 1% of invocations fail",
        ("AWS/Lambda", "Errors", "Sum"),
        (300, 1),
        (ABOVE, Threshold::Invocations(0.01), "invocations in 5 minutes"),
        RECOMMENDED,
    ),
    alarm(
        "lambda",
        "throttles",
        "invocations are throttled: concurrency is exhausted",
        ("AWS/Lambda", "Throttles", "Sum"),
        (300, 1),
        (ABOVE, Threshold::Fixed(0.0), "invocations in 5 minutes"),
        RECOMMENDED,
    ),
    alarm(
        "lambda",
        "duration",
        "invocations near the timeout: batches will fail and retry",
        ("AWS/Lambda", "Duration", "p90"),
        (300, 3),
        (ABOVE, Threshold::Timeout(0.8), "milliseconds"),
        RECOMMENDED,
    ),
    alarm(
        "lambda",
        "iterator-age",
        "the function falls behind the stream it reads: records near the end of their retention will be lost",
        ("AWS/Lambda", "IteratorAge", "Maximum"),
        (300, 1),
        (ABOVE, Threshold::Retention(0.5), "milliseconds"),
        RECOMMENDED,
    ),
    alarm(
        "flink-application",
        "downtime",
        "the job is not running (restarting or failed)",
        ("AWS/KinesisAnalytics", "downtime", "Maximum"),
        (60, 5),
        (ABOVE, Threshold::Fixed(0.0), "milliseconds"),
        FLINK_ALARMS,
    ),
    alarm(
        "flink-application",
        "checkpoint-failures",
        "checkpoints fail: a restart would replay from an old state",
        ("AWS/KinesisAnalytics", "numberOfFailedCheckpoints", "Sum"),
        (300, 1),
        (ABOVE, Threshold::Fixed(0.0), "checkpoints in 5 minutes"),
        FLINK_ALARMS,
    ),
    alarm(
        "flink-application",
        "cpu",
        "the KPUs are busy: raise parallelism before the job falls behind",
        ("AWS/KinesisAnalytics", "containerCPUUtilization", "Maximum"),
        (300, 3),
        (ABOVE, Threshold::Fixed(80.0), "percent"),
        FLINK_ALARMS,
    ),
    alarm(
        "glue-streaming-job",
        "failed-tasks",
        "the job's tasks fail",
        ("Glue", "glue.driver.aggregate.numFailedTasks", "Sum"),
        (300, 1),
        (ABOVE, Threshold::Fixed(0.0), "tasks in 5 minutes"),
        GLUE_METRICS,
    ),
    alarm(
        "msk-cluster",
        "disk-used",
        "a broker's data disk is filling: raise storage or shorten retention",
        ("AWS/Kafka", "KafkaDataLogsDiskUsed", "Maximum"),
        (300, 1),
        (ABOVE, Threshold::Fixed(85.0), "percent"),
        MSK_PRACTICES,
    ),
    alarm(
        "msk-cluster",
        "offline-partitions",
        "partitions have no leader: their records can be neither written nor read",
        ("AWS/Kafka", "OfflinePartitionsCount", "Maximum"),
        (60, 1),
        (ABOVE, Threshold::Fixed(0.0), "partitions"),
        RECOMMENDED,
    ),
    alarm(
        "dynamodb-table",
        "write-throttled",
        "writes are throttled",
        ("AWS/DynamoDB", "WriteThrottleEvents", "Sum"),
        (300, 1),
        (ABOVE, Threshold::DeclaredRecords(0.01), "requests in 5 minutes"),
        RECOMMENDED,
    ),
    alarm(
        "dynamodb-table",
        "read-throttled",
        "reads (lookups) are throttled",
        ("AWS/DynamoDB", "ReadThrottleEvents", "Sum"),
        (300, 1),
        (ABOVE, Threshold::Fixed(0.0), "requests in 5 minutes"),
        RECOMMENDED,
    ),
    alarm(
        "dynamodb-table",
        "write-capacity",
        "writes near the provisioned capacity",
        ("AWS/DynamoDB", "ConsumedWriteCapacityUnits", "Sum"),
        (60, 5),
        (ABOVE, Threshold::ProvisionedWrites(0.8), "write units a minute"),
        RECOMMENDED,
    ),
    alarm(
        "sns-topic",
        "failed-deliveries",
        "deliveries to subscribers fail",
        ("AWS/SNS", "NumberOfNotificationsFailed", "Sum"),
        (300, 1),
        (ABOVE, Threshold::Fixed(0.0), "deliveries in 5 minutes"),
        RECOMMENDED,
    ),
    alarm(
        "opensearch-domain",
        "cluster-red",
        "a primary shard is unassigned: some documents can be neither written nor searched",
        ("AWS/ES", "ClusterStatus.red", "Maximum"),
        (60, 1),
        (ABOVE, Threshold::Fixed(0.0), "red for a minute"),
        OPENSEARCH_ALARMS,
    ),
    alarm(
        "opensearch-domain",
        "free-storage",
        "a data node has less than a quarter of its volume free",
        ("AWS/ES", "FreeStorageSpace", "Minimum"),
        (60, 1),
        (BELOW, Threshold::Volume(0.25), "megabytes"),
        OPENSEARCH_ALARMS,
    ),
    alarm(
        "opensearch-domain",
        "writes-blocked",
        "the domain refuses writes",
        ("AWS/ES", "ClusterIndexWritesBlocked", "Maximum"),
        (300, 1),
        (ABOVE, Threshold::Fixed(0.0), "blocked for 5 minutes"),
        OPENSEARCH_ALARMS,
    ),
    alarm(
        "redshift",
        "health",
        "the cluster fails its health check",
        ("AWS/Redshift", "HealthStatus", "Minimum"),
        (300, 1),
        (BELOW, Threshold::Fixed(1.0), "healthy (1) or not (0)"),
        REDSHIFT_METRICS,
    ),
    alarm(
        "redshift",
        "disk-used",
        "the cluster's disks are filling",
        ("AWS/Redshift", "PercentageDiskSpaceUsed", "Maximum"),
        (300, 1),
        (ABOVE, Threshold::Fixed(80.0), "percent"),
        REDSHIFT_METRICS,
    ),
    alarm(
        "emr-spark-streaming",
        "unhealthy-nodes",
        "nodes of the cluster are unhealthy",
        ("AWS/ElasticMapReduce", "MRUnhealthyNodes", "Maximum"),
        (300, 1),
        (ABOVE, Threshold::Fixed(0.0), "nodes"),
        EMR_METRICS,
    ),
    alarm(
        "emr-spark-streaming",
        "apps-failed",
        "the Spark application failed",
        ("AWS/ElasticMapReduce", "AppsFailed", "Maximum"),
        (300, 1),
        (ABOVE, Threshold::Fixed(0.0), "applications"),
        EMR_METRICS,
    ),
    alarm(
        "sagemaker-endpoint",
        "server-errors",
        "the endpoint answers with server errors",
        ("AWS/SageMaker", "Invocation5XXErrors", "Sum"),
        (300, 1),
        (ABOVE, Threshold::Fixed(0.0), "invocations in 5 minutes"),
        RECOMMENDED,
    ),
];

/// Kinds pipe sets no alarm on, and why.
pub const UNWATCHED: &[(&str, &str)] = &[
    ("application", "runs outside AWS; what it writes is watched on the stream it writes to"),
    ("devices", "runs outside AWS; what it writes is watched on the stream it writes to"),
    ("log-files", "read outside AWS; what the agent ships is watched on its destination"),
    ("kinesis-producer", "runs outside AWS; refused writes show as the stream's write-throttled alarm"),
    ("kinesis-agent", "runs outside AWS; refused writes show as its destination's throttled alarm"),
    ("kafka-producer", "runs outside AWS; the cluster's alarms watch what it writes"),
    (
        "s3-bucket",
        "S3 publishes storage daily and request metrics only when paid for; the writers' delivery alarms watch what reaches it",
    ),
];

/// The alarms of `kind`.
pub fn of(kind: &str) -> impl Iterator<Item = &'static Alarm> {
    let kind = kind.to_string();
    ALARMS.iter().filter(move |a| a.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blueprint::spec::Component;

    #[test]
    fn every_kind_is_watched_or_says_why_not_and_names_are_unique() {
        for kind in Component::KINDS {
            let watched = of(kind).count() > 0;
            let unwatched = UNWATCHED.iter().any(|(k, _)| k == kind);
            assert!(watched != unwatched, "{kind}: alarms {watched}, a reason for none {unwatched}");
        }
        for (i, a) in ALARMS.iter().enumerate() {
            assert!(Component::KINDS.contains(&a.kind), "{}: no such kind", a.kind);
            assert!(!ALARMS[..i].iter().any(|b| b.kind == a.kind && b.name == a.name), "{} {} twice", a.kind, a.name);
        }
    }
}
