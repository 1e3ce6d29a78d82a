"""Rule modules, one per domain. Each module-level ``Rule`` is collected by the registry."""
