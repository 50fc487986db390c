#!/usr/bin/env bash
# Runs the workspace's test binaries with this machine's clock set to other days: a Saturday,
# a Sunday, a KRX holiday, either side of KST midnight and the 15:30 close (libfaketime; the
# monotonic clock is left alone so timeouts behave). No test may depend on the machine's date.
#
#   scripts/any-day.sh                 # every instant below
#   scripts/any-day.sh '2026-12-05 01:30:00'   # one instant (UTC)
#
# Needs `faketime` (Debian: apt-get install faketime). Doc tests are not run (rustdoc compiles
# them under the real clock); everything else is.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v faketime >/dev/null || { echo "any-day: faketime is not installed; skipped"; exit 0; }

instants=("$@")
if [ ${#instants[@]} -eq 0 ]; then
  instants=(
    '2026-12-05 01:30:00'   # Saturday 10:30 KST
    '2026-12-06 05:30:00'   # Sunday 14:30 KST
    '2026-12-25 01:30:00'   # Christmas, a KRX holiday, 10:30 KST
    '2026-12-03 14:59:40'   # Thursday 23:59:40 KST, just before KST midnight
    '2026-12-03 15:00:05'   # Friday 00:00:05 KST, just after
    '2026-12-04 06:30:00'   # Friday 15:30 KST, the close
  )
fi

# name<TAB>manifest dir<TAB>executable, for every test target of the default members.
list=$(cargo test --workspace --no-run --message-format=json 2>/dev/null | python3 -c '
import json, sys, os
for line in sys.stdin:
    try: m = json.loads(line)
    except ValueError: continue
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        print("\t".join([m["target"]["name"], os.path.dirname(m["manifest_path"]), m["executable"]]))
')

failed=0
for at in "${instants[@]}"; do
  passed=0
  while IFS=$'\t' read -r name dir exe; do
    if ! (cd "$dir" && FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@$at" "$exe" -q >/tmp/any-day.$$ 2>&1); then
      echo "FAILED at $at UTC: $name ($exe)"; grep -E "panicked|FAILED|failures:" -A3 /tmp/any-day.$$ | head -30
      failed=$((failed + 1))
    else
      passed=$((passed + 1))
    fi
  done <<< "$list"
  echo "any-day $at UTC: $passed test binaries passed"
done
rm -f /tmp/any-day.$$
[ "$failed" -eq 0 ] || { echo "any-day: $failed test binaries failed"; exit 1; }
