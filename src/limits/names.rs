//! Name rules. Physical names are `<blueprint name>-<component id>`; each service bounds them.

/// Blueprint names and component ids: lowercase letters, digits and hyphens, starting with a letter.
pub const NAME_MAX: usize = 32;
pub const ID_MAX: usize = 32;

/// Longest physical name per component kind, with the service rule it comes from.
pub fn physical_name_max(kind: &str) -> Option<(usize, &'static str)> {
    Some(match kind {
        "kinesis-stream" => (128, "Kinesis StreamName: 1-128 characters"),
        "firehose" => (64, "Firehose DeliveryStreamName: 1-64 characters"),
        "lambda" => (64, "Lambda FunctionName: 1-64 characters"),
        "glue-streaming-job" => (255, "Glue job Name: 1-255 characters"),
        "flink-application" => (128, "ApplicationName: 1-128 characters"),
        "msk-cluster" => (64, "MSK ClusterName: 1-64 characters"),
        "dynamodb-table" => (255, "DynamoDB TableName: 3-255 characters"),
        // pipe appends `-<12-digit account id>` to make bucket names globally unique.
        "s3-bucket" => (50, "S3 bucket names: 3-63 characters, of which pipe uses 13 for the account id"),
        "opensearch-domain" => (28, "OpenSearch DomainName: 3-28 characters"),
        "redshift" => (63, "Redshift cluster identifier / serverless workgroup: at most 63 characters"),
        "sagemaker-endpoint" => (63, "SageMaker EndpointName: 1-63 characters"),
        "sns-topic" => (256, "SNS topic name: 1-256 characters"),
        "emr-spark-streaming" => (256, "EMR cluster Name: 1-256 characters"),
        _ => return None,
    })
}

/// Blueprint names and component ids join as `<name>-<id>` into the names of AWS resources. Each
/// service has its own rule; this is what all of them take: Redshift cluster identifiers refuse
/// a trailing `-` and `--`, SageMaker endpoint names a trailing `-`, OpenSearch domains anything
/// but lowercase letters, digits and `-` after a letter.
pub fn is_name(text: &str, max: usize) -> bool {
    !text.is_empty()
        && text.len() <= max
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && !text.ends_with('-')
        && !text.contains("--")
        && text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// [`is_name`] for people.
pub fn name_rule(max: usize) -> String {
    format!(
        "lowercase letters, digits and single `-`, starting with a letter, not ending with `-`, at most {max} characters"
    )
}
