"""Admin pages for partner platforms (learnloop.partners)."""
