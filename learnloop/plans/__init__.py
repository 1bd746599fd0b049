"""Subscription plans: which features a user may use and how much they may create."""
