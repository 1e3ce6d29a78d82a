"""GitHub Actions hygiene: pinning, permissions, suppression comments."""
