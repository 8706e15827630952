"""Workflow definitions. Deterministic: time from ``workflow.now()``, ids from ``workflow.uuid4()``, no I/O; keel
modules are imported through ``workflow.unsafe.imports_passed_through()``.

They live in infrastructure because they are Temporal code; what they orchestrate is the application's (ports and
use cases reached through activities).
"""
