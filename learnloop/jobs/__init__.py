"""Background work as rows in a ``job`` table, written in the same transaction as its data."""
