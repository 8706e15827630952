"""Email adapters: the Jinja2 renderer of the shipped templates and the SMTP sender."""
