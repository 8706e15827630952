"""Entry points: the HTTP API and the command line. Reaches infrastructure only through ``keel.container``."""
