"""keel.presentation.cli package."""
