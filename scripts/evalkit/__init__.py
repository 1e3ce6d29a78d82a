"""Skill evals: scenarios that a fix must pass, scored by the platform-skills checks.

``scripts/evals.py`` is the command line; the modules here hold one idea each:
``criteria`` (what criteria.yaml may say), ``scenarios`` (where scenarios live and what an
agent may read), ``workspace`` (temporary copies, patches, snapshots), ``measure`` (the CLI
run in-process), ``score`` (before/after against the criteria), ``agent`` (one agent run),
``runner`` (both modes) and ``scorecard`` (Markdown and JSON).
"""
