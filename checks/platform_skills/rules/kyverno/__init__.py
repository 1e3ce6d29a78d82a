"""Kyverno admission policies."""
