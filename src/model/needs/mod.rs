//! Service needs: for every feature a rendered resource turns on, the actions the AWS service
//! itself calls with the role pipe gives it, and where AWS says so.
//!
//! The edge contracts (`contract.rs`) say what a component does to the other end of a connection;
//! this table says what the service running the component does on its own behalf: write its
//! logs, send traces, pull code, manage network interfaces in a VPC, poll an event source. The
//! builders take their actions from here, so a role cannot miss what its features need, and a
//! test reads the rendered model, finds each feature, and checks the role against this table and
//! the table against the AWS managed policies it cites (copies in `policies/`, dated).

use serde_json::{Value, json};

use crate::blueprint::spec::common::Network;

use super::cfn::sub;
use super::iam::Statement;

/// Where AWS states the actions a need lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A policy AWS publishes, by name: a managed policy, or a developer guide's example policy.
    /// `policies/<name>.json` holds the copy read, with its version and page; every action of the
    /// need is one the policy grants.
    Policy(&'static str),
    /// A developer guide page.
    Guide(&'static str),
}

/// A feature of a rendered resource that makes its service act with the resource's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feature {
    LambdaLogs,
    LambdaTracing,
    LambdaVpc,
    LambdaKinesisSource,
    LambdaKinesisFanOut,
    LambdaDynamodbSource,
    LambdaMskSource,
    LambdaOnFailureSns,
    LambdaOnFailureS3,
    FirehoseLogging,
    FirehoseKinesisSource,
    FirehoseMskSource,
    FirehoseS3,
    FirehoseRedshift,
    FirehoseOpensearch,
    FirehoseVpc,
    FirehoseConversion,
    FirehoseProcessor,
    FlinkLogging,
    FlinkCode,
    FlinkVpc,
    GlueMetrics,
    GlueLogs,
    GlueCatalog,
    GlueScript,
    GlueConnection,
    GlueCheckpoints,
    EmrService,
    EmrInstanceRole,
    EmrLogs,
    EmrScript,
    EmrCheckpoints,
    SagemakerModel,
    SagemakerModelData,
}

#[derive(Debug)]
pub struct Need {
    pub feature: Feature,
    /// The service principal that assumes the role.
    pub service: &'static str,
    /// What the service does with the role, for people reading a failed test or a review.
    pub does: &'static str,
    pub actions: &'static [&'static str],
    pub source: Source,
}

const LAMBDA: &str = "lambda.amazonaws.com";
const FIREHOSE: &str = "firehose.amazonaws.com";
const FLINK: &str = "kinesisanalytics.amazonaws.com";
const GLUE: &str = "glue.amazonaws.com";
const EMR: &str = "elasticmapreduce.amazonaws.com";
const EC2: &str = "ec2.amazonaws.com";
const SAGEMAKER: &str = "sagemaker.amazonaws.com";

const LAMBDA_DESTINATIONS: &str = "docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html";
const LAMBDA_FAN_OUT: &str = "docs.aws.amazon.com/lambda/latest/dg/services-kinesis-create.html";
const FIREHOSE_ACCESS: &str = "docs.aws.amazon.com/firehose/latest/dev/controlling-access.html";
const FIREHOSE_SECRETS: &str = "docs.aws.amazon.com/firehose/latest/dev/using-secrets-manager.html";
const FLINK_IAM: &str = "docs.aws.amazon.com/managed-flink/latest/java/security_iam_service-with-iam.html";
const FLINK_VPC: &str = "docs.aws.amazon.com/managed-flink/latest/java/vpc-permissions.html";
const GLUE_ROLE: &str = "docs.aws.amazon.com/glue/latest/dg/create-an-iam-role.html";
const EMR_SERVICE_ROLE: &str = "docs.aws.amazon.com/emr/latest/ManagementGuide/emr-iam-role.html";
const EMR_INSTANCE_ROLE: &str = "docs.aws.amazon.com/emr/latest/ManagementGuide/emr-iam-role-for-ec2.html";
const SAGEMAKER_MODEL: &str =
    "docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html#sagemaker-roles-createmodel-perms";

/// Every need, one row per feature. Read 2026-12-05.
pub static NEEDS: &[Need] = &[
    Need {
        feature: Feature::LambdaLogs,
        service: LAMBDA,
        does: "writes the function's logs to its log group (pipe creates the group, so not CreateLogGroup)",
        actions: &["logs:CreateLogStream", "logs:PutLogEvents"],
        source: Source::Policy("AWSLambdaBasicExecutionRole"),
    },
    Need {
        feature: Feature::LambdaTracing,
        service: LAMBDA,
        does: "sends X-Ray segments for active tracing; CreateFunction refuses a role without them",
        actions: &["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
        source: Source::Policy("AWSXRayDaemonWriteAccess"),
    },
    Need {
        feature: Feature::LambdaVpc,
        service: LAMBDA,
        does: "manages the function's network interfaces in its VPC",
        actions: &[
            "ec2:AssignPrivateIpAddresses",
            "ec2:CreateNetworkInterface",
            "ec2:DeleteNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSubnets",
            "ec2:UnassignPrivateIpAddresses",
        ],
        source: Source::Policy("AWSLambdaVPCAccessExecutionRole"),
    },
    Need {
        feature: Feature::LambdaKinesisSource,
        service: LAMBDA,
        does: "polls the stream for the event source mapping (ListStreams left out: the mapping names its stream)",
        actions: &[
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:ListShards",
        ],
        source: Source::Policy("AWSLambdaKinesisExecutionRole"),
    },
    Need {
        feature: Feature::LambdaKinesisFanOut,
        service: LAMBDA,
        does: "reads through the mapping's enhanced fan-out consumer",
        actions: &["kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"],
        source: Source::Guide(LAMBDA_FAN_OUT),
    },
    Need {
        feature: Feature::LambdaDynamodbSource,
        service: LAMBDA,
        does: "polls the table's stream for the event source mapping",
        actions: &[
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
        ],
        source: Source::Policy("AWSLambdaDynamoDBExecutionRole"),
    },
    Need {
        feature: Feature::LambdaMskSource,
        service: LAMBDA,
        does: "finds the brokers and runs the mapping's pollers in the cluster's subnets",
        actions: &[
            "ec2:CreateNetworkInterface",
            "ec2:DeleteNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
            "kafka:DescribeClusterV2",
            "kafka:GetBootstrapBrokers",
        ],
        source: Source::Policy("AWSLambdaMSKExecutionRole"),
    },
    Need {
        feature: Feature::LambdaOnFailureSns,
        service: LAMBDA,
        does: "publishes the records of a batch that failed every retry",
        actions: &["sns:Publish"],
        source: Source::Guide(LAMBDA_DESTINATIONS),
    },
    Need {
        feature: Feature::LambdaOnFailureS3,
        service: LAMBDA,
        does: "writes the records of a batch that failed every retry",
        actions: &["s3:ListBucket", "s3:PutObject"],
        source: Source::Guide(LAMBDA_DESTINATIONS),
    },
    Need {
        feature: Feature::FirehoseLogging,
        service: FIREHOSE,
        does: "logs delivery errors to the log stream pipe creates",
        actions: &["logs:PutLogEvents"],
        source: Source::Guide(FIREHOSE_ACCESS),
    },
    Need {
        feature: Feature::FirehoseKinesisSource,
        service: FIREHOSE,
        does: "reads its source stream",
        actions: &["kinesis:DescribeStream", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"],
        source: Source::Guide(FIREHOSE_ACCESS),
    },
    Need {
        feature: Feature::FirehoseMskSource,
        service: FIREHOSE,
        does: "reads its source topic over multi-VPC private connectivity",
        actions: &[
            "kafka-cluster:Connect",
            "kafka-cluster:DescribeGroup",
            "kafka-cluster:DescribeTopic",
            "kafka-cluster:DescribeTopicDynamicConfiguration",
            "kafka-cluster:ReadData",
            "kafka:DescribeCluster",
            "kafka:DescribeClusterV2",
            "kafka:GetBootstrapBrokers",
        ],
        source: Source::Guide(FIREHOSE_ACCESS),
    },
    Need {
        feature: Feature::FirehoseS3,
        service: FIREHOSE,
        does: "writes objects to its destination, staging or backup bucket",
        actions: &[
            "s3:AbortMultipartUpload",
            "s3:GetBucketLocation",
            "s3:GetObject",
            "s3:ListBucket",
            "s3:ListBucketMultipartUploads",
            "s3:PutObject",
        ],
        source: Source::Guide(FIREHOSE_ACCESS),
    },
    Need {
        feature: Feature::FirehoseRedshift,
        service: FIREHOSE,
        does: "signs in to the warehouse with the admin secret to run COPY",
        actions: &["secretsmanager:GetSecretValue"],
        source: Source::Guide(FIREHOSE_SECRETS),
    },
    Need {
        feature: Feature::FirehoseOpensearch,
        service: FIREHOSE,
        does: "describes the domain, reads its settings and indexes documents",
        actions: &[
            "es:DescribeDomain",
            "es:DescribeDomainConfig",
            "es:DescribeDomains",
            "es:ESHttpGet",
            "es:ESHttpPost",
            "es:ESHttpPut",
        ],
        source: Source::Guide(FIREHOSE_ACCESS),
    },
    Need {
        feature: Feature::FirehoseVpc,
        service: FIREHOSE,
        does: "manages the network interfaces it delivers through in the domain's VPC",
        actions: &[
            "ec2:CreateNetworkInterface",
            "ec2:CreateNetworkInterfacePermission",
            "ec2:DeleteNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcAttribute",
            "ec2:DescribeVpcs",
        ],
        source: Source::Guide(FIREHOSE_ACCESS),
    },
    Need {
        feature: Feature::FirehoseConversion,
        service: FIREHOSE,
        does: "reads the schema table that record format conversion uses",
        actions: &["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
        source: Source::Guide(FIREHOSE_ACCESS),
    },
    Need {
        feature: Feature::FirehoseProcessor,
        service: FIREHOSE,
        does: "invokes the transformation function",
        actions: &["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"],
        source: Source::Guide(FIREHOSE_ACCESS),
    },
    Need {
        feature: Feature::FlinkLogging,
        service: FLINK,
        does: "finds the application's log group and stream and writes to it",
        actions: &["logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        source: Source::Guide(FLINK_IAM),
    },
    Need {
        feature: Feature::FlinkCode,
        service: FLINK,
        does: "downloads the application code from the artifacts bucket",
        actions: &["s3:GetObject", "s3:GetObjectVersion"],
        source: Source::Guide(FLINK_IAM),
    },
    Need {
        feature: Feature::FlinkVpc,
        service: FLINK,
        does: "manages the application's network interfaces in its VPC",
        actions: &[
            "ec2:CreateNetworkInterface",
            "ec2:CreateNetworkInterfacePermission",
            "ec2:DeleteNetworkInterface",
            "ec2:DescribeDhcpOptions",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
        ],
        source: Source::Guide(FLINK_VPC),
    },
    Need {
        feature: Feature::GlueMetrics,
        service: GLUE,
        does: "publishes job metrics (`--enable-metrics`)",
        actions: &["cloudwatch:PutMetricData"],
        source: Source::Policy("AWSGlueServiceRole"),
    },
    Need {
        feature: Feature::GlueLogs,
        service: GLUE,
        does: "writes continuous logs under /aws-glue/",
        actions: &["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        source: Source::Policy("AWSGlueServiceRole"),
    },
    Need {
        feature: Feature::GlueCatalog,
        service: GLUE,
        does: "reads the Data Catalog table over the job's source",
        actions: &["glue:GetDatabase", "glue:GetPartitions", "glue:GetTable"],
        source: Source::Policy("AWSGlueServiceRole"),
    },
    Need {
        feature: Feature::GlueScript,
        service: GLUE,
        does: "downloads the job's script",
        actions: &["s3:GetObject"],
        source: Source::Guide(GLUE_ROLE),
    },
    Need {
        feature: Feature::GlueConnection,
        service: GLUE,
        does: "reads the network connection and manages the workers' network interfaces in it",
        actions: &[
            "ec2:CreateNetworkInterface",
            "ec2:CreateTags",
            "ec2:DeleteNetworkInterface",
            "ec2:DeleteTags",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeRouteTables",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcAttribute",
            "ec2:DescribeVpcEndpoints",
            "glue:GetConnection",
        ],
        source: Source::Policy("AWSGlueServiceRole"),
    },
    Need {
        feature: Feature::GlueCheckpoints,
        service: GLUE,
        does: "keeps the streaming query's checkpoints under the job's prefix of the artifacts bucket",
        actions: &["s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"],
        source: Source::Guide(GLUE_ROLE),
    },
    Need {
        feature: Feature::EmrService,
        service: EMR,
        does: "launches and manages the cluster's instances (attached as the managed policy itself)",
        actions: &["ec2:CreateFleet", "ec2:CreateLaunchTemplate", "ec2:RunInstances", "ec2:TerminateInstances"],
        source: Source::Policy("AmazonEMRServicePolicy_v2"),
    },
    Need {
        feature: Feature::EmrInstanceRole,
        service: EMR,
        does: "passes the cluster's instance role to EC2; the managed policy passes only a role named EMR_EC2_DefaultRole",
        actions: &["iam:PassRole"],
        source: Source::Guide(EMR_SERVICE_ROLE),
    },
    Need {
        feature: Feature::EmrLogs,
        service: EC2,
        does: "uploads the cluster's logs to its LogUri",
        actions: &["s3:PutObject"],
        source: Source::Guide(EMR_INSTANCE_ROLE),
    },
    Need {
        feature: Feature::EmrScript,
        service: EC2,
        does: "downloads the step's script",
        actions: &["s3:GetObject"],
        source: Source::Guide(EMR_INSTANCE_ROLE),
    },
    Need {
        feature: Feature::EmrCheckpoints,
        service: EC2,
        does: "keeps the streaming step's checkpoints under the job's prefix of the artifacts bucket",
        actions: &["s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"],
        source: Source::Guide(EMR_INSTANCE_ROLE),
    },
    Need {
        feature: Feature::SagemakerModel,
        service: SAGEMAKER,
        does: "pulls the model image and writes the endpoint's logs and metrics",
        actions: &[
            "cloudwatch:PutMetricData",
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetAuthorizationToken",
            "ecr:GetDownloadUrlForLayer",
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:DescribeLogStreams",
            "logs:PutLogEvents",
        ],
        source: Source::Policy("sagemaker-createmodel-execution-role"),
    },
    Need {
        feature: Feature::SagemakerModelData,
        service: SAGEMAKER,
        does: "downloads the model artifacts",
        actions: &["s3:GetObject"],
        source: Source::Guide(SAGEMAKER_MODEL),
    },
];

/// The need of `feature`.
pub fn of(feature: Feature) -> &'static Need {
    NEEDS.iter().find(|need| need.feature == feature).expect("every feature has a row")
}

/// `feature`'s actions on `resources`.
pub fn grant(feature: Feature, resources: Vec<Value>) -> Statement {
    Statement::new(of(feature).actions, resources)
}

/// The actions of `feature` of one service (`"logs:"`), for a need whose actions take different
/// resources.
pub fn actions(feature: Feature, service: &str) -> Vec<&'static str> {
    of(feature).actions.iter().copied().filter(|action| action.starts_with(service)).collect()
}

/// `feature`'s actions on the actions' own resources, for the calls CloudWatch, X-Ray, ECR's
/// token and EC2's `Describe*` make: they take no resource narrower than `*`.
pub fn unscoped(feature: Feature) -> Statement {
    grant(feature, vec![json!("*")])
}

/// `feature`'s network-interface actions in `network`: interfaces are created only in its
/// subnets with its security groups; EC2's `Describe*` calls take no resource, so they are the
/// one place a `*` resource appears; every other action acts on network interfaces.
pub fn networking(feature: Feature, network: &Network) -> Vec<Statement> {
    let ec2 =
        |resource: String| sub(format!("arn:${{AWS::Partition}}:ec2:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"));
    let interfaces = || ec2("network-interface/*".to_string());
    let mut scope = vec![interfaces()];
    scope.extend(network.subnets.iter().map(|s| ec2(format!("subnet/{s}"))));
    scope.extend(network.security_groups.iter().map(|g| ec2(format!("security-group/{g}"))));
    let actions = actions(feature, "ec2:").into_iter();
    let (create, rest): (Vec<&'static str>, Vec<&'static str>) =
        actions.partition(|action| *action == "ec2:CreateNetworkInterface");
    let (describe, manage): (Vec<&'static str>, Vec<&'static str>) =
        rest.into_iter().partition(|action| action.starts_with("ec2:Describe"));
    [(create, scope), (manage, vec![interfaces()]), (describe, vec![json!("*")])]
        .into_iter()
        .filter(|(actions, _)| !actions.is_empty())
        .map(|(actions, resources)| Statement::new(&actions, resources))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_feature_with_sorted_actions() {
        for (i, need) in NEEDS.iter().enumerate() {
            assert!(std::ptr::eq(of(need.feature), &NEEDS[i]), "{:?} has two rows", need.feature);
            assert!(need.actions.is_sorted(), "{:?}: actions in order, so rendered roles are stable", need.feature);
        }
    }

    #[test]
    fn networking_scopes_creation_to_the_network() {
        let network = Network { subnets: vec!["subnet-1".into()], security_groups: vec!["sg-1".into()] };
        let statements = networking(Feature::FlinkVpc, &network);
        assert_eq!(statements[0].actions, ["ec2:CreateNetworkInterface"]);
        assert_eq!(statements[0].resources.len(), 3, "interfaces, the subnet and the group");
        assert_eq!(statements[1].actions, ["ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface"]);
        assert_eq!(statements[2].resources, [json!("*")]);
        assert!(statements[2].actions.iter().all(|a| a.starts_with("ec2:Describe")));
    }
}
