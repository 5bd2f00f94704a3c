//! Amazon Redshift.

use super::Limit;

pub static BASE_CAPACITY_RPUS: Limit = Limit {
    id: "redshift::base-capacity",
    min: 4,
    max: 512,
    unit: "RPUs: 4, or 8 to 512 in steps of 8",
    source: "docs.aws.amazon.com/redshift/latest/mgmt/serverless-capacity.html",
    as_of: "2026-05-20",
};

pub static NODES: Limit = Limit {
    id: "redshift::nodes",
    min: 1,
    max: 128,
    unit: "nodes",
    source: "docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info",
    as_of: "2026-05-20",
};
