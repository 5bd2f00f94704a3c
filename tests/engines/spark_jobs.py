"""Runs the scenarios' Spark code in PySpark 3.5 on fixture frames:
  * clickstream-ml's Glue streaming transformation (Glue 5.0 runs Spark 3.5.4): the job's own
    `demand_of`, `conform` and `Lookups`, without the Glue APIs around them (awsglue is not on
    PyPI; the job imports it only in `main`);
  * kafka-telemetry's EMR job (EMR 7.5 runs Spark 3.5.2): `parse` on the very records the sample
    producer writes, `per_cab_minutes`, and the OpenSearch writer's options.

Run by tests/engines.rs with the engines venv's Python (tools/install-engines); prints
`spark: N cases over 1 job` when all pass.
"""

import importlib.util
import json
import unittest
from datetime import datetime, timezone
from pathlib import Path

from pyspark.sql import SparkSession

import report

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"
JOB = BLUEPRINTS / "clickstream-ml/glue/clickstream_join.py"
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_job():
    return load(JOB, "clickstream_join")


def session():
    return (SparkSession.builder.master("local[1]").appName("pipe-engine-tests")
            .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
            .config("spark.sql.session.timeZone", "UTC").getOrCreate())


class ClickstreamJoin(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spark = session()
        cls.job = load_job()

    def clicks(self, *rows):
        return self.spark.createDataFrame(list(rows), "event_type string, product_id string, event_time string")

    def demand(self, clicks, catalog, orders):
        return {r["product_id"]: r.asDict() for r in self.job.demand_of(clicks, catalog, orders, NOW).collect()}

    def test_counts_join_the_catalog_and_the_last_day_of_orders(self):
        clicks = self.clicks(("view", "p-1", "2026-12-05T11:59:00Z"), ("view", "p-1", "2026-12-05T11:59:30Z"),
                             ("add_to_cart", "p-1", "2026-12-05T11:59:40Z"), ("purchase", "p-2", "2026-12-05T11:58:00Z"),
                             ("view", None, "2026-12-05T11:58:00Z"))
        catalog = self.spark.createDataFrame([("p-1", 100.0, 7), ("p-2", 20.0, 0)], "product_id string, price double, stock long")
        orders = self.spark.createDataFrame(
            [("o-1", "p-1", 2, "2026-12-05T10:00:00+00:00"), ("o-2", "p-1", 5, "2026-12-03T10:00:00+00:00")],
            "order_id string, product_id string, quantity long, ordered_at string")
        demand = self.demand(clicks, catalog, orders)
        self.assertEqual(sorted(demand), ["p-1", "p-2"])
        self.assertEqual((demand["p-1"]["views"], demand["p-1"]["cart_adds"], demand["p-1"]["purchases"]), (2, 1, 0))
        self.assertEqual(demand["p-1"]["units_ordered_24h"], 2, "the order two days old is out of the window")
        self.assertEqual(demand["p-2"]["units_ordered_24h"], 0)
        self.assertEqual((demand["p-1"]["price"], demand["p-1"]["stock"]), (100.0, 7))

    def test_empty_lookup_tables_give_no_demand_instead_of_failing(self):
        clicks = self.clicks(("view", "p-1", "2026-12-05T11:59:00Z"))
        # DynamoDB reads of empty tables give frames without columns.
        empty = self.spark.createDataFrame([], "struct<>")
        self.assertEqual(self.demand(clicks, empty, empty), {})
        catalog = self.spark.createDataFrame([("p-1", 100.0, 7)], "product_id string, price double, stock long")
        self.assertEqual(self.demand(clicks, catalog, empty)["p-1"]["units_ordered_24h"], 0)

    def test_lookups_are_read_again_only_after_the_refresh_interval(self):
        reads, now = [], [0.0]

        def read():
            reads.append(now[0])
            return (self.spark.createDataFrame([], "struct<>"), self.spark.createDataFrame([], "struct<>"))

        lookups = self.job.Lookups(read, clock=lambda: now[0])
        for now[0] in (0.0, 100.0, 800.0, 900.0, 1000.0):
            lookups.get()
        self.assertEqual(reads, [0.0, 900.0], "batches every 100 s read the tables once per 15 minutes")


class KafkaTelemetry(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spark = session()
        cls.job = load(BLUEPRINTS / "kafka-telemetry/spark/telemetry_stream.py", "telemetry_stream")
        cls.producer = load(BLUEPRINTS / "kafka-telemetry/producer/telemetry_producer.py", "telemetry_producer")

    def records(self, events):
        """Kafka records as Spark's kafka source gives them: the value as bytes."""
        return self.spark.createDataFrame([(json.dumps(e).encode(),) for e in events], "value binary")

    def test_the_job_reads_what_the_producer_writes(self):
        state = {"driver": "driver-0001", "trip": "trip-0001-1", "speed": 30.0, "lat": 40.75, "lon": -73.98, "fuel": 100.0}
        written = [self.producer.event("cab-0001", state) for _ in range(3)]
        written.append({**written[0], "event_time": "2026-12-05T10:00:00+00:00"})
        events = self.job.parse(self.records(written) .union(self.spark.createDataFrame([(b"not json",)], "value binary"))).collect()
        self.assertEqual(len(events), 4, "every event parses, the broken record is dropped")
        self.assertTrue(all(e["event_time"] is not None and e["cab_id"] == "cab-0001" for e in events))

    def test_minutes_per_cab_count_harsh_braking(self):
        def at(second, speed):
            return {"cab_id": "cab-7", "driver_id": "d-7", "trip_id": "t", "speed_kmh": speed, "latitude": 1.0 + second,
                    "longitude": 2.0, "fuel_level": 50.0 - second, "event_time": f"2026-12-05T10:00:{second:02d}+00:00"}
        events = self.job.parse(self.records([at(0, 80.0), at(20, 50.0), at(40, 40.0)]))
        [minute] = self.job.per_cab_minutes(events).collect()
        self.assertEqual(minute["doc_id"], "cab-7-202612051000")
        self.assertEqual((minute["max_speed_kmh"], minute["harsh_braking"], minute["events"]), (80.0, 1, 3))
        self.assertEqual((minute["location"]["lat"], minute["fuel_level"]), (41.0, 10.0), "the last position, the lowest fuel")

    def test_requests_are_signed_for_the_domains_region(self):
        options = self.job.opensearch_options("vpc-kt-dashboards-abc123.eu-central-1.es.amazonaws.com")
        self.assertEqual(options["opensearch.aws.sigv4.region"], "eu-central-1")
        with self.assertRaises(ValueError):
            self.job.opensearch_options("search.example.com")


if __name__ == "__main__":
    report.run(__name__, "spark", "2 jobs (clickstream-ml, kafka-telemetry)")
