"""SageMaker: endpoint updates and network isolation."""

import json

from registry import patch


@patch("SageMaker: UpdateEndpoint switches an endpoint to another endpoint configuration")
def sagemaker_update_endpoint():
    # AWS deploys the new configuration and returns to InService; moto 5.2.6 has no handler
    # (500 NotImplementedError). Here the switch is immediate.
    import json

    from moto.core.utils import utcnow
    from moto.sagemaker.responses import SageMakerResponse

    def update_endpoint(self):
        name = self._get_param("EndpointName")
        backend = self.sagemaker_backend
        backend.describe_endpoint(name)  # ValidationException for an unknown endpoint
        config = backend.describe_endpoint_config(self._get_param("EndpointConfigName"))
        endpoint = backend.endpoints[name]
        endpoint.endpoint_config_name = config["EndpointConfigName"]
        endpoint.production_variants = endpoint._process_production_variants(config["ProductionVariants"])
        endpoint.last_modified_time = utcnow()
        return json.dumps({"EndpointArn": endpoint.arn})

    SageMakerResponse.update_endpoint = update_endpoint


@patch("SageMaker: a model keeps the EnableNetworkIsolation it was created with")
def sagemaker_model_network_isolation():
    # AWS returns the flag in DescribeModel; moto 5.2.6 always reports false.
    from moto.sagemaker.responses import SageMakerResponse

    original = SageMakerResponse.create_model

    def create_model(self):
        result = original(self)
        model = self.sagemaker_backend._models.get(self._get_param("ModelName"))
        if model is not None:
            model.enable_network_isolation = bool(self._get_param("EnableNetworkIsolation", False))
        return result

    SageMakerResponse.create_model = create_model
