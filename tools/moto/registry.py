"""The patches: each imitates one AWS behaviour moto lacks, in-process, and is named after it
(`--list-patches` prints the names). pipe's own code never works around moto."""

PATCHES = []


def patch(name):
    def register(function):
        PATCHES.append((name, function))
        return function

    return register


def apply_all():
    """Imports every patch module (which registers its patches) and applies them, in order."""
    load()
    for _, apply in PATCHES:
        apply()


def load():
    # Imported for their registrations; the order is the order the patches apply in.
    from patches import awslambda, cloudformation, emr, firehose, flink, glue, iam, msk, opensearch, redshift  # noqa: F401
    from patches import cloudwatch, kms, s3, sagemaker, tags  # noqa: F401
    from fakes import msk_topics, redshift_serverless  # noqa: F401
