# Source this file: puts Node.js 24 first on PATH, installing it from the npm
# registry's `node` package into a cache folder keyed by major version when
# it is missing. (@pulumi/pulumi needs Node >= 22; machines here ship 20.)
PPA_CACHE="${PPA_CACHE:-/var/cache/pulumi-python-app}"
_ppa_node_dir="$PPA_CACHE/node-24"
if [ ! -x "$_ppa_node_dir/node_modules/.bin/node" ]; then
    mkdir -p "$_ppa_node_dir"
    npm install --prefix "$_ppa_node_dir" --no-audit --no-fund --loglevel=error node@24 >&2
fi
export PATH="$_ppa_node_dir/node_modules/.bin:$PATH"
unset _ppa_node_dir
