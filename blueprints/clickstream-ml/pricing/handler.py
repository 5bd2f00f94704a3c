"""Reprice products from demand signals with a SageMaker model.

Whitepaper scenario 3 (Fast Sneakers): the Glue streaming job writes per-product demand to a
DynamoDB table whose stream triggers this function. For each changed item it asks the pricing
model on a SageMaker endpoint for a price and, when the price moves by more than a threshold,
writes it to the product catalog -- conditionally, so a concurrent change is never overwritten.

Model input (text/csv, one row): current_price, stock, views, cart_adds, purchases, units_ordered_24h
Model output: the predicted price as a number.

A change that cannot be read (no price, a price that is not a number) is logged and skipped; a
failed call to the model or the catalog reports that change, from which Lambda retries the
batch, and leaves the rest to the retry.

Environment: PRICING_MODEL_ENDPOINT_NAME, CATALOG_TABLE_NAME, PRICE_CHANGE_THRESHOLD (default 0.02).
"""

import json
import logging
import os
from decimal import Decimal

import boto3
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

logger = logging.getLogger()
logger.setLevel(logging.INFO)

SAGEMAKER = boto3.client("sagemaker-runtime")
CATALOG = boto3.resource("dynamodb").Table(os.environ["CATALOG_TABLE_NAME"])
ENDPOINT = os.environ["PRICING_MODEL_ENDPOINT_NAME"]
THRESHOLD = float(os.environ.get("PRICE_CHANGE_THRESHOLD", "0.02"))
FEATURES = ["price", "stock", "views", "cart_adds", "purchases", "units_ordered_24h"]
DESERIALIZE = TypeDeserializer().deserialize


def predict_price(demand):
    row = ",".join(str(demand.get(name, 0)) for name in FEATURES)
    response = SAGEMAKER.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv", Body=row)
    return float(response["Body"].read().decode().strip().split(",")[0])


def reprice(demand):
    """Returns the new price, or None when the change is below the threshold."""
    current = float(demand["price"])
    predicted = round(predict_price(demand), 2)
    if current > 0 and abs(predicted - current) / current < THRESHOLD:
        return None
    try:
        CATALOG.update_item(
            Key={"product_id": demand["product_id"]},
            UpdateExpression="SET price = :new, price_updated_at = :at",
            ConditionExpression="price = :old",
            ExpressionAttributeValues={
                ":new": Decimal(str(predicted)),
                ":old": Decimal(str(demand["price"])),
                ":at": demand.get("updated_at", ""),
            },
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        logger.info(json.dumps({"event": "price_changed_meanwhile", "product_id": demand["product_id"]}))
        return None
    return predicted


def readable(demand):
    """Whether a change carries what repricing needs: a product and a numeric price."""
    try:
        return "product_id" in demand and float(demand["price"]) >= 0
    except (KeyError, TypeError, ValueError):
        return False


def handler(event, context):
    for record in event["Records"]:
        if record["eventName"] == "REMOVE":
            continue
        image = record["dynamodb"].get("NewImage", {})
        demand = {key: DESERIALIZE(value) for key, value in image.items()}
        sequence = record["dynamodb"]["SequenceNumber"]
        if not readable(demand):
            logger.error(json.dumps({"event": "bad_demand_skipped", "sequence": sequence, "product_id": str(demand.get("product_id"))}))
            continue
        try:
            new_price = reprice(demand)
        except (ClientError, ValueError) as error:
            logger.error(json.dumps({"event": "reprice_failed", "product_id": demand["product_id"], "error": str(error)}))
            return {"batchItemFailures": [{"itemIdentifier": sequence}]}
        if new_price is not None:
            logger.info(json.dumps({"event": "repriced", "product_id": demand["product_id"], "price": new_price}))
    return {"batchItemFailures": []}
