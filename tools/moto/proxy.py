"""The proxy in front of the server: AWS-like latency and throttling."""

import random
import threading
import time


def throttling_proxy(app, latency, share, seed):
    """Wraps the server's WSGI app: every request waits `latency` seconds, and a `share` of them
    is refused with the service's own throttling error, as AWS does under load."""
    chance = random.Random(seed)
    calls = [0]
    counting = threading.Lock()

    def proxied(environ, start_response):
        if environ.get("PATH_INFO") == "/__proxy__/calls":  # for benchmarks: calls proxied so far
            body = str(calls[0]).encode()
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return [body]
        with counting:
            calls[0] += 1
        time.sleep(latency)
        if chance.random() >= share:
            return app(environ, start_response)
        status, content_type, extra, body = throttled(environ)
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))] + extra)
        return [body]

    return proxied


def throttled(environ):
    """The throttling error each protocol family answers with."""
    if environ.get("HTTP_SMITHY_PROTOCOL") == "rpc-v2-cbor":  # CloudWatch
        from moto.core import cbor

        body = cbor.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
        return "400 Bad Request", "application/cbor", [("smithy-protocol", "rpc-v2-cbor")], body
    if environ.get("HTTP_X_AMZ_TARGET"):  # JSON protocols: Kinesis, Firehose, Glue, Logs, ...
        body = b'{"__type":"ThrottlingException","message":"Rate exceeded"}'
        return "400 Bad Request", "application/x-amz-json-1.1", [], body
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):  # IAM, SNS, STS
        body = (
            b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
            b"<Message>Rate exceeded</Message></Error><RequestId>proxy</RequestId></ErrorResponse>"
        )
        return "400 Bad Request", "text/xml", [], body
    if environ.get("PATH_INFO", "").startswith("/20"):  # REST JSON: Lambda, Kafka, ...
        body = b'{"message":"Rate exceeded"}'
        return "429 Too Many Requests", "application/json", [("x-amzn-ErrorType", "TooManyRequestsException")], body
    body = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"  # S3
    return "503 Slow Down", "application/xml", [], body
