"""Managed Service for Apache Flink: an application's lifecycle, updates, start and stop."""

import json

from registry import patch


def _flink_error(code, message):
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def _flink_app(backend, name):
    app = backend.applications.get(name)
    if app is None:
        raise _flink_error("ResourceNotFoundException", f"Application {name} not found")
    return app


def _flink_version(app, given):
    if given is not None and int(given) != app.application_version_id:
        raise _flink_error(
            "ConcurrentModificationException",
            f"Current version is {app.application_version_id}, not {given}",
        )
    app.application_version_id += 1


def _flink_epoch(detail):
    # The service speaks JSON 1.1: timestamps are epoch seconds, not ISO strings.
    from datetime import datetime

    # AWS also names the application in its detail; moto 5.2.6 leaves ApplicationName out.
    detail.setdefault("ApplicationName", detail["ApplicationARN"].rsplit("/", 1)[-1])
    for key in ("CreateTimestamp", "LastUpdateTimestamp", "ApplicationVersionCreateTimestamp"):
        if isinstance(detail.get(key), str):
            detail[key] = datetime.fromisoformat(detail[key]).timestamp()
    if not detail.get("CloudWatchLoggingOptionDescriptions"):
        detail["CloudWatchLoggingOptionDescriptions"] = []
    return detail


@patch("Managed Flink: a new application is READY, its detail names it, timestamps are epoch seconds, an unknown one is ResourceNotFoundException")
def flink_application_lifecycle():
    # AWS: CreateApplication leaves the application READY (moto: STARTING forever); the
    # timestamps of this JSON 1.1 API are numbers (moto: ISO strings); DescribeApplication of an
    # unknown name answers ResourceNotFoundException (moto: 500 KeyError).
    import copy

    from moto.kinesisanalyticsv2.models import Application, KinesisAnalyticsV2Backend

    original_init = Application.__init__
    original_create = KinesisAnalyticsV2Backend.create_application
    original_describe = KinesisAnalyticsV2Backend.describe_application

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.application_status = "READY"
        self.given_configuration = copy.deepcopy(kwargs.get("application_configuration") or {})
        self.cloud_watch_logging_description = self.cloud_watch_logging_description or []

    def create_application(self, application_name, *args, **kwargs):
        if application_name in self.applications:
            raise _flink_error("ResourceInUseException", f"Application {application_name} already exists")
        return _flink_epoch(original_create(self, application_name, *args, **kwargs))

    def describe_application(self, application_name):
        _flink_app(self, application_name)
        return _flink_epoch(original_describe(self, application_name))

    Application.__init__ = init
    KinesisAnalyticsV2Backend.create_application = create_application
    KinesisAnalyticsV2Backend.describe_application = describe_application


@patch("Managed Flink: UpdateApplication, Add/DeleteApplicationCloudWatchLoggingOption, DeleteApplication, UntagResource")
def flink_application_changes():
    # AWS applies these against CurrentApplicationVersionId and bumps the version; moto 5.2.6
    # has no handler for any of them (500 NotImplementedError).
    import json

    from moto.kinesisanalyticsv2.responses import KinesisAnalyticsV2Response

    renamed = {"EnvironmentPropertyUpdates": "EnvironmentProperties", "VpcConfigurationUpdates": "VpcConfigurations"}

    def plain(value):
        # `ParallelismUpdate` -> `Parallelism`, `SubnetIdUpdates` -> `SubnetIds`, ...
        if isinstance(value, list):
            return [plain(v) for v in value]
        if not isinstance(value, dict):
            return value
        out = {}
        for key, item in value.items():
            if key in renamed:
                name = renamed[key]
            elif key.endswith("IdUpdates"):
                name = key[: -len("Updates")] + "s"
            elif key.endswith("Updates"):
                name = key[: -len("Updates")]
            elif key.endswith("Update"):
                name = key[: -len("Update")]
            else:
                name = key
            out[name] = plain(item)
        return out

    def merge(into, update):
        for key, value in update.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                merge(into[key], value)
            else:
                into[key] = value

    def backend(self):
        return self.kinesisanalyticsv2_backend

    def reply(app, **extra):
        return json.dumps({"ApplicationARN": app.application_arn, "ApplicationVersionId": app.application_version_id, **extra})

    def update_application(self):
        app = _flink_app(backend(self), self._get_param("ApplicationName"))
        _flink_version(app, self._get_param("CurrentApplicationVersionId"))
        update = self._get_param("ApplicationConfigurationUpdate")
        if update:
            update = plain(update)
            for vpc in update.get("VpcConfigurations", []):
                vpc.pop("VpcConfigurationId", None)
            merge(app.given_configuration, update)
            app.app_config_description = app._generate_app_config_description(app.given_configuration)
        for option in self._get_param("CloudWatchLoggingOptionUpdates") or []:
            for existing in app.cloud_watch_logging_description:
                if existing["CloudWatchLoggingOptionId"] == option.get("CloudWatchLoggingOptionId"):
                    existing["LogStreamARN"] = option.get("LogStreamARNUpdate", existing["LogStreamARN"])
        if self._get_param("ServiceExecutionRoleUpdate"):
            app.service_execution_role = self._get_param("ServiceExecutionRoleUpdate")
        if self._get_param("RuntimeEnvironmentUpdate"):
            app.runtime_environment = self._get_param("RuntimeEnvironmentUpdate")
        detail = backend(self).describe_application(app.application_name)
        return json.dumps({"ApplicationDetail": detail})

    def add_application_cloud_watch_logging_option(self):
        app = _flink_app(backend(self), self._get_param("ApplicationName"))
        _flink_version(app, self._get_param("CurrentApplicationVersionId"))
        arn = self._get_param("CloudWatchLoggingOption")["LogStreamARN"]
        if any(o["LogStreamARN"] == arn for o in app.cloud_watch_logging_description):
            raise _flink_error("InvalidArgumentException", f"Logging option {arn} already exists")
        number = len(app.cloud_watch_logging_description) + 1
        app.cloud_watch_logging_description.append({"CloudWatchLoggingOptionId": f"{number}.1", "LogStreamARN": arn})
        return reply(app, CloudWatchLoggingOptionDescriptions=app.cloud_watch_logging_description)

    def delete_application_cloud_watch_logging_option(self):
        app = _flink_app(backend(self), self._get_param("ApplicationName"))
        option = self._get_param("CloudWatchLoggingOptionId")
        if not any(o["CloudWatchLoggingOptionId"] == option for o in app.cloud_watch_logging_description):
            raise _flink_error("ResourceNotFoundException", f"Logging option {option} not found")
        _flink_version(app, self._get_param("CurrentApplicationVersionId"))
        app.cloud_watch_logging_description = [
            o for o in app.cloud_watch_logging_description if o["CloudWatchLoggingOptionId"] != option
        ]
        return reply(app, CloudWatchLoggingOptionDescriptions=app.cloud_watch_logging_description)

    def delete_application(self):
        app = _flink_app(backend(self), self._get_param("ApplicationName"))
        backend(self).applications.pop(app.application_name, None)
        backend(self).tagger.delete_all_tags_for_resource(app.application_arn)
        return json.dumps({})

    def untag_resource(self):
        backend(self).untag_resource(self._get_param("ResourceARN"), self._get_param("TagKeys") or [])
        return json.dumps({})

    KinesisAnalyticsV2Response.update_application = update_application
    KinesisAnalyticsV2Response.add_application_cloud_watch_logging_option = add_application_cloud_watch_logging_option
    KinesisAnalyticsV2Response.delete_application_cloud_watch_logging_option = delete_application_cloud_watch_logging_option
    KinesisAnalyticsV2Response.delete_application = delete_application
    KinesisAnalyticsV2Response.untag_resource = untag_resource


@patch("Managed Flink: StartApplication runs a READY application, StopApplication makes it READY again")
def flink_start_stop():
    # AWS moves READY -> STARTING -> RUNNING and back through STOPPING; moto 5.2.6 has neither
    # call (500 NotImplementedError). Here the move is immediate.
    import json

    from moto.kinesisanalyticsv2.responses import KinesisAnalyticsV2Response

    def move(self, want_from, to):
        app = _flink_app(self.kinesisanalyticsv2_backend, self._get_param("ApplicationName"))
        if app.application_status not in want_from:
            raise _flink_error("ResourceInUseException", f"Application is {app.application_status}")
        app.application_status = to
        return json.dumps({})

    KinesisAnalyticsV2Response.start_application = lambda self: move(self, ("READY", "RUNNING"), "RUNNING")
    KinesisAnalyticsV2Response.stop_application = lambda self: move(self, ("RUNNING", "READY"), "READY")
