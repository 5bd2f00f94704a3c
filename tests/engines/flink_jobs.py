"""Runs sensor-anomaly's Flink SQL job in PyFlink, with the Kinesis and Firehose tables swapped for
filesystem ones: only the connector options change (`connectors()` of the job), the tables, the
formats and the queries are the job's own. Known readings in, the alerts and the archive checked.

Run by tests/engines.rs with the engines venv's Python (tools/install-engines); prints
`flink: N cases over 1 job` when all pass.
"""

import importlib.util
import json
import tempfile
import unittest
from pathlib import Path

from pyflink.table import EnvironmentSettings, TableEnvironment

import report

JOB = Path(__file__).resolve().parents[2] / "blueprints/sensor-anomaly/flink/main.py"
PROPS = {
    "aws.region": "eu-west-1",
    "readings.stream.arn": "arn:aws:kinesis:eu-west-1:123456789012:stream/readings",
    "alerts.stream.arn": "arn:aws:kinesis:eu-west-1:123456789012:stream/alerts",
    "archive.delivery.stream.name": "archive",
    "zscore.threshold": "3.0",
}
# What names the AWS services in a connector's options; everything else (format, json.*) stays.
AWS_OPTIONS = {"connector", "stream.arn", "aws.region", "source.init.position", "delivery-stream"}


def load_job():
    spec = importlib.util.spec_from_file_location("sensor_anomaly_job", JOB)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def on_files(options, path):
    """The same table options with the AWS connector swapped for files under `path`."""
    kept = {key: value for key, value in options.items() if key not in AWS_OPTIONS}
    return {"connector": "filesystem", "path": str(path), **kept}


def reading(truck, celsius, at, **changes):
    body = {"truck_id": truck, "driver_id": f"d-{truck}", "sensor_id": "s-1", "temperature_c": celsius,
            "latitude": 52.52, "longitude": 13.405, "reading_time": at}
    body.update(changes)
    return json.dumps(body)


def rows(directory):
    """Every JSON line the filesystem sink committed under `directory`, with the partition columns
    it keeps in the directory names (`truck_id=t-1`) put back."""
    found = []
    for part in sorted(Path(directory).rglob("*")):
        if part.is_file() and not part.name.startswith("."):
            columns = dict(p.split("=", 1) for p in part.relative_to(directory).parts[:-1] if "=" in p)
            found.extend({**json.loads(line), **columns} for line in part.read_text().splitlines() if line.strip())
    return found


class SensorAnomaly(unittest.TestCase):
    def run_job(self, lines):
        job = load_job()
        work = Path(tempfile.mkdtemp())
        source = work / "readings.json"
        source.write_text("\n".join(lines) + "\n")
        tables = job.connectors(PROPS)
        tables = {
            "readings": on_files(tables["readings"], source),
            "archive": on_files(tables["archive"], work / "archive"),
            "alerts": on_files(tables["alerts"], work / "alerts"),
        }
        env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
        config = env.get_config()
        config.set("parallelism.default", "1")
        # The file sink commits on checkpoints; the last one comes when the bounded input ends.
        config.set("execution.checkpointing.interval", "1 s")
        job.run(env, PROPS, tables).wait()
        return rows(work / "alerts"), rows(work / "archive")

    def test_a_reading_above_the_band_alerts_and_unreadable_lines_are_skipped(self):
        lines = [reading("t-1", 3.0 + n * 0.1, f"2026-12-05T10:0{n}:00Z") for n in range(5)]
        lines += [
            "{not json",
            reading("t-2", 4.0, "2026-12-05T10:02:30Z"),
            reading("t-1", 12.5, "2026-12-05T10:06:00Z"),
            reading("t-2", 4.1, "2026-12-05T10:07:00Z", latitude=None),
        ]
        alerts, archive = self.run_job(lines)
        self.assertEqual(len(archive), 8, "every readable reading is archived, the broken line skipped")
        self.assertEqual([(a["truck_id"], a["temperature_c"], a["reason"], a["severity"]) for a in alerts],
                         [("t-1", 12.5, "above cold-chain band", "critical")])
        self.assertEqual(alerts[0]["reading_time"], "2026-12-05T10:06:00Z", "times stay ISO-8601 UTC")

    def test_a_sudden_jump_inside_the_band_alerts_as_unusual(self):
        steady = [reading("t-3", -18.0 + (n % 2) * 0.2, f"2026-12-05T11:0{n}:00Z") for n in range(9)]
        jump = reading("t-3", -10.0, "2026-12-05T11:09:30Z")
        alerts, _ = self.run_job(steady + [jump])
        self.assertEqual([(a["truck_id"], a["reason"]) for a in alerts], [("t-3", "unusual for this truck")])


if __name__ == "__main__":
    report.run(__name__, "flink", "1 job (sensor-anomaly)")
