# shellcheck shell=bash
# Helpers for building Go tools from the Go module proxy through a throw-away
# wrapper module.  Sourced by scripts/infra.sh; expects log/die helpers from
# scripts/lib/common.sh and PPA_CACHE/PPA_LOGS to be set.

# go_mod_directives MODFILE
# Prints the replace and exclude directives of a go.mod (single-line and
# block forms) as single-line directives, dropping replaces whose target is a
# local path (./, ../, /), which cannot work outside the module's repository.
go_mod_directives() {
  awk '
    function emit(kind, body,   rhs) {
      sub(/\/\/.*$/, "", body); gsub(/^[ \t]+|[ \t]+$/, "", body)
      if (body == "") return
      if (kind == "replace") {
        rhs = body; sub(/^.*=>[ \t]*/, "", rhs)
        if (rhs ~ /^(\.\.?\/|\/)/) return
      }
      print kind " " body
    }
    /^[ \t]*(replace|exclude)[ \t]*\([ \t]*$/ { block = $1; next }
    block != "" && /^[ \t]*\)/ { block = ""; next }
    block != "" { emit(block, $0); next }
    /^[ \t]*(replace|exclude)[ \t]/ { kind = $1; line = $0; sub(/^[ \t]*(replace|exclude)[ \t]+/, "", line); emit(kind, line) }
  ' "$1"
}

# go_modfile MODULE VERSION -> path of the module's go.mod in the module cache
go_modfile() {
  go mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p'
}

# go_build_wrapped NAME OUTDIR LOG MODULE VERSION [options] -- PKG...
# options:
#   --require MOD@VER      extra requirement in the wrapper (repeatable)
#   --directives MOD@VER   copy replace/exclude directives of that module's go.mod (repeatable)
#   --drop-replace MOD     drop a copied replace of MOD (repeatable)
#   --ldflags STRING       -ldflags for go build
#   --gofile NAME=PATH     add a source file to the wrapper (for a main package of our own)
#   --local MOD=DIR        copy DIR (a module) into the wrapper and `replace MOD => ./local/N`
# With PPA_GO_VET=1 the wrapper's own package and the --local modules are
# `go vet`ted before the build.
# Builds every PKG (import paths, or "." for the wrapper's own main package) into
# OUTDIR/bin.  All output goes to LOG.
go_build_wrapped() {
  local name=$1 outdir=$2 logf=$3 module=$4 version=$5; shift 5
  local -a requires=() directive_mods=() drops=() pkgs=() gofiles=() locals=()
  local ldflags=""
  while [ $# -gt 0 ]; do
    case $1 in
      --require) requires+=("$2"); shift 2 ;;
      --directives) directive_mods+=("$2"); shift 2 ;;
      --drop-replace) drops+=("$2"); shift 2 ;;
      --ldflags) ldflags=$2; shift 2 ;;
      --gofile) gofiles+=("$2"); shift 2 ;;
      --local) locals+=("$2"); shift 2 ;;
      --) shift; pkgs=("$@"); break ;;
      *) echo "go_build_wrapped: bad option $1" >&2; return 2 ;;
    esac
  done
  local work gov r dm mf d m skip gf p i lm
  local -a getpkgs
  work=$(mktemp -d "${TMPDIR:-/tmp}/ppa-gobuild-$name.XXXXXX")
  # NB: `set -e` does not apply inside a subshell whose status is tested, so
  # every step that can fail ends in `|| exit 1`.
  (
    cd "$work" || exit 1
    export GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED="${CGO_ENABLED:-0}"
    gov=$(go env GOVERSION) || exit 1
    gov=${gov#go}
    {
      echo "module ppa.local/build/$name"
      echo
      echo "go $gov"
      echo
      echo "require $module $version"
      for r in ${requires[@]+"${requires[@]}"}; do echo "require ${r%@*} ${r##*@}"; done
      echo
    } > go.mod.new || exit 1
    for dm in ${directive_mods[@]+"${directive_mods[@]}"}; do
      mf=$(go_modfile "${dm%@*}" "${dm##*@}") || exit 1
      [ -n "$mf" ] || { echo "cannot fetch go.mod of $dm"; exit 1; }
      go_mod_directives "$mf" > directives.txt || exit 1
      while IFS= read -r d; do
        skip=0
        if [[ $d == replace* ]]; then
          for m in ${drops[@]+"${drops[@]}"}; do
            [[ $d == "replace $m "* ]] && skip=1
          done
        fi
        [ "$skip" = 1 ] || echo "$d"
      done < directives.txt >> go.mod.new
    done
    rm -f directives.txt
    i=0
    for lm in ${locals[@]+"${locals[@]}"}; do
      i=$((i + 1))
      mkdir -p local && cp -r "${lm#*=}" "local/$i" || exit 1
      echo "replace ${lm%%=*} => ./local/$i" >> go.mod.new
    done
    # de-duplicate directives (several modules may carry the same ones)
    awk '!(/^(replace|exclude) / && seen[$0]++)' go.mod.new > go.mod || exit 1
    rm -f go.mod.new
    for gf in ${gofiles[@]+"${gofiles[@]}"}; do cp "${gf#*=}" "./${gf%%=*}" || exit 1; done
    echo "== wrapper go.mod for $name"; cat go.mod
    getpkgs=()
    for p in "${pkgs[@]}"; do [ "$p" = . ] || getpkgs+=("$p@$version"); done
    if [ ${#getpkgs[@]} -gt 0 ]; then
      echo "== go get ${getpkgs[*]}"
      go get "${getpkgs[@]}" || exit 1
    fi
    if [ ${#gofiles[@]} -gt 0 ]; then
      echo "== go mod tidy"
      go mod tidy || exit 1
    fi
    # PPA_GO_VET=1: vet our own sources (the wrapper's main package, the local
    # modules) first; a finding fails the build.  Off by default: vet analyses
    # every dependency for facts, which costs a cold machine minutes per tool.
    local -a vetpkgs=()
    if [ "${PPA_GO_VET:-0}" = 1 ]; then
      [ ${#gofiles[@]} -eq 0 ] || vetpkgs+=(.)
      for lm in ${locals[@]+"${locals[@]}"}; do vetpkgs+=("${lm%%=*}/..."); done
    fi
    if [ ${#vetpkgs[@]} -gt 0 ]; then
      echo "== go vet ${vetpkgs[*]}"
      go vet "${vetpkgs[@]}" || exit 1
    fi
    echo "== go build (-p ${PPA_GO_P:-2})"
    mkdir -p "$work/bin" || exit 1
    # one `go build -o DIR/` for several main packages writes one binary each
    go build -trimpath -p "${PPA_GO_P:-2}" -ldflags "$ldflags" -o "$work/bin/" "${pkgs[@]}" || exit 1
    ls -l "$work/bin"
    echo "== done"
  ) >"$logf" 2>&1 || { rm -rf "$work"; return 1; }
  rm -rf "$outdir.tmp" && mkdir -p "$outdir.tmp" &&
    mv "$work/bin" "$outdir.tmp/bin" &&
    cp "$work/go.mod" "$outdir.tmp/wrapper.go.mod" &&
    date -u +%FT%TZ > "$outdir.tmp/.complete" &&
    rm -rf "$outdir" && mv "$outdir.tmp" "$outdir" || { rm -rf "$work"; return 1; }
  rm -rf "$work"
}
