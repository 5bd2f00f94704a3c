"""Detect anomalous truck temperatures with Flink SQL on Managed Service for Apache Flink.

Whitepaper scenario 4 (ABC4Logistics): temperature sensors on refrigerated trucks stream readings
to Kinesis. The whitepaper's Kinesis Data Analytics SQL application (RANDOM_CUT_FOREST) is retired;
this PyFlink job (Flink 1.20) does the same job with Flink SQL:
  * every reading is archived through the Firehose delivery stream to S3;
  * a reading is an anomaly when it leaves the cold-chain band, or when it is more than
    `zscore.threshold` standard deviations from its truck's mean over the last 10 minutes;
    anomalies go to the alerts Kinesis stream, which the notify function turns into SNS messages.

Runtime properties (property group "pipe"): pipe names each connected component as
<component id>.<attribute> -- readings.stream.name (the source), alerts.stream.name,
archive.delivery.stream.name -- next to aws.region and the blueprint's own properties
zscore.threshold, cold.max.celsius, cold.min.celsius.

The application zip needs the connector jars under lib/: flink-sql-connector-kinesis and
flink-connector-aws-kinesis-firehose (versions matching Flink 1.20).
"""

import json
import os

from pyflink.table import EnvironmentSettings, TableEnvironment

PROPERTIES_FILE = "/etc/flink/application_properties.json"
GROUP = "pipe"


def properties():
    """The `pipe` property group; a local JSON file of the same shape when run outside AWS."""
    path = PROPERTIES_FILE if os.path.isfile(PROPERTIES_FILE) else os.environ.get("PIPE_PROPERTIES", "")
    with open(path, encoding="utf-8") as file:
        groups = json.load(file)
    return next(g["PropertyMap"] for g in groups if g["PropertyGroupId"] == GROUP)


def main():
    props = properties()
    region = props["aws.region"]
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())

    env.execute_sql(f"""
        CREATE TABLE readings (
            truck_id STRING,
            driver_id STRING,
            sensor_id STRING,
            temperature_c DOUBLE,
            latitude DOUBLE,
            longitude DOUBLE,
            reading_time TIMESTAMP(3),
            WATERMARK FOR reading_time AS reading_time - INTERVAL '10' SECOND
        ) WITH (
            'connector' = 'kinesis',
            'stream' = '{props["readings.stream.name"]}',
            'aws.region' = '{region}',
            'scan.stream.initpos' = 'LATEST',
            'format' = 'json',
            'json.timestamp-format.standard' = 'ISO-8601'
        )""")

    env.execute_sql(f"""
        CREATE TABLE archive (
            truck_id STRING, driver_id STRING, sensor_id STRING, temperature_c DOUBLE,
            latitude DOUBLE, longitude DOUBLE, reading_time TIMESTAMP(3)
        ) WITH (
            'connector' = 'firehose',
            'delivery-stream' = '{props["archive.delivery.stream.name"]}',
            'aws.region' = '{region}',
            'format' = 'json'
        )""")

    env.execute_sql(f"""
        CREATE TABLE alerts (
            truck_id STRING, driver_id STRING, sensor_id STRING, temperature_c DOUBLE,
            mean_c DOUBLE, zscore DOUBLE, reason STRING, severity STRING,
            latitude DOUBLE, longitude DOUBLE, reading_time TIMESTAMP(3)
        ) PARTITIONED BY (truck_id) WITH (
            'connector' = 'kinesis',
            'stream' = '{props["alerts.stream.name"]}',
            'aws.region' = '{region}',
            'format' = 'json'
        )""")

    threshold = float(props.get("zscore.threshold", "3.0"))
    cold_max = float(props.get("cold.max.celsius", "8.0"))
    cold_min = float(props.get("cold.min.celsius", "-25.0"))

    statements = env.create_statement_set()
    statements.add_insert_sql("INSERT INTO archive SELECT * FROM readings")
    statements.add_insert_sql(f"""
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
                   CASE WHEN stddev_c > 0 THEN (temperature_c - mean_c) / stddev_c ELSE 0 END AS zscore
            FROM (
                SELECT *,
                       AVG(temperature_c) OVER last_10_minutes AS mean_c,
                       STDDEV_POP(temperature_c) OVER last_10_minutes AS stddev_c
                FROM readings
                WINDOW last_10_minutes AS (
                    PARTITION BY truck_id ORDER BY reading_time
                    RANGE BETWEEN INTERVAL '10' MINUTE PRECEDING AND CURRENT ROW)
            )
        )
        WHERE temperature_c > {cold_max} OR temperature_c < {cold_min} OR ABS(zscore) > {threshold}
    """)
    statements.execute()


if __name__ == "__main__":
    main()
