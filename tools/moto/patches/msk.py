"""MSK: provisioned clusters as AWS keeps them, and broker storage updates."""

import json

from registry import patch


@patch("MSK: a provisioned cluster keeps its encryption, authentication, monitoring and logging, and becomes ACTIVE")
def msk_provisioned_cluster():
    # AWS applies every CreateClusterV2 setting and the cluster turns ACTIVE once built; moto
    # 5.2.6 drops EncryptionInfo, ClientAuthentication, EnhancedMonitoring and LoggingInfo and
    # stays CREATING. Its creationTime also lacks the UTC offset RFC 3339 requires.
    from datetime import datetime, timezone

    from moto.kafka.models import FakeKafkaCluster, KafkaBackend

    original_init = FakeKafkaCluster.__init__
    original_create = KafkaBackend.create_cluster_v2

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.creation_time = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")

    def create_cluster_v2(self, cluster_name, tags, provisioned, serverless):
        if any(c.cluster_name == cluster_name for c in self.clusters.values()):
            from moto.core.exceptions import JsonRESTError

            raise JsonRESTError("ConflictException", f"A cluster named {cluster_name} already exists", code=409)
        result = original_create(self, cluster_name, tags, provisioned, serverless)
        cluster = self.clusters[result[0]]
        if provisioned:
            cluster.encryption_info = provisioned.get("encryptionInfo")
            cluster.client_authentication = provisioned.get("clientAuthentication")
            cluster.enhanced_monitoring = provisioned.get("enhancedMonitoring", "DEFAULT")
            cluster.logging_info = provisioned.get("loggingInfo")
        cluster.state = "ACTIVE"
        return result

    FakeKafkaCluster.__init__ = init
    KafkaBackend.create_cluster_v2 = create_cluster_v2


@patch("MSK: UpdateBrokerStorage grows every broker's volume, moves the cluster to a new version and starts an operation DescribeClusterOperationV2 follows")
def msk_update_broker_storage():
    # AWS: PUT /v1/clusters/{arn}/nodes/storage, checked against currentVersion, answers a
    # clusterOperationArn that GET /api/v2/operations/{arn} describes; moto 5.2.6 answers 500
    # NotImplementedError to both. The operation here is complete at once.
    import json
    import uuid
    from datetime import datetime, timezone
    from urllib.parse import unquote

    from moto.kafka import urls
    from moto.kafka.exceptions import BadRequestException, NotFoundException
    from moto.kafka.responses import KafkaResponse

    operations = {}
    urls.url_paths["{0}/api/v2/operations/(?P<clusterOperationArn>.+)$"] = KafkaResponse.dispatch

    def describe_cluster_operation_v2(self):
        arn = unquote(self.parsed_url.path.split("/operations/", 1)[-1])
        if arn not in operations:
            raise NotFoundException(f"Cluster operation {arn} not found")
        return json.dumps({"clusterOperationInfo": operations[arn]})

    def update_broker_storage(self):
        arn = unquote(self.parsed_url.path.split("/clusters/")[-1]).rsplit("/nodes/storage", 1)[0]
        cluster = self.kafka_backend.clusters.get(arn)
        if cluster is None:
            raise NotFoundException(f"Cluster {arn} not found")
        if self._get_param("currentVersion") != cluster.current_version:
            raise BadRequestException("The provided current version does not match the cluster's current version")
        for target in self._get_param("targetBrokerEBSVolumeInfo") or []:
            storage = cluster.broker_node_group_info.setdefault("storageInfo", {}).setdefault("ebsStorageInfo", {})
            storage["volumeSize"] = target["volumeSizeGB"]
        cluster.current_version = uuid.uuid4().hex[:14].upper()
        operation = f"arn:aws:kafka:{self.region}:{self.current_account}:cluster-operation/{uuid.uuid4()}"
        now = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
        operations[operation] = {"clusterArn": arn, "clusterType": "PROVISIONED", "operationArn": operation,
                                 "operationState": "UPDATE_COMPLETE", "operationType": "UPDATE_BROKER_STORAGE",
                                 "startTime": now, "endTime": now}
        return json.dumps({"clusterArn": arn, "clusterOperationArn": operation})

    KafkaResponse.update_broker_storage = update_broker_storage
    KafkaResponse.describe_cluster_operation_v2 = describe_cluster_operation_v2
