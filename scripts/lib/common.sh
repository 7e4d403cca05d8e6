# shellcheck shell=bash
# Small helpers shared by scripts/infra.sh and scripts/build-docker-provider.sh.

# messages are tagged with the script's name: PPA_LOG_TAG (default infra)
_ppa_ts() { date +%H:%M:%S; }
say() { printf '[%s %s] %s\n' "${PPA_LOG_TAG:-infra}" "$(_ppa_ts)" "$*"; }
warn() { printf '[%s %s] WARNING: %s\n' "${PPA_LOG_TAG:-infra}" "$(_ppa_ts)" "$*" >&2; }
die() { printf '[%s %s] ERROR: %s\n' "${PPA_LOG_TAG:-infra}" "$(_ppa_ts)" "$*" >&2; exit 1; }

# show_log_tail LOG [LINES]: print the end of a log file, framed, to stderr
show_log_tail() {
  local f=$1 n=${2:-40}
  {
    echo "----- last $n lines of $f -----"
    tail -n "$n" "$f" 2>/dev/null || echo "(no log)"
    echo "----- end of $f -----"
  } >&2
}

# run_logged LOG CMD...: run CMD with all output appended to LOG; on failure print
# the tail of LOG and return the command's status.
run_logged() {
  local logf=$1; shift
  local rc=0
  mkdir -p "$(dirname "$logf")"
  printf '\n== %s: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$logf"
  "$@" >>"$logf" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    warn "command failed (exit $rc): $*"
    show_log_tail "$logf"
  fi
  return "$rc"
}

# wait_until SECONDS DESCRIPTION CMD...: poll CMD every 0.5 s until it succeeds
wait_until() {
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  while ! "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      warn "timed out after ${limit}s waiting for $what"
      return 1
    fi
    sleep 0.5
  done
}

# pid_alive PIDFILE [COMM]: true if the pidfile names a running process (whose
# /proc/PID/comm is COMM, when given: a stale pidfile may name a reused PID)
pid_alive() {
  local pid
  [ -s "$1" ] || return 1
  pid=$(cat "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  [ $# -lt 2 ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

# start_daemon NAME PIDFILE LOG CMD...: start CMD detached (own session, survives
# this script), output to LOG, pid written to PIDFILE.
start_daemon() {
  local name=$1 pidfile=$2 logf=$3; shift 3
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logf")"
  printf '\n== %s: starting %s: %s\n' "$(date -u +%FT%TZ)" "$name" "$*" >>"$logf"
  # 9>&-: do not hand the infra.sh lock fd to the daemon
  setsid nohup "$@" </dev/null >>"$logf" 2>&1 9>&- &
  echo $! >"$pidfile"
}

# lock_version NAME: version of node_modules/NAME recorded in package-lock.json
# (awk, so that no particular Node.js is needed)
lock_version() {
  awk -v key="\"node_modules/$1\": {" '
    index($0, key) { found = 1; next }
    found && /"version":/ { gsub(/.*"version":[ ]*"|".*/, ""); print; exit }
    found && /^    }/ { exit }
  ' "$PPA_PACKAGE_LOCK"
}

# phase timing: phase_begin NAME ... phase_end
declare -a PPA_PHASES=()
_ppa_phase_name="" _ppa_phase_t0=0
_now_ms() { date +%s%3N; }
phase_begin() {
  _ppa_phase_name=$1
  _ppa_phase_t0=$(_now_ms)
  say "── $1"
}
phase_end() {
  local ms=$(( $(_now_ms) - _ppa_phase_t0 ))
  PPA_PHASES+=("$(printf '%-28s %6d.%01d s' "$_ppa_phase_name" $((ms / 1000)) $(((ms % 1000) / 100)))")
}

# replace_if_changed TMP DEST: move TMP over DEST unless they are identical (then drop TMP)
replace_if_changed() {
  if cmp -s "$1" "$2"; then rm -f "$1"; else mv -f "$1" "$2"; fi
}

# src_rev DIR: short hash of the files under DIR (their paths and contents), to
# key a built tool's cache folder by the sources of our own it is built from
src_rev() {
  (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-10
}
