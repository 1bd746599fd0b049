"""cmi5 domain."""
