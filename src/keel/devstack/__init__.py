"""The zero-docker local stack behind ``keel dev``: embedded PostgreSQL, Redis, a Temporal dev server and an SMTP
sink as supervised child processes, then migrations and the API pointed at them.

A developer tool, outside the service's layers: nothing in ``keel`` imports it except the ``dev`` command.
Entry point: :func:`keel.devstack.run.run_dev_stack`.
"""
