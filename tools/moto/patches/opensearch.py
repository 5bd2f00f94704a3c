"""OpenSearch Service: configuration changes DescribeDomainChangeProgress follows."""

import json

from registry import patch


@patch("OpenSearch: UpdateDomainConfig answers a change id that DescribeDomainChangeProgress follows")
def opensearch_change_progress():
    # AWS answers UpdateDomainConfig with DomainConfig.ChangeProgressDetails.ChangeId and
    # describes that change at GET .../domain/{name}/progress?changeid=...; moto 5.2.6 sends no id
    # and has no handler for the progress. The change here is complete at once.
    import json
    import uuid
    from datetime import datetime, timezone

    from moto.es import urls
    from moto.opensearch.exceptions import ResourceNotFoundException
    from moto.opensearch.responses import OpenSearchServiceResponse

    changes = {}
    urls.url_paths["{0}/2021-01-01/opensearch/domain/(?P<domainname>[^/]+)/progress"] = OpenSearchServiceResponse.dispatch
    original_update = OpenSearchServiceResponse.update_domain_config

    def update_domain_config(self):
        answer = json.loads(original_update(self))
        change = str(uuid.uuid4())
        now = datetime.now(timezone.utc).timestamp()
        changes[change] = {"ChangeId": change, "StartTime": now, "LastUpdatedTime": now, "Status": "COMPLETED",
                           "ConfigChangeStatus": "Completed", "InitiatedBy": "CUSTOMER"}
        answer["DomainConfig"]["ChangeProgressDetails"] = {"ChangeId": change, "ConfigChangeStatus": "Completed",
                                                           "InitiatedBy": "CUSTOMER"}
        return json.dumps(answer)

    def describe_domain_change_progress(self):
        change = self._get_param("changeid")
        if change not in changes:
            raise ResourceNotFoundException(f"Change {change} not found")
        return json.dumps({"ChangeProgressStatus": changes[change]})

    OpenSearchServiceResponse.update_domain_config = update_domain_config
    OpenSearchServiceResponse.describe_domain_change_progress = describe_domain_change_progress
