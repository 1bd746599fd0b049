"""Accounts, roles, tokens and the request dependencies that resolve who is calling."""
