"""Use cases and the ports they need. Imports only ``keel.domain``."""
