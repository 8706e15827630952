"""Counting failed workflow executions in the workers: a worker interceptor around each workflow's run.

A workflow *fails* when its run raises a Temporal failure (an ``ApplicationError``, a failed activity it did not
handle): the execution closes as failed. Other exceptions fail only the workflow task, which Temporal retries; they
are not counted. Replays (a query on a closed workflow, a worker rebuilding its cache) are not counted again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio import workflow
from temporalio.exceptions import FailureError
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)


class WorkflowFailureCounting(Interceptor):
    def __init__(self, failed: Callable[[str], None]) -> None:
        self._failed = failed

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        failed = self._failed

        class CountFailures(WorkflowInboundInterceptor):
            async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
                try:
                    return await super().execute_workflow(input)
                except FailureError:
                    if not workflow.unsafe.is_replaying():
                        with workflow.unsafe.sandbox_unrestricted():  # a counter outside the workflow's state
                            failed(workflow.info().workflow_type)
                    raise

        return CountFailures
