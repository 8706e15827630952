"""A Temporal dev server of a test's own that can go away and come back: stopped, then started again on the same
port and the same SQLite file, so the workers and clients that knew it find it where it was, workflows included.

```python
temporal = PrivateTemporal(tmp_path)
temporal.start()
...
temporal.stop()      # SIGTERM; the workflows stay in the file
temporal.start()     # "Temporal comes back"
```
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support.network import free_port
from support.temporal import DevServer, start_dev_server


class PrivateTemporal:
    def __init__(self, directory: Path, *, persistent: bool = True) -> None:
        """``persistent=False``: in memory (faster; for tests that never restart it)."""
        self.directory = directory
        self.port = free_port()
        self.db_file = directory / "temporal.sqlite" if persistent else None
        self._server: DevServer | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        """Start the server on its port and file; return once it serves the ``default`` namespace."""
        assert self._server is None, "already running"
        self._server = start_dev_server(self.directory, self.port, db_file=self.db_file)

    def stop(self) -> None:
        """Stop the server and wait for it to exit (its file is complete then)."""
        if self._server is not None:
            self._server.stop()
            self._server = None


@contextmanager
def running_private_temporal(directory: Path, *, persistent: bool = True) -> Iterator[PrivateTemporal]:
    """A started ``PrivateTemporal`` in ``directory`` (created), stopped after the block."""
    directory.mkdir(parents=True, exist_ok=True)
    server = PrivateTemporal(directory, persistent=persistent)
    server.start()
    try:
        yield server
    finally:
        server.stop()
