"""keel's own processes in the stack: migrations (a task) and the API (a service), pointed at the stack's services.

They run as ``python -m keel ...`` subprocesses with the variables of :meth:`StackPlan.app_environment`, so they see
exactly what a deployment would give them.
"""

from __future__ import annotations

import os
import sys

from keel.devstack.plan import StackPlan
from keel.devstack.ports import PortClaim
from keel.devstack.probes import http_ok
from keel.devstack.service import ServiceDefinition, TaskDefinition

READINESS_PATH = "/health/ready"


def app_environment(plan: StackPlan) -> dict[str, str]:
    return {**os.environ, **plan.app_environment(), "PYTHONUNBUFFERED": "1"}


def migrations_task(plan: StackPlan) -> TaskDefinition:
    return TaskDefinition(
        name="migrations",
        command=(sys.executable, "-m", "keel", "db", "upgrade"),
        env=app_environment(plan),
    )


def api_service(plan: StackPlan) -> ServiceDefinition:
    env = app_environment(plan) | {"KEEL_API__HOST": plan.api_host, "KEEL_API__PORT": str(plan.api_port)}
    return ServiceDefinition(
        name="api",
        command=(sys.executable, "-m", "keel", "serve"),
        probe=lambda: http_ok(plan.api_probe_host, plan.api_port, READINESS_PATH),
        ports=(PortClaim("api", plan.api_host, plan.api_port, "KEEL_API__PORT"),),
        env=env,
        ready_timeout=60.0,
        stop_timeout=20.0,
    )
