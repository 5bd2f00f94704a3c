"""Runs kafka-telemetry's sample producer against the pinned kafka-python and MSK IAM signer: its
token provider is one kafka-python's OAUTHBEARER mechanism accepts, the token is an MSK IAM token
for the producer's Region, reused until it nears its expiry. No broker is needed.

Run by tests/engines.rs with the engines venv's Python (tools/install-engines); prints
`producer: N cases over 1 producer` when all pass.
"""

import base64
import importlib.util
import os
import unittest
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from kafka.net.sasl.oauth import SaslMechanismOAuth

import report

PRODUCER = Path(__file__).resolve().parents[2] / "blueprints/kafka-telemetry/producer/telemetry_producer.py"
os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})


def load():
    spec = importlib.util.spec_from_file_location("telemetry_producer", PRODUCER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Producer(unittest.TestCase):
    def test_the_token_provider_is_one_kafka_python_accepts(self):
        provider = load().IamToken("eu-west-1")
        mechanism = SaslMechanismOAuth(sasl_oauth_token_provider=provider)
        first = mechanism.auth_bytes()
        self.assertTrue(first.startswith(b"n,,\x01auth=Bearer "), first[:40])

    def test_the_token_is_an_msk_iam_token_for_the_region(self):
        token = load().IamToken("eu-west-1").token()
        url = urlparse(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode())
        self.assertEqual(url.netloc, "kafka.eu-west-1.amazonaws.com")
        query = parse_qs(url.query)
        self.assertEqual(query["Action"], ["kafka-cluster:Connect"])
        self.assertIn("/eu-west-1/kafka-cluster/aws4_request", query["X-Amz-Credential"][0])

    def test_a_token_is_reused_until_it_nears_expiry(self):
        now = [1_000.0]
        provider = load().IamToken("eu-west-1", clock=lambda: now[0])
        token = provider.token()
        now[0] += 60
        self.assertIs(provider.token(), token, "reused a minute later")
        now[0] = provider.expires_ms / 1000
        self.assertIsNot(provider.token(), token, "renewed at expiry")


if __name__ == "__main__":
    report.run(__name__, "producer", "1 producer (kafka-telemetry)")
