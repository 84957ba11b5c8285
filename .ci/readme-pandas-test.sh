#!/usr/bin/env bash
# README's pandas snippet (one merge of metrics.csv with run.json's members, no string parsing) runs as printed
# on a fresh `noether run hebbian --seed 7` and draws one line per seed against the weight decay.
set -euo pipefail
cd "$(dirname "$0")/.."
py=/usr/bin/python3
if ! "$py" -c "import pandas, matplotlib" 2>/dev/null; then echo "readme pandas test: skipped (no python3-pandas/matplotlib)"; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed -n '/^  ```python$/,/^  ```$/p' README.md | sed '1d;$d' | sed 's/^  //' > "$work/snippet.py"
grep -q 'runs/hebbian-7' "$work/snippet.py" || { echo "readme pandas test: FAILED: snippet not found in README.md" >&2; exit 1; }
dotnet run --project src/Noether.Cli -c Release -- run hebbian --seed 7 --out "$work/runs/hebbian-7" > "$work/run.log" 2>&1 || [ $? -eq 1 ]
cat >> "$work/snippet.py" <<'PY'
ax = plt.gca()
assert len(ax.get_lines()) == 3, f"expected one line per seed, got {len(ax.get_lines())}"
assert ax.get_xlabel() == "weight_decay", ax.get_xlabel()
print("readme pandas test: one line per seed against weight_decay")
PY
(cd "$work" && MPLBACKEND=Agg "$py" snippet.py)
