"""KMS: keys made by a CloudFormation stack."""

from registry import patch


@patch("CloudFormation makes AWS::KMS::Key with tags and a key policy as AWS does")
def cloudformation_kms_key():
    # moto 5.2.6 hands a stack key's `Tags` ([{Key, Value}]) to a tagger that wants
    # [{TagKey, TagValue}] (a 500, KeyError 'TagKey'), and stores `KeyPolicy` as the template's
    # object, where GetKeyPolicy answers the JSON text AWS keeps.
    import json

    from moto.kms.models import Key

    original = Key.create_from_cloudformation_json.__func__

    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = dict(cloudformation_json["Properties"])
        properties["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags", [])]
        if not isinstance(properties.get("KeyPolicy"), str):
            properties["KeyPolicy"] = json.dumps(properties.get("KeyPolicy"))
        shaped = dict(cloudformation_json, Properties=properties)
        return original(cls, resource_name, shaped, account_id, region_name, **kwargs)

    Key.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)
