"""``TemporalJobWorkflows``: the ``JobWorkflows`` port — cancel the workflow running a job.

A job whose workflow was not started yet (its outbox message still waits) or is over already has nothing to cancel;
an unreachable Temporal is logged and left: the job row is final already, and an import stops at its next chunk (an
export at its next page) when it sees that.
"""

from __future__ import annotations

import structlog
from temporalio.service import RPCError, RPCStatusCode

from keel.application.jobs import Job, JobKind
from keel.infrastructure.temporal.client import TemporalConnector, TemporalUnavailable
from keel.infrastructure.temporal.workflows.exports import export_workflow_id
from keel.infrastructure.temporal.workflows.jobs import import_workflow_id

logger = structlog.get_logger(__name__)


class TemporalJobWorkflows:
    def __init__(self, connector: TemporalConnector) -> None:
        self._connector = connector

    async def cancel(self, job: Job) -> None:
        workflow_id = workflow_id_of(job)
        try:
            client = await self._connector.client()
            await client.get_workflow_handle(workflow_id).cancel()
        except TemporalUnavailable as error:
            logger.warning("jobs.cancel_not_sent", job_id=str(job.id), error=str(error))
        except RPCError as error:
            if error.status is not RPCStatusCode.NOT_FOUND:
                raise
            logger.info("jobs.cancel_nothing_running", job_id=str(job.id))
        else:
            logger.info("jobs.cancel_requested", job_id=str(job.id), workflow_id=workflow_id)


def workflow_id_of(job: Job) -> str:
    """The id of the workflow running ``job``: ``import-<job id>`` or ``export-<job id>``."""
    return import_workflow_id(job.id) if job.kind is JobKind.IMPORT else export_workflow_id(job.id)
