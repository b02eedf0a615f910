#!/usr/bin/env bash
# The issue-3 targets on the bundled suites, each with the exact command recorded beside its
# results (benchmarks/results/<name>.txt and .csv). Run from the repository root:
#   bash benchmarks/offline_suites.sh
set -euo pipefail
S=.venv/bin/schedlab
R=benchmarks/results
mkdir -p "$R"
run() {  # name, then the schedlab bench arguments
  local name=$1; shift
  echo "\$ schedlab bench $*" > "$R/$name.txt"
  COLUMNS=200 "$S" bench "$@" --out "$R/$name.csv" >> "$R/$name.txt"
  tail -n 25 "$R/$name.txt"
}
run wt_ils_1s wt40 --solver ils --time-limit 1 --seed 0
run wt50_ils_1s wt50 --solver ils --time-limit 1 --seed 0
run brandimarte_auto_60s brandimarte --solver auto --time-limit 60 --seed 0
run j30_auto_10s j30 --solver auto --time-limit 10 --seed 0 --executor serial
run j60_auto_30s j60 --solver auto --time-limit 30 --seed 0 --executor serial
run pfsp_auto_10s pfsp-taillard --solver auto --time-limit 10 --seed 0 --limit 30
