"""xapi domain."""
