#!/usr/bin/env python3
"""Prints the criterion results under target/criterion as a table, and the ratios against the
baselines (serde_json::Value, raw reqwest, the Python decoders of bench/compare.py).

Usage: python3 bench/report.py [compare.json]   (standard library only)
"""

import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRIT = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "criterion")


def load():
    out = {}
    for meta in glob.glob(os.path.join(CRIT, "**", "new", "benchmark.json"), recursive=True):
        est = os.path.join(os.path.dirname(meta), "estimates.json")
        try:
            with open(meta) as f:
                m = json.load(f)
            with open(est) as f:
                e = json.load(f)
        except (OSError, ValueError):
            continue
        ns = e["mean"]["point_estimate"]
        elems = (m.get("throughput") or {}).get("Elements") or 1
        out[m["full_id"]] = (ns, elems * 1e9 / ns)
    return out


def main():
    r = load()
    if not r:
        print(f"no criterion results under {CRIT}: run the benches first (bench/run.sh)")
        return 1
    print(f"{'benchmark':<86} {'time/iter':>12} {'elements/s':>14}")
    for k in sorted(r):
        ns, eps = r[k]
        t = f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.1f} ns"
        print(f"{k:<86} {t:>12} {eps:>14,.0f}")

    def rate(key):
        return r.get(key, (None, None))[1]

    def time(key):
        return r.get(key, (None, None))[0]

    print("\nratios")
    cnt = rate("fixture H0STCNT0/typed decode (H0stcnt0::parse)")
    single = rate("frames/H0STCNT0 typed decode")
    if cnt:
        print(f"  H0STCNT0 typed decode, fixture of 200 frames: {cnt:,.0f} frames/s (goal ≥ 2,000,000)")
    if single:
        print(f"  H0STCNT0 typed decode, one frame repeated:    {single:,.0f} frames/s")
    twin = rate("fixture H0STCNT0/split + HashMap<&str, &str> (Python split+dict twin)")
    if cnt and twin:
        print(f"  typed decode vs Rust split+HashMap:          {cnt / twin:.2f}x")
    cni = rate("frames/H0STCNI0 decrypt + typed decode")
    if cni:
        print(f"  H0STCNI0 decrypt + typed decode: {cni:,.0f} notices/s (goal ≥ 500,000)")
    for page in ("inquire_balance 50 rows", "daily chart 100 rows"):
        base = time(f"rest_decode/{page}/serde_json::Value")
        for v in ("typed (serde_json::from_slice)", "typed (kis_client::decode, as Client::send)"):
            t = time(f"rest_decode/{page}/{v}")
            if base and t:
                print(f"  REST {page}: {v}: {base / t:.2f}x the speed of serde_json::Value "
                      f"(goal ≥ 1.5x)")
    raw, ours = time("call/raw_reqwest"), time("call/kis_client")
    if raw and ours:
        print(f"  request through kis-client vs raw reqwest: {ours / raw:.2f}x the time (goal ≤ 1.2x)")
    if len(sys.argv) > 1 and os.path.exists(sys.argv[1]):
        with open(sys.argv[1]) as f:
            lines = [l for l in f if l.startswith("{")]
        if lines and single:
            py = json.loads(lines[-1])
            print(f"  session path (one frame repeated) vs Python split+dict: "
                  f"{single / py['split_dict_fps']:,.1f}x (goal >= 6x)")
        if lines and cnt:
            py = json.loads(lines[-1])
            if py.get("pandas_fps"):
                print(f"  vs Python pandas.read_csv per frame ({py['pandas_fps']:,.0f}/s): "
                      f"{cnt / py['pandas_fps']:,.0f}x")
            print(f"  vs Python split+dict ({py['split_dict_fps']:,.0f}/s): "
                  f"{cnt / py['split_dict_fps']:,.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
