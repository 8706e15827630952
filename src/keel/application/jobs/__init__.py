"""Batch jobs: importing and exporting users in the background, with progress, results and error reports.

A job is requested over the API (``StartUserImport``, ``StartUserExport``), recorded in the ``jobs`` table with an
outbox message that starts its Temporal workflow, run by the worker (``StartJob``, then ``ImportUsersChunk`` and
``FinishImport``, or ``ExportUsers``), and read or cancelled by its tenant (``GetJob``, ``CancelJob``,
``OpenJobFile``). Files go through the ``FileStorage`` port. See ``docs/explanation/batch-jobs.md``.
"""

from keel.application.jobs.csv_records import IMPORT_HEADER, CsvRecord, RecordSplitter, csv_records
from keel.application.jobs.export_rows import EXPORT_FIELDS, ExportFormat, encode_users, escape_formula
from keel.application.jobs.export_users import ExportResult, ExportUsers
from keel.application.jobs.finish import ERROR_REPORT_HEADER, FinishImport, FinishJob, FinishJobCommand
from keel.application.jobs.import_chunk import ImportChunkCommand, ImportUsersChunk, RequesterGone
from keel.application.jobs.job import (
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    Job,
    JobAlreadyFinished,
    JobFileNotAvailable,
    JobKind,
    JobNotFound,
    JobProgress,
    JobStatus,
)
from keel.application.jobs.messages import JobRef, job_finished_email, job_ref_from_payload, start_job_message
from keel.application.jobs.operator import ActAsUser, GetAnyJob
from keel.application.jobs.ports import ChunkAlreadyRecorded, ImportChunk, JobRepository, JobWorkflows, RowError
from keel.application.jobs.queries import CancelJob, GetJob, JobFileKind, JobFileStream, JobQuery, OpenJobFile
from keel.application.jobs.start_export import (
    ExportRequest,
    InvalidExportParameters,
    StartExportCommand,
    StartUserExport,
)
from keel.application.jobs.start_import import (
    ImportFileEmpty,
    ImportFileTooLarge,
    ImportHeaderInvalid,
    ImportNotUtf8,
    InvalidImportFile,
    StartImportCommand,
    StartUserImport,
)
from keel.application.jobs.start_job import JobStart, StartJob
from keel.application.jobs.storage import FileStorage, JobFile, StoredFileMissing, job_file_key

__all__ = [
    "ACTIVE_STATUSES",
    "ERROR_REPORT_HEADER",
    "EXPORT_FIELDS",
    "FINAL_STATUSES",
    "IMPORT_HEADER",
    "ActAsUser",
    "CancelJob",
    "ChunkAlreadyRecorded",
    "CsvRecord",
    "ExportFormat",
    "ExportRequest",
    "ExportResult",
    "ExportUsers",
    "FileStorage",
    "FinishImport",
    "FinishJob",
    "FinishJobCommand",
    "GetAnyJob",
    "GetJob",
    "ImportChunk",
    "ImportChunkCommand",
    "ImportFileEmpty",
    "ImportFileTooLarge",
    "ImportHeaderInvalid",
    "ImportNotUtf8",
    "ImportUsersChunk",
    "InvalidExportParameters",
    "InvalidImportFile",
    "Job",
    "JobAlreadyFinished",
    "JobFile",
    "JobFileKind",
    "JobFileNotAvailable",
    "JobFileStream",
    "JobKind",
    "JobNotFound",
    "JobProgress",
    "JobQuery",
    "JobRef",
    "JobRepository",
    "JobStart",
    "JobStatus",
    "JobWorkflows",
    "OpenJobFile",
    "RecordSplitter",
    "RequesterGone",
    "RowError",
    "StartExportCommand",
    "StartImportCommand",
    "StartJob",
    "StartUserExport",
    "StartUserImport",
    "StoredFileMissing",
    "csv_records",
    "encode_users",
    "escape_formula",
    "job_file_key",
    "job_finished_email",
    "job_ref_from_payload",
    "start_job_message",
]
