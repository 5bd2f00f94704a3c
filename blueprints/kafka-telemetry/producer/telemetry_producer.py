"""Example cab telemetry producer for the MSK topic, with IAM authentication.

Whitepaper scenario 5 (ABC1Cabs). Uses kafka-python and aws-msk-iam-sasl-signer-python, at the
versions pipe's tests run it with (tools/engines.txt):
  pip install kafka-python==3.0.12 aws-msk-iam-sasl-signer-python==1.0.2
  python telemetry_producer.py --bootstrap-servers b-1...:9098 --topic cab-telemetry --region us-east-1
Events are keyed by cab_id so each cab's events stay in order on one partition.
"""

import argparse
import json
import random
import time
from datetime import datetime, timezone

from aws_msk_iam_sasl_signer import MSKAuthTokenProvider
from kafka import KafkaProducer
from kafka.net.sasl.oauth import AbstractTokenProvider

# A token is renewed this long before it expires.
RENEW_BEFORE_MS = 60_000


class IamToken(AbstractTokenProvider):
    """MSK IAM tokens for SASL/OAUTHBEARER, reused until shortly before they expire: kafka-python
    asks for one on every connection."""

    def __init__(self, region, clock=time.time):
        super().__init__()
        self.region, self.clock = region, clock
        self.current, self.expires_ms = None, 0

    def token(self):
        if self.current is None or self.clock() * 1000 >= self.expires_ms - RENEW_BEFORE_MS:
            self.current, self.expires_ms = MSKAuthTokenProvider.generate_auth_token(self.region)
        return self.current


def event(cab_id, state):
    state["speed"] = max(0.0, min(130.0, state["speed"] + random.uniform(-15, 12)))
    state["lat"] += random.uniform(-0.0005, 0.0005)
    state["lon"] += random.uniform(-0.0005, 0.0005)
    state["fuel"] = max(0.0, state["fuel"] - 0.01)
    return {
        "cab_id": cab_id,
        "driver_id": state["driver"],
        "trip_id": state["trip"],
        "speed_kmh": round(state["speed"], 1),
        "latitude": round(state["lat"], 6),
        "longitude": round(state["lon"], 6),
        "fuel_level": round(state["fuel"], 2),
        "event_time": datetime.now(timezone.utc).isoformat(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--topic", default="cab-telemetry")
    parser.add_argument("--region", required=True)
    parser.add_argument("--cabs", type=int, default=50)
    args = parser.parse_args()

    producer = KafkaProducer(
        bootstrap_servers=args.bootstrap_servers,
        security_protocol="SASL_SSL",
        sasl_mechanism="OAUTHBEARER",
        sasl_oauth_token_provider=IamToken(args.region),
        key_serializer=str.encode,
        value_serializer=lambda value: json.dumps(value).encode(),
        acks="all",
        linger_ms=50,
    )
    cabs = {
        f"cab-{n:04d}": {"driver": f"driver-{n:04d}", "trip": f"trip-{n:04d}-1", "speed": 30.0,
                         "lat": 40.75 + n * 1e-3, "lon": -73.98 - n * 1e-3, "fuel": 100.0}
        for n in range(args.cabs)
    }
    while True:
        for cab_id, state in cabs.items():
            producer.send(args.topic, key=cab_id, value=event(cab_id, state))
        time.sleep(1)


if __name__ == "__main__":
    main()
