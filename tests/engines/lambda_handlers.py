"""Runs each shipped Lambda handler on events shaped as the Lambda developer guide documents them
(Kinesis and DynamoDB Streams records: lambda/latest/dg/with-kinesis.html, with-ddb.html), against
the local AWS endpoint, and checks what it wrote and the batch-item failures it answered.

Run by tests/engines.rs with the venv's Python (boto3 comes with the scanners) and
AWS_ENDPOINT_URL set; prints `handlers: N cases over M handlers` when all pass.
"""

import base64
import importlib.util
import json
import os
import unittest
import uuid
import urllib.request
from pathlib import Path

import boto3

import report

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"
REGION = os.environ.setdefault("AWS_DEFAULT_REGION", "eu-north-1")
ACCOUNT = "123456789012"


def client(service):
    return boto3.client(service, region_name=REGION)


def load(relative, environment):
    """Imports a handler module afresh with `environment` set, as Lambda starts a new runtime."""
    os.environ.update(environment)
    path = BLUEPRINTS / relative
    spec = importlib.util.spec_from_file_location(f"handler_{uuid.uuid4().hex}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def kinesis_event(payloads, stream_arn):
    """A Kinesis batch: each payload bytes, sequence numbers rising."""
    records = []
    for n, data in enumerate(payloads):
        sequence = f"4959046245848813346870093716200574{n:04d}"
        records.append({
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": str(n),
                "sequenceNumber": sequence,
                "data": base64.b64encode(data).decode(),
                "approximateArrivalTimestamp": 1764936000.0 + n,
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": f"shardId-000000000000:{sequence}",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT}:role/handler",
            "awsRegion": REGION,
            "eventSourceARN": stream_arn,
        })
    return {"Records": records}


def sequences(event):
    return [r["kinesis"]["sequenceNumber"] for r in event["Records"]]


def stream(name):
    kinesis = client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def read_all(name):
    kinesis = client("kinesis")
    shard = kinesis.list_shards(StreamName=name)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return [json.loads(r["Data"]) for r in kinesis.get_records(ShardIterator=iterator)["Records"]]


class Enrich(unittest.TestCase):
    """internet-offering: sign-ups in, one offer per sign-up out."""

    def setUp(self):
        self.offers = f"offers-{uuid.uuid4().hex[:8]}"
        stream(self.offers)
        self.handler = load("internet-offering/enrich/handler.py", {"OFFERS_STREAM_NAME": self.offers}).handler
        self.signups = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/signups"

    def signup(self, customer, postcode):
        body = {"customer_id": customer, "postcode": postcode, "latitude": 40.7, "longitude": -74.0,
                "signed_up_at": "2026-12-05T10:00:00Z"}
        return json.dumps(body).encode()

    def test_offers_are_written_and_unreadable_signups_skipped(self):
        event = kinesis_event([self.signup("c1", "10001"), b"not json", b'{"customer_id": "c3"}',
                               self.signup("c4", "99999")], self.signups)
        self.assertEqual(self.handler(event, None), {"batchItemFailures": []})
        offers = read_all(self.offers)
        self.assertEqual([(o["customer_id"], o["region"]) for o in offers], [("c1", "metro"), ("c4", "rural")])

    def test_a_failed_write_reports_the_first_signup_not_written(self):
        handler = load("internet-offering/enrich/handler.py", {"OFFERS_STREAM_NAME": "no-such-stream"}).handler
        event = kinesis_event([b"not json", self.signup("c2", "60601"), self.signup("c3", "80202")], self.signups)
        self.assertEqual(handler(event, None), {"batchItemFailures": [{"itemIdentifier": sequences(event)[1]}]})


class Notify(unittest.TestCase):
    """sensor-anomaly: one SNS message per alert, routed by its attributes."""

    def setUp(self):
        sns, sqs = client("sns"), client("sqs")
        self.topic = sns.create_topic(Name=f"alerts-{uuid.uuid4().hex[:8]}")["TopicArn"]
        self.queue = sqs.create_queue(QueueName=f"fleet-{uuid.uuid4().hex[:8]}")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=queue_arn)
        self.handler = load("sensor-anomaly/notify/handler.py", {"FLEET_ALERTS_TOPIC_ARN": self.topic}).handler
        self.alerts = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/alerts"

    def alert(self, truck, **changes):
        body = {"truck_id": truck, "driver_id": "d-7", "severity": "critical", "temperature_c": 9.5,
                "mean_c": 3.1, "reason": "above the recent mean", "reading_time": "2026-12-05T10:00:00",
                "latitude": 52.52, "longitude": 13.405}
        body.update(changes)
        return json.dumps(body).encode()

    def delivered(self):
        messages = client("sqs").receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10)["Messages"]
        return [json.loads(m["Body"]) for m in messages]

    def test_alerts_are_published_and_one_without_a_position_still_is(self):
        event = kinesis_event([self.alert("t-1"), b"{broken", self.alert("t-2", latitude=None)], self.alerts)
        self.assertEqual(self.handler(event, None), {"batchItemFailures": []})
        notes = {n["Subject"]: n["Message"] for n in self.delivered()}
        self.assertEqual(sorted(notes), ["[CRITICAL] Temperature anomaly on truck t-1",
                                         "[CRITICAL] Temperature anomaly on truck t-2"])
        self.assertIn("position 52.5200,13.4050", notes["[CRITICAL] Temperature anomaly on truck t-1"])
        self.assertIn("position unknown", notes["[CRITICAL] Temperature anomaly on truck t-2"])

    def test_a_refused_publish_reports_that_alert(self):
        missing = f"arn:aws:sns:{REGION}:{ACCOUNT}:no-such-topic"
        handler = load("sensor-anomaly/notify/handler.py", {"FLEET_ALERTS_TOPIC_ARN": missing}).handler
        event = kinesis_event([b"[]", self.alert("t-3"), self.alert("t-4")], self.alerts)
        self.assertEqual(handler(event, None), {"batchItemFailures": [{"itemIdentifier": sequences(event)[1]}]})


class Pricing(unittest.TestCase):
    """clickstream-ml: demand changes in, prices from the model written to the catalog."""

    def setUp(self):
        self.catalog = f"catalog-{uuid.uuid4().hex[:8]}"
        client("dynamodb").create_table(
            TableName=self.catalog,
            KeySchema=[{"AttributeName": "product_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "product_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client("dynamodb").put_item(TableName=self.catalog, Item={"product_id": {"S": "p-1"}, "price": {"N": "100"}})
        self.endpoint = f"pricing-{uuid.uuid4().hex[:8]}"
        self.module = load("clickstream-ml/pricing/handler.py", {
            "CATALOG_TABLE_NAME": self.catalog, "PRICING_MODEL_ENDPOINT_NAME": self.endpoint})

    def model_answers(self, *bodies):
        """What moto's SageMaker runtime answers, in order (moto's documented test hook)."""
        results = [{"Body": body, "ContentType": "text/csv"} for body in bodies]
        request = urllib.request.Request(
            f"{os.environ['AWS_ENDPOINT_URL']}/moto-api/static/sagemaker/endpoint-results",
            data=json.dumps({"account_id": ACCOUNT, "region": REGION, "results": results}).encode(),
            headers={"Content-Type": "application/json"}, method="POST")
        urllib.request.urlopen(request).read()

    @staticmethod
    def change(sequence, image, name="MODIFY"):
        return {"eventID": sequence, "eventName": name, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
                "awsRegion": REGION,
                "dynamodb": {"Keys": {"product_id": image["product_id"]}, "NewImage": image,
                             "SequenceNumber": sequence, "SizeBytes": 64, "StreamViewType": "NEW_IMAGE"},
                "eventSourceARN": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/demand/stream/2026-12-05T00:00:00.000"}

    def test_a_moved_price_is_written_and_unreadable_changes_skipped(self):
        self.model_answers("120.0")
        event = {"Records": [
            self.change("100", {"product_id": {"S": "p-0"}}),
            self.change("101", {"product_id": {"S": "p-1"}, "price": {"N": "100"}, "views": {"N": "40"}}),
            self.change("102", {"product_id": {"S": "p-2"}}, name="REMOVE"),
        ]}
        self.assertEqual(self.module.handler(event, None), {"batchItemFailures": []})
        item = client("dynamodb").get_item(TableName=self.catalog, Key={"product_id": {"S": "p-1"}})["Item"]
        self.assertEqual(float(item["price"]["N"]), 120.0)

    def test_a_model_that_answers_no_price_reports_that_change(self):
        self.model_answers("not a price")
        event = {"Records": [self.change("200", {"product_id": {"S": "p-1"}, "price": {"N": "100"}}),
                             self.change("201", {"product_id": {"S": "p-1"}, "price": {"N": "100"}})]}
        self.assertEqual(self.module.handler(event, None), {"batchItemFailures": [{"itemIdentifier": "200"}]})


if __name__ == "__main__":
    report.run(__name__, "handlers", "3 handlers (internet-offering, sensor-anomaly, clickstream-ml)")
