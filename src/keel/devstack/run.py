"""``keel dev``: start every service the settings do not point at, migrate, serve the API, stop it all on Ctrl-C."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from keel.devstack.api import api_service, migrations_task, worker_service
from keel.devstack.errors import DevStackError, StopRequested
from keel.devstack.plan import Embedded, StackPlan, plan_stack
from keel.devstack.postgres import postgres_service
from keel.devstack.redis import redis_service
from keel.devstack.report import print_ready
from keel.devstack.service import StackStep
from keel.devstack.smtp_sink import smtp_sink_service
from keel.devstack.stack import DevStack
from keel.devstack.state import StateLayout
from keel.devstack.temporal import temporal_service
from keel.settings import DevSettings, Settings

EXIT_OK = 0
EXIT_FAILED = 1


def stack_steps(plan: StackPlan, dev: DevSettings, layout: StateLayout, *, with_api: bool) -> list[StackStep]:
    """The children in start order; they stop in reverse (the API first, the worker next, then the services)."""
    steps: list[StackStep] = []
    if plan.starts(Embedded.POSTGRES):
        steps.append(postgres_service(layout, dev.postgres_port))
    if plan.starts(Embedded.REDIS):
        steps.append(redis_service(layout, dev.redis_port))
    if plan.starts(Embedded.TEMPORAL):
        steps.append(temporal_service(layout, dev.temporal_port, dev.temporal_ui_port))
    if plan.starts(Embedded.SMTP):
        steps.append(smtp_sink_service(layout, dev.smtp_port))
    if with_api:
        steps.extend((migrations_task(plan), worker_service(plan, layout), api_service(plan)))
    return steps


def run_dev_stack(settings: Settings, *, with_api: bool = True, console: Console | None = None) -> int:
    """Run the stack in the foreground until SIGINT/SIGTERM; return the process exit code."""
    console = console or Console()
    plan = plan_stack(settings)
    layout = StateLayout(plan.state_dir.resolve())
    exit_code = EXIT_OK
    try:
        stack = DevStack(stack_steps(plan, settings.dev, layout, with_api=with_api), layout, console)
        with stack.stop_flag.installed():
            try:
                console.print(f"[bold]keel dev[/]: starting the local stack in {layout.root}")
                stack.start()
                print_ready(console, plan, layout, with_api=with_api, seconds=stack.ready_after or 0.0)
                stack.watch()
                console.print("\nstopping…")
            except StopRequested:
                console.print("\nstopping before the stack was ready…")
            except DevStackError as error:
                _print_error(console, error)
                exit_code = EXIT_FAILED
            finally:
                seconds = stack.stop()
                if exit_code == EXIT_OK:
                    console.print(f"stopped in {seconds:.1f} s; data kept in {layout.root}")
    except DevStackError as error:
        _print_error(console, error)
        return EXIT_FAILED
    return exit_code


def _print_error(console: Console, error: DevStackError) -> None:
    console.print("[bold red]keel dev:[/]", escape(str(error)), highlight=False, soft_wrap=True)
