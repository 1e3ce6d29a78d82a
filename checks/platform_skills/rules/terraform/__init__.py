"""Terraform and AWS: the trust and registry settings around deploying an image."""
