"""Readers: the views rules stand on (workflows, shell scripts, scans, pod specs, ...).

A reader turns a parsed document into facts several rules share, computes them once per
document and never decides whether something is a finding: that is a rule's job. Readers
import only ``model``, ``nodes`` and each other; never a rule.
"""
