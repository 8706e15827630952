"""The worker process (``keel worker``): the outbox relay and the Temporal workers, around one container."""

from keel.presentation.worker.process import run_worker_process, serve_worker

__all__ = ["run_worker_process", "serve_worker"]
