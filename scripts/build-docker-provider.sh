#!/usr/bin/env bash
# Builds the Pulumi resource plugin `pulumi-resource-docker` that the npm SDK
# @pulumi/docker talks to, from Go modules only.
#
# pulumi-docker's own Go module is not served by the Go module proxy, so this script
# writes a small wrapper module that bridges kreuzwerker's terraform-provider-docker
# (served by the proxy as a pseudo-version) with pulumi-terraform-bridge v3:
#   1. build pulumi-tfgen-docker and let it generate the Pulumi package schema;
#   2. build pulumi-resource-docker with that schema embedded.
# The wrapper's Go sources are in tools/docker-provider.  The binary is cached under
# $PPA_CACHE/tools/docker-provider-<version>/<key>/, the key covering every pinned
# version, this script and those sources, so a warm run takes a second.
#
# Reads: PPA_CACHE (default /var/cache/pulumi-python-app), PPA_GO_P (`go build -p`,
# default 2), PPA_DOCKER_PROVIDER_VERSION (default 5.2.0).
# Prints the absolute path of the binary as the last line of stdout; all else goes to
# stderr.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR="$(cd "$SCRIPT_DIR/.." && pwd)/tools/docker-provider"
# shellcheck source=scripts/lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
PPA_LOG_TAG=build-docker-provider

# ---- pins ------------------------------------------------------------------------------
# Version of the npm package @pulumi/docker this plugin serves (package-lock.json).
DOCKER_PROVIDER_VERSION="${PPA_DOCKER_PROVIDER_VERSION:-5.2.0}"
# Upstream Terraform provider: kreuzwerker/terraform-provider-docker (go.mod declares
# github.com/terraform-providers/terraform-provider-docker). Only this pseudo-version is
# served by the module proxy (its v4.6.0+ development line).
UPSTREAM_MOD="github.com/kreuzwerker/terraform-provider-docker"
UPSTREAM_VERSION="v0.0.0-20260916201441-96d331c98ff4"
BRIDGE_VERSION="v3.120.0"
# The bridge needs Pulumi's fork of terraform-plugin-sdk/v2 (the version named by the
# bridge's own go.mod replace directive at BRIDGE_VERSION). That fork predates
# terraform-plugin-go v0.31 (required by the upstream provider), whose ProviderServer
# interface gained GenerateResourceConfig; the build uses a copy of the fork plus one
# file of ours (tools/docker-provider/patches/sdkv2/...) that adds that method as an
# "unsupported" stub.
SDKV2_FORK_VERSION="v2.0.0-20250923233607-7f1981c8674a"
# Build tag that leaves docker_compose (framework-only, not used by the SDK) out.
BUILD_TAGS="no_compose"

CACHE_ROOT="${PPA_CACHE:-/var/cache/pulumi-python-app}"
JOBS="${PPA_GO_P:-2}"

# stdout is for the binary's path only
log() { say "$@" >&2; }

command -v go >/dev/null || die "go is required"
GO_VERSION="$(go env GOVERSION)"

# ---- wrapper sources ---------------------------------------------------------------------
# The Go sources are files in tools/docker-provider (see tools/README.md); the wrapper
# module's go.mod, which carries the pins above, is written here.
write_sources() {
  local dir="$1"
  mkdir -p "$dir"
  cp -r "$SRC_DIR/." "$dir/"

  # The module path sits under the upstream module's path so that it may import the
  # upstream's internal/provider package (Go's internal rule is by import path).
  cat > "$dir/go.mod" <<EOF
module github.com/terraform-providers/terraform-provider-docker/pulumiwrapper

go 1.25.8

require (
	github.com/pulumi/pulumi-terraform-bridge/v3 ${BRIDGE_VERSION}
	github.com/terraform-providers/terraform-provider-docker v0.0.0
)

replace (
	github.com/hashicorp/terraform-plugin-sdk/v2 => ./third_party/terraform-plugin-sdk-v2
	github.com/terraform-providers/terraform-provider-docker => ${UPSTREAM_MOD} ${UPSTREAM_VERSION}
)
EOF
}

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
write_sources "$STAGE/src"
# The script holds every pin, tools/docker-provider every source file: their hash keys the cache.
SRC_HASH="$( (sha256sum "${BASH_SOURCE[0]}" | cut -c1-64; src_rev "$SRC_DIR") | sha256sum | cut -c1-12)"
KEY="bridge-${BRIDGE_VERSION}_upstream-${UPSTREAM_VERSION##*-}_${GO_VERSION}_${SRC_HASH}"
OUT_DIR="$CACHE_ROOT/tools/docker-provider-${DOCKER_PROVIDER_VERSION}/$KEY"
BIN="$OUT_DIR/pulumi-resource-docker"

if [[ -x "$BIN" && -s "$OUT_DIR/schema.json" ]]; then
  log "cached: $BIN"
  echo "$BIN"
  exit 0
fi

# One build at a time; a run that waited may find the binary built by the other.
mkdir -p "$CACHE_ROOT/tools"
exec 9>"$CACHE_ROOT/tools/.docker-provider.lock"
flock 9
if [[ -x "$BIN" && -s "$OUT_DIR/schema.json" ]]; then
  log "cached: $BIN"
  echo "$BIN"
  exit 0
fi

start=$(date +%s)
WORK="$CACHE_ROOT/src/docker-provider-${DOCKER_PROVIDER_VERSION}-$KEY"
# Work trees of other keys are stale (the Go build cache keeps what is reusable).
for old in "$CACHE_ROOT"/src/docker-provider-*; do
  [[ -e "$old" ]] && chmod -R u+w "$old" && rm -rf "$old"
done
mkdir -p "$(dirname "$WORK")"
cp -r "$STAGE/src" "$WORK"
cd "$WORK"

export GOFLAGS="-mod=mod"
export CGO_ENABLED=0

log "fetching github.com/pulumi/terraform-plugin-sdk/v2@${SDKV2_FORK_VERSION}"
FORK_DIR="$(cd "$STAGE" && GOFLAGS= go mod download -json \
  "github.com/pulumi/terraform-plugin-sdk/v2@${SDKV2_FORK_VERSION}" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
[[ -n "$FORK_DIR" && -f "$FORK_DIR/go.mod" ]] || die "could not download the sdk/v2 fork"
mkdir -p third_party
cp -r "$FORK_DIR" third_party/terraform-plugin-sdk-v2
chmod -R u+w third_party/terraform-plugin-sdk-v2
cp -r patches/sdkv2/. third_party/terraform-plugin-sdk-v2/
LDFLAGS="-s -w -X github.com/terraform-providers/terraform-provider-docker/pulumiwrapper/bridgeinfo.Version=${DOCKER_PROVIDER_VERSION}"

log "resolving modules (go mod tidy) in $WORK"
# The schema is only generated at build time; seed an empty one so tidy sees the embed.
echo '{}' > cmd/pulumi-resource-docker/schema.json
go mod tidy >&2

log "building pulumi-tfgen-docker (-p $JOBS)"
go build -p "$JOBS" -tags "$BUILD_TAGS" -trimpath -ldflags "$LDFLAGS" \
  -o "$WORK/bin/pulumi-tfgen-docker" ./cmd/pulumi-tfgen-docker >&2

log "generating schema"
UPSTREAM_DIR="$(go list -m -f '{{.Dir}}' github.com/terraform-providers/terraform-provider-docker)"
rm -rf "$WORK/gen"
# Examples are left out: converting them needs a Pulumi CLI (`pulumi convert`).
DOCKER_UPSTREAM_DIR="$UPSTREAM_DIR" PULUMI_SKIP_UPDATE_CHECK=true PULUMI_CONVERT=0 \
  "$WORK/bin/pulumi-tfgen-docker" schema --skip-examples --out "$WORK/gen" >&2
cp "$WORK/gen/schema.json" cmd/pulumi-resource-docker/schema.json

log "building pulumi-resource-docker (-p $JOBS)"
go build -p "$JOBS" -tags "$BUILD_TAGS" -trimpath -ldflags "$LDFLAGS" \
  -o "$WORK/bin/pulumi-resource-docker" ./cmd/pulumi-resource-docker >&2

mkdir -p "$OUT_DIR"
cp "$WORK/gen/schema.json" "$OUT_DIR/schema.json"
cp "$WORK/bin/pulumi-resource-docker" "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
log "built in $(( $(date +%s) - start ))s: $BIN"
echo "$BIN"
