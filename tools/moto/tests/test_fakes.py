"""The whole APIs pipe imitates where moto has none, driven through boto3 against the patched
server, as pipe's providers drive them."""

import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import json  # noqa: E402
import logging  # noqa: E402
import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402

import boto3  # noqa: E402
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

import registry  # noqa: E402


class Fakes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        registry.apply_all()
        cls.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        cls.server.start()
        host, port = cls.server.get_host_and_port()
        cls.endpoint = f"http://{host}:{port}"

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def client(self, service):
        return boto3.client(service, endpoint_url=self.endpoint, region_name="eu-west-1",
                            aws_access_key_id="test", aws_secret_access_key="test")

    def topics(self, method, cluster, name=None, body=None):
        """A signed call to MSK's topic API, which the pinned botocore predates: (status, JSON)."""
        path = f"/v1/clusters/{urllib.parse.quote(cluster, safe='')}/topics" + (f"/{name}" if name else "")
        data = json.dumps(body).encode() if body is not None else None
        request = AWSRequest(method=method, url=self.endpoint + path, data=data,
                             headers={"Content-Type": "application/json"})
        SigV4Auth(Credentials("test", "test"), "kafka", "eu-west-1").add_auth(request)
        sent = urllib.request.Request(request.url, data=data, method=method, headers=dict(request.headers))
        try:
            with urllib.request.urlopen(sent) as answer:
                return answer.status, json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read() or b"{}")

    def test_msk_topics_are_created_described_listed_updated_and_deleted(self):
        kafka = self.client("kafka")
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in range(2)]
        cluster = kafka.create_cluster_v2(ClusterName="fakes", Provisioned={
            "BrokerNodeGroupInfo": {"InstanceType": "kafka.m5.large", "ClientSubnets": subnets},
            "KafkaVersion": "3.6.0", "NumberOfBrokerNodes": 2})["ClusterArn"]
        created = self.topics("POST", cluster, body={"topicName": "readings", "partitionCount": 3,
                                                     "replicationFactor": 2})
        self.assertEqual((created[0], created[1]["topicName"]), (200, "readings"))
        status, described = self.topics("GET", cluster, "readings")
        self.assertEqual((status, described["partitionCount"]), (200, 3))
        listed = [t["topicName"] for t in self.topics("GET", cluster)[1]["topics"]]
        self.assertEqual(listed, ["readings"])
        self.assertEqual(self.topics("PUT", cluster, "readings", {"partitionCount": 2})[0], 400,
                         "a topic's partitions never decrease")
        self.assertEqual(self.topics("PUT", cluster, "readings", {"partitionCount": 6})[0], 200)
        self.assertEqual(self.topics("GET", cluster, "readings")[1]["partitionCount"], 6)
        self.assertEqual(self.topics("DELETE", cluster, "readings")[0], 200)
        self.assertEqual(self.topics("GET", cluster, "readings")[0], 404)

    def test_redshift_serverless_namespaces_and_workgroups_live_and_are_listed_and_tagged(self):
        serverless = self.client("redshift-serverless")
        namespace = serverless.create_namespace(namespaceName="warehouse", dbName="logs",
                                                tags=[{"key": "pipe:pipeline", "value": "fakes"}])["namespace"]
        self.assertEqual(namespace["namespaceName"], "warehouse")
        serverless.create_workgroup(workgroupName="warehouse", namespaceName="warehouse", baseCapacity=8)
        self.assertEqual(serverless.get_workgroup(workgroupName="warehouse")["workgroup"]["baseCapacity"], 8)
        self.assertEqual([n["namespaceName"] for n in serverless.list_namespaces()["namespaces"]], ["warehouse"])
        tags = serverless.list_tags_for_resource(resourceArn=namespace["namespaceArn"])["tags"]
        self.assertIn({"key": "pipe:pipeline", "value": "fakes"}, tags)
        serverless.delete_workgroup(workgroupName="warehouse")
        serverless.delete_namespace(namespaceName="warehouse")
        self.assertEqual(serverless.list_namespaces()["namespaces"], [])


if __name__ == "__main__":
    unittest.main()
