"""keel: a production-grade FastAPI service template."""
