"""Flux CD, Argo CD and Helm: what the cluster pulls, and from where."""
