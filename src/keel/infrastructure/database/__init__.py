"""keel.infrastructure.database package."""
