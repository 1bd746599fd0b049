"""h5p domain."""
