"""Redshift Serverless, which moto lacks entirely: a minimal in-memory imitation of namespaces, workgroups, their listings and tags."""

import json
import time

from registry import patch


@patch("Redshift Serverless: namespaces, workgroups, their listings and tags (a minimal in-memory imitation)")
def redshift_serverless():
    # moto 5.2.6 has no redshift-serverless backend (every call is a 500). This answers the
    # awsJson calls pipe makes, AVAILABLE at once, in front of moto's dispatcher.
    import json
    import re
    import time
    import uuid

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    namespaces, workgroups, tags = {}, {}, {}

    class Error(Exception):
        def __init__(self, code, message):
            self.code, self.message = code, message

    def arn(region, kind, name):
        return f"arn:aws:redshift-serverless:{region}:{DEFAULT_ACCOUNT_ID}:{kind}/{uuid.uuid5(uuid.NAMESPACE_URL, name)}"

    def find(table, kind, name):
        if name not in table:
            raise Error("ResourceNotFoundException", f"{kind} {name} not found")
        return table[name]

    def create_namespace(region, r):
        name = r["namespaceName"]
        if name in namespaces:
            raise Error("ConflictException", f"Namespace {name} already exists")
        ns = {"namespaceName": name, "namespaceArn": arn(region, "namespace", name), "namespaceId": str(uuid.uuid4()),
              "adminUsername": r.get("adminUsername", "admin"), "dbName": r.get("dbName", "dev"),
              "kmsKeyId": r.get("kmsKeyId", "AWS_OWNED_KMS_KEY"), "logExports": r.get("logExports", []),
              "iamRoles": r.get("iamRoles", []), "status": "AVAILABLE", "creationDate": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        namespaces[name] = ns
        tags[ns["namespaceArn"]] = {t["key"]: t["value"] for t in r.get("tags", [])}
        return {"namespace": ns}

    def update_namespace(region, r):
        ns = find(namespaces, "Namespace", r["namespaceName"])
        ns.update({k: r[k] for k in ("adminUsername", "kmsKeyId", "logExports", "iamRoles") if k in r})
        return {"namespace": ns}

    def delete_namespace(region, r):
        ns = find(namespaces, "Namespace", r["namespaceName"])
        if any(w["namespaceName"] == ns["namespaceName"] for w in workgroups.values()):
            raise Error("ConflictException", "There are workgroups associated with this namespace")
        del namespaces[ns["namespaceName"]]
        return {"namespace": dict(ns, status="DELETING")}

    def create_workgroup(region, r):
        name = r["workgroupName"]
        if name in workgroups:
            raise Error("ConflictException", f"Workgroup {name} already exists")
        find(namespaces, "Namespace", r.get("namespaceName", ""))
        port = r.get("port", 5439)
        wg = {"workgroupName": name, "workgroupArn": arn(region, "workgroup", name), "workgroupId": str(uuid.uuid4()),
              "namespaceName": r["namespaceName"], "baseCapacity": r.get("baseCapacity", 128),
              "enhancedVpcRouting": r.get("enhancedVpcRouting", False), "publiclyAccessible": r.get("publiclyAccessible", False),
              "subnetIds": r.get("subnetIds", []), "securityGroupIds": r.get("securityGroupIds", []), "port": port,
              "endpoint": {"address": f"{name}.{DEFAULT_ACCOUNT_ID}.{region}.redshift-serverless.amazonaws.com", "port": port},
              "status": "AVAILABLE", "creationDate": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        workgroups[name] = wg
        tags[wg["workgroupArn"]] = {t["key"]: t["value"] for t in r.get("tags", [])}
        return {"workgroup": wg}

    def update_workgroup(region, r):
        wg = find(workgroups, "Workgroup", r["workgroupName"])
        keys = ("baseCapacity", "maxCapacity", "enhancedVpcRouting", "publiclyAccessible", "subnetIds", "securityGroupIds", "port")
        wg.update({k: r[k] for k in keys if k in r})
        return {"workgroup": wg}

    def delete_workgroup(region, r):
        wg = workgroups.pop(find(workgroups, "Workgroup", r["workgroupName"])["workgroupName"])
        return {"workgroup": dict(wg, status="DELETING")}

    def tag_resource(region, r):
        tags.setdefault(r["resourceArn"], {}).update({t["key"]: t["value"] for t in r.get("tags", [])})
        return {}

    def untag_resource(region, r):
        for key in r.get("tagKeys", []):
            tags.setdefault(r["resourceArn"], {}).pop(key, None)
        return {}

    def list_tags(region, r):
        return {"tags": [{"key": k, "value": v} for k, v in tags.get(r["resourceArn"], {}).items()]}

    def listing(table, key, r):
        # AWS pages by nextToken (maxResults at most 100).
        names = sorted(table)
        start, size = int(r.get("nextToken") or 0), int(r.get("maxResults") or 100)
        body = {key: [table[n] for n in names[start:start + size]]}
        if start + size < len(names):
            body["nextToken"] = str(start + size)
        return body

    operations = {
        "CreateNamespace": create_namespace, "UpdateNamespace": update_namespace, "DeleteNamespace": delete_namespace,
        "GetNamespace": lambda region, r: {"namespace": find(namespaces, "Namespace", r["namespaceName"])},
        "CreateWorkgroup": create_workgroup, "UpdateWorkgroup": update_workgroup, "DeleteWorkgroup": delete_workgroup,
        "GetWorkgroup": lambda region, r: {"workgroup": find(workgroups, "Workgroup", r["workgroupName"])},
        "ListNamespaces": lambda region, r: listing(namespaces, "namespaces", r),
        "ListWorkgroups": lambda region, r: listing(workgroups, "workgroups", r),
        "TagResource": tag_resource, "UntagResource": untag_resource, "ListTagsForResource": list_tags,
    }
    original = DomainDispatcherApplication.__call__

    def call(self, environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith("RedshiftServerless."):
            return original(self, environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = json.loads(environ["wsgi.input"].read(length) or b"{}")
        scope = re.search(r"Credential=[^/]+/\d+/([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
        region = scope.group(1) if scope else "us-east-1"
        operation = operations.get(target.split(".", 1)[1])
        try:
            if operation is None:
                raise Error("ValidationException", f"{target} is not imitated")
            status, body = "200 OK", operation(region, request)
        except Error as e:
            status, body = "400 Bad Request", {"__type": e.code, "message": e.message}
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data)))])
        return [data]

    DomainDispatcherApplication.__call__ = call
