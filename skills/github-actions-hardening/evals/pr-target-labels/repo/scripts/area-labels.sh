#!/bin/sh
# Label a pull request by the areas it touches: docs, api, web, ci.
set -eu

changed=$(git diff --name-only "$BASE"...HEAD)

labels=""
add() { case ",$labels," in *",$1,"*) ;; *) labels="${labels:+$labels,}$1" ;; esac; }
for file in $changed; do
  case "$file" in
    docs/*|*.md) add docs ;;
    api/*) add api ;;
    web/*) add web ;;
    .github/*) add ci ;;
  esac
done

if [ -n "$labels" ]; then
  gh pr edit "$PR" --add-label "$labels"
fi
