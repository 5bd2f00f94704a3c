"""Glue streaming ETL: turn the website clickstream into per-product demand signals.

Whitepaper scenario 3 (Fast Sneakers): clickstream events arrive in a Kinesis stream that the Glue
Data Catalog describes as a table. Every micro-batch (window) is joined with the DynamoDB product
catalog and recent orders, and per-product demand -- views, cart adds, purchases, stock -- is
written to the `demand` DynamoDB table, whose stream triggers the pricing function.

Job arguments (pipe passes each connected table as --<component id>_table_name):
  --source_database, --source_table   catalog table over the Kinesis stream
  --catalog_table_name                DynamoDB product catalog (product_id, price, stock)
  --orders_table_name                 DynamoDB orders (order_id, product_id, quantity, ordered_at)
  --demand_table_name                 DynamoDB demand table (product_id), whose stream feeds repricing
  --checkpoint_location               s3:// prefix for streaming checkpoints
  --window_size                       micro-batch window, e.g. "100 seconds"
  --starting_position                 where a first run starts reading: LATEST or TRIM_HORIZON

The lookup tables are read at most every LOOKUP_REFRESH, not on every batch: a full read of a
growing orders table on each 100-second batch costs more with every day of history. A lookup
table that is still empty reads as no rows with the expected columns, so the joins give no demand
instead of failing the batch.
"""

import sys
import time
from datetime import datetime, timedelta, timezone

from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

ORDERS_LOOKBACK = timedelta(hours=24)
LOOKUP_REFRESH = timedelta(minutes=15)

CATALOG_COLUMNS = StructType([
    StructField("product_id", StringType()),
    StructField("price", DoubleType()),
    StructField("stock", LongType()),
])
ORDERS_COLUMNS = StructType([
    StructField("product_id", StringType()),
    StructField("quantity", LongType()),
    StructField("ordered_at", StringType()),
])


def conform(frame, columns):
    """`frame` with exactly `columns`, typed: a column it lacks (a table still empty has none) is
    null, so the joins below always find what they select."""
    present = set(frame.columns)
    return frame.select([
        (F.col(field.name) if field.name in present else F.lit(None)).cast(field.dataType).alias(field.name)
        for field in columns.fields
    ])


def demand_of(clicks, catalog, orders, now):
    """Per-product counts in this batch, with the catalog's current price and stock and the units
    ordered in the 24 hours before `now`."""
    counts = clicks.where(F.col("product_id").isNotNull()).groupBy("product_id").agg(
        F.sum(F.when(F.col("event_type") == "view", 1).otherwise(0)).alias("views"),
        F.sum(F.when(F.col("event_type") == "add_to_cart", 1).otherwise(0)).alias("cart_adds"),
        F.sum(F.when(F.col("event_type") == "purchase", 1).otherwise(0)).alias("purchases"),
        F.max("event_time").alias("last_event_time"),
    )
    since = (now - ORDERS_LOOKBACK).isoformat()
    orders = conform(orders, ORDERS_COLUMNS)
    recent_orders = (
        orders.where(F.col("ordered_at") >= F.lit(since))
        .groupBy("product_id")
        .agg(F.sum("quantity").alias("units_ordered_24h"))
    )
    return (
        counts.join(conform(catalog, CATALOG_COLUMNS), "product_id", "inner")
        .join(recent_orders, "product_id", "left")
        .fillna({"units_ordered_24h": 0})
        .withColumn("last_event_time", F.col("last_event_time").cast("string"))
        .withColumn("updated_at", F.lit(now.isoformat()))
    )


class Lookups:
    """The lookup tables, read again only when LOOKUP_REFRESH has passed since the last read."""

    def __init__(self, read, clock=time.monotonic):
        self.read, self.clock = read, clock
        self.frames, self.read_at = None, None

    def get(self):
        now = self.clock()
        if self.frames is None or now - self.read_at >= LOOKUP_REFRESH.total_seconds():
            if self.frames is not None:
                for frame in self.frames:
                    frame.unpersist()
            self.frames = tuple(frame.cache() for frame in self.read())
            self.read_at = now
        return self.frames


def main():
    from awsglue.context import GlueContext
    from awsglue.dynamicframe import DynamicFrame
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext

    args = getResolvedOptions(sys.argv, [
        "JOB_NAME", "source_database", "source_table", "catalog_table_name", "orders_table_name",
        "demand_table_name", "checkpoint_location", "window_size", "starting_position",
    ])
    glue_context = GlueContext(SparkContext.getOrCreate())
    job = Job(glue_context)
    job.init(args["JOB_NAME"], args)

    def read_dynamodb(table_name):
        return glue_context.create_dynamic_frame.from_options(
            connection_type="dynamodb",
            connection_options={"dynamodb.input.tableName": table_name, "dynamodb.throughput.read.percent": "0.5"},
        ).toDF()

    lookups = Lookups(lambda: (read_dynamodb(args["catalog_table_name"]), read_dynamodb(args["orders_table_name"])))

    def process_batch(batch, batch_id):
        if batch.rdd.isEmpty():
            return
        catalog, orders = lookups.get()
        demand = demand_of(batch, catalog, orders, datetime.now(timezone.utc))
        glue_context.write_dynamic_frame_from_options(
            frame=DynamicFrame.fromDF(demand, glue_context, f"demand-{batch_id}"),
            connection_type="dynamodb",
            connection_options={"dynamodb.output.tableName": args["demand_table_name"],
                                "dynamodb.throughput.write.percent": "1.0"},
        )

    clickstream = glue_context.create_data_frame.from_catalog(
        database=args["source_database"],
        table_name=args["source_table"],
        transformation_ctx="clickstream",
        additional_options={"startingPosition": args["starting_position"], "inferSchema": "false"},
    )
    glue_context.forEachBatch(
        frame=clickstream,
        batch_function=process_batch,
        options={"windowSize": args["window_size"], "checkpointLocation": args["checkpoint_location"]},
    )
    job.commit()


if __name__ == "__main__":
    main()
