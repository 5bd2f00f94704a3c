"""S3: bucket versioning documents and conditional Deny statements."""

from registry import patch


@patch("S3: GetBucketVersioning answers with a VersioningConfiguration document")
def s3_get_bucket_versioning():
    # AWS's root element is VersioningConfiguration; moto 5.2.6 names it
    # GetBucketVersioningResponse, which strict XML clients (the Rust SDK) refuse.
    from moto.s3.responses import S3Response

    def get_bucket_versioning(self):
        status = self.backend.get_bucket_versioning(self.bucket_name)
        inner = f"<Status>{status}</Status>" if status else ""
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{inner}</VersioningConfiguration>'
        return 200, {}, body

    S3Response.get_bucket_versioning = get_bucket_versioning


@patch("S3: a Deny statement applies only when its Condition matches (the TLS-only bucket policy)")
def s3_conditional_deny():
    # moto 5.2.6 evaluates bucket policies with no request context and skips the Bool operator,
    # so every Deny with a Condition applies, and a bucket with pipe's TLS-only policy refuses
    # every object call. The local endpoint stands in for AWS over HTTPS: without the request's
    # values (aws:SecureTransport), a conditional Deny does not apply.
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    original = IAMPolicyStatement.is_action_permitted

    def is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
        statement = self._statement
        if statement.get("Effect") == "Deny" and statement.get("Condition") and not incoming_condition_values:
            return PermissionResult.NEUTRAL
        return original(self, action, resource, principal, incoming_condition_values)

    IAMPolicyStatement.is_action_permitted = is_action_permitted
