"""Whole-repository gaps, raised by audit."""
