"""Email: what a message is, how it is rendered and sent, and the record of each delivery."""
