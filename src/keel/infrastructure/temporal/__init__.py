"""Temporal: the client (a container resource), its readiness check, the outbox dispatcher, workflows, activities and
the workers that run them.

Payloads use the SDK's default data converter: JSON, with dataclasses (``EmailRequest``, ``DeliveryOutcome``) encoded
field by field and decoded from the type hints. They carry ids and small values, never records: an activity reads
current data when it runs, and a workflow's history stays small and free of personal data beyond ids.

This package's ``__init__`` imports nothing: workflow modules are re-imported inside the workflow sandbox, and each
import on their path is one more module the sandbox loads.
"""
