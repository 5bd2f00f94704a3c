"""A fault-injecting layer in front of the local endpoint: it answers the way AWS does in time,
which moto, where every change is instant and visible at once, never does.

Three behaviours, each a list of rules taken from what AWS documents or terraform-provider-aws
waits out (pipe's README lists them):

- `not-yet`: right after a change, a call that depends on it is refused with the error AWS gives
  while it propagates (a role not yet assumable, a new role not yet readable, a table still
  turning its backups on). Once per resource.
- `transitional`: after a create or an update, the resource's status reads as in progress
  (CREATING, Pending, UPDATING, PROCESSING, ...) for several reads, and calls that change it
  meanwhile are refused as AWS refuses them on a busy resource.
- `failing`: a long operation ends in failure (a delivery stream CREATING_FAILED, an endpoint
  Failed, a Flink application back to READY after StartApplication). Once per resource: the
  failed resource stays failed until it is deleted (or started again), and its successor works.

A fourth behaviour, `denied`, is not about time: it imitates credentials that may use only what a
Kinesis and Lambda pipeline needs (Kinesis, Lambda, SNS, CloudWatch Logs, IAM, S3, STS and the
Resource Groups Tagging API); every other service answers AccessDenied.

`GET /__faults__` answers the count of faults injected so far, per behaviour and rule.
"""

import io
import json
import re
import threading
from urllib.parse import parse_qs, unquote

from moto.core import cbor

BEHAVIOURS = ("not-yet", "transitional", "failing")
# Not among `all`: they are about permissions, not time.
DENIED = "denied"
UNTAGGED = "untagged"
PERMISSIONS = (DENIED, UNTAGGED)
ALLOWED_SERVICES = {"kinesis", "kms", "lambda", "sns", "logs", "monitoring", "iam", "s3", "sts", "tagging"}
# Smithy RPC v2 CBOR (CloudWatch): `POST /service/<shape>/operation/<operation>`, CBOR both ways.
CBOR_PATH = re.compile(r"/service/[^/]+/operation/([^/]+)$")
SIGNED_FOR = re.compile(r"Credential=[^/]+/\d+/[^/]+/([^/]+)/")
# Reads a transitional status lasts.
READS = 3

# REST operations pipe's providers call, by method and path (JSON and query protocols name theirs).
ROUTES = [
    ("POST", r"/2015-03-31/functions/?", "CreateFunction"),
    ("GET", r"/2015-03-31/functions/(?P<FunctionName>[^/]+)/?", "GetFunction"),
    ("GET", r"/2015-03-31/functions/(?P<FunctionName>[^/]+)/configuration/?", "GetFunctionConfiguration"),
    ("PUT", r"/2015-03-31/functions/(?P<FunctionName>[^/]+)/configuration/?", "UpdateFunctionConfiguration"),
    ("PUT", r"/2015-03-31/functions/(?P<FunctionName>[^/]+)/code/?", "UpdateFunctionCode"),
    ("POST", r"/2015-03-31/event-source-mappings/?", "CreateEventSourceMapping"),
    ("POST", r"/2021-01-01/opensearch/domain/?", "CreateDomain"),
    ("GET", r"/2021-01-01/opensearch/domain/(?P<DomainName>[^/]+)/?", "DescribeDomain"),
    ("GET", r"/2021-01-01/opensearch/domain/(?P<DomainName>[^/]+)/progress/?", "DescribeDomainChangeProgress"),
    ("POST", r"/2021-01-01/opensearch/domain/(?P<DomainName>[^/]+)/config/?", "UpdateDomainConfig"),
    ("GET", r"/api/v2/operations/(?P<ClusterOperationArn>.+)", "DescribeClusterOperationV2"),
]


class Call:
    """One request, as the rules see it: its operation, its parameters and its protocol."""

    def __init__(self, environ):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(self.body)
        signed = SIGNED_FOR.search(environ.get("HTTP_AUTHORIZATION", ""))
        self.service = signed.group(1) if signed else None
        self.target = environ.get("HTTP_X_AMZ_TARGET", "")
        content_type = environ.get("CONTENT_TYPE", "")
        self.query = "x-www-form-urlencoded" in content_type and not self.target
        self.cbor = environ.get("HTTP_SMITHY_PROTOCOL") == "rpc-v2-cbor"
        self.params = {}
        self.operation = None
        if self.cbor:
            found = CBOR_PATH.search(environ.get("PATH_INFO", ""))
            self.operation = found.group(1) if found else None
            try:
                parsed = cbor.loads(self.body) if self.body else {}
            except cbor.CBORDecodeError:
                parsed = {}
            self.params = parsed if isinstance(parsed, dict) else {}
        elif self.target:
            self.operation = self.target.rsplit(".", 1)[-1]
            self.params = self._json()
        elif self.query:
            form = parse_qs(self.body.decode(errors="replace"))
            self.params = {k: v[0] for k, v in form.items()}
            self.operation = self.params.get("Action")
        else:
            raw = (environ.get("REQUEST_URI") or environ.get("RAW_URI") or environ.get("PATH_INFO", "")).split("?", 1)[0]
            method = environ.get("REQUEST_METHOD")
            for verb, pattern, name in ROUTES:
                found = re.fullmatch(pattern, raw)
                if verb == method and found:
                    self.operation = name
                    self.params = self._json()
                    self.params.update({k: unquote(v) for k, v in found.groupdict().items()})
                    break

    def _json(self):
        try:
            parsed = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    def key(self, *names):
        """The resource the call is about: the first of `names` it carries, without an ARN's prefix."""
        for name in names:
            value = self.params.get(name)
            if isinstance(value, str) and value:
                return value.rsplit("/", 1)[-1].rsplit(":", 1)[-1] if value.startswith("arn:") else value
        return None

    def error(self, status, code, message):
        """The error in this call's protocol: (status line, headers, body)."""
        if self.cbor:
            headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
            return status, headers, cbor.dumps({"__type": code, "message": message})
        if self.target:
            return status, [("Content-Type", "application/x-amz-json-1.1")], {"__type": code, "message": message}
        if self.query:
            body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
                    "</Error><RequestId>faults</RequestId></ErrorResponse>")
            return status, [("Content-Type", "text/xml")], body
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
        return status, headers, {"message": message, "Message": message}


class Rule:
    def __init__(self, behaviour, name):
        self.behaviour, self.name, self.count = behaviour, name, 0

    def before(self, call):
        """An error to answer instead of passing the call on, or None."""
        return None

    def after(self, call, status, body):
        """The response body as the caller should see it (None: as it is)."""
        return None


class NotYet(Rule):
    """The first `operation` on each resource is refused with AWS's "not yet" error. With
    `following`, only once that operation has followed it (a read right after a create)."""

    def __init__(self, name, operation, keys, status, code, message, following=None):
        super().__init__("not-yet", name)
        self.operation, self.keys, self.status, self.code, self.message = operation, keys, status, code, message
        self.following, self.armed, self.done = following, set(), set()

    def before(self, call):
        key = call.key(*self.keys)
        if key is None:
            return None
        if call.operation == self.following:
            self.armed.add(key)
            return None
        if call.operation != self.operation or key in self.done:
            return None
        if self.following and key not in self.armed:
            return None
        self.done.add(key)
        self.count += 1
        return call.error(self.status, self.code, self.message.format(key=key))


class Denied(Rule):
    """Every call to a service `refused` names is refused: the credentials lack it."""

    def __init__(self, behaviour, name, refused):
        super().__init__(behaviour, name)
        self.refused = refused

    def before(self, call):
        if call.service is None or not self.refused(call.service):
            return None
        self.count += 1
        code = "AccessDenied" if call.query else "AccessDeniedException"
        message = f"User: arn:aws:iam::123456789012:user/pipe-ci is not authorized to perform: {call.service}:{call.operation or '*'}"
        return call.error("403 Forbidden", code, message)


def at(body, path):
    """The object holding the last key of `path` (dotted), and that key."""
    *parents, last = path.split(".")
    for part in parents:
        body = body.get(part) if isinstance(body, dict) else None
    return (body, last) if isinstance(body, dict) else (None, last)


class Transitional(Rule):
    """After `started` succeeds on a resource (or, without one, from the first read), its next
    READS `reads` answer `path` = `value` (and `extra`); `busy` calls on it meanwhile are refused."""

    def __init__(self, name, started, keys, reads, path, value, extra=None, busy=(), refusal=None):
        super().__init__("transitional", name)
        self.started, self.keys, self.reads, self.path, self.value = started, keys, reads, path, value
        self.extra, self.busy, self.refusal = extra or {}, busy, refusal
        self.left, self.seen = {}, set()

    def before(self, call):
        key = call.key(*self.keys)
        if key is not None and call.operation in self.busy and self.left.get(key, 0) > 0:
            status, code, message = self.refusal
            self.count += 1
            return call.error(status, code, message.format(key=key))
        return None

    def after(self, call, status, body):
        key = call.key(*self.keys)
        if key is None or not status.startswith("2"):
            return None
        if call.operation in self.started:
            self.left[key] = READS
            return None
        if call.operation not in self.reads:
            return None
        if not self.started and key not in self.seen:
            self.seen.add(key)
            self.left[key] = READS
        if self.left.get(key, 0) <= 0:
            return None
        holder, last = at(body, self.path)
        if holder is None:
            return None
        self.left[key] -= 1
        self.count += 1
        holder[last] = self.value
        holder.update(self.extra)
        return body


class Failing(Rule):
    """The first `operation` on each resource ends in failure: its `reads` answer `path` =
    `value` (and `extra`) until a `cleared` call, or the same operation again, on it."""

    def __init__(self, name, operation, keys, reads, path, value, extra, cleared=()):
        super().__init__("failing", name)
        self.operation, self.keys, self.reads, self.path, self.value = operation, keys, reads, path, value
        self.extra, self.cleared = extra, cleared
        self.fired, self.failed = set(), set()

    def before(self, call):
        key = call.key(*self.keys)
        if key is not None and (call.operation in self.cleared or (call.operation == self.operation and key in self.fired)):
            self.failed.discard(key)
        return None

    def after(self, call, status, body):
        key = call.key(*self.keys)
        if key is None or not status.startswith("2"):
            return None
        if call.operation == self.operation and key not in self.fired:
            self.fired.add(key)
            self.failed.add(key)
            self.count += 1
            return None
        if call.operation not in self.reads or key not in self.failed:
            return None
        holder, last = at(body, self.path)
        if holder is None:
            return None
        holder[last] = self.value
        holder.update(self.extra)
        return body


def rules():
    """Every rule, in the order they are tried."""
    bad = "400 Bad Request"
    return [
        # not-yet: the answers terraform-provider-aws retries (see src/backend/sdk/propagation.rs).
        NotYet("IAM GetRole right after CreateRole: NoSuchEntity", "GetRole", ["RoleName"], "404 Not Found",
               "NoSuchEntity", "The role with name {key} cannot be found.", following="CreateRole"),
        NotYet("Lambda CreateFunction: the role cannot be assumed yet", "CreateFunction", ["FunctionName"], bad,
               "InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda."),
        NotYet("Lambda CreateEventSourceMapping: the role cannot read the source yet", "CreateEventSourceMapping",
               ["FunctionName"], bad, "InvalidParameterValueException",
               "Cannot access stream. Please ensure the role can perform the GetRecords, GetShardIterator, "
               "DescribeStream, and ListStreams Actions on your stream."),
        NotYet("Firehose CreateDeliveryStream: the role cannot be assumed yet", "CreateDeliveryStream",
               ["DeliveryStreamName"], bad, "InvalidArgumentException",
               "Firehose is unable to assume role. Please check the role provided."),
        NotYet("Managed Flink CreateApplication: the role cannot be assumed yet", "CreateApplication",
               ["ApplicationName"], bad, "InvalidArgumentException",
               "Kinesis Analytics service doesn't have sufficient privileges to assume the role."),
        NotYet("EMR RunJobFlow: the instance profile is not visible yet", "RunJobFlow", ["Name"], bad,
               "ValidationException", "Invalid InstanceProfile: {key}-profile."),
        NotYet("DynamoDB UpdateContinuousBackups on a new table", "UpdateContinuousBackups", ["TableName"], bad,
               "ContinuousBackupsUnavailableException", "Backups are being enabled for the table: {key}. Please retry later"),
        NotYet("OpenSearch CreateDomain: the log group's resource policy is not in force yet", "CreateDomain",
               ["DomainName"], bad, "ValidationException",
               "The Resource Access Policy specified for the CloudWatch Logs log group does not grant sufficient "
               "permissions for Amazon OpenSearch Service to create a log stream. Please check the Resource Access Policy."),
        NotYet("SageMaker CreateModel: the role cannot be assumed yet", "CreateModel", ["ModelName"], bad,
               "ValidationException", "Could not assume role. Please ensure that the role exists and allows principal "
               "'sagemaker.amazonaws.com' to assume the role."),
        NotYet("KMS CreateAlias right after CreateKey: the key is not visible yet", "CreateAlias", ["TargetKeyId"],
               bad, "NotFoundException", "Key '{key}' does not exist"),
        NotYet("KMS EnableKeyRotation on a new key: the key is not visible yet", "EnableKeyRotation", ["KeyId"],
               bad, "NotFoundException", "Key '{key}' does not exist"),
        # transitional: statuses the providers wait out, and refusals while they last.
        Transitional("Kinesis stream CREATING", {"CreateStream"}, ["StreamName", "StreamARN"],
                     {"DescribeStreamSummary"}, "StreamDescriptionSummary.StreamStatus", "CREATING",
                     busy={"AddTagsToStream", "IncreaseStreamRetentionPeriod", "StartStreamEncryption",
                           "RegisterStreamConsumer", "UpdateShardCount"},
                     refusal=(bad, "ResourceInUseException", "Stream {key} is not ACTIVE: it is CREATING.")),
        Transitional("DynamoDB table CREATING", {"CreateTable"}, ["TableName"], {"DescribeTable"},
                     "Table.TableStatus", "CREATING",
                     busy={"UpdateTable", "UpdateTimeToLive", "UpdateContinuousBackups"},
                     refusal=(bad, "ResourceInUseException",
                              "Attempt to change a resource which is still in use: Table is being created: {key}")),
        Transitional("Firehose delivery stream CREATING", {"CreateDeliveryStream"}, ["DeliveryStreamName"],
                     {"DescribeDeliveryStream"}, "DeliveryStreamDescription.DeliveryStreamStatus", "CREATING",
                     busy={"UpdateDestination", "StartDeliveryStreamEncryption", "TagDeliveryStream"},
                     refusal=(bad, "ResourceInUseException", "Firehose {key} is not in the ACTIVE state.")),
        Transitional("Lambda function Pending after CreateFunction", {"CreateFunction"}, ["FunctionName"],
                     {"GetFunction"}, "Configuration.State", "Pending",
                     extra={"StateReason": "The function is being created.", "StateReasonCode": "Creating"},
                     busy={"UpdateFunctionConfiguration", "UpdateFunctionCode"},
                     refusal=("409 Conflict", "ResourceConflictException",
                              "The operation cannot be performed at this time. The function is currently in the "
                              "following state: Pending")),
        Transitional("Lambda update InProgress", {"UpdateFunctionConfiguration", "UpdateFunctionCode"},
                     ["FunctionName"], {"GetFunction"}, "Configuration.LastUpdateStatus", "InProgress",
                     busy={"UpdateFunctionConfiguration", "UpdateFunctionCode"},
                     refusal=("409 Conflict", "ResourceConflictException",
                              "The operation cannot be performed at this time. An update is in progress for "
                              "resource: {key}")),
        Transitional("Managed Flink application UPDATING", {"UpdateApplication"}, ["ApplicationName"],
                     {"DescribeApplication"}, "ApplicationDetail.ApplicationStatus", "UPDATING",
                     busy={"UpdateApplication", "StartApplication"},
                     refusal=(bad, "ResourceInUseException", "Application {key} is UPDATING.")),
        Transitional("Managed Flink application STARTING", {"StartApplication"}, ["ApplicationName"],
                     {"DescribeApplication"}, "ApplicationDetail.ApplicationStatus", "STARTING"),
        Transitional("SageMaker endpoint Creating", {"CreateEndpoint"}, ["EndpointName"], {"DescribeEndpoint"},
                     "EndpointStatus", "Creating"),
        Transitional("SageMaker endpoint Updating", {"UpdateEndpoint"}, ["EndpointName"], {"DescribeEndpoint"},
                     "EndpointStatus", "Updating"),
        Transitional("OpenSearch domain Processing after CreateDomain", {"CreateDomain"}, ["DomainName"],
                     {"DescribeDomain"}, "DomainStatus.Processing", True),
        Transitional("OpenSearch change PROCESSING", set(), ["DomainName"], {"DescribeDomainChangeProgress"},
                     "ChangeProgressStatus.Status", "PROCESSING"),
        Transitional("MSK cluster operation UPDATE_IN_PROGRESS", set(), ["ClusterOperationArn"],
                     {"DescribeClusterOperationV2"}, "clusterOperationInfo.operationState", "UPDATE_IN_PROGRESS"),
        # failing: long operations that end in failure, in the service's words.
        Failing("Firehose CreateDeliveryStream ends CREATING_FAILED", "CreateDeliveryStream", ["DeliveryStreamName"],
                {"DescribeDeliveryStream"}, "DeliveryStreamDescription.DeliveryStreamStatus", "CREATING_FAILED",
                {"FailureDescription": {"Type": "UNKNOWN_ERROR",
                                        "Details": "Firehose could not create the delivery stream."}},
                cleared={"DeleteDeliveryStream"}),
        Failing("SageMaker CreateEndpoint ends Failed", "CreateEndpoint", ["EndpointName"], {"DescribeEndpoint"},
                "EndpointStatus", "Failed",
                {"FailureReason": "The primary container for production variant AllTraffic did not pass the ping "
                                  "health check. Please check CloudWatch logs for this endpoint."},
                cleared={"DeleteEndpoint"}),
        Failing("Managed Flink StartApplication falls back to READY", "StartApplication", ["ApplicationName"],
                {"DescribeApplication"}, "ApplicationDetail.ApplicationStatus", "READY", {}),
        Denied(DENIED, "AccessDenied outside Kinesis, KMS, Lambda, SNS, Logs, CloudWatch, IAM, S3, STS and tagging",
               lambda service: service not in ALLOWED_SERVICES),
        Denied(UNTAGGED, "AccessDenied on the Resource Groups Tagging API", lambda service: service == "tagging"),
    ]


def fault_layer(app, behaviours):
    """Wraps a WSGI app with the rules of `behaviours` (names from BEHAVIOURS)."""
    active = [rule for rule in rules() if rule.behaviour in behaviours]
    lock = threading.Lock()

    def respond(start_response, status, headers, body):
        data = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
        kept = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, kept + [("Content-Length", str(len(data)))])
        return [data]

    def layered(environ, start_response):
        if environ.get("PATH_INFO") == "/__faults__":
            with lock:
                counts = {b: {r.name: r.count for r in active if r.behaviour == b} for b in behaviours}
            return respond(start_response, "200 OK", [("Content-Type", "application/json")], counts)
        call = Call(environ)
        if call.operation is None and call.service is None:
            return app(environ, start_response)
        with lock:
            for rule in active:
                refused = rule.before(call)
                if refused:
                    return respond(start_response, *refused)
        answered = {}

        def capture(status, headers, exc_info=None):
            answered.update(status=status, headers=headers)
            return lambda chunk: None

        body = b"".join(app(environ, capture))
        status, headers = answered["status"], answered["headers"]
        try:
            parsed = (cbor.loads(body) if call.cbor else json.loads(body)) if body else None
        except (ValueError, cbor.CBORDecodeError):
            parsed = None
        changed = None
        with lock:
            for rule in active:
                if isinstance(parsed, dict):
                    changed = rule.after(call, status, parsed) or changed
                else:
                    rule.after(call, status, {})
        if changed is not None and call.cbor:
            changed = cbor.dumps(changed)
        return respond(start_response, status, headers, changed if changed is not None else body)

    return layered
