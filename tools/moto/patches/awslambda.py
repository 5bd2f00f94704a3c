"""Lambda: what its API keeps and accepts that moto drops."""

from registry import patch


def mapped(backend, spec):
    """Records an event source mapping moto's own checks would refuse, as AWS makes it."""
    from moto.awslambda.models import EventSourceMapping

    spec["RegionName"] = backend.region_name
    spec["AccountId"] = backend.account_id
    function = backend._lambdas.get_function_by_name_or_arn_with_qualifier(spec["FunctionName"])
    spec["FunctionArn"] = function.function_arn
    mapping = EventSourceMapping(spec)
    backend._event_source_mappings[mapping.uuid] = mapping
    return mapping


@patch("Lambda keeps a function's LoggingConfig and TracingConfig on update")
def lambda_logging_and_tracing():
    # AWS returns LoggingConfig (LogFormat, LogGroup) in GetFunction and applies TracingConfig
    # in UpdateFunctionConfiguration; moto 5.2.6 drops the first and ignores the second.
    from moto.awslambda.models import LambdaFunction

    original_init = LambdaFunction.__init__
    original_configuration = LambdaFunction.get_configuration
    original_update = LambdaFunction.update_configuration

    def init(self, account_id, spec, *args, **kwargs):
        original_init(self, account_id, spec, *args, **kwargs)
        self.logging_config = logging_config(self, spec.get("LoggingConfig") or {})

    def logging_config(self, given):
        return {"LogFormat": given.get("LogFormat", "Text"), "LogGroup": given.get("LogGroup", f"/aws/lambda/{self.function_name}")}

    def get_configuration(self, *args, **kwargs):
        config = original_configuration(self, *args, **kwargs)
        config["LoggingConfig"] = self.logging_config
        return config

    def update_configuration(self, updates):
        if "LoggingConfig" in updates:
            self.logging_config = logging_config(self, updates["LoggingConfig"])
        if "TracingConfig" in updates:
            self.tracing_config = updates["TracingConfig"]
        return original_update(self, updates)

    LambdaFunction.__init__ = init
    LambdaFunction.get_configuration = get_configuration
    LambdaFunction.update_configuration = update_configuration


@patch("Lambda accepts a Kinesis stream consumer ARN (enhanced fan-out) as an event source")
def lambda_kinesis_consumer_source():
    # AWS maps a function to a registered consumer's ARN; moto 5.2.6 knows only stream ARNs.
    from moto.awslambda.models import LambdaBackend
    from moto.kinesis.models import kinesis_backends

    original = LambdaBackend.create_event_source_mapping

    def create_event_source_mapping(self, spec):
        source = spec.get("EventSourceArn") or ""
        if "/consumer/" in source and spec.get("FunctionName"):
            streams = kinesis_backends[self.account_id][self.region_name].streams.values()
            if any(stream.get_consumer_by_arn(source) for stream in streams):
                return mapped(self, spec)
        return original(self, spec)

    LambdaBackend.create_event_source_mapping = create_event_source_mapping


@patch("Lambda maps a function to an MSK cluster (provisioned or serverless) as an event source")
def lambda_msk_source():
    # AWS takes an MSK cluster ARN as EventSourceArn, with Topics; moto 5.2.6 knows only Kinesis,
    # DynamoDB and SQS ARNs ("Invalid EventSourceArn").
    from moto.awslambda.models import EventSourceMapping, LambdaBackend
    from moto.kafka.models import kafka_backends

    original = LambdaBackend.create_event_source_mapping
    source_arn = EventSourceMapping.event_source_arn

    def set_source_arn(self, arn):
        if arn.split(":")[2] == "kafka":
            self._event_source_arn = arn
        else:
            source_arn.fset(self, arn)

    EventSourceMapping.event_source_arn = source_arn.setter(set_source_arn)
    batch_size = EventSourceMapping.batch_size

    def set_batch_size(self, size):
        # An MSK source takes 1 to 10,000 records a batch, 100 by default.
        if self._get_service_source_from_arn() == "kafka":
            self._batch_size = 100 if size is None else int(size)
        else:
            batch_size.fset(self, size)

    EventSourceMapping.batch_size = batch_size.setter(set_batch_size)

    def create_event_source_mapping(self, spec):
        source = spec.get("EventSourceArn") or ""
        if source.startswith("arn:") and ":kafka:" in source and spec.get("FunctionName"):
            if source not in kafka_backends[self.account_id][self.region_name].clusters:
                from moto.awslambda.exceptions import InvalidParameterValueException

                raise InvalidParameterValueException(f"Cluster {source} not found")
            return mapped(self, spec)
        return original(self, spec)

    LambdaBackend.create_event_source_mapping = create_event_source_mapping
