"""CloudWatch: the AWS SDKs speak Smithy RPC v2 CBOR to it; CloudFormation makes its alarms (and the
SNS subscriptions they notify through)."""

from registry import patch


@patch("CloudWatch answers the rpc-v2-cbor protocol the AWS SDKs now use")
def cloudwatch_speaks_cbor():
    # moto 5.2.6 parses and answers rpc-v2-cbor, but only for services whose botocore model lists
    # it; the venv's botocore 1.35 (held there by checkov's boto3 pin) models CloudWatch as `query`
    # alone, so every CBOR call was a 404. AWS's own model for monitoring-2010-08-01 lists
    # `smithy-rpc-v2-cbor` first, and its service shape name as `targetPrefix`.
    import moto.core.utils as utils

    original = utils._load_service_model

    def load(service_name, model_name):
        model = original(service_name, model_name)
        if service_name == "cloudwatch" and model_name == "service-2":
            protocols = model["metadata"].setdefault("protocols", [model["metadata"]["protocol"]])
            if "smithy-rpc-v2-cbor" not in protocols:
                protocols.insert(0, "smithy-rpc-v2-cbor")
            # The service shape name CBOR requests are routed by (`/service/<it>/operation/...`).
            model["metadata"].setdefault("targetPrefix", "GraniteServiceVersion20100801")
        return model

    utils._load_service_model = load


@patch("CloudFormation creates, updates and deletes AWS::CloudWatch::Alarm")
def cloudformation_alarms():
    # moto 5.2.6 has no CloudFormation model for alarms: a stack skipped them in silence, listed
    # none of them, and deleted none.
    from moto.cloudformation import parsing
    from moto.core.common_models import CloudFormationModel
    from moto.cloudwatch.models import cloudwatch_backends

    class StackAlarm(CloudFormationModel):
        def __init__(self, name):
            self.name = name

        @staticmethod
        def cloudformation_type():
            return "AWS::CloudWatch::Alarm"

        @staticmethod
        def cloudformation_name_type():
            return "AlarmName"

        @property
        def physical_resource_id(self):
            return self.name

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
            p = cloudformation_json["Properties"]
            name = p.get("AlarmName") or resource_name
            cloudwatch_backends[account_id][region_name].put_metric_alarm(
                name=name,
                namespace=p.get("Namespace"),
                metric_name=p.get("MetricName"),
                comparison_operator=p.get("ComparisonOperator"),
                evaluation_periods=int(p.get("EvaluationPeriods", 1)),
                period=int(p.get("Period", 60)),
                threshold=float(p.get("Threshold", 0)),
                statistic=p.get("Statistic"),
                extended_statistic=p.get("ExtendedStatistic"),
                description=p.get("AlarmDescription"),
                dimensions=p.get("Dimensions", []),
                alarm_actions=p.get("AlarmActions", []),
                ok_actions=p.get("OKActions", []),
                treat_missing_data=p.get("TreatMissingData"),
                tags=p.get("Tags", []),
            )
            return cls(name)

        @classmethod
        def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                            account_id, region_name):
            # PutMetricAlarm replaces an alarm of the same name; a new name is a new alarm.
            if (cloudformation_json["Properties"].get("AlarmName") or new_resource_name) != original_resource.name:
                cls.delete_from_cloudformation_json(original_resource.name, cloudformation_json, account_id,
                                                    region_name)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id,
                                                       region_name)

        @classmethod
        def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
            cloudwatch_backends[account_id][region_name].delete_alarms([resource_name])

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    assert parsing.get_model_map()["AWS::CloudWatch::Alarm"] is StackAlarm


@patch("CloudFormation creates and deletes AWS::SNS::Subscription, listed by its logical id")
def cloudformation_subscriptions():
    # moto 5.2.6 has no CloudFormation model for subscriptions either: a stack listed each with no
    # type and no logical id, so two subscriptions read as one resource, and deleted none.
    from moto.cloudformation import parsing
    from moto.core.common_models import CloudFormationModel
    from moto.sns.models import sns_backends

    class StackSubscription(CloudFormationModel):
        def __init__(self, arn):
            self.arn = arn

        @staticmethod
        def cloudformation_type():
            return "AWS::SNS::Subscription"

        @staticmethod
        def cloudformation_name_type():
            return ""

        @property
        def physical_resource_id(self):
            return self.arn

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
            p = cloudformation_json["Properties"]
            backend = sns_backends[account_id][region_name]
            subscription = backend.subscribe(p["TopicArn"], p["Endpoint"], p["Protocol"])
            return cls(subscription.arn)

        @classmethod
        def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                            account_id, region_name):
            sns_backends[account_id][region_name].unsubscribe(original_resource.arn)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id,
                                                       region_name)

        @classmethod
        def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
            sns_backends[account_id][region_name].unsubscribe(resource_name)

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    assert parsing.get_model_map()["AWS::SNS::Subscription"] is StackSubscription
