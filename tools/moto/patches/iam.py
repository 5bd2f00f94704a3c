"""IAM: AWS managed policies."""

from registry import patch


@patch("IAM: AWS managed policies exist (arn:aws:iam::aws:policy/..., e.g. AmazonEMRServicePolicy_v2)")
def iam_aws_managed_policies():
    # Every AWS account sees the AWS managed policies; moto 5.2.6 ships them but loads them only
    # when asked (about half a second, once).
    import os

    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"


@patch("CloudFormation deletes AWS::IAM::ManagedPolicy with its stack")
def cloudformation_deletes_managed_policies():
    # moto 5.2.6's managed policy has no CloudFormation delete: a deleted stack left its policies.
    # CloudFormation detaches a policy from its roles, users and groups, then deletes it.
    from moto.iam.models import ManagedPolicy, iam_backends

    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = iam_backends[account_id]["global"]
        policy = backend.managed_policies.get(resource_name)
        if policy is None:
            return
        for role in list(backend.roles.values()):
            role.managed_policies.pop(policy.arn, None)
        del backend.managed_policies[policy.arn]

    ManagedPolicy.delete_from_cloudformation_json = classmethod(delete_from_cloudformation_json)
