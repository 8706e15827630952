"""Benchmarks: figures to read, never assertions. ``make bench`` runs ``python -m benchmarks``."""
