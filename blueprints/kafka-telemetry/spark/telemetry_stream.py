"""Aggregate cab telemetry from MSK into OpenSearch with Spark Structured Streaming on EMR.

Whitepaper scenario 5 (ABC1Cabs): cab telemetry producers write JSON events to an MSK topic. This
job reads the topic with IAM authentication, computes one-minute windows per cab (average and top
speed, harsh braking, fuel, last position) and indexes them into Amazon OpenSearch Service, where
OpenSearch Dashboards shows the fleet live.

Each micro-batch is indexed with the connector's batch writer (foreachBatch): opensearch-spark-30
1.2.0 writes batches on Spark 3.5, not streams. Requests are signed with SigV4 for the domain's
own Region, read from its endpoint. Event times are ISO-8601 with an offset, as the producer writes
them (`2026-12-05T10:00:00.123456+00:00`); a record that is not an event is dropped.

Submit as an EMR step (pipe does) with the MSK IAM auth library and the OpenSearch connector:
  spark-submit --packages org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.1,\
software.amazon.msk:aws-msk-iam-auth:2.2.0,org.opensearch.client:opensearch-spark-30_2.12:1.2.0 \
    telemetry_stream.py --telemetry_cluster_arn ... --telemetry_topic ... \
    --dashboards_endpoint ... --checkpoint_location s3://.../checkpoints/

pipe passes each connected component as --<component id>_<attribute>: the `telemetry` cluster
and the topic read from it, and the `dashboards` domain's endpoint.
"""

import argparse

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, StringType, StructField, StructType, TimestampType

TELEMETRY = StructType(
    [
        StructField("cab_id", StringType()),
        StructField("driver_id", StringType()),
        StructField("trip_id", StringType()),
        StructField("speed_kmh", DoubleType()),
        StructField("latitude", DoubleType()),
        StructField("longitude", DoubleType()),
        StructField("fuel_level", DoubleType()),
        StructField("event_time", TimestampType()),
    ]
)
# A drop of more than this many km/h between consecutive events counts as harsh braking.
HARSH_BRAKING_KMH = 25.0


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    brokers = parser.add_mutually_exclusive_group(required=True)
    brokers.add_argument("--bootstrap_servers", help="MSK bootstrap brokers for IAM (port 9098)")
    brokers.add_argument("--telemetry_cluster_arn", help="look the IAM bootstrap brokers up from the cluster")
    parser.add_argument("--telemetry_topic", required=True)
    parser.add_argument("--dashboards_endpoint", required=True, help="domain endpoint, without https://")
    parser.add_argument("--index", help="index written to; the topic's name when omitted")
    parser.add_argument("--checkpoint_location", required=True)
    return parser.parse_args()


def bootstrap_servers(args):
    if args.bootstrap_servers:
        return args.bootstrap_servers
    import boto3  # on EMR; only needed to resolve a cluster ARN

    region = args.telemetry_cluster_arn.split(":")[3]
    brokers = boto3.client("kafka", region_name=region).get_bootstrap_brokers(ClusterArn=args.telemetry_cluster_arn)
    return brokers["BootstrapBrokerStringSaslIam"]


def read_telemetry(spark, args):
    raw = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", bootstrap_servers(args))
        .option("subscribe", args.telemetry_topic)
        .option("startingOffsets", "latest")
        .option("kafka.security.protocol", "SASL_SSL")
        .option("kafka.sasl.mechanism", "AWS_MSK_IAM")
        .option("kafka.sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;")
        .option("kafka.sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler")
        .load()
    )
    return parse(raw)


def parse(raw):
    """Telemetry events from Kafka records' values; a value that is not an event is dropped."""
    events = raw.select(
        F.from_json(F.col("value").cast("string"), TELEMETRY).alias("event")
    ).select("event.*")
    return events.where(F.col("cab_id").isNotNull() & F.col("event_time").isNotNull())


def per_cab_minutes(events):
    return (
        events.withWatermark("event_time", "2 minutes")
        .groupBy(F.window("event_time", "1 minute"), "cab_id")
        .agg(
            F.avg("speed_kmh").alias("avg_speed_kmh"),
            F.max("speed_kmh").alias("max_speed_kmh"),
            (F.max("speed_kmh") - F.min("speed_kmh") > HARSH_BRAKING_KMH).cast("int").alias("harsh_braking"),
            F.min("fuel_level").alias("fuel_level"),
            F.max_by("latitude", "event_time").alias("latitude"),
            F.max_by("longitude", "event_time").alias("longitude"),
            F.max_by("driver_id", "event_time").alias("driver_id"),
            F.count(F.lit(1)).alias("events"),
        )
        .select(
            F.concat_ws("-", "cab_id", F.date_format("window.start", "yyyyMMddHHmm")).alias("doc_id"),
            "cab_id",
            "driver_id",
            F.col("window.start").alias("window_start"),
            F.col("window.end").alias("window_end"),
            "avg_speed_kmh",
            "max_speed_kmh",
            "harsh_braking",
            "fuel_level",
            F.struct(F.col("latitude").alias("lat"), F.col("longitude").alias("lon")).alias("location"),
            "events",
        )
    )


def region_of(endpoint):
    """The Region in a domain endpoint: `vpc-name-id.<region>.es.amazonaws.com`."""
    labels = endpoint.split(".")
    if len(labels) < 4 or labels[-3:] != ["es", "amazonaws", "com"]:
        raise ValueError(f"not an OpenSearch Service endpoint: {endpoint}")
    return labels[-4]


def opensearch_options(endpoint):
    return {
        "opensearch.nodes": endpoint,
        "opensearch.port": "443",
        "opensearch.net.ssl": "true",
        "opensearch.nodes.wan.only": "true",
        "opensearch.aws.sigv4.enabled": "true",
        "opensearch.aws.sigv4.region": region_of(endpoint),
        "opensearch.mapping.id": "doc_id",
        "opensearch.write.operation": "upsert",
    }


def main():
    args = arguments()
    spark = SparkSession.builder.appName("cab-telemetry").getOrCreate()
    options = opensearch_options(args.dashboards_endpoint)
    index = args.index or args.telemetry_topic

    def index_batch(batch, _batch_id):
        batch.write.format("opensearch").options(**options).mode("append").save(index)

    query = (
        per_cab_minutes(read_telemetry(spark, args))
        .writeStream.outputMode("update")
        .foreachBatch(index_batch)
        .option("checkpointLocation", args.checkpoint_location)
        .start()
    )
    query.awaitTermination()


if __name__ == "__main__":
    main()
