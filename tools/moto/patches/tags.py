"""Tagging: a key set again replaces its value."""

from registry import patch


@patch("DynamoDB TagResource and SageMaker AddTags replace the value of a key already set")
def tags_replace_same_key():
    # AWS keeps one value per tag key; moto 5.2.6 appends, so a key ends up listed twice.
    from moto.dynamodb.models import DynamoDBBackend
    from moto.sagemaker.models import SageMakerModelBackend

    def dynamodb_tag_resource(self, arn, tags):
        for table in self.tables.values():
            if table.table_arn == arn:
                table.tags = [t for t in table.tags if t["Key"] not in tags]
                table.tags.extend({"Key": k, "Value": v} for k, v in tags.items())

    original_add_tags = SageMakerModelBackend.add_tags

    def sagemaker_add_tags(self, arn, tags):
        keys = {t["Key"] for t in tags}
        resource = self._get_resource_from_arn(arn)
        resource.tags = [t for t in resource.tags if t["Key"] not in keys]
        return original_add_tags(self, arn, tags)

    DynamoDBBackend.tag_resource = dynamodb_tag_resource
    SageMakerModelBackend.add_tags = sagemaker_add_tags
