"""Signing, scanning, SBOM and provenance steps in workflows."""
