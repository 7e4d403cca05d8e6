#!/usr/bin/env bash
# The main job: set up what is missing (Node 24, dependencies, Docker engine,
# registry, BuildKit, Pulumi CLI and plugins, base images), then deploy the
# root demo stack (Pulumi.yaml -> demo/index.ts -> examples/flask-local/app)
# to the local Docker engine and print the URL that answers.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/node.sh
bash scripts/infra.sh
source "${PPA_CACHE:-/var/cache/pulumi-python-app}/env.sh"
[ -d node_modules ] || npm ci --no-audit --no-fund

export PULUMI_BACKEND_URL="file://$PPA_CACHE/state/pulumi-backend"
pulumi stack select demo --create --non-interactive >/dev/null
# Base images come from the local registry: this machine reaches no other.
pulumi config set baseImage "$PPA_BASE_TRIXIE"
pulumi config set builder "$PPA_BUILDER"
if [ -n "${PPA_CA_BUNDLE:-}" ]; then pulumi config set caBundle "$PPA_CA_BUNDLE"; fi
pulumi config set --path hostPort "${DEMO_PORT:-8000}"
pulumi up --yes --skip-preview --non-interactive

url=$(pulumi stack output url)
echo
echo "Demo deployed. The app answers at $url:"
curl -fsS "$url/"
echo
echo "Tear it down with: PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL pulumi destroy --yes -s demo"
