"""The ``learnloop`` command line."""
