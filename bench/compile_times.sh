#!/usr/bin/env bash
# Compile-time table for docs/BENCHMARKS.md: clean, per-crate, one-category and incremental builds
# in a private target dir (CARGO_TARGET_DIR=/tmp/ct_target). Touches (mtime only) a few sources.
set -u
cd /work/main
export CARGO_TARGET_DIR=/tmp/ct_target
rm -rf /tmp/ct_target
t() { local s=$(date +%s.%N); "$@" >/tmp/ct_last.log 2>&1; local rc=$?; local e=$(date +%s.%N); printf '%-90s %6.1f s rc=%d\n' "$*" "$(echo "$e - $s" | bc)" $rc; }
echo "== clean workspace build (dev, all features, with deps)"
t cargo build --workspace --timings
cp /tmp/ct_target/cargo-timings/cargo-timing.html /tmp/bench_out/ct_timing_dev.html 2>/dev/null
echo "== per-crate rebuilds (deps already built)"
for c in kis-spec codegen kis-client kis-ws kis-mock xtask; do
  cargo clean -p $c >/dev/null 2>&1
  t cargo build -p $c
done
echo "== kis-client one category vs all"
cargo clean -p kis-client >/dev/null 2>&1
t cargo build -p kis-client --no-default-features --features domestic-stock
cargo clean -p kis-client >/dev/null 2>&1
t cargo build -p kis-client --no-default-features --features oauth
cargo clean -p kis-client >/dev/null 2>&1
t cargo build -p kis-client
echo "== incremental (touch one hand-written file, rebuild)"
touch kis-client/src/client.rs; t cargo build -p kis-client
touch kis-ws/src/session.rs; t cargo build -p kis-ws
touch kis-mock/src/ws.rs; t cargo build -p kis-mock
touch kis-spec/src/lib.rs; t cargo build --workspace
echo "== clean release build of kis-client only (with deps)"
rm -rf /tmp/ct_target/release
t cargo build --release -p kis-client
