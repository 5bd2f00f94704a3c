"""Detect anomalous truck temperatures with Flink SQL on Managed Service for Apache Flink.

Whitepaper scenario 4 (ABC4Logistics): temperature sensors on refrigerated trucks stream readings
to Kinesis. The whitepaper's Kinesis Data Analytics SQL application (RANDOM_CUT_FOREST) is retired;
this PyFlink job (Flink 1.20) does the same job with Flink SQL:
  * every reading is archived through the Firehose delivery stream to S3;
  * a reading is an anomaly when it leaves the cold-chain band, or when it is more than
    `zscore.threshold` standard deviations from its truck's mean over the last 10 minutes;
    anomalies go to the alerts Kinesis stream, which the notify function turns into SNS messages.

Runtime properties (property group "pipe"): pipe names each connected component as
<component id>.<attribute> -- readings.stream.arn (the source), alerts.stream.arn,
archive.delivery.stream.name -- next to aws.region and the blueprint's own properties
zscore.threshold, zscore.min.readings, zscore.min.stddev.celsius, cold.max.celsius, cold.min.celsius.

Connectors: the `kinesis` and `firehose` tables of flink-connector-aws 5.x for Flink 1.20
(`stream.arn`, `source.init.position`), packaged under lib/ of the application zip. Readings carry
their time as ISO-8601 UTC (`2026-12-05T10:00:00Z`), read as TIMESTAMP_LTZ; a reading that is not
valid JSON is skipped rather than failing the job.
"""

import json
import os

PROPERTIES_FILE = "/etc/flink/application_properties.json"
GROUP = "pipe"

READING = """truck_id STRING, driver_id STRING, sensor_id STRING, temperature_c DOUBLE,
    latitude DOUBLE, longitude DOUBLE, reading_time TIMESTAMP_LTZ(3)"""

ALERT = """truck_id STRING, driver_id STRING, sensor_id STRING, temperature_c DOUBLE,
    mean_c DOUBLE, zscore DOUBLE, reason STRING, severity STRING,
    latitude DOUBLE, longitude DOUBLE, reading_time TIMESTAMP_LTZ(3)"""

JSON = {"format": "json", "json.timestamp-format.standard": "ISO-8601"}


def properties():
    """The `pipe` property group; a local JSON file of the same shape when run outside AWS."""
    path = PROPERTIES_FILE if os.path.isfile(PROPERTIES_FILE) else os.environ.get("PIPE_PROPERTIES", "")
    with open(path, encoding="utf-8") as file:
        groups = json.load(file)
    return next(g["PropertyMap"] for g in groups if g["PropertyGroupId"] == GROUP)


def connectors(props):
    """Each table's connector options: all that differs between AWS and a local run."""
    region = props["aws.region"]
    return {
        "readings": {"connector": "kinesis", "stream.arn": props["readings.stream.arn"], "aws.region": region,
                     "source.init.position": "LATEST", **JSON, "json.ignore-parse-errors": "true"},
        "archive": {"connector": "firehose", "delivery-stream": props["archive.delivery.stream.name"],
                    "aws.region": region, **JSON},
        "alerts": {"connector": "kinesis", "stream.arn": props["alerts.stream.arn"], "aws.region": region, **JSON},
    }


def options(values):
    return ",\n        ".join(f"'{key}' = '{value}'" for key, value in values.items())


def tables(tables_options):
    """CREATE TABLE statements, with the given connector options."""
    return [
        f"""CREATE TABLE readings ({READING},
            WATERMARK FOR reading_time AS reading_time - INTERVAL '10' SECOND
        ) WITH ({options(tables_options["readings"])})""",
        f"CREATE TABLE archive ({READING}) WITH ({options(tables_options['archive'])})",
        # Alerts of one truck go to one shard, in order.
        f"CREATE TABLE alerts ({ALERT}) PARTITIONED BY (truck_id) WITH ({options(tables_options['alerts'])})",
    ]


def inserts(props):
    """The job: every reading archived, anomalies to the alerts stream.

    A reading's z-score is taken against its truck's other readings of the last 10 minutes (an
    OVER window always holds the current row, which would pull the mean towards it and cap the
    score at sqrt(n - 1)), once there are `zscore.min.readings` of them, with the spread floored
    at the sensors' resolution, `zscore.min.stddev.celsius`, so that a steady truck's noise is no
    anomaly.
    """
    threshold = float(props.get("zscore.threshold", "3.0"))
    cold_max = float(props.get("cold.max.celsius", "8.0"))
    cold_min = float(props.get("cold.min.celsius", "-25.0"))
    min_readings = int(props.get("zscore.min.readings", "5"))
    min_stddev = float(props.get("zscore.min.stddev.celsius", "0.5"))
    return [
        "INSERT INTO archive SELECT * FROM readings",
        f"""
        INSERT INTO alerts
        SELECT truck_id, driver_id, sensor_id, temperature_c, mean_c, zscore,
               CASE WHEN temperature_c > {cold_max} THEN 'above cold-chain band'
                    WHEN temperature_c < {cold_min} THEN 'below cold-chain band'
                    ELSE 'unusual for this truck' END AS reason,
               CASE WHEN temperature_c > {cold_max} + 4 OR ABS(zscore) > {threshold} * 2
                    THEN 'critical' ELSE 'warning' END AS severity,
               latitude, longitude, reading_time
        FROM (
            SELECT *,
                   CASE WHEN earlier >= {min_readings}
                        THEN (temperature_c - mean_c) / GREATEST(stddev_c, {min_stddev})
                        ELSE 0 END AS zscore
            FROM (
                SELECT *,
                       CASE WHEN earlier > 0 THEN (sum_c - temperature_c) / earlier ELSE temperature_c END AS mean_c,
                       CASE WHEN earlier > 0
                            THEN SQRT(GREATEST((squares_c - temperature_c * temperature_c) / earlier
                                 - POWER((sum_c - temperature_c) / earlier, 2), 0))
                            ELSE 0 END AS stddev_c
                FROM (
                    SELECT *,
                           COUNT(*) OVER last_10_minutes - 1 AS earlier,
                           SUM(temperature_c) OVER last_10_minutes AS sum_c,
                           SUM(temperature_c * temperature_c) OVER last_10_minutes AS squares_c
                    FROM readings
                    WINDOW last_10_minutes AS (
                        PARTITION BY truck_id ORDER BY reading_time
                        RANGE BETWEEN INTERVAL '10' MINUTE PRECEDING AND CURRENT ROW)
                )
            )
        )
        WHERE temperature_c > {cold_max} OR temperature_c < {cold_min} OR ABS(zscore) > {threshold}
        """,
    ]


def run(env, props, tables_options):
    """Creates the tables and submits the job on `env`; returns its TableResult."""
    for statement in tables(tables_options):
        env.execute_sql(statement)
    job = env.create_statement_set()
    for statement in inserts(props):
        job.add_insert_sql(statement)
    return job.execute()


def main():
    from pyflink.table import EnvironmentSettings, TableEnvironment

    props = properties()
    run(TableEnvironment.create(EnvironmentSettings.in_streaming_mode()), props, connectors(props))


if __name__ == "__main__":
    main()
