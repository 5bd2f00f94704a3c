//! Amazon MSK.

use super::{Limit, Retired};

pub static STORAGE_GIB: Limit = Limit {
    id: "msk::storage",
    min: 1,
    max: 16_384,
    unit: "GiB per broker",
    source: "Kafka API BrokerEBSVolumeInfo VolumeSizeGB",
    as_of: "2026-12-05",
};

pub static SUBNETS: Limit = Limit {
    id: "msk::subnets",
    min: 2,
    max: 3,
    unit: "subnets in distinct Availability Zones",
    source: "docs.aws.amazon.com/msk/latest/developerguide/msk-create-cluster.html",
    as_of: "2026-05-20",
};

/// Brokers per ZooKeeper-based cluster (60 with KRaft), default quota.
pub static BROKERS: Limit = Limit {
    id: "msk::broker-count",
    min: 1,
    max: 30,
    unit: "brokers",
    source: "docs.aws.amazon.com/msk/latest/developerguide/limits.html",
    as_of: "2026-05-20",
};

const VERSIONS: &str = "docs.aws.amazon.com/msk/latest/developerguide/supported-kafka-versions.html";
/// Dates published after the AWS page snapshot above, as copied from it by endoflife.date (2026-07-23).
const LATER: &str = "supported-kafka-versions.html via endoflife.date/amazon-msk";

/// Kafka versions past end of support on MSK (read 2026-11-22; 3.8.x is the recommended version).
pub static RETIRED_KAFKA_VERSIONS: &[Retired] = &[
    Retired { name: "1.1.1", since: "2024-06-05", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.1.0", since: "2024-06-05", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.2.1", since: "2024-06-08", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.3.1", since: "2024-06-08", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.4.1", since: "2024-06-08", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.4.1.1", since: "2024-06-08", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.5.1", since: "2024-06-08", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.6.0", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.6.1", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.6.2", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.6.3", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.7.0", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.7.1", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.7.2", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.8.0", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.8.1", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "3.1.1", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "3.2.0", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "3.3.1", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "3.3.2", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.8.2.tiered", since: "2025-01-14", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "3.4.0", since: "2025-08-04", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "3.5.1", since: "2025-10-23", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "3.6.0", since: "2026-06-01", replacement: "3.8.x", source: LATER },
    Retired { name: "3.7.x", since: "2026-09-01", replacement: "3.8.x", source: LATER },
    Retired { name: "3.7.x.kraft", since: "2026-09-01", replacement: "3.8.x", source: LATER },
];

/// What one Standard broker can carry, by instance type: the EBS throughput its disk writes share
/// and the network bandwidth its replication and consumer traffic share, in MiB/s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BrokerThroughput {
    pub broker_type: &'static str,
    pub storage_mib_per_second: f64,
    pub network_mib_per_second: f64,
    /// Partitions (replicas included) a broker should hold, by AWS's best practices.
    pub recommended_partitions: u32,
}

/// AWS's MSK sizing tool (`msk_sizing.py`, INSTANCE_SPECS, in aws/agent-toolkit-for-aws
/// managing-amazon-msk, read 2026-12-01) for the throughputs; the partitions per broker from
/// msk/latest/developerguide/bestpractices.html. A type missing here has no published figure:
/// pipe then cannot size it and asks for an explicit `brokers`.
pub static BROKER_THROUGHPUT: &[BrokerThroughput] = &[
    BrokerThroughput {
        broker_type: "kafka.m5.large",
        storage_mib_per_second: 81.0,
        network_mib_per_second: 96.0,
        recommended_partitions: 1000,
    },
    BrokerThroughput {
        broker_type: "kafka.m5.xlarge",
        storage_mib_per_second: 144.0,
        network_mib_per_second: 160.0,
        recommended_partitions: 1000,
    },
    BrokerThroughput {
        broker_type: "kafka.m5.2xlarge",
        storage_mib_per_second: 250.0,
        network_mib_per_second: 320.0,
        recommended_partitions: 2000,
    },
    BrokerThroughput {
        broker_type: "kafka.m7g.large",
        storage_mib_per_second: 78.75,
        network_mib_per_second: 117.0,
        recommended_partitions: 1000,
    },
    BrokerThroughput {
        broker_type: "kafka.m7g.xlarge",
        storage_mib_per_second: 156.25,
        network_mib_per_second: 234.0,
        recommended_partitions: 1000,
    },
    BrokerThroughput {
        broker_type: "kafka.m7g.2xlarge",
        storage_mib_per_second: 312.5,
        network_mib_per_second: 469.0,
        recommended_partitions: 2000,
    },
    BrokerThroughput {
        broker_type: "kafka.m7g.4xlarge",
        storage_mib_per_second: 625.0,
        network_mib_per_second: 937.0,
        recommended_partitions: 4000,
    },
];
pub const THROUGHPUT_SOURCE: &str = "AWS Big Data Blog, Best practices for right-sizing your Apache Kafka clusters (Equation 1); per-type figures from AWS's msk_sizing.py (read 2026-12-01)";

/// A gp2/gp3 broker volume writes at most 250 MiB/s without provisioned storage throughput.
pub const VOLUME_MIB_PER_SECOND: f64 = 250.0;

pub fn broker_throughput(broker_type: &str) -> Option<&'static BrokerThroughput> {
    BROKER_THROUGHPUT.iter().find(|b| b.broker_type == broker_type)
}

/// What a cluster carries: client writes, how often each byte is stored and read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterLoad {
    pub ingress_mib: f64,
    /// The largest replication factor of its topics.
    pub replication: u32,
    pub consumer_groups: u32,
    /// Partition replicas over all topics (partitions × replication factor).
    pub partition_replicas: u32,
}

impl ClusterLoad {
    /// MiB/s each broker's disks must write (AWS's Equation 1: every byte `replication` times).
    pub fn storage_mib_per_broker(&self, brokers: u32) -> f64 {
        self.ingress_mib * f64::from(self.replication) / f64::from(brokers.max(1))
    }

    /// MiB/s each broker's network sends: one copy per extra replica and per consumer group.
    pub fn network_mib_per_broker(&self, brokers: u32) -> f64 {
        self.ingress_mib * f64::from(self.consumer_groups + self.replication.saturating_sub(1))
            / f64::from(brokers.max(1))
    }
}

impl BrokerThroughput {
    /// Disk writes one broker sustains: its EBS throughput, capped by the volume's.
    pub fn storage_limit(&self) -> f64 {
        self.storage_mib_per_second.min(VOLUME_MIB_PER_SECOND)
    }
}

/// Brokers a cluster needs (AWS's Equation 1 for storage and network, the recommended partitions
/// per broker, and at least one broker per replica), rounded up to the same number in each subnet.
pub fn brokers_for(load: ClusterLoad, broker: &BrokerThroughput, subnets: u32) -> u32 {
    let storage = load.storage_mib_per_broker(1) / broker.storage_limit();
    let network = load.network_mib_per_broker(1) / broker.network_mib_per_second;
    let partitions = f64::from(load.partition_replicas) / f64::from(broker.recommended_partitions);
    let needed = storage.max(network).max(partitions).ceil() as u32;
    let subnets = subnets.max(1);
    needed.max(load.replication).max(1).div_ceil(subnets) * subnets
}

/// Free space kept on each broker volume: MSK alerts at 60 % and 80 % disk use, and the storage
/// formula of AWS's MSK sizing guide adds 20 % headroom.
pub const STORAGE_HEADROOM: f64 = 1.2;
pub const STORAGE_SOURCE: &str =
    "aws/agent-toolkit-for-aws managing-amazon-msk size-and-choose-cluster.md, Step 4 (read 2026-12-01)";

/// GiB per broker to keep `ingress_mib` MiB/s for `retention_hours`, `replication` times over.
pub fn storage_gib_for(ingress_mib: f64, retention_hours: u32, replication: u32, brokers: u32) -> u32 {
    let written_gib = ingress_mib * 3600.0 * f64::from(retention_hours) / 1024.0;
    let per_broker = written_gib * f64::from(replication) * STORAGE_HEADROOM / f64::from(brokers.max(1));
    (per_broker.ceil() as u32).max(STORAGE_GIB.min as u32)
}

/// The retention Kafka applies to a topic that sets none (`log.retention.hours`).
pub const DEFAULT_RETENTION_HOURS: u32 = 168;
