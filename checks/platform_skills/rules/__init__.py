"""Rule records, one package per domain. Rule modules import readers, never each other."""
