"""Notify the driver and the fleet team of temperature anomalies.

Whitepaper scenario 4 (ABC4Logistics): the Flink job writes anomalous readings to the alerts
stream. For each alert this function publishes an SNS message whose attributes (truck_id,
driver_id, severity) let subscription filter policies route it: the driver's phone receives
critical alerts, the fleet team every alert.

An alert that cannot be read is logged and skipped (a retry would fail the same way and re-send
the batch's later alerts); one without a position is still sent. When SNS refuses a publish,
the function reports that alert, from which Lambda retries, and leaves the rest to the retry.

Environment: FLEET_ALERTS_TOPIC_ARN (set by pipe from the blueprint's `to:`).
"""

import base64
import json
import logging
import os

import boto3
from botocore.exceptions import ClientError

logger = logging.getLogger()
logger.setLevel(logging.INFO)

SNS = boto3.client("sns")
TOPIC_ARN = os.environ["FLEET_ALERTS_TOPIC_ARN"]


def position(alert):
    latitude, longitude = alert.get("latitude"), alert.get("longitude")
    if latitude is None or longitude is None:
        return "position unknown"
    return f"position {float(latitude):.4f},{float(longitude):.4f}"


def message_for(alert):
    return (
        f"Truck {alert['truck_id']}: {float(alert['temperature_c']):.1f} °C is {alert['reason']} "
        f"(recent mean {float(alert['mean_c']):.1f} °C) at {alert['reading_time']}, "
        f"{position(alert)}. Check the cargo and the cooling unit."
    )


def notification(alert):
    """The publish request for an alert; raises ValueError, KeyError or TypeError for one unreadable."""
    attributes = {
        name: {"DataType": "String", "StringValue": str(alert[name])}
        for name in ("truck_id", "driver_id", "severity")
    }
    return {
        "TopicArn": TOPIC_ARN,
        "Subject": f"[{str(alert['severity']).upper()}] Temperature anomaly on truck {alert['truck_id']}",
        "Message": message_for(alert),
        "MessageAttributes": attributes,
    }


def handler(event, context):
    for record in event["Records"]:
        sequence = record["kinesis"]["sequenceNumber"]
        try:
            request = notification(json.loads(base64.b64decode(record["kinesis"]["data"])))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            logger.error(json.dumps({"event": "bad_alert_skipped", "sequence": sequence, "error": str(error)}))
            continue
        try:
            SNS.publish(**request)
        except ClientError as error:
            logger.error(json.dumps({"event": "alert_not_sent", "sequence": sequence, "error": str(error)}))
            return {"batchItemFailures": [{"itemIdentifier": sequence}]}
    return {"batchItemFailures": []}
