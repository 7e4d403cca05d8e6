#!/usr/bin/env bash
# Builds the Pulumi resource plugin `pulumi-resource-docker` that the npm SDK
# @pulumi/docker talks to, from Go modules only.
#
# pulumi-docker's own Go module is not served by the Go module proxy, so this script
# writes a small wrapper module that bridges kreuzwerker's terraform-provider-docker
# (served by the proxy as a pseudo-version) with pulumi-terraform-bridge v3:
#   1. build pulumi-tfgen-docker and let it generate the Pulumi package schema;
#   2. build pulumi-resource-docker with that schema embedded.
# The binary is cached under $CACHE_ROOT/tools/docker-provider-<version>/<key>/, the key
# covering every pinned version and the wrapper sources, so a warm run takes a second.
#
# Prints the absolute path of the binary as the last line of stdout; all else goes to
# stderr.
set -euo pipefail

# ---- pins ------------------------------------------------------------------------------
# Version of the npm package @pulumi/docker this plugin serves (package-lock.json).
DOCKER_PROVIDER_VERSION="${DOCKER_PROVIDER_VERSION:-5.2.0}"
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
# file of ours (patches/sdkv2/...) that adds that method as an "unsupported" stub.
SDKV2_FORK_VERSION="v2.0.0-20250923233607-7f1981c8674a"
# Build tag that leaves docker_compose (framework-only, not used by the SDK) out.
BUILD_TAGS="no_compose"

CACHE_ROOT="${PULUMI_PYTHON_APP_CACHE:-/var/cache/pulumi-python-app}"
JOBS="${GO_BUILD_JOBS:-2}"

log() { echo "build-docker-provider: $*" >&2; }

command -v go >/dev/null || { log "go is required"; exit 1; }
GO_VERSION="$(go env GOVERSION)"

# ---- wrapper sources ---------------------------------------------------------------------
# Everything below is written into a fresh directory; its hash is part of the cache key.
write_sources() {
  local dir="$1"
  mkdir -p "$dir/bridgeinfo" "$dir/cmd/pulumi-tfgen-docker" "$dir/cmd/pulumi-resource-docker" \
    "$dir/patches/sdkv2/helper/schema"

  cat > "$dir/patches/sdkv2/helper/schema/pulumiwrapper_generate_resource_config.go" <<'EOF'
package schema

import (
	"context"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
)

// GenerateResourceConfig completes the tfprotov5.ProviderServer interface of
// terraform-plugin-go v0.31. Terraform's config generation is never used by Pulumi.
func (s *GRPCProviderServer) GenerateResourceConfig(
	_ context.Context, _ *tfprotov5.GenerateResourceConfigRequest,
) (*tfprotov5.GenerateResourceConfigResponse, error) {
	return &tfprotov5.GenerateResourceConfigResponse{
		Diagnostics: []*tfprotov5.Diagnostic{{
			Severity: tfprotov5.DiagnosticSeverityError,
			Summary:  "GenerateResourceConfig is not supported by this provider build",
		}},
	}, nil
}
EOF

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

  cat > "$dir/bridgeinfo/info.go" <<'EOF'
// Package bridgeinfo maps the docker Terraform provider onto the Pulumi "docker" package
// as the @pulumi/docker SDK expects it on the wire.
package bridgeinfo

import (
	"os"
	"strings"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	sdkv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"

	upstream "github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// Version is the Pulumi package version; set with -ldflags -X.
var Version = "0.0.0"

func tok(kind, pascal string) string {
	camel := strings.ToLower(pascal[:1]) + pascal[1:]
	return "docker:index/" + camel + ":" + kind + pascal
}

func res(pascal string) *tfbridge.ResourceInfo {
	return &tfbridge.ResourceInfo{Tok: tokens.Type(tok("", pascal))}
}

func fn(camel string) *tfbridge.DataSourceInfo {
	return &tfbridge.DataSourceInfo{
		Tok: tokens.ModuleMember("docker:index/" + camel + ":" + camel),
	}
}

// Provider returns the bridge's description of the docker package.
func Provider() tfbridge.ProviderInfo {
	tf := upstream.New(Version)()

	container := res("Container")
	container.DeleteBeforeReplace = true
	container.Fields = map[string]*tfbridge.SchemaInfo{
		// one command given as a list of words: keep the singular name
		"command": {Name: "command"},
		// already plural in meaning; the SDK uses this exact name
		"networks_advanced": {Name: "networksAdvanced"},
	}

	remoteImage := res("RemoteImage")
	remoteImage.Fields = map[string]*tfbridge.SchemaInfo{"name": {Name: "name"}}

	info := tfbridge.ProviderInfo{
		P:           sdkv2.NewProvider(tf),
		Name:        "docker",
		Version:     Version,
		Description: "A Pulumi package for interacting with Docker in Pulumi programs",
		Keywords:    []string{"pulumi", "docker"},
		License:     "Apache-2.0",
		GitHubOrg:   "kreuzwerker",
		// Set at schema-generation time only, to read the upstream docs.
		UpstreamRepoPath: os.Getenv("DOCKER_UPSTREAM_DIR"),
		Config: map[string]*tfbridge.SchemaInfo{
			"host": {
				Default: &tfbridge.DefaultInfo{EnvVars: []string{"DOCKER_HOST"}},
			},
			"registry_auth": {Name: "registryAuth"},
		},
		Resources: map[string]*tfbridge.ResourceInfo{
			"docker_buildx_builder": res("BuildxBuilder"),
			"docker_config":         res("ServiceConfig"),
			"docker_container":      container,
			"docker_image":          remoteImage,
			"docker_network":        res("Network"),
			"docker_plugin":         res("Plugin"),
			"docker_registry_image": res("RegistryImage"),
			"docker_secret":         res("Secret"),
			"docker_service":        res("Service"),
			"docker_tag":            res("Tag"),
			"docker_volume":         res("Volume"),
		},
		DataSources: map[string]*tfbridge.DataSourceInfo{
			"docker_image":                    fn("getRemoteImage"),
			"docker_logs":                     fn("getLogs"),
			"docker_network":                  fn("getNetwork"),
			"docker_plugin":                   fn("getPlugin"),
			"docker_registry_image":           fn("getRegistryImage"),
			"docker_registry_image_manifests": fn("getRegistryImageManifests"),
		},
	}
	info.SetAutonaming(255, "-")
	return info
}
EOF

  cat > "$dir/cmd/pulumi-tfgen-docker/main.go" <<'EOF'
// Command pulumi-tfgen-docker generates the docker package's Pulumi schema.
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"

	"github.com/terraform-providers/terraform-provider-docker/pulumiwrapper/bridgeinfo"
)

func main() {
	tfgen.Main("docker", bridgeinfo.Version, bridgeinfo.Provider())
}
EOF

  cat > "$dir/cmd/pulumi-resource-docker/main.go" <<'EOF'
// Command pulumi-resource-docker is the docker package's Pulumi resource plugin.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"github.com/terraform-providers/terraform-provider-docker/pulumiwrapper/bridgeinfo"
)

//go:embed schema.json
var schema []byte

func main() {
	tfbridge.Main("docker", bridgeinfo.Version, bridgeinfo.Provider(), schema)
}
EOF
}

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
write_sources "$STAGE/src"
# The script holds every pin and every source file, so its hash keys the cache.
SRC_HASH="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)"
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
[[ -n "$FORK_DIR" && -f "$FORK_DIR/go.mod" ]] || { log "could not download the sdk/v2 fork"; exit 1; }
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
