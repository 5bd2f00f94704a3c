//! Amazon MSK: brokers for the write, replication and consumer traffic, and storage per broker for
//! the topics' retention.

use crate::blueprint::graph::Graph;
use crate::blueprint::spec::msk::{MskCluster, MskDeployment};
use crate::diagnostic::{Rule, Severity};
use crate::limits::msk::{
    ClusterLoad, DEFAULT_RETENTION_HOURS, STORAGE_SOURCE, THROUGHPUT_SOURCE, broker_throughput, brokers_for,
    storage_gib_for,
};

use super::{Figure, Load, Need, Report};

pub static TOO_FEW_BROKERS: Rule = Rule {
    id: "msk::brokers-for-throughput",
    severity: Severity::Error,
    summary: "brokers carry the declared writes × replication, the consumers' reads and the partitions",
};
pub static TOO_LITTLE_STORAGE: Rule = Rule {
    id: "msk::storage-for-retention",
    severity: Severity::Error,
    summary: "storage per broker holds the declared writes × replication for the topics' retention, +20 %",
};

/// What the cluster carries, from the flow into it, its topics and its readers.
pub fn load(graph: &Graph, cluster: &MskCluster) -> Option<ClusterLoad> {
    let flow = graph.flow(&cluster.id)?;
    Some(ClusterLoad {
        ingress_mib: flow.kib_per_second / 1024.0,
        replication: replication(cluster),
        consumer_groups: graph.readers_of(&cluster.id).count() as u32,
        partition_replicas: cluster.topics.iter().map(|t| t.partitions * t.replication_factor).sum(),
    })
}

fn replication(cluster: &MskCluster) -> u32 {
    cluster.topics.iter().map(|t| t.replication_factor).max().unwrap_or(3)
}

fn retention_hours(cluster: &MskCluster) -> u32 {
    cluster
        .topics
        .iter()
        .map(|t| t.retention_hours.unwrap_or(DEFAULT_RETENTION_HOURS))
        .max()
        .unwrap_or(DEFAULT_RETENTION_HOURS)
}

fn subnets(cluster: &MskCluster) -> u32 {
    cluster.network.subnets.len() as u32
}

/// Brokers of a provisioned cluster.
pub fn brokers(graph: &Graph, cluster: &MskCluster) -> Option<Figure> {
    let declared = cluster.brokers?;
    let broker_type = cluster.broker_type.as_deref().unwrap_or_default();
    let minimum =
        replication(cluster).max(subnets(cluster)).max(1).div_ceil(subnets(cluster).max(1)) * subnets(cluster).max(1);
    let needed = match (load(graph, cluster), broker_throughput(broker_type)) {
        (None, _) => Err(super::no_flow("brokers")),
        (Some(_), None) => {
            Err(format!("pipe has no published throughput for `{broker_type}`, so it cannot size the brokers"))
        }
        (Some(load), Some(broker)) => Ok(Need {
            value: brokers_for(load, broker, subnets(cluster)),
            why: format!(
                "the largest of {:.1} MiB/s × replication {} ÷ {} MiB/s of disk writes per broker, {:.1} MiB/s × ({} consumer groups + {} replicas) ÷ {} MiB/s of network per broker, {} partition replicas ÷ {} per broker, and the replication factor; rounded up to a multiple of {} subnets",
                load.ingress_mib,
                load.replication,
                broker.storage_limit(),
                load.ingress_mib,
                load.consumer_groups,
                load.replication.saturating_sub(1),
                broker.network_mib_per_second,
                load.partition_replicas,
                broker.recommended_partitions,
                subnets(cluster),
            ),
        }),
    };
    Some(Figure { field: "brokers", unit: "brokers", rule: &TOO_FEW_BROKERS, declared, needed, fallback: minimum })
}

/// Storage per broker of a provisioned cluster, for `brokers` brokers.
pub fn storage(graph: &Graph, cluster: &MskCluster, brokers: u32) -> Option<Figure> {
    let declared = cluster.storage_gib?;
    let hours = retention_hours(cluster);
    let needed = match load(graph, cluster) {
        None => Err(super::no_flow("storage")),
        Some(load) => Ok(Need {
            value: storage_gib_for(load.ingress_mib, hours, load.replication, brokers),
            why: format!(
                "{:.2} MiB/s × {hours} h of retention × replication {} × 1.2 headroom ÷ {brokers} brokers",
                load.ingress_mib, load.replication
            ),
        }),
    };
    Some(Figure {
        field: "storage_gib",
        unit: "GiB per broker",
        rule: &TOO_LITTLE_STORAGE,
        declared,
        needed,
        fallback: 100,
    })
}

pub fn assess(graph: &Graph, cluster: &MskCluster, report: &mut Report) {
    if cluster.deployment == MskDeployment::Serverless {
        report.notes.push("MSK Serverless sizes itself".to_string());
        return;
    }
    let Some(brokers) = brokers(graph, cluster) else { return };
    let count = brokers.value();
    if let Some(storage) = storage(graph, cluster, count) {
        if let Some(load) = load(graph, cluster) {
            let written_gib = load.ingress_mib * 3600.0 * f64::from(retention_hours(cluster)) / 1024.0;
            let stored = written_gib * f64::from(load.replication) / f64::from(count.max(1));
            report.loads.push(Load::new(
                "disk per broker (retained data)",
                stored,
                f64::from(storage.value()),
                "GiB",
                STORAGE_SOURCE,
            ));
        }
        report.figures.push(storage);
    }
    if let (Some(load), Some(broker)) =
        (load(graph, cluster), cluster.broker_type.as_deref().and_then(broker_throughput))
    {
        report.loads.extend([
            Load::new(
                "broker disk writes",
                load.storage_mib_per_broker(count),
                broker.storage_limit(),
                "MiB/s",
                THROUGHPUT_SOURCE,
            ),
            Load::new(
                "broker network out",
                load.network_mib_per_broker(count),
                broker.network_mib_per_second,
                "MiB/s",
                THROUGHPUT_SOURCE,
            ),
            Load::new(
                "partitions per broker",
                f64::from(load.partition_replicas) / f64::from(count.max(1)),
                f64::from(broker.recommended_partitions),
                "partitions",
                "docs.aws.amazon.com/msk/latest/developerguide/bestpractices.html",
            ),
        ]);
    }
    report.figures.insert(0, brokers);
}
