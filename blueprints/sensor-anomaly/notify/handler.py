"""Notify the driver and the fleet team of temperature anomalies.

Whitepaper scenario 4 (ABC4Logistics): the Flink job writes anomalous readings to the alerts
stream. For each alert this function publishes an SNS message whose attributes (truck_id,
driver_id, severity) let subscription filter policies route it: the driver's phone receives
critical alerts, the fleet team every alert.

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


def message_for(alert):
    return (
        f"Truck {alert['truck_id']}: {alert['temperature_c']:.1f} °C is {alert['reason']} "
        f"(recent mean {alert['mean_c']:.1f} °C) at {alert['reading_time']}, "
        f"position {alert['latitude']:.4f},{alert['longitude']:.4f}. Check the cargo and the cooling unit."
    )


def publish(alert):
    attributes = {
        name: {"DataType": "String", "StringValue": str(alert[name])}
        for name in ("truck_id", "driver_id", "severity")
    }
    SNS.publish(
        TopicArn=TOPIC_ARN,
        Subject=f"[{alert['severity'].upper()}] Temperature anomaly on truck {alert['truck_id']}",
        Message=message_for(alert),
        MessageAttributes=attributes,
    )


def handler(event, context):
    failures = []
    for record in event["Records"]:
        sequence = record["kinesis"]["sequenceNumber"]
        try:
            alert = json.loads(base64.b64decode(record["kinesis"]["data"]))
            publish(alert)
        except (ValueError, KeyError, TypeError, ClientError) as error:
            logger.error(json.dumps({"event": "alert_not_sent", "sequence": sequence, "error": str(error)}))
            failures.append(sequence)
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failures]}
