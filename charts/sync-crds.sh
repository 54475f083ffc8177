#!/usr/bin/env bash
# Copies the generated CRDs (crds/generated/*.yaml, written by the CRD generator, `npm run gen`)
# into the Helm chart (charts/tollgate/crds/) and the kustomize base (deploy/crds/), and lists them
# in deploy/crds/kustomization.yaml. Both copies are byte-for-byte the generated files;
# test/chart/crds.test.ts fails whenever they differ. Usage: bash charts/sync-crds.sh
# (or npm run chart:crds).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/crds/generated
if [ ! -d "$src" ]; then
  echo "sync-crds: $src does not exist; generate the CRDs first (npm run gen)" >&2
  exit 1
fi
shopt -s nullglob
generated=("$src"/*.tollgate.dev.yaml)
if [ ${#generated[@]} -eq 0 ]; then
  echo "sync-crds: no .yaml file in $src; generate the CRDs first (npm run gen)" >&2
  exit 1
fi

for dest in "$root/charts/tollgate/crds" "$root/deploy/crds"; do
  mkdir -p "$dest"
  # Drop copies of CRDs that are no longer generated; keep the kustomization (rewritten below).
  for old in "$dest"/*.yaml; do
    [ "$(basename "$old")" = kustomization.yaml ] || rm -f "$old"
  done
  cp "${generated[@]}" "$dest/"
done

{
  echo "# Written by charts/sync-crds.sh from crds/generated/; do not edit."
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "resources:"
  for f in "${generated[@]}"; do
    echo "  - $(basename "$f")"
  done
} >"$root/deploy/crds/kustomization.yaml"

echo "sync-crds: copied ${#generated[@]} CRDs into charts/tollgate/crds/ and deploy/crds/"
