"""``/api/v1/users/imports`` and ``/api/v1/users/exports``: import users from a CSV file, or export them, in the
background (a job).

The upload streams into storage while it is checked; a file that cannot be imported is refused before any job exists
(RFC 9457 problems: 413 too large, 422 not UTF-8 / bad header / empty). Otherwise the answer is 202 with the job,
whose ``Location`` is ``/api/v1/jobs/<id>``. The form field ``send_welcome_email`` (default false) asks for the
welcome email to each imported user. An export takes a JSON body — its format and the users list's filters —
and answers the same way; its file streams from the job's ``result_url`` once it succeeded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Final

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile, status

from keel.application.jobs import ImportFileTooLarge, Job, StartExportCommand, StartImportCommand
from keel.presentation.api.authorization import JobRunner
from keel.presentation.api.jobs_deps import ImportLimitDep, StartUserExportDep, StartUserImportDep
from keel.presentation.api.problems import problem_responses
from keel.presentation.api.rate_limiting import UserRateLimit
from keel.presentation.api.responses import ModelResponse
from keel.presentation.api.v1.job_schemas import ExportRequestBody, JobAcceptedView
from keel.presentation.api.v1.jobs import job_view
from keel.settings import RateLimitClass

READ = [Depends(UserRateLimit(RateLimitClass.READ))]
WRITE = [Depends(UserRateLimit(RateLimitClass.WRITE))]

router = APIRouter(prefix="/users", tags=["users"])

UPLOAD_READ_BYTES: Final = 256 * 1024
MULTIPART_OVERHEAD_BYTES: Final = 64 * 1024
"""Room for the multipart envelope around the file when the request's Content-Length is compared with the limit."""


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(UPLOAD_READ_BYTES):
        yield chunk


@router.post(
    "/imports",
    summary="Import users from a CSV file (header: email,username,full_name,roles; roles separated by ';')",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobAcceptedView,
    dependencies=WRITE,
    responses=problem_responses(400, 401, 403, 413, 422, 429),
)
async def import_users(  # noqa: PLR0917 - FastAPI's parameters: the form, the dependencies
    file: Annotated[UploadFile, File(description="The CSV file, UTF-8 (a byte-order mark is allowed).")],
    actor: JobRunner,
    start_import: StartUserImportDep,
    max_bytes: ImportLimitDep,
    request: Request,
    send_welcome_email: Annotated[
        bool, Form(description="Send each imported user the welcome email (default: they are imported quietly).")
    ] = False,
) -> ModelResponse:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes + MULTIPART_OVERHEAD_BYTES:
        raise ImportFileTooLarge(f"The file is larger than the limit of {max_bytes} bytes.")
    command = StartImportCommand(actor=actor, content=_chunks(file), send_welcome_email=send_welcome_email)
    job = await start_import(command)
    return _accepted(request, job)


@router.post(
    "/exports",
    summary="Export the users (CSV or JSON Lines), filtered like the users list, in the background",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobAcceptedView,
    dependencies=WRITE,
    responses=problem_responses(400, 401, 403, 422, 429),
)
async def export_users(
    body: ExportRequestBody, actor: JobRunner, start_export: StartUserExportDep, request: Request
) -> ModelResponse:
    job = await start_export(StartExportCommand(actor=actor, request=body.to_request()))
    return _accepted(request, job)


def _accepted(request: Request, job: Job) -> ModelResponse:
    view = JobAcceptedView.model_construct(job=job_view(request, job))
    location = request.url_for("get_job", job_id=str(job.id)).path
    return ModelResponse(view, status.HTTP_202_ACCEPTED, headers={"Location": location})
