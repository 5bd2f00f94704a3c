"""MSK's topic API, which moto lacks entirely: a minimal in-memory imitation."""

import json
import threading

from registry import patch


@patch("MSK: a provisioned cluster's topics (Create/Describe/Update/Delete/ListTopics; a minimal in-memory imitation)")
def msk_topics():
    # moto 5.2.6 has no topic API. This answers the REST-JSON calls on
    # /v1/clusters/{ClusterArn}/topics[/{TopicName}] in front of moto's dispatcher. A topic lives
    # on its moto cluster (so DeleteCluster drops it); CREATING/UPDATING is ACTIVE at the next
    # DescribeTopic; configs (base64 text) is kept as given.
    import json
    import os
    import re
    from urllib.parse import parse_qs, unquote

    from moto.iam.models import get_account_id_from
    from moto.kafka.models import kafka_backends
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    # The ClusterArn label arrives URL-encoded (%2F); PATH_INFO is decoded, so prefer the raw URI.
    raw_route = re.compile(r"^/v1/clusters/([^/]+)/topics(?:/([^/]+))?/?$")
    route = re.compile(r"^/v1/clusters/(arn:.+?)/topics(?:/([^/]+))?/?$")
    scope = re.compile(r"Credential=([^/]+)/\d+/([^/]+)/([^/]+)/")
    lock = threading.Lock()

    class Error(Exception):
        def __init__(self, status, code, message):
            self.status, self.code, self.message = status, code, message

    def count(request, key, required):
        value = request.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise Error("400 Bad Request", "BadRequestException", f"{key} must be an integer of at least 1")
        return value

    def cluster_of(environ, cluster_arn):
        auth = scope.search(environ.get("HTTP_AUTHORIZATION", ""))
        region = auth.group(2) if auth else "us-east-1"
        account = (os.environ.get("MOTO_ACCOUNT_ID") or environ.get("HTTP_X_MOTO_ACCOUNT_ID")
                   or get_account_id_from(auth.group(1) if auth else "AKIAEXAMPLE"))
        try:
            cluster = kafka_backends[account][region].clusters.get(cluster_arn)
        except KeyError:
            cluster = None
        if cluster is None:
            raise Error("404 Not Found", "NotFoundException", f"Cluster {cluster_arn} not found")
        if cluster.cluster_type != "PROVISIONED":
            raise Error("400 Bad Request", "BadRequestException", "Topics can be managed only on a provisioned cluster")
        return cluster

    def find(topics, cluster_arn, name):
        if name not in topics:
            raise Error("404 Not Found", "NotFoundException", f"Topic {name} not found in cluster {cluster_arn}")
        return topics[name]

    def answer(topic, status):
        return {"topicArn": topic["topicArn"], "topicName": topic["topicName"], "status": status}

    def create(cluster, topics, request):
        name = request.get("topicName")
        if not isinstance(name, str) or not re.fullmatch(r"[a-zA-Z0-9._-]{1,249}", name):
            raise Error("400 Bad Request", "BadRequestException", "topicName must be 1-249 of [a-zA-Z0-9._-]")
        partitions, replication = count(request, "partitionCount", True), count(request, "replicationFactor", True)
        if name in topics:
            raise Error("409 Conflict", "TopicExistsException", f"Topic {name} already exists")
        prefix, rest = cluster.arn.split(":cluster/", 1)
        if "/" not in rest:  # moto's ARN is cluster/UUID; AWS's is cluster/NAME/UUID
            rest = f"{cluster.cluster_name}/{rest}"
        topic = {"topicArn": f"{prefix}:topic/{rest}/{name}", "topicName": name, "partitionCount": partitions,
                 "replicationFactor": replication, "status": "CREATING"}
        if request.get("configs") is not None:
            topic["configs"] = request["configs"]
        topics[name] = topic
        return answer(topic, "CREATING")

    def describe(topics, cluster_arn, name):
        topic = find(topics, cluster_arn, name)
        topic["status"] = "ACTIVE"
        return dict(topic)

    def update(topics, cluster_arn, name, request):
        topic = find(topics, cluster_arn, name)
        partitions = count(request, "partitionCount", False)
        if partitions is not None and partitions < topic["partitionCount"]:
            raise Error("400 Bad Request", "BadRequestException",
                        f"Topic {name} has {topic['partitionCount']} partitions; the count cannot decrease")
        if partitions is not None:
            topic["partitionCount"] = partitions
        if request.get("configs") is not None:
            topic["configs"] = request["configs"]
        topic["status"] = "UPDATING"
        return answer(topic, "UPDATING")

    def delete(topics, cluster_arn, name):
        return answer(topics.pop(find(topics, cluster_arn, name)["topicName"]), "DELETING")

    def listing(topics, query):
        prefix = query.get("topicNameFilter", [""])[0]
        names = sorted(n for n in topics if n.startswith(prefix))
        try:
            start = int(query.get("nextToken", ["0"])[0] or 0)
            size = int(query.get("maxResults", [str(len(names) or 1)])[0])
        except ValueError:
            raise Error("400 Bad Request", "BadRequestException", "maxResults and nextToken must be integers")
        page = names[start:start + size]
        keys = ("topicArn", "topicName", "partitionCount", "replicationFactor")
        body = {"topics": [dict({k: topics[n][k] for k in keys}, outOfSyncReplicaCount=0) for n in page]}
        if start + size < len(names):
            body["nextToken"] = str(start + size)
        return body

    original = DomainDispatcherApplication.__call__

    def call(self, environ, start_response):
        raw = (environ.get("REQUEST_URI") or environ.get("RAW_URI") or "").split("?", 1)[0]
        match = raw_route.match(raw) or route.match(environ.get("PATH_INFO", ""))
        auth = scope.search(environ.get("HTTP_AUTHORIZATION", ""))
        method, name = environ.get("REQUEST_METHOD"), None
        if match:
            name = unquote(match.group(2)) if match.group(2) else None
            allowed = ("GET", "PUT", "DELETE") if name else ("GET", "POST")
        if not match or method not in allowed or (auth and auth.group(3) != "kafka"):
            return original(self, environ, start_response)
        cluster_arn = unquote(match.group(1))
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            try:
                request = json.loads(environ["wsgi.input"].read(length) or b"{}")
            except ValueError:
                raise Error("400 Bad Request", "BadRequestException", "The request body is not valid JSON")
            query = parse_qs(environ.get("QUERY_STRING", ""))
            with lock:
                cluster = cluster_of(environ, cluster_arn)
                topics = cluster.__dict__.setdefault("msk_topics", {})
                if name is None:
                    body = create(cluster, topics, request) if method == "POST" else listing(topics, query)
                elif method == "GET":
                    body = describe(topics, cluster_arn, name)
                elif method == "PUT":
                    body = update(topics, cluster_arn, name, request)
                else:
                    body = delete(topics, cluster_arn, name)
            status, headers = "200 OK", []
        except Error as e:
            status, headers, body = e.status, [("x-amzn-ErrorType", e.code)], {"message": e.message}
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))] + headers)
        return [data]

    DomainDispatcherApplication.__call__ = call
