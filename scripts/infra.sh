#!/usr/bin/env bash
# scripts/infra.sh — bring up everything the end-to-end tests need, idempotently.
#
# Cold (fresh machine): installs Debian packages, compiles BuildKit, the Pulumi CLI,
# the Node.js and YAML language hosts and the docker-build provider from the Go module proxy
# (in the background, while dockerd, the registry and the base images are set up),
# and takes a while (tens of minutes on 2 cores).  Warm: every step is a check and
# the whole run takes seconds.
#
# Reads (all optional):
#   PPA_CACHE               cache root (default /var/cache/pulumi-python-app)
#   PPA_PACKAGE_LOCK        package-lock.json to read tool versions from (default: the repo's)
#   PPA_BUILDKIT_VERSION    BuildKit module version (default v0.34.2)
#   PPA_YAML_VERSION        pulumi-yaml module version of the YAML language host (default v1.25.0)
#   PPA_BUILD_PARALLEL      Go builds run at once: 1 or 2 (default 2)
#   PPA_GO_P                `go build -p` (default 2)
#   PPA_GO_VET=1            `go vet` our own Go sources (tools/) in the builds that use them
#   PPA_SKIP_TRIXIE=1       do not make the trixie base image
#   PPA_REGISTRY_ADDR       registry address (default 127.0.0.1:5000; keep it on 127.0.0.0/8)
#   PPA_BUILDKIT_ADDR       buildkitd socket (default unix:///run/buildkit/buildkitd.sock)
#   GOCACHE, GOMODCACHE     as usual for the Go builds
# Writes: $PPA_CACHE/{bin,tools,state}, $PPA_CACHE/env.sh (source it), /run/buildkit/.
# Starts (detached, pidfiles under $PPA_CACHE/state): dockerd, docker-registry, buildkitd,
# and a second dockerd in swarm mode for the PythonService tests (its own socket
# $PPA_SWARM_HOST, data root, exec root and bridge; no iptables rules of its own).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
# shellcheck source=scripts/lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=scripts/lib/gobuild.sh
source "$SCRIPT_DIR/lib/gobuild.sh"

PPA_CACHE="${PPA_CACHE:-/var/cache/pulumi-python-app}"
PPA_PACKAGE_LOCK="${PPA_PACKAGE_LOCK:-$REPO_ROOT/package-lock.json}"
BIN="$PPA_CACHE/bin"
TOOLS="$PPA_CACHE/tools"
STATE="$PPA_CACHE/state"
LOGS="$STATE/logs"
export PPA_CACHE

REGISTRY_ADDR="${PPA_REGISTRY_ADDR:-127.0.0.1:5000}"
REGISTRY_USER=ppa
REGISTRY_DIR="$STATE/registry"
BUILDKIT_SOCK="${PPA_BUILDKIT_ADDR:-unix:///run/buildkit/buildkitd.sock}"
BUILDER_NAME=ppa-buildkit
DOCKER_SOCK=unix:///var/run/docker.sock
DOCKER=/usr/bin/docker # Debian's 20.10 client; /usr/local/bin/docker insists on buildx
# The second engine (swarm mode). Paths stay short: unix socket paths are limited
# to 108 bytes. Address ranges (none may overlap daemon 1's 172.17.0.0/16 pools):
#   10.209.0.0/24  its default bridge (pre-created: --bridge needs an existing one)
#   10.209.1.0/24  docker_gwbridge (pre-created, so its name and range are ours)
#   10.211.0.0/16  pool for its overlay networks (swarm init --default-addr-pool)
# No --default-address-pool for its local networks (it creates none; Docker skips
# ranges that overlap a route): dockerd 20.10, restarted with that flag and a
# stored default network, deletes the link named docker0 (moby's "Clear stale
# bridge network" in daemon_unix.go, whatever --bridge says), which is daemon
# 1's bridge: daemon 1 then starts no container until it is restarted.
SWARM_SOCK=unix:///run/ppa-swarm/docker.sock
SWARM_EXEC_ROOT=/run/ppa-swarm
SWARM_BRIDGE=ppa-swarm0
SWARM_BRIDGE_CIDR=10.209.0.1/24
SWARM_GW_BRIDGE=ppa-swarm-gw
SWARM_GW_SUBNET=10.209.1.0/24
SWARM_OVERLAY_POOL=10.211.0.0/16
LB_DOCKERFILE="$SCRIPT_DIR/lb/Dockerfile"

export DOCKER_CONFIG="$STATE/docker-config"
export DOCKER_HOST="$DOCKER_SOCK"
export PULUMI_HOME="$STATE/pulumi-home"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_DISABLE_REGISTRY_RESOLVE=true
export PULUMI_IGNORE_AMBIENT_PLUGINS=true
export PULUMI_CONFIG_PASSPHRASE=""
export DEBIAN_FRONTEND=noninteractive
export PATH="$BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/go/bin:$PATH"

T_START=$(date +%s%3N)
mkdir -p "$BIN" "$TOOLS" "$STATE" "$LOGS" "$DOCKER_CONFIG" "$PULUMI_HOME" "$REGISTRY_DIR" \
  "$STATE/pulumi-backend"

# One run at a time (CI, a developer and a test may all call this).
exec 9>"$STATE/infra.lock"
if ! flock -n 9; then
  say "another infra.sh run holds $STATE/infra.lock; waiting for it"
  flock 9
fi

# ---------------------------------------------------------------- versions
[ -f "$PPA_PACKAGE_LOCK" ] || die "no package-lock.json at $PPA_PACKAGE_LOCK"
PULUMI_NPM_VERSION=$(lock_version @pulumi/pulumi)
DOCKER_BUILD_NPM_VERSION=$(lock_version @pulumi/docker-build)
DOCKER_NPM_VERSION=$(lock_version @pulumi/docker)
[ -n "$PULUMI_NPM_VERSION" ] || die "@pulumi/pulumi not found in $PPA_PACKAGE_LOCK"
[ -n "$DOCKER_BUILD_NPM_VERSION" ] || die "@pulumi/docker-build not found in $PPA_PACKAGE_LOCK"
PULUMI_VERSION="v$PULUMI_NPM_VERSION"
DOCKER_BUILD_VERSION="v$DOCKER_BUILD_NPM_VERSION"
BUILDKIT_VERSION="${PPA_BUILDKIT_VERSION:-v0.34.2}"
# the only versions the module proxy here serves are v1.11.1 and v1.25.0
YAML_VERSION="${PPA_YAML_VERSION:-v1.25.0}"
# Go sources of our own live in tools/ (see tools/README.md): key each built
# tool's folder by the hash of the sources it is built from, too
TOOLS_SRC="$REPO_ROOT/tools"
LANGHOST_REV=$(src_rev "$TOOLS_SRC/langhost")
STUBS_REV=$(src_rev "$TOOLS_SRC/stubs")
YAMLHOST_REV=$(src_rev "$TOOLS_SRC/yamlhost")

BUILDKIT_DIR="$TOOLS/buildkit-$BUILDKIT_VERSION"
PULUMI_DIR="$TOOLS/pulumi-$PULUMI_VERSION"
LANGHOST_DIR="$TOOLS/pulumi-language-nodejs-$PULUMI_VERSION-$LANGHOST_REV"
YAMLHOST_DIR="$TOOLS/pulumi-language-yaml-$YAML_VERSION-$YAMLHOST_REV"
DOCKER_BUILD_DIR="$TOOLS/pulumi-resource-docker-build-$DOCKER_BUILD_VERSION-$STUBS_REV"
DOCKER_PROVIDER_HOOK="$SCRIPT_DIR/build-docker-provider.sh"

say "cache $PPA_CACHE; versions: pulumi $PULUMI_VERSION, docker-build $DOCKER_BUILD_VERSION," \
  "buildkit $BUILDKIT_VERSION, pulumi-yaml $YAML_VERSION, @pulumi/docker ${DOCKER_NPM_VERSION:-none}"

# ---------------------------------------------------------------- 1. apt
APT_PACKAGES=(docker.io docker-registry apache2-utils debootstrap debian-archive-keyring runc wrk
  iproute2 ca-certificates curl)
phase_apt() {
  local -a missing=()
  local p
  for p in "${APT_PACKAGES[@]}"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "apt: all ${#APT_PACKAGES[@]} packages present"
    return
  fi
  say "apt: installing ${missing[*]} (log: $LOGS/apt.log)"
  # keep the packages' init scripts from starting daemons with Debian's configs
  local made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  local rc=0
  run_logged "$LOGS/apt.log" apt-get update || rc=$?
  [ "$rc" -ne 0 ] || run_logged "$LOGS/apt.log" apt-get install -y --no-install-recommends "${missing[@]}" || rc=$?
  [ "$made_policy" = 0 ] || rm -f /usr/sbin/policy-rc.d
  [ "$rc" -eq 0 ] || die "apt-get failed"
}

# ---------------------------------------------------------------- 2. Go builds
tool_ready() { # DIR BIN...
  local d=$1 b; shift
  [ -f "$d/.complete" ] || return 1
  for b in "$@"; do [ -x "$d/bin/$b" ] || return 1; done
}

build_buildkit() {
  go_build_wrapped buildkit "$BUILDKIT_DIR" "$LOGS/build-buildkit.log" \
    github.com/moby/buildkit "$BUILDKIT_VERSION" \
    --directives "github.com/moby/buildkit@$BUILDKIT_VERSION" \
    --ldflags "-X github.com/moby/buildkit/version.Version=$BUILDKIT_VERSION -X github.com/moby/buildkit/version.Package=github.com/moby/buildkit" \
    -- github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl
}
build_pulumi() {
  # pkg/v3's go.mod replaces sdk/v3 with ../sdk: require the same version instead;
  # its other replace (the clipboard fork) is copied.
  go_build_wrapped pulumi "$PULUMI_DIR" "$LOGS/build-pulumi.log" \
    github.com/pulumi/pulumi/pkg/v3 "$PULUMI_VERSION" \
    --require "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" \
    --directives "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" \
    --ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
    -- github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}
build_langhost() {
  go_build_wrapped pulumi-language-nodejs "$LANGHOST_DIR" "$LOGS/build-pulumi-language-nodejs.log" \
    github.com/pulumi/pulumi/sdk/v3 "$PULUMI_VERSION" \
    --directives "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" \
    --gofile "main.go=$TOOLS_SRC/langhost/main.go" \
    --ldflags "-X main.version=${PULUMI_VERSION#v}" \
    -- .
}
build_yamlhost() {
  # pulumi-yaml's server package with its own requirements (pkg/sdk at the
  # versions its go.mod names, a module graph apart from the CLI's) and a main
  # of ours (tools/yamlhost)
  go_build_wrapped pulumi-language-yaml "$YAMLHOST_DIR" "$LOGS/build-pulumi-language-yaml.log" \
    github.com/pulumi/pulumi-yaml "$YAML_VERSION" \
    --directives "github.com/pulumi/pulumi-yaml@$YAML_VERSION" \
    --gofile "main.go=$TOOLS_SRC/yamlhost/main.go" \
    --ldflags "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=${YAML_VERSION#v}" \
    -- .
}
build_docker_build() {
  # pulumi-java and pulumi-language-dotnet are not served by the module proxy:
  # local stand-ins (tools/stubs, see tools/README.md) replace them.
  go_build_wrapped pulumi-resource-docker-build "$DOCKER_BUILD_DIR" "$LOGS/build-docker-build.log" \
    github.com/pulumi/pulumi-docker-build "$DOCKER_BUILD_VERSION" \
    --directives "github.com/pulumi/pulumi-docker-build@$DOCKER_BUILD_VERSION" \
    --local "github.com/pulumi/pulumi-java=$TOOLS_SRC/stubs/pulumi-java" \
    --local "github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3=$TOOLS_SRC/stubs/pulumi-language-dotnet" \
    --ldflags "-X github.com/pulumi/pulumi-docker-build/provider.Version=${DOCKER_BUILD_VERSION#v}" \
    -- github.com/pulumi/pulumi-docker-build/provider/cmd/pulumi-resource-docker-build
}
# Hook for the @pulumi/docker provider, built by another script (if present).
# It prints the path of the built binary on its last line of stdout.
build_docker_provider() {
  [ -x "$DOCKER_PROVIDER_HOOK" ] || return 0
  local rc=0
  # it reads PPA_CACHE (exported above) and PPA_GO_P
  "$DOCKER_PROVIDER_HOOK" >"$LOGS/docker-provider.out" 2>"$LOGS/build-docker-provider.log" || rc=$?
  cat "$LOGS/docker-provider.out" >>"$LOGS/build-docker-provider.log"
  return "$rc"
}

BUILD_STATUS="$STATE/build-status"
declare -a BUILD_QUEUE_PIDS=()
declare -a BUILDS_STARTED=()

run_build_queue() { # NAME... (runs in a background subshell)
  local n t0 rc
  for n in "$@"; do
    t0=$SECONDS rc=0
    "build_$n" || rc=$?
    echo "$rc $((SECONDS - t0))" >"$BUILD_STATUS/$n"
  done
}

kill_tree() { # PID: that process and its descendants (processes this script started)
  local c
  for c in $(pgrep -P "$1" 2>/dev/null || true); do kill_tree "$c"; done
  kill "$1" 2>/dev/null || true
}
on_exit() {
  local p
  for p in ${BUILD_QUEUE_PIDS[@]+"${BUILD_QUEUE_PIDS[@]}"}; do
    kill -0 "$p" 2>/dev/null && kill_tree "$p"
  done
  return 0
}
trap on_exit EXIT

phase_start_builds() {
  local -a q1=() q2=()
  tool_ready "$BUILDKIT_DIR" buildkitd buildctl || q1+=(buildkit)
  tool_ready "$PULUMI_DIR" pulumi || q1+=(pulumi)
  tool_ready "$LANGHOST_DIR" pulumi-language-nodejs || q1+=(langhost)
  tool_ready "$DOCKER_BUILD_DIR" pulumi-resource-docker-build || q2+=(docker_build)
  tool_ready "$YAMLHOST_DIR" pulumi-language-yaml || q2+=(yamlhost)
  # the hook keeps its own cache; it is always called (and is expected to be quick when warm)
  [ -x "$DOCKER_PROVIDER_HOOK" ] && q2+=(docker_provider)
  rm -rf "$BUILD_STATUS"; mkdir -p "$BUILD_STATUS"
  BUILDS_STARTED=(${q1[@]+"${q1[@]}"} ${q2[@]+"${q2[@]}"})
  if [ ${#BUILDS_STARTED[@]} -eq 0 ]; then
    say "go builds: all tools cached"
    return
  fi
  local real=0 n
  for n in "${BUILDS_STARTED[@]}"; do [ "$n" = docker_provider ] || real=1; done
  if [ "$real" = 1 ]; then
    command -v go >/dev/null || die "go is not installed (needed to build ${BUILDS_STARTED[*]})"
    say "go builds in the background ($(go env GOVERSION), -p ${PPA_GO_P:-2}): ${BUILDS_STARTED[*]}"
  fi
  for n in "${BUILDS_STARTED[@]}"; do
    case $n in
      docker_build) say "  docker-build provider -> $LOGS/build-docker-build.log" ;;
      docker_provider) say "  docker provider hook $DOCKER_PROVIDER_HOOK -> $LOGS/build-docker-provider.log" ;;
      langhost) say "  pulumi-language-nodejs -> $LOGS/build-pulumi-language-nodejs.log" ;;
      yamlhost) say "  pulumi-language-yaml -> $LOGS/build-pulumi-language-yaml.log" ;;
      *) say "  $n -> $LOGS/build-$n.log" ;;
    esac
  done
  # build work folders live under $STATE/tmp; a killed run's leftovers go here
  # (only one infra.sh runs per cache, see the lock above)
  rm -rf "$STATE/tmp"
  mkdir -p "$STATE/tmp"
  if [ "${PPA_BUILD_PARALLEL:-2}" -ge 2 ]; then
    [ ${#q1[@]} -eq 0 ] || { TMPDIR="$STATE/tmp" run_build_queue "${q1[@]}" & BUILD_QUEUE_PIDS+=($!); }
    [ ${#q2[@]} -eq 0 ] || { TMPDIR="$STATE/tmp" run_build_queue "${q2[@]}" & BUILD_QUEUE_PIDS+=($!); }
  else
    TMPDIR="$STATE/tmp" run_build_queue "${BUILDS_STARTED[@]}" &
    BUILD_QUEUE_PIDS+=($!)
  fi
}

DOCKER_PROVIDER_STATUS="not built"
install_language_host() { # BUILD_DIR NAME
  if ! cmp -s "$1/bin/$2" "$PULUMI_DIR/bin/$2"; then
    cp "$1/bin/$2" "$PULUMI_DIR/bin/$2.tmp"
    mv -f "$PULUMI_DIR/bin/$2.tmp" "$PULUMI_DIR/bin/$2"
  fi
  ln -sfn "$PULUMI_DIR/bin/$2" "$BIN/$2"
}
phase_wait_builds() {
  local p n st rc secs failed=0
  if [ ${#BUILD_QUEUE_PIDS[@]} -gt 0 ]; then
    say "waiting for the go builds (${BUILDS_STARTED[*]})"
    for p in "${BUILD_QUEUE_PIDS[@]}"; do wait "$p" || true; done
    BUILD_QUEUE_PIDS=()
  fi
  for n in ${BUILDS_STARTED[@]+"${BUILDS_STARTED[@]}"}; do
    st=$(cat "$BUILD_STATUS/$n" 2>/dev/null || echo "1 0")
    rc=${st% *} secs=${st#* }
    local logname=$n
    case $n in docker_build) logname=docker-build ;; docker_provider) logname=docker-provider ;;
      langhost) logname=pulumi-language-nodejs ;; yamlhost) logname=pulumi-language-yaml ;; esac
    if [ "$rc" = 0 ]; then
      if [ "$n" = docker_provider ]; then say "docker provider hook: done in ${secs}s"; else say "built $n in ${secs}s"; fi
      if [ "$n" = docker_provider ]; then
        PPA_PHASES+=("$(printf '%-28s %6d   s' "  docker provider hook" "$secs")")
      else
        PPA_PHASES+=("$(printf '%-28s %6d   s' "  go build $n" "$secs")")
      fi
    elif [ "$n" = docker_provider ]; then
      DOCKER_PROVIDER_STATUS="hook failed (exit $rc), see $LOGS/build-docker-provider.log"
      show_log_tail "$LOGS/build-docker-provider.log" 20
    else
      warn "building $n failed (exit $rc)"
      show_log_tail "$LOGS/build-$logname.log" 60
      failed=1
    fi
  done
  [ "$failed" = 0 ] || die "go build(s) failed"
  tool_ready "$BUILDKIT_DIR" buildkitd buildctl || die "buildkit binaries missing in $BUILDKIT_DIR"
  tool_ready "$PULUMI_DIR" pulumi || die "pulumi missing in $PULUMI_DIR"
  tool_ready "$LANGHOST_DIR" pulumi-language-nodejs || die "language host missing in $LANGHOST_DIR"
  tool_ready "$DOCKER_BUILD_DIR" pulumi-resource-docker-build || die "docker-build provider missing"
  tool_ready "$YAMLHOST_DIR" pulumi-language-yaml || die "YAML language host missing in $YAMLHOST_DIR"
  ln -sfn "$BUILDKIT_DIR/bin/buildkitd" "$BIN/buildkitd"
  ln -sfn "$BUILDKIT_DIR/bin/buildctl" "$BIN/buildctl"
  ln -sfn "$PULUMI_DIR/bin/pulumi" "$BIN/pulumi"
  # The CLI looks for its nodejs and yaml hosts next to its own (symlink-resolved)
  # binary, as in a release tarball: put a copy there, and point $BIN's link at
  # that copy so that the $PATH lookup resolves to the same file (no "using ...
  # from $PATH" warning).
  install_language_host "$LANGHOST_DIR" pulumi-language-nodejs
  install_language_host "$YAMLHOST_DIR" pulumi-language-yaml
  ln -sfn "$DOCKER_BUILD_DIR/bin/pulumi-resource-docker-build" "$BIN/pulumi-resource-docker-build"
}

# ---------------------------------------------------------------- 3. dockerd
docker_up() { "$DOCKER" info >/dev/null 2>&1; }
# daemon 1 creates its default bridge only when it starts: without it no container
# on the default network starts ("could not find bridge docker0")
default_bridge_ok() { ip link show docker0 >/dev/null 2>&1; }
phase_dockerd() {
  local pidfile="$STATE/dockerd.pid"
  ln -sfn "$DOCKER" "$BIN/docker"
  if docker_up && ! default_bridge_ok; then
    pid_alive "$pidfile" dockerd ||
      die "dockerd answers on $DOCKER_SOCK but the link docker0 is gone and that dockerd is not ours: restart it"
    warn "dockerd: the link docker0 is gone (something deleted it while pid $(cat "$pidfile") ran); restarting that dockerd"
    kill "$(cat "$pidfile")"
    wait_until 60 "dockerd pid $(cat "$pidfile") to exit" eval '! pid_alive "$pidfile" dockerd' ||
      die "dockerd pid $(cat "$pidfile") did not exit"
  fi
  if docker_up; then
    say "dockerd: answering on $DOCKER_SOCK"
    return
  fi
  if pid_alive "$pidfile" dockerd; then
    say "dockerd: pid $(cat "$pidfile") is starting; waiting"
  else
    rm -f "$pidfile" # stale: dockerd refuses to start while its pidfile names a live PID
    say "dockerd: starting (data root $STATE/docker, log $STATE/dockerd.log)"
    mkdir -p "$STATE/docker"
    start_daemon dockerd "$STATE/dockerd.launcher.pid" "$STATE/dockerd.log" \
      /usr/sbin/dockerd --data-root "$STATE/docker" --pidfile "$pidfile" -H "$DOCKER_SOCK"
  fi
  if ! wait_until 60 "dockerd" docker_up; then
    show_log_tail "$STATE/dockerd.log"
    die "dockerd did not come up"
  fi
  say "dockerd: up ($("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null))"
}

# ---------------------------------------------------------------- 3b. swarm engine
# A second dockerd beside the first (never touching it) that is a one-node swarm
# manager, for the PythonService tests. It manages no iptables rules
# (--iptables=false): two daemons writing the same chains overwrite each other,
# and nothing here needs them (overlay traffic stays inside the overlay's own
# namespace; published ports go through docker-proxy on 127.0.0.1). Its tasks get
# no-new-privileges from the daemon flag: a service spec cannot ask for it.
swarm_docker() { "$DOCKER" -H "$SWARM_SOCK" "$@"; }
swarm_up() { swarm_docker info >/dev/null 2>&1; }
swarm_state() { swarm_docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || true; }
SWARM_SUMMARY="not started"
phase_swarm() {
  local pidfile="$STATE/dockerd-swarm.pid" cfg="$STATE/dockerd-swarm.json"
  if swarm_up; then
    say "swarm dockerd: answering on $SWARM_SOCK"
  else
    if ! ip link show "$SWARM_BRIDGE" >/dev/null 2>&1; then
      ip link add "$SWARM_BRIDGE" type bridge || die "could not create the bridge $SWARM_BRIDGE"
    fi
    ip -4 addr show dev "$SWARM_BRIDGE" | grep -qF "inet $SWARM_BRIDGE_CIDR " ||
      ip addr add "$SWARM_BRIDGE_CIDR" dev "$SWARM_BRIDGE" || die "could not address $SWARM_BRIDGE"
    ip link set "$SWARM_BRIDGE" up
    if pid_alive "$pidfile" dockerd; then
      say "swarm dockerd: pid $(cat "$pidfile") is starting; waiting"
    else
      rm -f "$pidfile"
      # its own (empty) config file: never /etc/docker/daemon.json
      echo '{}' >"$cfg.tmp" && replace_if_changed "$cfg.tmp" "$cfg"
      mkdir -p "$STATE/docker-swarm" "$SWARM_EXEC_ROOT"
      say "swarm dockerd: starting (data root $STATE/docker-swarm, log $STATE/dockerd-swarm.log)"
      start_daemon dockerd "$STATE/dockerd-swarm.launcher.pid" "$STATE/dockerd-swarm.log" \
        /usr/sbin/dockerd -H "$SWARM_SOCK" --exec-root "$SWARM_EXEC_ROOT" \
        --data-root "$STATE/docker-swarm" --pidfile "$pidfile" --config-file "$cfg" \
        --bridge "$SWARM_BRIDGE" --iptables=false --ip-masq=false \
        --no-new-privileges \
        --containerd-namespace ppa-swarm --containerd-plugins-namespace ppa-swarm-plugins
    fi
    if ! wait_until 60 "the swarm dockerd" swarm_up; then
      show_log_tail "$STATE/dockerd-swarm.log"
      die "the swarm dockerd did not come up on $SWARM_SOCK"
    fi
  fi
  if [ "$(swarm_state)" != active ]; then
    # swarm init would create docker_gwbridge with a bridge named like daemon 1's
    # would be, from the local pool: create it first with our name and range.
    if ! swarm_docker network inspect docker_gwbridge >/dev/null 2>&1; then
      run_logged "$LOGS/swarm.log" swarm_docker network create --subnet "$SWARM_GW_SUBNET" \
        --opt com.docker.network.bridge.name="$SWARM_GW_BRIDGE" \
        --opt com.docker.network.bridge.enable_icc=false \
        --opt com.docker.network.bridge.enable_ip_masquerade=false docker_gwbridge ||
        die "could not create docker_gwbridge on the swarm engine"
    fi
    say "swarm dockerd: swarm init (advertise 127.0.0.1, overlay pool $SWARM_OVERLAY_POOL)"
    run_logged "$LOGS/swarm.log" swarm_docker swarm init --advertise-addr 127.0.0.1 \
      --listen-addr 127.0.0.1:2377 --default-addr-pool "$SWARM_OVERLAY_POOL" \
      --default-addr-pool-mask-length 24 --task-history-limit 2 ||
      die "swarm init failed on $SWARM_SOCK"
  fi
  wait_until 30 "the swarm to be active" test "$(swarm_state)" = active ||
    die "the swarm engine's node is $(swarm_state), not active"
  default_bridge_ok || die "the swarm dockerd's start deleted daemon 1's link docker0 (see the note above SWARM_SOCK)"
  SWARM_SUMMARY="$(swarm_docker version --format '{{.Server.Version}}' 2>/dev/null) ($SWARM_SOCK), node $(swarm_docker info --format '{{.Swarm.NodeAddr}}' 2>/dev/null), overlay pool $SWARM_OVERLAY_POOL"
  say "swarm dockerd: swarm active; $SWARM_SUMMARY"
}

# ---------------------------------------------------------------- 4. registry
REGISTRY_PASSWORD=""
registry_code() { # [USER:PASS] -> HTTP status of /v2/
  local -a auth=()
  [ $# -eq 0 ] || auth=(-u "$1")
  curl -s -o /dev/null -m 5 -w '%{http_code}' ${auth[@]+"${auth[@]}"} "http://$REGISTRY_ADDR/v2/" || true
}
registry_up() { [ "$(registry_code)" = 401 ]; }
phase_registry() {
  local pwfile="$REGISTRY_DIR/password" htfile="$REGISTRY_DIR/htpasswd" cfg="$REGISTRY_DIR/config.yml"
  mkdir -p "$REGISTRY_DIR/data"
  if [ ! -s "$pwfile" ]; then
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$pwfile")
  fi
  chmod 600 "$pwfile"
  REGISTRY_PASSWORD=$(cat "$pwfile")
  if [ ! -s "$htfile" ] || ! htpasswd -vb "$htfile" "$REGISTRY_USER" "$REGISTRY_PASSWORD" >/dev/null 2>&1; then
    htpasswd -Bbn "$REGISTRY_USER" "$REGISTRY_PASSWORD" >"$htfile.tmp"
    chmod 600 "$htfile.tmp" && mv "$htfile.tmp" "$htfile"
  fi
  if [ ! -s "$REGISTRY_DIR/http-secret" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '/+=\n' >"$REGISTRY_DIR/http-secret")
  fi
  cat >"$cfg.tmp" <<EOF
# written by scripts/infra.sh
version: 0.1
log:
  level: info
  fields:
    service: ppa-registry
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $REGISTRY_ADDR
  secret: $(cat "$REGISTRY_DIR/http-secret")
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: ppa-registry
    path: $htfile
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
EOF
  replace_if_changed "$cfg.tmp" "$cfg"
  chmod 600 "$cfg"
  if registry_up; then
    say "registry: answering on $REGISTRY_ADDR"
  else
    say "registry: starting docker-registry on $REGISTRY_ADDR (log $REGISTRY_DIR/registry.log)"
    start_daemon docker-registry "$REGISTRY_DIR/registry.pid" "$REGISTRY_DIR/registry.log" \
      /usr/bin/docker-registry serve "$cfg"
    if ! wait_until 30 "the registry" registry_up; then
      show_log_tail "$REGISTRY_DIR/registry.log"
      die "docker-registry did not come up on $REGISTRY_ADDR"
    fi
  fi
  local code
  code=$(registry_code "$REGISTRY_USER:$REGISTRY_PASSWORD")
  [ "$code" = 200 ] || die "registry on $REGISTRY_ADDR rejects $REGISTRY_USER's password (HTTP $code); is another registry (not ours: $REGISTRY_DIR/registry.pid) listening there?"

  # Client credentials: docker (engine pulls/pushes) and BuildKit (via the client
  # session) both read the auths of $DOCKER_CONFIG/config.json.
  local want
  want=$(printf '%s:%s' "$REGISTRY_USER" "$REGISTRY_PASSWORD" | base64 -w0)
  if ! grep -q "\"$want\"" "$DOCKER_CONFIG/config.json" 2>/dev/null; then
    printf '%s' "$REGISTRY_PASSWORD" |
      run_logged "$LOGS/docker-login.log" "$DOCKER" login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_ADDR" ||
      die "docker login $REGISTRY_ADDR failed"
    grep -q "\"$want\"" "$DOCKER_CONFIG/config.json" 2>/dev/null ||
      die "docker login did not store the credentials in $DOCKER_CONFIG/config.json (a credsStore?)"
    say "registry: docker login $REGISTRY_ADDR stored in $DOCKER_CONFIG/config.json"
  fi
  chmod 600 "$DOCKER_CONFIG/config.json"
}

# ---------------------------------------------------------------- 5. base images
apt_mirror() {
  # first URIs line of the deb822 sources whose Suites include bookworm
  awk '
    /^URIs:/ { uri = $2 }
    /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") { print uri; exit } }
  ' /etc/apt/sources.list.d/debian.sources 2>/dev/null
}
manifest_code() { # REPO TAG
  curl -s -o /dev/null -m 10 -w '%{http_code}' -u "$REGISTRY_USER:$REGISTRY_PASSWORD" \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    "http://$REGISTRY_ADDR/v2/$1/manifests/$2" || true
}
# remove_rootfs DIR: unmount what debootstrap may have left mounted in DIR (a killed
# run), then delete it; never deletes while something is still mounted there
remove_rootfs() {
  local d=$1 m
  [ -d "$d" ] || return 0
  for m in $(awk -v p="$d/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  if awk -v p="$d/" 'index($2, p) == 1 { f = 1 } END { exit !f }' /proc/mounts; then
    warn "not removing $d: still has mounts"
    return 0
  fi
  rm -rf "$d"
}
# base_image SUITE: make sure $REGISTRY_ADDR/ppa/debian:SUITE exists; 0 on success
base_image() {
  local suite=$1 image="$REGISTRY_ADDR/ppa/debian:$1" tarball="$TOOLS/debootstrap-$1.tar"
  local logf="$LOGS/base-$suite.log"
  if [ "$(manifest_code ppa/debian "$suite")" = 200 ]; then
    say "base image $image: in the registry"
    return 0
  fi
  if [ ! -s "$tarball" ]; then
    local mirror root
    mirror=$(apt_mirror)
    [ -n "$mirror" ] || { warn "no apt mirror found in /etc/apt/sources.list.d/debian.sources"; return 1; }
    for root in "$STATE"/debootstrap-"$suite".*; do remove_rootfs "$root"; done
    root=$(mktemp -d "$STATE/debootstrap-$suite.XXXXXX")
    say "base image $image: debootstrap --variant=minbase $suite from $mirror (log $logf)"
    if ! run_logged "$logf" debootstrap --variant=minbase "$suite" "$root" "$mirror"; then
      remove_rootfs "$root"
      return 1
    fi
    # tidy up: no apt lists or caches in the image
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log
    tar --numeric-owner -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    remove_rootfs "$root"
  else
    say "base image $image: importing cached $tarball"
  fi
  run_logged "$logf" "$DOCKER" import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["bash"]' "$tarball" "$image" || return 1
  if [ "$suite" = bookworm ]; then
    # apt inside the image must work (sources.list -> mirror, keyring present)
    say "base image $image: checking apt-get install python3 in a container"
    run_logged "$logf" "$DOCKER" run --rm "$image" sh -c \
      'apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 >/dev/null && python3 --version' ||
      { warn "apt-get install python3 fails in $image"; return 1; }
  fi
  run_logged "$logf" "$DOCKER" push "$image" || return 1
  [ "$(manifest_code ppa/debian "$suite")" = 200 ] || { warn "pushed $image but the registry does not list it"; return 1; }
  say "base image $image: pushed"
}
# ---------------------------------------------------------------- 5b. load balancer image
# haproxy from Debian's archive on the bookworm base image, tagged by the hash of
# scripts/lb/Dockerfile (a changed Dockerfile makes a new tag; the registry is the cache).
LB_IMAGE=""
phase_lb_image() {
  local rev tag image logf="$LOGS/lb-image.log"
  rev=$(sha256sum "$LB_DOCKERFILE" | cut -c1-10)
  tag="bookworm-$rev"
  image="$REGISTRY_ADDR/ppa/haproxy:$tag"
  if [ "$(manifest_code ppa/haproxy "$tag")" = 200 ]; then
    say "lb image $image: in the registry"
  else
    say "lb image $image: building (log $logf)"
    run_logged "$logf" "$DOCKER" build --pull --build-arg "BASE=$REGISTRY_ADDR/ppa/debian:bookworm" \
      -t "$image" -f "$LB_DOCKERFILE" "$SCRIPT_DIR/lb" || die "could not build the load balancer image"
    run_logged "$logf" "$DOCKER" push "$image" || die "could not push $image"
    [ "$(manifest_code ppa/haproxy "$tag")" = 200 ] || die "pushed $image but the registry does not list it"
    say "lb image $image: pushed"
  fi
  LB_IMAGE=$image
}

BASE_TRIXIE=""
phase_base_images() {
  base_image bookworm || die "could not make the bookworm base image"
  if [ "${PPA_SKIP_TRIXIE:-0}" = 1 ]; then
    say "base image trixie: skipped (PPA_SKIP_TRIXIE=1)"
  elif base_image trixie; then
    BASE_TRIXIE="$REGISTRY_ADDR/ppa/debian:trixie"
  else
    warn "base image trixie: unavailable (see $LOGS/base-trixie.log); continuing with bookworm only"
  fi
}

# ---------------------------------------------------------------- 6. buildkitd
buildkit_up() { "$BIN/buildctl" --addr "$BUILDKIT_SOCK" debug workers >/dev/null 2>&1; }
phase_buildkit() {
  local root="$STATE/buildkit" toml="$STATE/buildkit/buildkitd.toml"
  mkdir -p "$root" "$(dirname "${BUILDKIT_SOCK#unix://}")"
  cat >"$toml.tmp" <<EOF
# written by scripts/infra.sh
root = "$root"

[grpc]
  address = ["$BUILDKIT_SOCK"]

[worker.oci]
  enabled = true
  gc = true
  gckeepstorage = "20GB"

[worker.containerd]
  enabled = false

[registry."$REGISTRY_ADDR"]
  http = true
  insecure = true
EOF
  replace_if_changed "$toml.tmp" "$toml"
  if buildkit_up; then
    say "buildkitd: answering on $BUILDKIT_SOCK"
  else
    command -v runc >/dev/null || die "runc is not on PATH"
    say "buildkitd: starting (root $root, log $STATE/buildkitd.log)"
    start_daemon buildkitd "$STATE/buildkitd.pid" "$STATE/buildkitd.log" \
      env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      "$BUILDKIT_DIR/bin/buildkitd" --config "$toml" --root "$root" --addr "$BUILDKIT_SOCK" \
      --oci-worker=true --containerd-worker=false
    if ! wait_until 60 "buildkitd" buildkit_up; then
      show_log_tail "$STATE/buildkitd.log"
      die "buildkitd did not come up"
    fi
  fi
  # remote buildx builder, registered without the buildx CLI
  local inst="$DOCKER_CONFIG/buildx/instances/$BUILDER_NAME"
  mkdir -p "$(dirname "$inst")"
  printf '{"Name":"%s","Driver":"remote","Nodes":[{"Name":"%s0","Endpoint":"%s"}],"Dynamic":false}\n' \
    "$BUILDER_NAME" "$BUILDER_NAME" "$BUILDKIT_SOCK" >"$inst.tmp"
  replace_if_changed "$inst.tmp" "$inst"
  # BuildKit pulls the base image from the registry with the session's credentials
  local ctx
  ctx=$(mktemp -d)
  printf 'FROM %s/ppa/debian:bookworm\nLABEL org.opencontainers.image.title=ppa-infra-check\n' "$REGISTRY_ADDR" >"$ctx/Dockerfile"
  if ! run_logged "$LOGS/buildkit-check.log" "$BIN/buildctl" --addr "$BUILDKIT_SOCK" build \
    --frontend dockerfile.v0 --local context="$ctx" --local dockerfile="$ctx" --progress plain; then
    rm -rf "$ctx"
    die "buildkitd cannot pull $REGISTRY_ADDR/ppa/debian:bookworm with the credentials in $DOCKER_CONFIG"
  fi
  rm -rf "$ctx"
  say "buildkitd: builder '$BUILDER_NAME' registered; pulls from $REGISTRY_ADDR with credentials"
}

# ---------------------------------------------------------------- 7. Pulumi plugins
plugin_installed() { # NAME VERSION(no v)
  "$BIN/pulumi" plugin ls 2>/dev/null | awk -v n="$1" -v v="$2" '$1 == n && $2 == "resource" && $3 == v { f = 1 } END { exit !f }'
}
# install_plugin NAME VERSION(no v) BINARY: `pulumi plugin install --file` unless the
# plugin cache already holds this very binary (same real path, size and mtime).
install_plugin() {
  local name=$1 ver=$2 bin=$3 real stamp want
  real=$(readlink -f "$bin")
  want="$real $(stat -c '%s %Y' "$real")"
  stamp="$PULUMI_HOME/plugins/.ppa-resource-$name-v$ver.src"
  if [ -x "$PULUMI_HOME/plugins/resource-$name-v$ver/pulumi-resource-$name" ] &&
    [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    say "pulumi plugin resource $name $ver: installed"
    return 0
  fi
  run_logged "$LOGS/pulumi-plugins.log" "$BIN/pulumi" plugin install resource "$name" "$ver" \
    --file "$real" --reinstall || return 1
  plugin_installed "$name" "$ver" || { warn "pulumi plugin ls does not list $name $ver after install"; return 1; }
  echo "$want" >"$stamp"
  say "pulumi plugin resource $name $ver: installed from $real"
}
phase_plugins() {
  install_plugin docker-build "$DOCKER_BUILD_NPM_VERSION" "$BIN/pulumi-resource-docker-build" ||
    die "could not install the docker-build plugin"
  # ---- hook: @pulumi/docker provider, built by scripts/build-docker-provider.sh ----
  if [ -z "$DOCKER_NPM_VERSION" ]; then
    DOCKER_PROVIDER_STATUS="unavailable (@pulumi/docker is not in package-lock.json)"
  elif [ ! -x "$DOCKER_PROVIDER_HOOK" ]; then
    DOCKER_PROVIDER_STATUS="unavailable (no executable $DOCKER_PROVIDER_HOOK)"
  elif [ "$DOCKER_PROVIDER_STATUS" = "not built" ]; then
    local bin
    bin=$(tail -n 1 "$LOGS/docker-provider.out" 2>/dev/null || true)
    if [ -n "$bin" ] && [ -x "$bin" ]; then
      ln -sfn "$bin" "$BIN/pulumi-resource-docker"
      if install_plugin docker "$DOCKER_NPM_VERSION" "$bin"; then
        DOCKER_PROVIDER_STATUS="ok: $bin (plugin resource docker $DOCKER_NPM_VERSION)"
      else
        DOCKER_PROVIDER_STATUS="unavailable (pulumi plugin install of $bin failed, see $LOGS/pulumi-plugins.log)"
      fi
    else
      DOCKER_PROVIDER_STATUS="unavailable (hook printed '${bin}', not an executable path)"
    fi
  else
    DOCKER_PROVIDER_STATUS="unavailable ($DOCKER_PROVIDER_STATUS)"
  fi
  case $DOCKER_PROVIDER_STATUS in
    ok:*) say "docker provider: $DOCKER_PROVIDER_STATUS" ;;
    *) say "docker provider: $DOCKER_PROVIDER_STATUS" ;;
  esac
}

# ---------------------------------------------------------------- 7b. uv (the e2e tests lock the uv app with it)
# The version the synthesized Dockerfile installs (lib/data/defaults.ts), so the lock matches.
UV_VERSION=$(sed -n 's/.*uv: "uv==\([0-9.]*\)".*/\1/p' "$REPO_ROOT/lib/data/defaults.ts")
phase_uv() {
  [ -n "$UV_VERSION" ] || die "could not read the uv version from lib/data/defaults.ts"
  local d="$TOOLS/uv-$UV_VERSION"
  if [ -x "$d/bin/uv" ] && "$d/bin/uv" --version >/dev/null 2>&1; then
    say "uv: $("$d/bin/uv" --version) (cached)"
    return
  fi
  rm -rf "$d"
  run_logged "$LOGS/uv.log" python3 -m venv "$d" || die "python3 -m venv failed"
  run_logged "$LOGS/uv.log" "$d/bin/pip" install --quiet "uv==$UV_VERSION" || die "pip install uv==$UV_VERSION failed"
  say "uv: $("$d/bin/uv" --version)"
}

# ---------------------------------------------------------------- 8. env.sh
phase_env() {
  local envf="$PPA_CACHE/env.sh"
  cat >"$envf.tmp" <<EOF
# Generated by scripts/infra.sh — source it: . $envf
# (the registry password is read from its file when this is sourced)
export PPA_CACHE='$PPA_CACHE'
export PATH="\$PPA_CACHE/bin:\$PPA_CACHE/node-24/node_modules/.bin:\$PATH"
export PULUMI_HOME="\$PPA_CACHE/state/pulumi-home"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# package names are not looked up in the Pulumi registry (this network does not reach it)
export PULUMI_DISABLE_REGISTRY_RESOLVE=true
# providers come from the plugin cache (installed by infra.sh), not from \$PATH
export PULUMI_IGNORE_AMBIENT_PLUGINS=true
export PULUMI_CONFIG_PASSPHRASE=""
export DOCKER_CONFIG="\$PPA_CACHE/state/docker-config"
export DOCKER_HOST='$DOCKER_SOCK'
export BUILDKIT_HOST='$BUILDKIT_SOCK'
export PPA_REGISTRY='$REGISTRY_ADDR'
export PPA_REGISTRY_USER='$REGISTRY_USER'
PPA_REGISTRY_PASSWORD="\$(cat "\$PPA_CACHE/state/registry/password" 2>/dev/null || true)"
export PPA_REGISTRY_PASSWORD
export PPA_BASE_BOOKWORM='$REGISTRY_ADDR/ppa/debian:bookworm'
export PPA_BASE_TRIXIE='$BASE_TRIXIE'
export PPA_BUILDER='$BUILDER_NAME'
export PPA_PULUMI_BACKEND_DIR="\$PPA_CACHE/state/pulumi-backend"
export PPA_UV="\$PPA_CACHE/tools/uv-$UV_VERSION/bin/uv"
# The second engine (swarm mode) and the load balancer image of the PythonService tests.
export PPA_SWARM_HOST='$SWARM_SOCK'
export PPA_LB_IMAGE='$LB_IMAGE'
# Builds reach PyPI through this network's TLS proxy; the host's bundle trusts its CA.
export PPA_CA_BUNDLE='/etc/ssl/certs/ca-certificates.crt'
EOF
  replace_if_changed "$envf.tmp" "$envf"
  say "env: $envf"
}

# ---------------------------------------------------------------- 9. summary
phase_summary() {
  local total=$(( $(date +%s%3N) - T_START ))
  echo
  echo "==================== pulumi-python-app infra: ready ===================="
  printf '%-28s %s\n' "pulumi" "$("$BIN/pulumi" version 2>/dev/null)"
  printf '%-28s %s\n' "pulumi-language-nodejs" "$("$BIN/pulumi-language-nodejs" --version 2>/dev/null) (minimal host, tools/langhost)"
  printf '%-28s %s\n' "pulumi-language-yaml" "$YAML_VERSION (pulumi-yaml's server, main in tools/yamlhost)"
  # the provider has no --version flag: show what `pulumi plugin ls` registered
  printf '%-28s %s\n' "pulumi-resource-docker-build" "$DOCKER_BUILD_VERSION (ldflags provider.Version; plugin: $("$BIN/pulumi" plugin ls 2>/dev/null | awk '$1 == "docker-build" { print $1, $2, $3 }' | head -n 1))"
  printf '%-28s %s\n' "docker provider" "$DOCKER_PROVIDER_STATUS"
  printf '%-28s %s\n' "buildkitd" "$("$BIN/buildkitd" --version 2>/dev/null | sed 's/ *$//')"
  printf '%-28s %s\n' "buildctl" "$("$BIN/buildctl" --version 2>/dev/null | sed 's/ *$//')"
  printf '%-28s %s\n' "docker engine" "$("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null) ($DOCKER_SOCK)"
  printf '%-28s %s\n' "swarm engine" "$SWARM_SUMMARY"
  printf '%-28s %s\n' "lb image" "$LB_IMAGE"
  printf '%-28s %s\n' "registry" "http://$REGISTRY_ADDR (user $REGISTRY_USER, password in $REGISTRY_DIR/password)"
  printf '%-28s %s\n' "base images" "$REGISTRY_ADDR/ppa/debian:bookworm${BASE_TRIXIE:+ $BASE_TRIXIE}"
  printf '%-28s %s\n' "buildx builder" "$BUILDER_NAME -> $BUILDKIT_SOCK"
  printf '%-28s %s\n' "env file" "$PPA_CACHE/env.sh"
  echo "-- timings"
  local l
  for l in "${PPA_PHASES[@]}"; do echo "$l"; done
  printf '%-28s %6d.%01d s\n' "total" $((total / 1000)) $(((total % 1000) / 100))
  echo "========================================================================="
}

phase_begin "apt packages";       phase_apt;          phase_end
phase_begin "start go builds";    phase_start_builds; phase_end
phase_begin "dockerd";            phase_dockerd;      phase_end
phase_begin "registry";           phase_registry;     phase_end
phase_begin "swarm engine";       phase_swarm;        phase_end
phase_begin "base images";        phase_base_images;  phase_end
phase_begin "lb image";           phase_lb_image;     phase_end
phase_begin "wait for go builds"; phase_wait_builds;  phase_end
phase_begin "buildkitd";          phase_buildkit;     phase_end
phase_begin "pulumi plugins";     phase_plugins;      phase_end
phase_begin "uv";                 phase_uv;           phase_end
phase_begin "env.sh";             phase_env;          phase_end
phase_summary
