"""keel.presentation.api package."""
