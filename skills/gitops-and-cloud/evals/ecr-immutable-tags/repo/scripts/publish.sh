#!/bin/sh
# Build and push both images for a release: scripts/publish.sh <version>
set -eu
version="$1"
registry="123456789012.dkr.ecr.eu-west-1.amazonaws.com"
sha="$(git rev-parse --short=12 HEAD)"

for image in orders-api orders-worker; do
  docker build -t "$registry/orders/$image:$version" -f "docker/$image.Dockerfile" .
  docker tag "$registry/orders/$image:$version" "$registry/orders/$image:sha-$sha"
  docker tag "$registry/orders/$image:$version" "$registry/orders/$image:latest"
  docker push "$registry/orders/$image:$version"
  docker push "$registry/orders/$image:sha-$sha"
  docker push "$registry/orders/$image:latest"
done
