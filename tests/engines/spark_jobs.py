"""Runs clickstream-ml's Glue streaming transformation in PySpark 3.5 (Glue 5.0's Spark) on
fixture frames: the job's own `demand_of`, `conform` and `Lookups`, without the Glue APIs around
them (awsglue is not on PyPI; the job imports it only in `main`).

Run by tests/engines.rs with the engines venv's Python (tools/install-engines); prints
`spark: N cases over 1 job` when all pass.
"""

import importlib.util
import sys
import unittest
from datetime import datetime, timezone
from pathlib import Path

from pyspark.sql import SparkSession

JOB = Path(__file__).resolve().parents[2] / "blueprints/clickstream-ml/glue/clickstream_join.py"
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)


def load_job():
    spec = importlib.util.spec_from_file_location("clickstream_join", JOB)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ClickstreamJoin(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spark = (SparkSession.builder.master("local[1]").appName("pipe-engine-tests")
                     .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate())
        cls.job = load_job()

    @classmethod
    def tearDownClass(cls):
        cls.spark.stop()

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


if __name__ == "__main__":
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        sys.exit(1)
    print(f"spark: {result.testsRun} cases over 1 job (clickstream-ml)")
