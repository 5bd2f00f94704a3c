"""IAM: AWS managed policies."""

from registry import patch


@patch("IAM: AWS managed policies exist (arn:aws:iam::aws:policy/..., e.g. AmazonEMRServicePolicy_v2)")
def iam_aws_managed_policies():
    # Every AWS account sees the AWS managed policies; moto 5.2.5 ships them but loads them only
    # when asked (about half a second, once).
    import os

    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
