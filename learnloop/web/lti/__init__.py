"""Admin pages for LTI 1.3 platform registrations."""
