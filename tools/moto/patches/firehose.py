"""Firehose: OpenSearch destinations (in a VPC or not) and MSK sources."""

from registry import patch


@patch("Firehose: a delivery stream delivers to an OpenSearch Service domain, in its VPC or not, and reads from an MSK cluster")
def firehose_opensearch_destination():
    # AWS takes AmazonopensearchserviceDestinationConfiguration and UpdateDestination's
    # AmazonopensearchserviceDestinationUpdate, and describes the destination as
    # AmazonopensearchserviceDestinationDescription; moto 5.2.6 reads neither parameter and
    # refuses the stream ("Exactly one destination configuration"). Its Elasticsearch
    # destination is the same shape, so the stream is kept as one under the OpenSearch name. moto
    # also drops MSKSourceConfiguration, which AWS describes as Source.MSKSourceDescription.
    from moto.firehose.models import FirehoseBackend
    from moto.firehose.responses import FirehoseResponse

    OPENSEARCH, ELASTICSEARCH = "Amazonopensearchservice", "Elasticsearch"
    original_create = FirehoseResponse.create_delivery_stream
    original_update = FirehoseResponse.update_destination

    def renamed(stream, source, target):
        for destination in stream.destinations:
            if source in destination:
                destination[target] = destination.pop(source)

    def create_delivery_stream(self):
        config = self._get_param("AmazonopensearchserviceDestinationConfiguration")
        if not config:
            answer = original_create(self)
            stream = self.firehose_backend.delivery_streams[self._get_param("DeliveryStreamName")]
            stream.msk_source = self._get_param("MSKSourceConfiguration")
            return answer
        arn = self.firehose_backend.create_delivery_stream(
            self.region, self._get_param("DeliveryStreamName"), self._get_param("DeliveryStreamType"),
            self._get_param("KinesisStreamSourceConfiguration"),
            self._get_param("DeliveryStreamEncryptionConfigurationInput"),
            None, None, None, config, None, None, None, None, self._get_param("Tags"),
        )
        stream = self.firehose_backend.delivery_streams[self._get_param("DeliveryStreamName")]
        renamed(stream, ELASTICSEARCH, OPENSEARCH)
        described(stream, stream.destinations[0][OPENSEARCH])
        stream.msk_source = self._get_param("MSKSourceConfiguration")
        from moto.core.responses import ActionResult
        return ActionResult({"DeliveryStreamARN": arn})

    def update_destination(self):
        update = self._get_param("AmazonopensearchserviceDestinationUpdate")
        if not update:
            return original_update(self)
        stream = self.firehose_backend.delivery_streams.get(self._get_param("DeliveryStreamName"))
        if stream is not None:
            renamed(stream, OPENSEARCH, ELASTICSEARCH)
        try:
            self.firehose_backend.update_destination(
                self._get_param("DeliveryStreamName"), self._get_param("CurrentDeliveryStreamVersionId"),
                self._get_param("DestinationId"), None, None, self._get_param("S3BackupMode"), None, update,
                None, None, None, None,
            )
        finally:
            if stream is not None:
                renamed(stream, ELASTICSEARCH, OPENSEARCH)
                described(stream, stream.destinations[0][OPENSEARCH])
        from moto.core.responses import EmptyResult
        return EmptyResult()

    def described(stream, config):
        # What Describe answers for a VpcConfiguration: VpcConfigurationDescription, with the VPC.
        vpc = config.pop("VpcConfiguration", None)
        if vpc:
            config["VpcConfigurationDescription"] = dict(vpc, VpcId="vpc-0a1b2c3d4e5f60001")

    original_describe = FirehoseBackend.describe_delivery_stream

    def describe_delivery_stream(self, name):
        answer = original_describe(self, name)
        stream = self.delivery_streams[name]
        msk = getattr(stream, "msk_source", None)
        if msk:
            answer["DeliveryStreamDescription"]["Source"] = {
                "MSKSourceDescription": dict(msk, DeliveryStartTimestamp=stream.create_timestamp)}
        return answer

    FirehoseResponse.create_delivery_stream = create_delivery_stream
    FirehoseResponse.update_destination = update_destination
    FirehoseBackend.describe_delivery_stream = describe_delivery_stream


@patch("Firehose: a delivery stream reading a Kinesis stream delivers what is put on the stream")
def firehose_reads_its_kinesis_source():
    # AWS's Firehose reads its source stream continuously; moto 5.2.6 never reads it, so a stream's
    # records reach no destination. Each record put on a stream is handed to the delivery streams
    # that read it, as a Direct PUT would be, at once: buffering only delays delivery on AWS.
    from moto.firehose.models import firehose_backends
    from moto.kinesis.models import Stream

    original_put_record = Stream.put_record

    def put_record(self, partition_key, explicit_hash_key, data):
        answer = original_put_record(self, partition_key, explicit_hash_key, data)
        backend = firehose_backends[self.account_id][self.region]
        for name, delivery in list(backend.delivery_streams.items()):
            source = delivery.source or {}
            if delivery.delivery_stream_type == "KinesisStreamAsSource" and source.get("KinesisStreamARN") == self.arn:
                try:
                    backend.put_record_batch(name, [{"Data": data}])
                except Exception:  # noqa: BLE001 - a failed delivery stays with Firehose, as on AWS
                    pass
        return answer

    Stream.put_record = put_record


@patch("Firehose: an S3 prefix's !{timestamp:...} expressions are evaluated, and YYYY/MM/dd/HH/ added only without one")
def firehose_evaluates_prefix_timestamps():
    # AWS evaluates `!{timestamp:<Java date pattern>}` in a prefix and appends the default
    # `yyyy/MM/dd/HH/` only to a prefix with no timestamp expression
    # (docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html); moto 5.2.6 keeps the
    # expression as text and always appends the default.
    import re

    from moto.core.utils import utcnow
    from moto.firehose.models import FirehoseBackend
    from moto.moto_api._internal import mock_random

    java = [("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S")]

    def evaluated(pattern, now):
        for ours, python in java:
            pattern = pattern.replace(ours, python)
        return now.strftime(pattern)

    def format_s3_object_path(delivery_stream_name, version_id, prefix):
        now = utcnow()
        timestamps = re.compile(r"!\{timestamp:([^}]*)\}")
        if timestamps.search(prefix or ""):
            path = timestamps.sub(lambda m: evaluated(m.group(1), now), prefix)
        else:
            path = (prefix or "") + now.strftime("%Y/%m/%d/%H/")
        return (f"{path}{delivery_stream_name}-{version_id}-"
                f"{now.strftime('%Y-%m-%d-%H-%M-%S')}-{mock_random.uuid4()}")

    FirehoseBackend._format_s3_object_path = staticmethod(format_s3_object_path)


@patch("Firehose: a Redshift destination stages what it receives in its S3 bucket")
def firehose_stages_for_redshift():
    # AWS writes each buffer to the destination's S3Configuration bucket (moto keeps it as
    # S3DestinationDescription), then runs the COPY from there; moto 5.2.6 drops records sent to
    # a Redshift destination. They are staged now (moto has no COPY to run).
    from moto.firehose.models import FirehoseBackend

    original = FirehoseBackend.put_record_batch

    def put_record_batch(self, delivery_stream_name, records):
        answer = original(self, delivery_stream_name, records)
        stream = self.delivery_streams.get(delivery_stream_name)
        for destination in stream.destinations if stream else []:
            staging = destination.get("Redshift", {}).get("S3DestinationDescription")
            if staging:
                self.put_s3_records(delivery_stream_name, stream.version_id, staging, records)
        return answer

    FirehoseBackend.put_record_batch = put_record_batch
