"""What the developer reads once the stack is up: where everything is, and how to point other tools at it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from rich.console import Console

from keel.devstack.plan import Embedded, StackPlan
from keel.devstack.state import StateLayout

_PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:)[^@]*@")


def hide_password(url: str) -> str:
    return _PASSWORD_IN_URL.sub(r"\1***@", url)


def shown_path(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, with a trailing slash for folders."""
    try:
        relative = path.relative_to(Path.cwd())
    except ValueError:
        relative = path
    return f"{relative}/"


def _origin(plan: StackPlan, service: Embedded) -> str:
    return "[dim](embedded)[/]" if plan.starts(service) else "[yellow](external)[/]"


def endpoint_lines(plan: StackPlan, layout: StateLayout, *, with_api: bool) -> list[tuple[str, str, str]]:
    """(what, where, note) for each thing the developer may open or connect to."""
    lines: list[tuple[str, str, str]] = []
    if with_api:
        lines += [
            ("API", plan.api_url, ""),
            ("API docs", f"{plan.api_url}/docs", ""),
            ("Health", f"{plan.api_url}/health/ready", f"and {plan.api_url}/health/live"),
        ]
    database_url = hide_password(plan.database_url.replace("+asyncpg", "", 1))
    lines.append(("PostgreSQL", database_url, _origin(plan, Embedded.POSTGRES)))
    cache = hide_password(plan.cache_url) if plan.cache_url is not None else "off (KEEL_CACHE__MODE=off)"
    lines.append(("Redis", cache, _origin(plan, Embedded.REDIS)))
    lines.append(("Temporal", plan.temporal_address, _origin(plan, Embedded.TEMPORAL)))
    if plan.temporal_ui_url is not None:
        lines.append(("Temporal UI", plan.temporal_ui_url, ""))
    if with_api:
        lines.append(
            ("Worker", "keel worker", f"outbox relay and workflows; log in {shown_path(layout.logs)}worker.log")
        )
    lines.append(("SMTP", f"{plan.smtp_host}:{plan.smtp_port}", _origin(plan, Embedded.SMTP)))
    if plan.starts(Embedded.SMTP):
        lines.append(("Mail folder", shown_path(layout.mail), "one .eml file per message"))
    lines.append(("Logs", shown_path(layout.logs), "one file per process"))
    return lines


def environment_file(plan: StackPlan, layout: StateLayout) -> Path:
    """Write the variables pointing at the stack to ``<state_dir>/dev.env`` (shell- and IDE-readable)."""
    path = layout.root / "dev.env"
    lines = [f"{name}={shlex.quote(value)}" for name, value in plan.app_environment().items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def print_ready(console: Console, plan: StackPlan, layout: StateLayout, *, with_api: bool, seconds: float) -> None:
    console.print()
    console.print(f"[bold green]keel dev is ready[/] in {seconds:.1f} s")
    for what, where, note in endpoint_lines(plan, layout, with_api=with_api):
        console.print(f"  [bold]{what:<12}[/] {where}  {note}", highlight=False, soft_wrap=True)
    env_file = environment_file(plan, layout)
    if not with_api:
        console.print()
        console.print("To use these services from a shell, tests or an IDE:")
        for name, value in plan.app_environment().items():
            console.print(f"export {name}={shlex.quote(value)}", markup=False, highlight=False, soft_wrap=True)
        console.print(f"(also in {shown_path(env_file).rstrip('/')}; apply migrations with `keel db upgrade`)")
    console.print()
    console.print("Press [bold]Ctrl-C[/] to stop; data is kept for the next run.")
