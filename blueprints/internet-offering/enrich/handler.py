"""Enrich new sign-ups with the bandwidth options available at the customer's location.

Whitepaper scenario 1 (InternetProvider): the sign-up app writes each new customer's details and
location to the `signups` Kinesis stream. This function, triggered by the stream's event source
mapping, looks up the bandwidth plans offered there -- kept in this module, as the whitepaper
describes -- and publishes one offer per sign-up to the `offers` stream, which the app reads.

A sign-up that cannot be read (not JSON, a field missing) is logged and skipped: retrying it
would fail again and re-send every later record of the batch. When writing the offers fails,
the function reports the first sign-up not written, from which Lambda retries the batch.

Environment: OFFERS_STREAM_NAME (set by pipe from the blueprint's `to:`).
"""

import base64
import json
import logging
import os
import time

import boto3
from botocore.exceptions import ClientError

logger = logging.getLogger()
logger.setLevel(logging.INFO)

KINESIS = boto3.client("kinesis")
OFFERS_STREAM = os.environ["OFFERS_STREAM_NAME"]
MAX_PUT_ATTEMPTS = 3

# Plans by region, chosen from the first letters of the postcode. Speeds in Mbit/s, prices in USD.
BANDWIDTH_BY_REGION = {
    "metro": [
        {"plan": "fiber-1000", "down": 1000, "up": 1000, "monthly_price": 79.0},
        {"plan": "fiber-500", "down": 500, "up": 500, "monthly_price": 59.0},
        {"plan": "cable-200", "down": 200, "up": 20, "monthly_price": 39.0},
    ],
    "suburban": [
        {"plan": "cable-400", "down": 400, "up": 40, "monthly_price": 55.0},
        {"plan": "cable-200", "down": 200, "up": 20, "monthly_price": 39.0},
    ],
    "rural": [
        {"plan": "fixed-wireless-100", "down": 100, "up": 10, "monthly_price": 49.0},
        {"plan": "satellite-50", "down": 50, "up": 5, "monthly_price": 69.0},
    ],
}
REGION_BY_POSTCODE_PREFIX = {"10": "metro", "11": "metro", "94": "metro", "60": "suburban", "80": "suburban"}
DEFAULT_REGION = "rural"


def region_for(postcode):
    return REGION_BY_POSTCODE_PREFIX.get(str(postcode)[:2], DEFAULT_REGION)


def offer_for(signup):
    region = region_for(signup["postcode"])
    return {
        "customer_id": signup["customer_id"],
        "region": region,
        "location": {"latitude": signup["latitude"], "longitude": signup["longitude"]},
        "options": BANDWIDTH_BY_REGION[region],
        "signed_up_at": signup["signed_up_at"],
    }


def put_offers(entries):
    """PutRecords, retrying only the entries Kinesis rejected. Returns the entries that still failed."""
    pending = entries
    for attempt in range(MAX_PUT_ATTEMPTS):
        if not pending:
            return []
        try:
            response = KINESIS.put_records(
                StreamName=OFFERS_STREAM,
                Records=[{"Data": e["data"], "PartitionKey": e["key"]} for e in pending],
            )
        except ClientError as error:
            logger.error(json.dumps({"event": "put_failed", "error": str(error)}))
            return pending
        pending = [e for e, result in zip(pending, response["Records"]) if "ErrorCode" in result]
        if pending:
            time.sleep(0.1 * 2**attempt)
    return pending


def handler(event, context):
    entries = []
    skipped = 0
    for record in event["Records"]:
        sequence = record["kinesis"]["sequenceNumber"]
        try:
            signup = json.loads(base64.b64decode(record["kinesis"]["data"]))
            offer = offer_for(signup)
        except (ValueError, KeyError, TypeError) as error:
            logger.error(json.dumps({"event": "bad_signup_skipped", "sequence": sequence, "error": str(error)}))
            skipped += 1
            continue
        entries.append({"sequence": sequence, "key": str(offer["customer_id"]), "data": json.dumps(offer)})

    # PutRecords takes at most 500 records per call. Lambda retries a stream batch from the lowest
    # sequence number reported, so the first entry not written is the one to report.
    for start in range(0, len(entries), 500):
        failed = put_offers(entries[start:start + 500])
        if failed:
            first = min(failed, key=lambda e: int(e["sequence"]))
            logger.info(json.dumps({"event": "batch", "records": len(event["Records"]), "skipped": skipped, "retry_from": first["sequence"]}))
            return {"batchItemFailures": [{"itemIdentifier": first["sequence"]}]}

    logger.info(json.dumps({"event": "batch", "records": len(event["Records"]), "skipped": skipped}))
    return {"batchItemFailures": []}
