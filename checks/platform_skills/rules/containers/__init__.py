"""Container images: Dockerfiles, and the downloads builds run in Dockerfiles and workflows."""
