"""Reliability: bad input, fuzzing (issue 5)."""
