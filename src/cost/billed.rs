//! What AWS bills on every resource type pipe renders, in one table: each dimension with its
//! unit and rounding as AWS bills it, and either the price it is estimated at or why it is not
//! priced; and the properties that change nothing on the bill. The estimator reads its "not
//! priced" entries from here, and `tests/billed.rs` walks every type and property the model
//! renders against it, so a billed feature cannot be added in silence.

use serde_json::{Map, Value};

use crate::capacity::usage::Usage;

/// What AWS bills on one resource type.
#[derive(Debug)]
pub struct Billed {
    pub cfn_type: &'static str,
    pub dimensions: &'static [Dimension],
    pub unbilled: Unbilled,
}

/// One thing AWS charges for.
#[derive(Debug)]
pub struct Dimension {
    /// What AWS bills, in its pricing page's words.
    pub what: &'static str,
    /// The unit, and how a quantity is rounded to it, as AWS bills it.
    pub unit: &'static str,
    /// The properties whose values set the quantity or the rate (`A.B` is nested); none when the
    /// declared flow alone sets it.
    pub set_by: &'static [&'static str],
    pub billing: Billing,
}

#[derive(Debug, Clone, Copy)]
pub enum Billing {
    /// Estimated at this id of the price table; an id ending in `:` is a family, one price per
    /// instance type (`msk.broker-hour:kafka.m5.large`).
    Priced(&'static str),
    /// Billed, not estimated: when it applies, and why pipe cannot price it.
    NotPriced(When, &'static str),
    /// Billed on another resource: which, or how.
    Elsewhere(&'static str),
    /// Billed nothing as pipe sets the resource up: why.
    Free(&'static str),
}

/// When a dimension applies to a resource.
#[derive(Debug, Clone, Copy)]
pub enum When {
    Always,
    /// Records flow into the component.
    Flowing,
    /// Records flow into the component, and not from a Firehose stream, whose deliveries count
    /// its objects.
    FlowingNotFromFirehose,
    /// The property is set.
    Set(&'static str),
    /// The property is `true`.
    On(&'static str),
    /// The property is this text.
    Is(&'static str, &'static str),
    /// The property is set to something else than this text.
    SetNot(&'static str, &'static str),
}

/// The properties of a type that change nothing AWS bills.
#[derive(Debug)]
pub enum Unbilled {
    /// AWS charges nothing for the resource itself: why.
    Whole(&'static str),
    /// These properties (names, references, settings) leave the bill as it is.
    These(&'static [&'static str]),
}

impl When {
    pub fn holds(self, properties: &Map<String, Value>, usage: &Usage) -> bool {
        let at = |path: &str| super::value_at(properties, &path.split('.').collect::<Vec<_>>());
        match self {
            When::Always => true,
            When::Flowing => usage.flow.is_some_and(|f| f.records_per_second > 0.0),
            When::FlowingNotFromFirehose => When::Flowing.holds(properties, usage) && usage.delivery_seconds.is_none(),
            When::Set(path) => at(path).is_some(),
            When::On(path) => at(path).and_then(Value::as_bool) == Some(true),
            When::Is(path, text) => at(path).and_then(Value::as_str) == Some(text),
            When::SetNot(path, text) => at(path).is_some_and(|v| v.as_str() != Some(text)),
        }
    }
}

/// The entry of `cfn_type`, when the table has one.
pub fn of(cfn_type: &str) -> Option<&'static Billed> {
    TABLE.iter().find(|b| b.cfn_type == cfn_type)
}

/// The reasons a resource's bill has parts pipe does not price, from the table.
pub fn not_priced(cfn_type: &str, properties: &Map<String, Value>, usage: &Usage) -> Vec<&'static str> {
    of(cfn_type)
        .into_iter()
        .flat_map(|billed| billed.dimensions)
        .filter_map(|d| match d.billing {
            Billing::NotPriced(when, reason) if when.holds(properties, usage) => Some(reason),
            _ => None,
        })
        .collect()
}

const KMS: &str = "KMS requests for its data keys (and $1 a month for a customer managed key the blueprint names), as often as the \
                   service renews them";
const LOG_GROUP: &str = "the log group it writes to";
const FREE_IAM: &str = "IAM has no charge";
const FREE_CATALOG: &str = "the Data Catalog stores its first million objects free each month";

/// (type, dimensions, unbilled properties), by type.
pub const TABLE: &[Billed] = &[
    Billed {
        cfn_type: "AWS::CloudWatch::Alarm",
        dimensions: &[Dimension {
            what: "alarm metrics",
            unit: "alarm metric a month, prorated by the hour; 60 s periods or longer are standard resolution \
                   (10 a month free per account, not counted)",
            set_by: &["Period", "MetricName"],
            billing: Billing::Priced("cloudwatch.alarm-metric-month"),
        }],
        unbilled: Unbilled::These(&[
            "AlarmActions",
            "AlarmDescription",
            "AlarmName",
            "ComparisonOperator",
            "Dimensions",
            "EvaluationPeriods",
            "ExtendedStatistic",
            "Namespace",
            "OKActions",
            "Statistic",
            "Tags",
            "Threshold",
            "TreatMissingData",
        ]),
    },
    Billed {
        cfn_type: "AWS::CloudWatch::Dashboard",
        dimensions: &[Dimension {
            what: "dashboard",
            unit: "dashboard a month (3 of up to 50 metrics free per account, not counted)",
            set_by: &["DashboardName"],
            billing: Billing::Priced("cloudwatch.dashboard-month"),
        }],
        unbilled: Unbilled::These(&["DashboardBody"]),
    },
    Billed {
        cfn_type: "AWS::DynamoDB::Table",
        dimensions: &[
            Dimension {
                what: "on-demand write request units",
                unit: "million write request units; 1 per KB of item written, rounded up",
                set_by: &["BillingMode"],
                billing: Billing::Priced("dynamodb.write-request-units"),
            },
            Dimension {
                what: "on-demand read request units",
                unit: "million read request units; ½ per eventually consistent read of 4 KB, rounded up",
                set_by: &["BillingMode"],
                billing: Billing::Priced("dynamodb.read-request-units"),
            },
            Dimension {
                what: "provisioned write capacity",
                unit: "WCU-hour",
                set_by: &["ProvisionedThroughput"],
                billing: Billing::Priced("dynamodb.wcu-hour"),
            },
            Dimension {
                what: "provisioned read capacity",
                unit: "RCU-hour",
                set_by: &["ProvisionedThroughput"],
                billing: Billing::Priced("dynamodb.rcu-hour"),
            },
            Dimension {
                what: "table storage",
                unit: "GB-month, the first 25 GB free",
                set_by: &[],
                billing: Billing::NotPriced(
                    When::Always,
                    "table storage depends on the items kept, which the blueprint does not declare",
                ),
            },
            Dimension {
                what: "point-in-time recovery",
                unit: "GB-month of table size",
                set_by: &["PointInTimeRecoverySpecification"],
                billing: Billing::NotPriced(
                    When::On("PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled"),
                    "point-in-time recovery: per GB-month of table size, which the blueprint does not declare",
                ),
            },
            Dimension {
                what: "stream read request units",
                unit: "100,000 read request units; reads by Lambda triggers are free",
                set_by: &["StreamSpecification"],
                billing: Billing::Free("reads by the Lambda event source mappings pipe creates are free"),
            },
            Dimension {
                what: "KMS requests",
                unit: "10,000 requests",
                set_by: &["SSESpecification"],
                billing: Billing::NotPriced(When::Is("SSESpecification.SSEType", "KMS"), KMS),
            },
        ],
        unbilled: Unbilled::These(&["AttributeDefinitions", "KeySchema", "TableName", "Tags"]),
    },
    Billed {
        cfn_type: "AWS::EMR::Cluster",
        dimensions: &[
            Dimension {
                what: "instances (EC2 on-demand rate plus the EMR uplift)",
                unit: "instance-hour, per second with a one-minute minimum",
                set_by: &[
                    "Instances.MasterInstanceGroup.InstanceType",
                    "Instances.CoreInstanceGroup.InstanceType",
                    "Instances.MasterInstanceGroup.Market",
                    "Instances.CoreInstanceGroup.Market",
                    "Instances.KeepJobFlowAliveWhenNoSteps",
                ],
                billing: Billing::Priced("emr.instance-hour:"),
            },
            Dimension {
                what: "EBS volumes of the instances",
                unit: "GB-month",
                set_by: &["Instances.MasterInstanceGroup.InstanceType", "Instances.CoreInstanceGroup.InstanceType"],
                billing: Billing::NotPriced(When::Always, "the EBS volumes of the cluster's instances"),
            },
            Dimension {
                what: "logs written to S3",
                unit: "GB-month of S3 storage",
                set_by: &["LogUri"],
                billing: Billing::NotPriced(
                    When::Set("LogUri"),
                    "the cluster's logs in S3, which depend on what the steps log",
                ),
            },
        ],
        unbilled: Unbilled::These(&[
            "Applications",
            "Instances.AdditionalMasterSecurityGroups",
            "Instances.AdditionalSlaveSecurityGroups",
            "Instances.Ec2SubnetId",
            "JobFlowRole",
            "Name",
            "ReleaseLabel",
            "ServiceRole",
            "Tags",
            "VisibleToAllUsers",
        ]),
    },
    Billed {
        cfn_type: "AWS::EMR::Step",
        dimensions: &[],
        unbilled: Unbilled::Whole("a step runs on its cluster's instances, billed there"),
    },
    Billed { cfn_type: "AWS::Glue::Connection", dimensions: &[], unbilled: Unbilled::Whole(FREE_CATALOG) },
    Billed { cfn_type: "AWS::Glue::Database", dimensions: &[], unbilled: Unbilled::Whole(FREE_CATALOG) },
    Billed { cfn_type: "AWS::Glue::Table", dimensions: &[], unbilled: Unbilled::Whole(FREE_CATALOG) },
    Billed {
        cfn_type: "AWS::Glue::SecurityConfiguration",
        dimensions: &[],
        unbilled: Unbilled::Whole("Glue has no charge for a security configuration"),
    },
    Billed {
        cfn_type: "AWS::Glue::Job",
        dimensions: &[Dimension {
            what: "DPU-hours of the streaming job, running all month",
            unit: "DPU-hour, per second with a one-minute minimum",
            set_by: &["NumberOfWorkers", "WorkerType", "GlueVersion"],
            billing: Billing::Priced("glue.dpu-hour"),
        }],
        unbilled: Unbilled::These(&[
            "Command",
            "Connections",
            "DefaultArguments",
            "Name",
            "Role",
            "SecurityConfiguration",
            "Tags",
        ]),
    },
    Billed { cfn_type: "AWS::IAM::InstanceProfile", dimensions: &[], unbilled: Unbilled::Whole(FREE_IAM) },
    Billed { cfn_type: "AWS::IAM::ManagedPolicy", dimensions: &[], unbilled: Unbilled::Whole(FREE_IAM) },
    Billed { cfn_type: "AWS::IAM::Role", dimensions: &[], unbilled: Unbilled::Whole(FREE_IAM) },
    Billed {
        cfn_type: "AWS::KMS::Key",
        dimensions: &[
            Dimension {
                what: "customer managed key",
                unit: "key a month, prorated by the hour; nothing while it waits to be deleted",
                set_by: &[],
                billing: Billing::Priced("kms.key-month"),
            },
            Dimension {
                what: "rotated key material",
                unit: "key a month for each of the first two yearly rotations",
                set_by: &["EnableKeyRotation"],
                billing: Billing::NotPriced(
                    When::On("EnableKeyRotation"),
                    "$1 a month more after the first yearly rotation and again after the second, a year or more after apply",
                ),
            },
            Dimension {
                what: "requests",
                unit: "10,000 requests (20,000 a month free per account)",
                set_by: &[],
                billing: Billing::Elsewhere("the topic it encrypts, whose KMS requests are named there"),
            },
        ],
        unbilled: Unbilled::These(&["Description", "KeyPolicy", "PendingWindowInDays", "Tags"]),
    },
    Billed {
        cfn_type: "AWS::Kinesis::Stream",
        dimensions: &[
            Dimension {
                what: "provisioned shards",
                unit: "shard-hour",
                set_by: &["ShardCount", "StreamModeDetails"],
                billing: Billing::Priced("kinesis.shard-hour"),
            },
            Dimension {
                what: "PUT payload units (provisioned)",
                unit: "million units; a record is 1 unit per 25 KB, rounded up",
                set_by: &["StreamModeDetails"],
                billing: Billing::Priced("kinesis.put-units"),
            },
            Dimension {
                what: "extended retention (provisioned, 24 h to 7 days)",
                unit: "shard-hour",
                set_by: &["RetentionPeriodHours"],
                billing: Billing::Priced("kinesis.extended-retention"),
            },
            Dimension {
                what: "long-term retention (beyond 7 days)",
                unit: "GB-month held",
                set_by: &["RetentionPeriodHours"],
                billing: Billing::Priced("kinesis.long-term-retention"),
            },
            Dimension {
                what: "enhanced fan-out consumers (provisioned)",
                unit: "consumer-shard-hour",
                set_by: &["ShardCount"],
                billing: Billing::Priced("kinesis.fan-out-consumer-shard-hour"),
            },
            Dimension {
                what: "enhanced fan-out data retrieval (provisioned)",
                unit: "GB read (AWS states the 1 KB rounding for writes only)",
                set_by: &[],
                billing: Billing::Priced("kinesis.fan-out-out"),
            },
            Dimension {
                what: "on-demand stream",
                unit: "stream-hour",
                set_by: &["StreamModeDetails"],
                billing: Billing::Priced("kinesis.on-demand-stream-hour"),
            },
            Dimension {
                what: "on-demand data in",
                unit: "GB; each record rounded up to 1 KB",
                set_by: &["StreamModeDetails"],
                billing: Billing::Priced("kinesis.on-demand-in"),
            },
            Dimension {
                what: "on-demand data out (shared throughput)",
                unit: "GB read (AWS states the 1 KB rounding for writes only)",
                set_by: &["StreamModeDetails"],
                billing: Billing::Priced("kinesis.on-demand-out"),
            },
            Dimension {
                what: "on-demand enhanced fan-out data out",
                unit: "GB read (AWS states the 1 KB rounding for writes only)",
                set_by: &["StreamModeDetails"],
                billing: Billing::Priced("kinesis.on-demand-fan-out-out"),
            },
            Dimension {
                what: "on-demand extended retention (24 h to 7 days)",
                unit: "GB-month held",
                set_by: &["RetentionPeriodHours"],
                billing: Billing::Priced("kinesis.on-demand-extended-retention"),
            },
            Dimension {
                what: "KMS requests",
                unit: "10,000 requests",
                set_by: &["StreamEncryption"],
                billing: Billing::NotPriced(When::Set("StreamEncryption"), KMS),
            },
        ],
        unbilled: Unbilled::These(&["Name", "Tags"]),
    },
    Billed {
        cfn_type: "AWS::Kinesis::StreamConsumer",
        dimensions: &[Dimension {
            what: "enhanced fan-out consumer-shard-hours and data retrieval",
            unit: "consumer-shard-hour; GB",
            set_by: &["StreamARN"],
            billing: Billing::Elsewhere("priced on the stream the consumer reads"),
        }],
        unbilled: Unbilled::These(&["ConsumerName"]),
    },
    Billed {
        cfn_type: "AWS::KinesisAnalyticsV2::Application",
        dimensions: &[
            Dimension {
                what: "KPUs, plus one orchestration KPU per application",
                unit: "KPU-hour, per second with a ten-minute minimum",
                set_by: &["ApplicationConfiguration.FlinkApplicationConfiguration.ParallelismConfiguration"],
                billing: Billing::Priced("flink.kpu-hour"),
            },
            Dimension {
                what: "running application storage, 50 GB per KPU",
                unit: "GB-month",
                set_by: &["ApplicationConfiguration.FlinkApplicationConfiguration.ParallelismConfiguration"],
                billing: Billing::Priced("flink.running-storage"),
            },
            Dimension {
                what: "durable application backups (snapshots)",
                unit: "GB-month",
                set_by: &["ApplicationConfiguration.ApplicationSnapshotConfiguration"],
                billing: Billing::NotPriced(
                    When::On("ApplicationConfiguration.ApplicationSnapshotConfiguration.SnapshotsEnabled"),
                    "durable application backups: per GB-month of the snapshots kept, whose size is the job's state",
                ),
            },
        ],
        unbilled: Unbilled::These(&["ApplicationName", "RuntimeEnvironment", "ServiceExecutionRole", "Tags"]),
    },
    Billed {
        cfn_type: "AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption",
        dimensions: &[],
        unbilled: Unbilled::Whole("the logs are billed on the log group they go to"),
    },
    Billed {
        cfn_type: "AWS::KinesisFirehose::DeliveryStream",
        dimensions: &[
            Dimension {
                what: "data ingested",
                unit: "GB, first 500 TB a month; each record rounded up to 5 KB, except from MSK (the bytes)",
                set_by: &["MSKSourceConfiguration", "KinesisStreamSourceConfiguration", "DeliveryStreamType"],
                billing: Billing::Priced("firehose.ingest"),
            },
            Dimension {
                what: "format conversion",
                unit: "GB ingested, as ingestion rounds it",
                set_by: &["ExtendedS3DestinationConfiguration.DataFormatConversionConfiguration"],
                billing: Billing::Priced("firehose.format-conversion"),
            },
            Dimension {
                what: "dynamic partitioning",
                unit: "GB processed",
                set_by: &["ExtendedS3DestinationConfiguration.DynamicPartitioningConfiguration"],
                billing: Billing::Priced("firehose.dynamic-partitioning"),
            },
            Dimension {
                what: "dynamic partitioning objects and JQ processing",
                unit: "1,000 S3 objects delivered; JQ processing-hour",
                set_by: &["ExtendedS3DestinationConfiguration.DynamicPartitioningConfiguration"],
                billing: Billing::NotPriced(
                    When::On("ExtendedS3DestinationConfiguration.DynamicPartitioningConfiguration.Enabled"),
                    "dynamic partitioning's per-object and JQ processing-hour charges",
                ),
            },
            Dimension {
                what: "delivery into a VPC",
                unit: "GB delivered; hour per Availability Zone",
                set_by: &["AmazonopensearchserviceDestinationConfiguration.VpcConfiguration"],
                billing: Billing::NotPriced(
                    When::Set("AmazonopensearchserviceDestinationConfiguration.VpcConfiguration"),
                    "delivery into a VPC: per GB delivered and per Availability Zone-hour",
                ),
            },
            Dimension {
                what: "KMS requests of a customer managed key",
                unit: "10,000 requests",
                set_by: &["DeliveryStreamEncryptionConfigurationInput"],
                billing: Billing::NotPriced(
                    When::Is("DeliveryStreamEncryptionConfigurationInput.KeyType", "CUSTOMER_MANAGED_CMK"),
                    KMS,
                ),
            },
        ],
        unbilled: Unbilled::These(&["DeliveryStreamName", "RedshiftDestinationConfiguration", "Tags"]),
    },
    Billed {
        cfn_type: "AWS::Lambda::EventSourceMapping",
        dimensions: &[],
        unbilled: Unbilled::Whole(
            "polling Kinesis, DynamoDB streams and MSK in on-demand mode has no charge; the invocations are \
             billed on the function",
        ),
    },
    Billed {
        cfn_type: "AWS::Lambda::Function",
        dimensions: &[
            Dimension {
                what: "requests",
                unit: "million requests (1 million a month free per account, not counted here)",
                set_by: &[],
                billing: Billing::Priced("lambda.requests"),
            },
            Dimension {
                what: "duration, x86",
                unit: "GB-second of configured memory, per millisecond (400,000 GB-s free per account, not counted)",
                set_by: &["MemorySize", "Architectures"],
                billing: Billing::Priced("lambda.duration-x86"),
            },
            Dimension {
                what: "duration, Arm",
                unit: "GB-second of configured memory, per millisecond",
                set_by: &["MemorySize", "Architectures"],
                billing: Billing::Priced("lambda.duration-arm"),
            },
            Dimension {
                what: "X-Ray traces recorded",
                unit: "million traces; Lambda traces 1 invocation a second and 5% of the rest (100,000 a month \
                       free per account, not counted)",
                set_by: &["TracingConfig"],
                billing: Billing::Priced("xray.traces-recorded"),
            },
            Dimension {
                what: "X-Ray traces retrieved and scanned",
                unit: "million traces (1 million a month free per account)",
                set_by: &["TracingConfig"],
                billing: Billing::NotPriced(
                    When::Is("TracingConfig.Mode", "Active"),
                    "X-Ray traces retrieved and scanned, which depend on how often people look at them",
                ),
            },
            Dimension {
                what: "logs",
                unit: "GB ingested",
                set_by: &["LoggingConfig"],
                billing: Billing::Elsewhere(LOG_GROUP),
            },
        ],
        unbilled: Unbilled::These(&[
            "Code",
            "Environment",
            "FunctionName",
            "Handler",
            "ReservedConcurrentExecutions",
            "Role",
            "Runtime",
            "Tags",
            "Timeout",
            "VpcConfig",
        ]),
    },
    Billed {
        cfn_type: "AWS::Logs::LogGroup",
        dimensions: &[
            Dimension {
                what: "log ingestion",
                unit: "GB ingested",
                set_by: &[],
                billing: Billing::NotPriced(When::Always, "log ingestion depends on what the code logs"),
            },
            Dimension {
                what: "log storage",
                unit: "GB-month, compressed",
                set_by: &["RetentionInDays"],
                billing: Billing::Elsewhere("with the ingestion it follows from"),
            },
        ],
        unbilled: Unbilled::These(&["LogGroupName", "Tags"]),
    },
    Billed {
        cfn_type: "AWS::Logs::LogStream",
        dimensions: &[],
        unbilled: Unbilled::Whole("what a stream holds is billed on its log group"),
    },
    Billed {
        cfn_type: "AWS::Logs::ResourcePolicy",
        dimensions: &[],
        unbilled: Unbilled::Whole("CloudWatch Logs has no charge for a resource policy"),
    },
    Billed {
        cfn_type: "AWS::MSK::Cluster",
        dimensions: &[
            Dimension {
                what: "brokers",
                unit: "broker-hour",
                set_by: &["NumberOfBrokerNodes", "BrokerNodeGroupInfo.InstanceType"],
                billing: Billing::Priced("msk.broker-hour:"),
            },
            Dimension {
                what: "broker storage",
                unit: "GB-month provisioned",
                set_by: &["BrokerNodeGroupInfo.StorageInfo.EBSStorageInfo.VolumeSize"],
                billing: Billing::Priced("msk.storage"),
            },
            Dimension {
                what: "enhanced monitoring",
                unit: "CloudWatch metric-month",
                set_by: &["EnhancedMonitoring"],
                billing: Billing::NotPriced(
                    When::SetNot("EnhancedMonitoring", "DEFAULT"),
                    "per-broker CloudWatch metrics of enhanced monitoring",
                ),
            },
            Dimension {
                what: "data transfer to clients in other Availability Zones",
                unit: "GB",
                set_by: &["BrokerNodeGroupInfo.ClientSubnets"],
                billing: Billing::NotPriced(
                    When::Always,
                    "data transfer to clients in other Availability Zones (EC2 cross-AZ rates)",
                ),
            },
            Dimension {
                what: "broker logs",
                unit: "GB ingested",
                set_by: &["LoggingInfo"],
                billing: Billing::Elsewhere(LOG_GROUP),
            },
            Dimension {
                what: "KMS requests",
                unit: "10,000 requests",
                set_by: &["EncryptionInfo.EncryptionAtRest"],
                billing: Billing::NotPriced(When::Set("EncryptionInfo.EncryptionAtRest"), KMS),
            },
        ],
        unbilled: Unbilled::These(&[
            "BrokerNodeGroupInfo.SecurityGroups",
            "ClientAuthentication",
            "ClusterName",
            "EncryptionInfo.EncryptionInTransit.InCluster",
            "KafkaVersion",
            "Tags",
        ]),
    },
    Billed {
        cfn_type: "AWS::MSK::ServerlessCluster",
        dimensions: &[
            Dimension {
                what: "cluster",
                unit: "cluster-hour",
                set_by: &[],
                billing: Billing::Priced("msk.serverless-cluster-hour"),
            },
            Dimension { what: "data in", unit: "GB", set_by: &[], billing: Billing::Priced("msk.serverless-in") },
            Dimension {
                what: "data out",
                unit: "GB per reader",
                set_by: &[],
                billing: Billing::Priced("msk.serverless-out"),
            },
            Dimension {
                what: "partitions and storage",
                unit: "partition-hour; GB-month",
                set_by: &[],
                billing: Billing::NotPriced(When::Always, "MSK Serverless partition-hours and storage are not priced"),
            },
        ],
        unbilled: Unbilled::These(&["ClientAuthentication", "ClusterName", "Tags", "VpcConfigs"]),
    },
    Billed {
        cfn_type: "AWS::MSK::Topic",
        dimensions: &[Dimension {
            what: "the partitions' storage and, on MSK Serverless, partition-hours",
            unit: "GB-month; partition-hour",
            set_by: &["PartitionCount", "ReplicationFactor", "Configs"],
            billing: Billing::Elsewhere("the cluster"),
        }],
        unbilled: Unbilled::These(&["ClusterArn", "TopicName"]),
    },
    Billed {
        cfn_type: "AWS::MSK::ClusterPolicy",
        dimensions: &[],
        unbilled: Unbilled::Whole("MSK has no charge for a cluster policy"),
    },
    Billed {
        cfn_type: "AWS::OpenSearchService::Domain",
        dimensions: &[
            Dimension {
                what: "data nodes and dedicated masters",
                unit: "instance-hour",
                set_by: &["ClusterConfig"],
                billing: Billing::Priced("opensearch.instance-hour:"),
            },
            Dimension {
                what: "gp3 storage",
                unit: "GB-month per data node",
                set_by: &["EBSOptions"],
                billing: Billing::Priced("opensearch.gp3-storage"),
            },
            Dimension {
                what: "published logs",
                unit: "GB ingested",
                set_by: &["LogPublishingOptions"],
                billing: Billing::Elsewhere(LOG_GROUP),
            },
            Dimension {
                what: "KMS requests",
                unit: "10,000 requests",
                set_by: &["EncryptionAtRestOptions.Enabled", "EncryptionAtRestOptions.KmsKeyId"],
                billing: Billing::NotPriced(When::On("EncryptionAtRestOptions.Enabled"), KMS),
            },
        ],
        unbilled: Unbilled::These(&[
            "AccessPolicies",
            "AdvancedSecurityOptions",
            "DomainEndpointOptions",
            "DomainName",
            "EngineVersion",
            "NodeToNodeEncryptionOptions",
            "Tags",
            "VPCOptions",
        ]),
    },
    Billed {
        cfn_type: "AWS::Redshift::Cluster",
        dimensions: &[
            Dimension {
                what: "nodes",
                unit: "node-hour",
                set_by: &["NodeType", "NumberOfNodes", "ClusterType"],
                billing: Billing::NotPriced(When::Always, "provisioned Redshift node prices are not in the table"),
            },
            Dimension {
                what: "backup storage beyond the cluster's size",
                unit: "GB-month",
                set_by: &["AutomatedSnapshotRetentionPeriod"],
                billing: Billing::Free("free up to the cluster's storage, which seven days of snapshots stay within"),
            },
            Dimension {
                what: "audit logs",
                unit: "GB ingested",
                set_by: &["LoggingProperties"],
                billing: Billing::NotPriced(
                    When::Set("LoggingProperties"),
                    "audit logs in CloudWatch Logs, which depend on the connections and queries",
                ),
            },
        ],
        unbilled: Unbilled::These(&[
            "ClusterIdentifier",
            "ClusterSubnetGroupName",
            "DBName",
            "Encrypted",
            "EnhancedVpcRouting",
            "ManageMasterPassword",
            "MasterUsername",
            "PubliclyAccessible",
            "Tags",
            "VpcSecurityGroupIds",
        ]),
    },
    Billed {
        cfn_type: "AWS::Redshift::ClusterSubnetGroup",
        dimensions: &[],
        unbilled: Unbilled::Whole("Redshift has no charge for a subnet group"),
    },
    Billed {
        cfn_type: "AWS::RedshiftServerless::Namespace",
        dimensions: &[Dimension {
            what: "Redshift Managed Storage",
            unit: "GB-month",
            set_by: &[],
            billing: Billing::NotPriced(
                When::Always,
                "managed storage: per GB-month of the tables loaded, which the blueprint does not declare",
            ),
        }],
        unbilled: Unbilled::These(&[
            "AdminUserPassword",
            "AdminUsername",
            "DbName",
            "LogExports",
            "NamespaceName",
            "Tags",
        ]),
    },
    Billed {
        cfn_type: "AWS::RedshiftServerless::Workgroup",
        dimensions: &[Dimension {
            what: "compute while queries run",
            unit: "RPU-hour, per second with a 60-second minimum per run",
            set_by: &["BaseCapacity"],
            billing: Billing::Priced("redshift.serverless-rpu-hour"),
        }],
        unbilled: Unbilled::These(&[
            "EnhancedVpcRouting",
            "NamespaceName",
            "PubliclyAccessible",
            "SecurityGroupIds",
            "SubnetIds",
            "Tags",
            "WorkgroupName",
        ]),
    },
    Billed {
        cfn_type: "AWS::S3::Bucket",
        dimensions: &[
            Dimension {
                what: "S3 Standard storage",
                unit: "GB-month, first 50 TB; pipe counts the bytes written, before any compression",
                set_by: &["LifecycleConfiguration", "VersioningConfiguration"],
                billing: Billing::Priced("s3.storage"),
            },
            Dimension {
                what: "PUT requests",
                unit: "1,000 requests; a Firehose stream writes an object per delivery (per partition key with \
                       dynamic partitioning)",
                set_by: &[],
                billing: Billing::Priced("s3.put-requests"),
            },
            Dimension {
                what: "PUT requests of other writers",
                unit: "1,000 requests",
                set_by: &[],
                billing: Billing::NotPriced(
                    When::FlowingNotFromFirehose,
                    "PUT requests of writers other than Firehose, whose object sizes pipe does not know",
                ),
            },
            Dimension {
                what: "KMS requests",
                unit: "10,000 requests, fewer with an S3 Bucket Key",
                set_by: &["BucketEncryption"],
                billing: Billing::NotPriced(
                    When::Is(
                        "BucketEncryption.ServerSideEncryptionConfiguration.ServerSideEncryptionByDefault.SSEAlgorithm",
                        "aws:kms",
                    ),
                    KMS,
                ),
            },
        ],
        unbilled: Unbilled::These(&["BucketName", "OwnershipControls", "PublicAccessBlockConfiguration", "Tags"]),
    },
    Billed {
        cfn_type: "AWS::S3::BucketPolicy",
        dimensions: &[],
        unbilled: Unbilled::Whole("S3 has no charge for a bucket policy"),
    },
    Billed {
        cfn_type: "AWS::SNS::Topic",
        dimensions: &[
            Dimension {
                what: "publish requests",
                unit: "million requests; each 64 KB of payload is one request",
                set_by: &[],
                billing: Billing::Priced("sns.requests"),
            },
            Dimension {
                what: "KMS requests",
                unit: "10,000 requests",
                set_by: &["KmsMasterKeyId"],
                billing: Billing::NotPriced(When::Set("KmsMasterKeyId"), KMS),
            },
        ],
        unbilled: Unbilled::These(&["TopicName", "Tags"]),
    },
    Billed {
        cfn_type: "AWS::SNS::Subscription",
        dimensions: &[
            Dimension {
                what: "email deliveries",
                unit: "100,000 deliveries",
                set_by: &["Protocol"],
                billing: Billing::Priced("sns.email"),
            },
            Dimension {
                what: "HTTP/S deliveries",
                unit: "100,000 deliveries",
                set_by: &["Protocol"],
                billing: Billing::Priced("sns.http"),
            },
            Dimension {
                what: "SMS deliveries",
                unit: "message, by destination country and carrier",
                set_by: &["Protocol"],
                billing: Billing::NotPriced(
                    When::Is("Protocol", "sms"),
                    "SMS prices depend on the destination country and carrier; AWS publishes no single figure",
                ),
            },
            Dimension {
                what: "deliveries to SQS and Lambda",
                unit: "deliveries",
                set_by: &["Protocol"],
                billing: Billing::Free("SNS does not charge them; the function or queue bills what it receives"),
            },
        ],
        unbilled: Unbilled::These(&["Endpoint", "FilterPolicy", "TopicArn"]),
    },
    Billed {
        cfn_type: "AWS::SageMaker::EndpointConfig",
        dimensions: &[Dimension {
            what: "real-time inference instances",
            unit: "instance-hour",
            set_by: &["ProductionVariants"],
            billing: Billing::Priced("sagemaker.instance-hour:"),
        }],
        unbilled: Unbilled::These(&["Tags"]),
    },
    Billed {
        cfn_type: "AWS::SageMaker::Endpoint",
        dimensions: &[],
        unbilled: Unbilled::Whole("its instances are priced on its endpoint configuration"),
    },
    Billed {
        cfn_type: "AWS::SageMaker::Model",
        dimensions: &[],
        unbilled: Unbilled::Whole("a model runs on an endpoint's instances, priced there"),
    },
    Billed {
        cfn_type: "AWS::SecretsManager::Secret",
        dimensions: &[
            Dimension {
                what: "secret",
                unit: "secret-month, prorated by the hour",
                set_by: &[],
                billing: Billing::Priced("secretsmanager.secret-month"),
            },
            Dimension {
                what: "API calls",
                unit: "10,000 calls",
                set_by: &[],
                billing: Billing::NotPriced(
                    When::Always,
                    "API calls to the secret ($0.05 per 10,000), as often as the services that read it ask",
                ),
            },
        ],
        unbilled: Unbilled::These(&["Description", "GenerateSecretString", "Name", "Tags"]),
    },
];
