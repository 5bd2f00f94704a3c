"""CloudFormation: termination protection and the adoption of kept stores."""

import threading

from registry import patch


@patch("CloudFormation: UpdateTerminationProtection sets a stack's termination protection")
def cloudformation_termination_protection():
    # moto 5.2.6 has no handler for it (its answer is not XML).
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult

    def update_termination_protection(self):
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        stack.enable_termination_protection = self._get_param("EnableTerminationProtection") in (True, "true")
        return ActionResult({"StackId": stack.stack_id})

    CloudFormationResponse.update_termination_protection = update_termination_protection


@patch("CloudFormation adopts a kept store by its name with ImportExistingResources")
def cloudformation_import_existing_resources():
    # moto 5.2.6 ignores ImportExistingResources: a template naming a stream that exists creates
    # it again (and Kinesis refuses). AWS's auto-import adopts it instead, shown as an Import
    # change, when the resource is Retain and its name, the type's primary identifier, is a literal.
    from moto.cloudformation import parsing
    from moto.cloudformation.models import CloudFormationBackend
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.dynamodb.models import dynamodb_backends
    from moto.kinesis.models import kinesis_backends
    from moto.s3.models import s3_backends

    finders = {
        "AWS::Kinesis::Stream": ("Name", lambda a, r, name: kinesis_backends[a][r].streams.get(name)),
        "AWS::DynamoDB::Table": ("TableName", lambda a, r, name: dynamodb_backends[a][r].tables.get(name)),
        "AWS::S3::Bucket": ("BucketName", lambda a, r, name: s3_backends[a]["global"].buckets.get(name)),
    }
    executing = threading.local()

    def existing(account, region, resource):
        kind = finders.get(resource.get("Type"))
        name = (resource.get("Properties") or {}).get(kind[0]) if kind else None
        kept = resource.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate")
        return kind[1](account, region, name) if kept and isinstance(name, str) else None

    def create_change_set_response(self):
        self.cloudformation_backend.pipe_import = self._get_bool_param("ImportExistingResources", False)
        try:
            return original_response(self)
        finally:
            self.cloudformation_backend.pipe_import = False

    def create_change_set(self, *args, **kwargs):
        change_set_id, stack_id = original_create(self, *args, **kwargs)
        change_set = self.change_sets[change_set_id]
        resources = (change_set.template_dict or {}).get("Resources", {})
        for change in change_set.changes if getattr(self, "pipe_import", False) else []:
            resource = resources.get(change.logical_resource_id, {})
            if change.action == "Add" and existing(self.account_id, self.region_name, resource) is not None:
                change.action = "Import"
        return change_set_id, stack_id

    def execute_change_set(self, change_set_name, stack_name=None):
        change_set = self.describe_change_set(change_set_name)
        executing.imports = {c.logical_resource_id for c in change_set.changes if c.action == "Import"}
        try:
            return original_execute(self, change_set_name, stack_name)
        finally:
            executing.imports = set()

    def parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):
        if logical_id in getattr(executing, "imports", ()):
            adopted = existing(account_id, region_name, resource_json)
            adopted.cf_resource_type = resource_json["Type"]
            adopted.logical_resource_id = logical_id
            return adopted
        return original_parse(logical_id, resource_json, resources_map, account_id, region_name)

    original_response = CloudFormationResponse.create_change_set
    original_create = CloudFormationBackend.create_change_set
    original_execute = CloudFormationBackend.execute_change_set
    original_parse = parsing.parse_and_create_resource
    CloudFormationResponse.create_change_set = create_change_set_response
    CloudFormationBackend.create_change_set = create_change_set
    CloudFormationBackend.execute_change_set = execute_change_set
    parsing.parse_and_create_resource = parse_and_create_resource


@patch("CloudFormation sets every property of a stream, function, topic, role and bucket it creates or updates")
def cloudformation_sets_every_property():
    # moto 5.2.6's resource handlers drop properties AWS's CloudFormation sets: a stream's mode and
    # encryption, a function's architecture, tracing and tags, a topic's tags, a bucket's
    # versioning, public access block, ownership and bucket key; and a role's inline policies are
    # stored as Python dicts, read back as their repr. Once moto has made or updated a resource,
    # these set the rest through the services' own backends, as CloudFormation would through
    # their APIs, so what is read back is what the template says.
    import json

    from moto.cloudformation import parsing
    from moto.kinesis.models import kinesis_backends
    from moto.awslambda.models import lambda_backends
    from moto.sns.models import sns_backends
    from moto.s3.models import s3_backends

    def tags_of(properties):
        return {t["Key"]: t["Value"] for t in properties.get("Tags", [])}

    def stream(resource, properties, account, region):
        if "StreamModeDetails" in properties:
            resource.stream_mode = dict(properties["StreamModeDetails"])
        encryption = properties.get("StreamEncryption")
        if encryption:
            kinesis_backends[account][region].start_stream_encryption(
                None, resource.stream_name, encryption["EncryptionType"], encryption["KeyId"]
            )

    def function(resource, properties, account, region):
        resource.architectures = properties.get("Architectures", ["x86_64"])
        resource.tracing_config = properties.get("TracingConfig") or {"Mode": "PassThrough"}
        if properties.get("Tags"):
            lambda_backends[account][region].tag_resource(resource.function_arn, tags_of(properties))

    def topic(resource, properties, account, region):
        if properties.get("Tags"):
            sns_backends[account][region].tag_resource(resource.arn, tags_of(properties))

    def role(resource, properties, account, region):
        for policy in properties.get("Policies", []):
            document = policy["PolicyDocument"]
            resource.put_policy(policy["PolicyName"], document if isinstance(document, str) else json.dumps(document))

    def bucket(resource, properties, account, region):
        backend = s3_backends[account]["aws"]
        status = (properties.get("VersioningConfiguration") or {}).get("Status")
        if status:
            backend.put_bucket_versioning(resource.name, status)
        block = properties.get("PublicAccessBlockConfiguration")
        if block:
            backend.put_public_access_block(resource.name, {k: str(v).lower() for k, v in block.items()})
        rules = (properties.get("OwnershipControls") or {}).get("Rules") or []
        if rules:
            backend.put_bucket_ownership_controls(resource.name, rules[0]["ObjectOwnership"])
        encryption = (properties.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration") or []
        if encryption and "BucketKeyEnabled" in encryption[0] and resource.encryption:
            resource.encryption["Rule"]["BucketKeyEnabled"] = str(encryption[0]["BucketKeyEnabled"]).lower()

    complete = {
        "AWS::Kinesis::Stream": stream,
        "AWS::Lambda::Function": function,
        "AWS::SNS::Topic": topic,
        "AWS::IAM::Role": role,
        "AWS::S3::Bucket": bucket,
    }

    def completing(original):
        def parse(logical_id, resource_json, resources_map, account_id, region_name):
            resource = original(logical_id, resource_json, resources_map, account_id, region_name)
            finish = complete.get(resource_json.get("Type"))
            if resource is not None and finish is not None:
                properties = parsing.clean_json(resource_json.get("Properties") or {}, resources_map)
                finish(resource, properties, account_id, region_name)
            return resource

        return parse

    parsing.parse_and_create_resource = completing(parsing.parse_and_create_resource)
    parsing.parse_and_update_resource = completing(parsing.parse_and_update_resource)


@patch("CloudFormation gives a log group's Arn attribute with its `:*` suffix")
def cloudformation_log_group_arn():
    # AWS documents `Fn::GetAtt LogGroup.Arn` as `arn:...:log-group:NAME:*`, as DescribeLogGroups
    # gives it; moto 5.2.6 leaves out the `:*`, so a policy made from it differs from one made by
    # the service's own answer.
    from moto.logs.models import LogGroup

    original = LogGroup.get_cfn_attribute

    def get_cfn_attribute(self, attribute_name):
        value = original(self, attribute_name)
        return f"{value}:*" if attribute_name == "Arn" else value

    LogGroup.get_cfn_attribute = get_cfn_attribute
