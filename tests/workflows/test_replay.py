"""Recorded histories of ``SendEmailWorkflow`` replay against the current code: a change that would break workflows
in flight (a new command, a reordered one) fails here before it reaches a server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from keel.application.email.ports import DeliveryOutcome, EmailRequest
from keel.infrastructure.temporal.workflows.email import SendEmailWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("send_email_*.json"))


def _history(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text(encoding="utf-8"))


def test_there_are_histories_to_replay() -> None:
    assert {path.stem for path in HISTORIES} >= {"send_email_sent_after_a_transient_failure", "send_email_refused"}


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: path.stem)
async def test_recorded_history_replays_against_the_current_workflow(path: Path) -> None:
    result = await Replayer(workflows=[SendEmailWorkflow]).replay_workflow(_history(path))
    assert result.replay_failure is None


@workflow.defn(name="SendEmail")
class SendEmailWaitingFirst:
    """The workflow as a careless change could make it: a timer before the activity."""

    @workflow.run
    async def run(self, request: EmailRequest) -> DeliveryOutcome:
        await workflow.sleep(timedelta(seconds=1))
        return await SendEmailWorkflow().run(request)


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: path.stem)
async def test_a_non_deterministic_change_fails_the_replay(path: Path) -> None:
    result = await Replayer(workflows=[SendEmailWaitingFirst]).replay_workflow(
        _history(path), raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, NondeterminismError)
