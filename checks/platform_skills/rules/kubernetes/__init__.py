"""Kubernetes: workload images and Pod Security, resources, Secrets, RBAC, API versions."""
