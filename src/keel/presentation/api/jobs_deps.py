"""Typed dependencies of the jobs routes (kept beside ``deps`` so that the features' aliases stay apart)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from keel.application.jobs import CancelJob, GetJob, OpenJobFile, StartUserExport, StartUserImport
from keel.presentation.api.deps import from_container

StartUserImportDep = Annotated[StartUserImport, Depends(from_container(lambda c: c.start_user_import))]
StartUserExportDep = Annotated[StartUserExport, Depends(from_container(lambda c: c.start_user_export))]
GetJobDep = Annotated[GetJob, Depends(from_container(lambda c: c.get_job))]
CancelJobDep = Annotated[CancelJob, Depends(from_container(lambda c: c.cancel_job))]
OpenJobFileDep = Annotated[OpenJobFile, Depends(from_container(lambda c: c.open_job_file))]
ImportLimitDep = Annotated[int, Depends(from_container(lambda c: c.settings.provided.jobs.import_max_bytes))]
