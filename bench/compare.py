#!/usr/bin/env python3
"""Python baselines for realtime frame decoding, measured on the same frames as the Rust benches.

Decodes every frame of bench/frames_h0stcnt0.txt two ways and prints frames/s:
  * "pandas": pandas.read_csv of each frame's payload with the TR's column names, the way the
    official KIS Python samples decode realtime data;
  * "split+dict": payload.split('^') and dict(zip(columns, fields)).
Without pandas it measures split+dict only. Prints one JSON line last.

Usage: python3 bench/compare.py [--seconds S]
"""

import io
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load_frames(path):
    columns, frames = None, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# columns: "):
                columns = line[len("# columns: "):].split("^")
            elif line and not line.startswith("#"):
                frames.append(line)
    if not columns or not frames:
        raise SystemExit(f"{path}: no columns line or no frames")
    return columns, frames


def decode_pandas(pd, columns, frame):
    # Header: encrypted flag | TR ID | record count | payload.
    _, tr_id, count, payload = frame.split("|", 3)
    return pd.read_csv(io.StringIO(payload), header=None, sep="^", names=columns, dtype=object)


def decode_split(columns, frame):
    _, tr_id, count, payload = frame.split("|", 3)
    fields = payload.split("^")
    n = len(columns)
    return [dict(zip(columns, fields[i:i + n])) for i in range(0, int(count) * n, n)]


def measure(fn, frames, seconds):
    """Runs fn over all frames repeatedly for about `seconds`; returns frames per second."""
    done, start = 0, time.perf_counter()
    while True:
        for fr in frames:
            fn(fr)
        done += len(frames)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def main():
    seconds = 3.0
    if "--seconds" in sys.argv:
        seconds = float(sys.argv[sys.argv.index("--seconds") + 1])
    columns, frames = load_frames(os.path.join(HERE, "frames_h0stcnt0.txt"))
    try:
        import pandas as pd
    except ImportError:
        # The split+dict baseline (the one the >= 6x goal is measured against) needs no pandas.
        pd = None
        print("bench/compare.py: python3 has no pandas (pip install pandas): pandas baseline skipped")

    if pd is not None:
        # Both decoders must see the same values.
        df = decode_pandas(pd, columns, frames[0])
        rec = decode_split(columns, frames[0])[0]
        for c in columns:
            v = df[c][0]
            v = "" if (v is None or (isinstance(v, float) and v != v)) else str(v)
            if v != rec[c]:
                raise SystemExit(f"decoders disagree on {c}: pandas {v!r} vs split {rec[c]!r}")

    # pandas is slow: fewer passes are plenty.
    pandas_fps = (measure(lambda fr: decode_pandas(pd, columns, fr), frames, seconds)
                  if pd is not None else None)
    split_fps = measure(lambda fr: decode_split(columns, fr), frames, seconds)
    pandas_version = pd.__version__ if pd is not None else None
    print(f"python {sys.version.split()[0]}, pandas {pandas_version}, {len(frames)} distinct "
          f"H0STCNT0 frames, {len(columns)} columns")
    if pandas_fps is not None:
        print(f"  pandas.read_csv per frame (official samples): {pandas_fps:>12,.0f} frames/s")
    print(f"  split('^') + dict(zip(columns, ...)):          {split_fps:>12,.0f} frames/s")
    print(json.dumps({"pandas_fps": pandas_fps, "split_dict_fps": split_fps,
                      "python": sys.version.split()[0], "pandas": pandas_version}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
