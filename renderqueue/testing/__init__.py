"""Helpers for testing projects that use renderqueue against real services."""
