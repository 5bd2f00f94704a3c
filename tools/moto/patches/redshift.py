"""Redshift: managed admin passwords and the Data API."""

import json
import random

from registry import patch


@patch("Redshift: ManageMasterPassword keeps the admin password in a secret Redshift owns (MasterPasswordSecretArn)")
def redshift_managed_master_password():
    # moto 5.2.6 ignores ManageMasterPassword: no secret, no MasterPasswordSecretArn.
    import json
    import secrets as random

    from moto.redshift.models import RedshiftBackend
    from moto.redshift.responses import RedshiftResponse
    from moto.secretsmanager.models import secretsmanager_backends

    original_create = RedshiftResponse.create_cluster
    original_delete = RedshiftBackend.delete_cluster

    def create_cluster(self):
        result = original_create(self)
        if str(self._get_param("ManageMasterPassword")).lower() == "true":
            cluster = self.redshift_backend.clusters[self._get_param("ClusterIdentifier")]
            user = cluster.master_username
            value = json.dumps({"username": user, "password": random.token_urlsafe(24)})
            created = secretsmanager_backends[self.current_account][self.region].create_secret(
                name=f"redshift!{cluster.cluster_identifier}-{user}", secret_string=value, secret_binary=None,
                description="Admin password of a Redshift cluster", tags=None, kms_key_id=None,
                client_request_token=None, replica_regions=[], force_overwrite=False)
            cluster.master_password_secret_arn = json.loads(created)["ARN"]
        return result

    def delete_cluster(self, **kwargs):
        cluster = original_delete(self, **kwargs)
        secret = getattr(cluster, "master_password_secret_arn", None)
        if secret:
            secretsmanager_backends[self.account_id][self.region_name].delete_secret(secret, None, True)
        return cluster

    RedshiftResponse.create_cluster = create_cluster
    RedshiftBackend.delete_cluster = delete_cluster


@patch("Redshift Data API: a statement runs at once, its timestamps are epoch seconds, and the tables it creates are listed by ListTables (a minimal imitation)")
def redshift_data_tables():
    # moto 5.2.6 leaves every statement STARTED, answers timestamps as ISO text (AWS: epoch
    # seconds, which the SDK insists on), drops WorkgroupName and has no ListTables. This
    # finishes each statement, remembers the tables CREATE TABLE makes in each warehouse database,
    # and fails a CREATE TABLE of one that exists (without IF NOT EXISTS), as Redshift does.
    import fnmatch
    import json
    import re
    from datetime import datetime, timezone

    from moto.redshiftdata.responses import RedshiftDataAPIServiceResponse

    created = {}  # (warehouse, database) -> {(schema, table)}
    create = re.compile(r"^\s*CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?(?:\"?(\w+)\"?\.)?\"?(\w+)\"?", re.I)
    original_execute = RedshiftDataAPIServiceResponse.execute_statement

    def warehouse(response):
        return response._get_param("WorkgroupName") or response._get_param("ClusterIdentifier")

    def epoch(answer):
        for key in ("CreatedAt", "UpdatedAt"):
            if isinstance(answer.get(key), str):
                answer[key] = datetime.fromisoformat(answer[key]).replace(tzinfo=timezone.utc).timestamp()
        return answer

    def execute_statement(self):
        status, headers, body = original_execute(self)
        answer = epoch(json.loads(body))
        statement = self.redshiftdata_backend.statements[answer["Id"]]
        statement.status = "FINISHED"
        match = create.match(self._get_param("Sql") or "")
        if match:
            tables = created.setdefault((warehouse(self), self._get_param("Database")), set())
            table = ((match.group(2) or "public").lower(), match.group(3).lower())
            if table in tables and not match.group(1):
                statement.status = "FAILED"
                statement.error = f'ERROR: relation "{table[1]}" already exists'
            tables.add(table)
        return status, headers, json.dumps(answer)

    def describe_statement(self):
        statement = self.redshiftdata_backend.describe_statement(statement_id=self._get_param("Id"))
        described = epoch(dict(statement))
        if getattr(statement, "error", None):
            described["Error"] = statement.error
        return 200, {}, json.dumps(described)

    def like(pattern, text):
        return fnmatch.fnmatchcase(text, (pattern or "%").replace("%", "*").replace("_", "?"))

    def list_tables(self):
        tables = created.get((warehouse(self), self._get_param("Database")), set())
        listed = [
            {"name": name, "schema": schema, "type": "TABLE"}
            for schema, name in sorted(tables)
            if like(self._get_param("SchemaPattern"), schema) and like(self._get_param("TablePattern"), name)
        ]
        return 200, {}, json.dumps({"Tables": listed})

    RedshiftDataAPIServiceResponse.execute_statement = execute_statement
    RedshiftDataAPIServiceResponse.describe_statement = describe_statement
    RedshiftDataAPIServiceResponse.list_tables = list_tables
