"""Glue: job updates, streaming runs, connections."""

import json

from registry import patch


@patch("Glue: UpdateJob replaces a job's definition with JobUpdate")
def glue_update_job():
    # AWS replaces the definition (what JobUpdate leaves out is reset); moto 5.2.6 has no
    # handler (500 NotImplementedError).
    import json

    from moto.core.utils import utcnow
    from moto.glue.responses import GlueResponse

    fields = {
        "Description": "description", "LogUri": "log_uri", "Role": "role", "ExecutionProperty": "execution_property",
        "Command": "command", "DefaultArguments": "default_arguments", "NonOverridableArguments": "non_overridable_arguments",
        "Connections": "connections", "MaxRetries": "max_retries", "Timeout": "timeout", "MaxCapacity": "max_capacity",
        "WorkerType": "worker_type", "NumberOfWorkers": "number_of_workers", "SecurityConfiguration": "security_configuration",
        "NotificationProperty": "notification_property", "GlueVersion": "glue_version",
    }

    def update_job(self):
        name = self._get_param("JobName")
        update = self._get_param("JobUpdate") or {}
        job = self.glue_backend.get_job(name)
        for key, attribute in fields.items():
            setattr(job, attribute, update.get(key))
        job.execution_property = job.execution_property or {}
        job.default_arguments = job.default_arguments or {}
        job.last_modified_on = utcnow()
        return json.dumps({"JobName": name})

    GlueResponse.update_job = update_job


@patch("Glue: a streaming job's run stays RUNNING until BatchStopJobRun stops it")
def glue_streaming_runs():
    # AWS runs a gluestreaming job until it is stopped; moto 5.2.6 moves every run through
    # STARTING and RUNNING to SUCCEEDED, and has no BatchStopJobRun handler (500
    # NotImplementedError).
    import json

    from moto.glue.models import FakeJob
    from moto.glue.responses import GlueResponse

    original = FakeJob.start_job_run

    def start_job_run(self, *args, **kwargs):
        run_id = original(self, *args, **kwargs)
        if (self.command or {}).get("Name") == "gluestreaming":
            run = next(r for r in self.job_runs if r.job_run_id == run_id)
            run._transitions = [("STARTING", "RUNNING")]
        return run_id

    def batch_stop_job_run(self):
        name = self._get_param("JobName")
        job = self.glue_backend.get_job(name)
        stopped, errors = [], []
        for run_id in self._get_param("JobRunIds") or []:
            run = next((r for r in job.job_runs if r.job_run_id == run_id), None)
            if run is None:
                errors.append({"JobName": name, "JobRunId": run_id, "ErrorDetail": {"ErrorCode": "EntityNotFoundException"}})
                continue
            run._transitions = []
            run.status = "STOPPED"
            stopped.append({"JobName": name, "JobRunId": run_id})
        return json.dumps({"SuccessfulSubmissions": stopped, "Errors": errors})

    FakeJob.start_job_run = start_job_run
    GlueResponse.batch_stop_job_run = batch_stop_job_run


@patch("Glue: GetConnection returns the ConnectionType; UpdateConnection and DeleteConnection work")
def glue_connection_type_and_update():
    # AWS returns ConnectionType and implements UpdateConnection; moto 5.2.6 leaves the first
    # out and has no handler for the others (500 NotImplementedError).
    import json

    from moto.core.utils import utcnow
    from moto.glue.models import FakeConnection
    from moto.glue.responses import GlueResponse

    original_as_dict = FakeConnection.as_dict

    def as_dict(self, hide_password=False):
        out = original_as_dict(self, hide_password)
        out["ConnectionType"] = self.connection_input.get("ConnectionType")
        return out

    def update_connection(self):
        name = self._get_param("Name")
        given = self._get_param("ConnectionInput") or {}
        connection = self.glue_backend.get_connection(
            catalog_id=self._get_param("CatalogId"), name=name, apply_override_for_compute_environment=None
        )
        connection.connection_input = given
        connection.description = given.get("Description")
        connection.connection_properties = given.get("ConnectionProperties", {})
        connection.updated_time = utcnow()
        return json.dumps({})

    def delete_connection(self):
        backend = self.glue_backend
        name = self._get_param("ConnectionName")
        backend.get_connection(catalog_id=self._get_param("CatalogId"), name=name, apply_override_for_compute_environment=None)
        del backend.connections[name]
        return json.dumps({})

    FakeConnection.as_dict = as_dict
    GlueResponse.update_connection = update_connection
    GlueResponse.delete_connection = delete_connection
