#!/usr/bin/env bash
# What the scheduled workflow pays on a fresh runner, part by part: a clean clone, `npm ci` with the npm cache
# warm (as actions/setup-node's cache leaves it), the build, and one cycle against the simulators (`demo`: the real
# collectors, cycle and DuckDB store on 127.0.0.1; a first demo is a short catch-up, a second one a steady state).
# Then the installed size, the package count and the heaviest dependencies.
#   bench/fresh-runner.sh [repo-dir]          (default: this repository; Node >= 22.19 and npm on PATH)
set -euo pipefail
repo="${1:-$(git -C "$(dirname "$0")" rev-parse --show-toplevel)}"
work="$(mktemp -d "${TMPDIR:-/tmp}/pa-fresh-XXXXXX")"
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
declare -a parts=()
step() { # step <name> <command...>: runs it, records its seconds
  local name="$1"; shift
  local t0; t0="$(now)"
  "$@" >"$work/$name.log" 2>&1 || { echo "$name failed:"; tail -20 "$work/$name.log"; exit 1; }
  parts+=("$name $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')")
}
echo "fresh runner: $(node --version), npm $(npm --version), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
step clone git clone --quiet --no-hardlinks "$repo" "$work/repo"
cd "$work/repo"
# npm ci runs `prepare` (the build): --ignore-scripts keeps the build out of the install's figure. No package
# here needs an install script (DuckDB ships prebuilt per-platform packages).
step npm-ci npm ci --prefer-offline --no-audit --no-fund --ignore-scripts
step build npm run build
step cycle-first node dist/bin/pipeline-audit.js demo --store "$work/demo.duckdb"
step cycle-steady node dist/bin/pipeline-audit.js demo --store "$work/demo.duckdb"
step help node dist/bin/pipeline-audit.js --help
total=0
echo "part | seconds"
for p in "${parts[@]}"; do
  echo "${p% *} | ${p##* }"
  [[ "${p% *}" == help ]] || total="$(awk -v a="$total" -v b="${p##* }" 'BEGIN { print a + b }')"
done
echo "total (clone + install + build + two cycles) | $total"
echo "node_modules | $(du -sh node_modules | cut -f1) in $(find node_modules -name package.json -path '*node_modules/*' -not -path '*/node_modules/*/node_modules/*/*/*' | grep -Ec 'node_modules/(@[^/]+/)?[^/@]+/package.json$') packages"
echo "heaviest dependencies (installed size):"
du -s node_modules/[!@]* node_modules/@*/* 2>/dev/null | sort -rn | head -12 | awk '{ printf "  %6.1f MB  %s\n", $1 / 1024, $2 }'
