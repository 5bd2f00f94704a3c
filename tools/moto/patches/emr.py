"""EMR: step cancellation and one running step at a time."""

from registry import patch


@patch("EMR: CancelSteps cancels a pending or running step; a step runs once none runs before it")
def emr_cancel_steps():
    # moto 5.2.6 has no CancelSteps, and queues every step after the first as PENDING for good,
    # even once nothing runs ahead of it. AWS runs the oldest pending step when none is running.
    from moto.core.responses import ActionResult
    from moto.emr.models import Cluster
    from moto.emr.responses import ElasticMapReduceResponse

    def advance(cluster):
        if not any(step.state == "RUNNING" for step in cluster.steps):
            waiting = next((step for step in cluster.steps if step.state == "PENDING"), None)
            if waiting is not None:
                waiting.state = "RUNNING"
                waiting.start()

    original_add_steps = Cluster.add_steps

    def add_steps(self, steps):
        added = original_add_steps(self, steps)
        advance(self)
        return added

    def cancel_steps(self):
        cluster = self.backend.describe_cluster(self._get_param("ClusterId"))
        wanted = self._get_param("StepIds", [])
        answers = []
        for step in cluster.steps:
            if step.id not in wanted:
                continue
            if step.state in ("PENDING", "RUNNING"):
                step.state = "CANCELLED"
                answers.append({"StepId": step.id, "Status": "SUBMITTED", "Reason": ""})
            else:
                answers.append({"StepId": step.id, "Status": "FAILED", "Reason": f"the step is {step.state}"})
        advance(cluster)
        return ActionResult({"CancelStepsInfoList": answers})

    Cluster.add_steps = add_steps
    ElasticMapReduceResponse.cancel_steps = cancel_steps
