#!/usr/bin/env bash
# Runs the Rust benches and the Python baselines on this machine, then prints the figures and
# ratios (bench/report.py). Usage: bench/run.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
if [[ "${1:-}" == "--quick" ]]; then
    args=(-- --warm-up-time 1 --measurement-time 3)
fi
cargo bench -p kis-ws --bench frames --bench families "${args[@]}"
cargo bench -p kis-client --bench rest_decode --bench overhead "${args[@]}"
out="$(mktemp)"
if command -v python3 >/dev/null; then
    python3 bench/compare.py | tee "$out"
    python3 bench/report.py "$out"
else
    echo "bench/run.sh: no python3: Python baselines and the ratio report skipped"
fi
rm -f "$out"
