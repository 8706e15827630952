"""Prometheus metrics: ``registry`` (what is counted), ``http`` (the request middleware), ``collectors`` and
``outbox`` (figures read at scrape time), ``adapters`` (the application's counting ports), ``exposition`` (the text
format, the worker's endpoint). See ``docs/reference/metrics.md``."""
