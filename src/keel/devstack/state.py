"""The state directory (``.keel/`` by default): where each service keeps its data, logs and run files.

```
.keel/
  postgres/        PostgreSQL data directory (kept across runs)
  redis/           Redis snapshot (dump.rdb)
  temporal/        Temporal dev server database (temporal.db)
  mail/            every message the SMTP sink received, one .eml file each
  logs/<name>.log  output of each child process, rewritten on each run
  run/             lock of the running stack, pid records of its children, PostgreSQL socket
```
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from keel.devstack.errors import DevStackError


@dataclass(frozen=True)
class StateLayout:
    root: Path

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def postgres_data(self) -> Path:
        return self.root / "postgres"

    @property
    def redis_data(self) -> Path:
        return self.root / "redis"

    @property
    def temporal_data(self) -> Path:
        return self.root / "temporal"

    @property
    def mail(self) -> Path:
        return self.root / "mail"

    def log_file(self, service: str) -> Path:
        return self.logs / f"{service}.log"

    def pid_record(self, service: str) -> Path:
        return self.run / f"{service}.pid"

    def create(self) -> None:
        for folder in (self.root, self.logs, self.run, self.redis_data, self.temporal_data, self.mail):
            folder.mkdir(parents=True, exist_ok=True)


class StackLock:
    """One running stack per state directory, held with ``flock`` so a crashed run never leaves it behind."""

    def __init__(self, layout: StateLayout) -> None:
        self._path = layout.run / "stack.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        lock_file = self._path.open("a+")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            holder = lock_file.read().strip() or "unknown"
            lock_file.close()
            raise DevStackError(
                f"another `keel dev` (pid {holder}) is already using {self._path.parent.parent}: "
                "stop it first, or give this one another KEEL_DEV__STATE_DIR"
            ) from None
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(f"{os.getpid()}\n")
        lock_file.flush()
        self._file = lock_file

    def release(self) -> None:
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
