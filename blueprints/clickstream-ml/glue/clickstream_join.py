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
"""

import sys
from datetime import datetime, timedelta, timezone

from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import functions as F

ARGS = getResolvedOptions(
    sys.argv,
    [
        "JOB_NAME",
        "source_database",
        "source_table",
        "catalog_table_name",
        "orders_table_name",
        "demand_table_name",
        "checkpoint_location",
        "window_size",
    ],
)
ORDERS_LOOKBACK = timedelta(hours=24)

glue_context = GlueContext(SparkContext.getOrCreate())
spark = glue_context.spark_session
job = Job(glue_context)
job.init(ARGS["JOB_NAME"], ARGS)


def read_dynamodb(table_name):
    frame = glue_context.create_dynamic_frame.from_options(
        connection_type="dynamodb",
        connection_options={"dynamodb.input.tableName": table_name, "dynamodb.throughput.read.percent": "0.5"},
    )
    return frame.toDF()


def demand_of(clicks, catalog, orders):
    """Per-product counts in this batch, with the catalog's current price and stock."""
    counts = clicks.groupBy("product_id").agg(
        F.sum(F.when(F.col("event_type") == "view", 1).otherwise(0)).alias("views"),
        F.sum(F.when(F.col("event_type") == "add_to_cart", 1).otherwise(0)).alias("cart_adds"),
        F.sum(F.when(F.col("event_type") == "purchase", 1).otherwise(0)).alias("purchases"),
        F.max("event_time").alias("last_event_time"),
    )
    since = (datetime.now(timezone.utc) - ORDERS_LOOKBACK).isoformat()
    recent_orders = (
        orders.where(F.col("ordered_at") >= F.lit(since))
        .groupBy("product_id")
        .agg(F.sum("quantity").alias("units_ordered_24h"))
    )
    return (
        counts.join(catalog.select("product_id", "price", "stock"), "product_id", "inner")
        .join(recent_orders, "product_id", "left")
        .fillna({"units_ordered_24h": 0})
        .withColumn("last_event_time", F.col("last_event_time").cast("string"))
        .withColumn("updated_at", F.lit(datetime.now(timezone.utc).isoformat()))
    )


def process_batch(batch, batch_id):
    if batch.rdd.isEmpty():
        return
    clicks = batch.where(F.col("product_id").isNotNull())
    demand = demand_of(clicks, read_dynamodb(ARGS["catalog_table_name"]), read_dynamodb(ARGS["orders_table_name"]))
    glue_context.write_dynamic_frame_from_options(
        frame=DynamicFrame.fromDF(demand, glue_context, f"demand-{batch_id}"),
        connection_type="dynamodb",
        connection_options={"dynamodb.output.tableName": ARGS["demand_table_name"], "dynamodb.throughput.write.percent": "1.0"},
    )


clickstream = glue_context.create_data_frame.from_catalog(
    database=ARGS["source_database"],
    table_name=ARGS["source_table"],
    transformation_ctx="clickstream",
    additional_options={"startingPosition": "TRIM_HORIZON", "inferSchema": "false"},
)

glue_context.forEachBatch(
    frame=clickstream,
    batch_function=process_batch,
    options={"windowSize": ARGS["window_size"], "checkpointLocation": ARGS["checkpoint_location"]},
)
job.commit()
