"""``/api/v1/jobs``: the caller's tenant's jobs — status and progress, cancelling, and their files as streams."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from keel.application.jobs import Job, JobFileKind, JobQuery
from keel.presentation.api.authorization import JobRunner
from keel.presentation.api.jobs_deps import CancelJobDep, GetJobDep, OpenJobFileDep
from keel.presentation.api.problems import problem_responses
from keel.presentation.api.rate_limiting import UserRateLimit
from keel.presentation.api.responses import ModelResponse
from keel.presentation.api.v1.job_schemas import JobView
from keel.settings import RateLimitClass

READ = [Depends(UserRateLimit(RateLimitClass.READ))]
WRITE = [Depends(UserRateLimit(RateLimitClass.WRITE))]

router = APIRouter(prefix="/jobs", tags=["jobs"])


def job_view(request: Request, job: Job) -> JobView:
    return JobView.of(
        job,
        result_url=request.url_for("get_job_result", job_id=str(job.id)).path,
        error_report_url=request.url_for("get_job_error_report", job_id=str(job.id)).path,
    )


@router.get(
    "/{job_id}",
    summary="A job's status and progress",
    response_model=JobView,
    dependencies=READ,
    responses=problem_responses(401, 403, 404, 422, 429),
)
async def get_job(job_id: UUID, actor: JobRunner, get: GetJobDep, request: Request) -> ModelResponse:
    return ModelResponse(job_view(request, await get(JobQuery(actor=actor, job_id=job_id))))


@router.post(
    "/{job_id}/cancel",
    summary="Cancel a queued or running job",
    response_model=JobView,
    dependencies=WRITE,
    responses=problem_responses(401, 403, 404, 409, 422, 429),
)
async def cancel_job(job_id: UUID, actor: JobRunner, cancel: CancelJobDep, request: Request) -> ModelResponse:
    return ModelResponse(job_view(request, await cancel(JobQuery(actor=actor, job_id=job_id))))


async def _stream(query: JobQuery, kind: JobFileKind, open_file: OpenJobFileDep) -> StreamingResponse:
    opened = await open_file(query, kind)
    return StreamingResponse(
        opened.chunks,
        media_type=opened.media_type,
        headers={"Content-Disposition": f'attachment; filename="{opened.filename}"'},
    )


@router.get(
    "/{job_id}/result",
    summary="Stream a job's result file (an export)",
    response_class=StreamingResponse,
    dependencies=READ,
    responses=problem_responses(401, 403, 404, 422, 429),
)
async def get_job_result(job_id: UUID, actor: JobRunner, open_file: OpenJobFileDep) -> StreamingResponse:
    return await _stream(JobQuery(actor=actor, job_id=job_id), JobFileKind.RESULT, open_file)


@router.get(
    "/{job_id}/error-report",
    summary="Stream a job's error report (CSV: line, field, error)",
    response_class=StreamingResponse,
    dependencies=READ,
    responses=problem_responses(401, 403, 404, 422, 429),
)
async def get_job_error_report(job_id: UUID, actor: JobRunner, open_file: OpenJobFileDep) -> StreamingResponse:
    return await _stream(JobQuery(actor=actor, job_id=job_id), JobFileKind.ERROR_REPORT, open_file)
