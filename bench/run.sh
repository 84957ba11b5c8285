#!/usr/bin/env bash
# Noether vs PyTorch step-time benchmark (issue 2, section "Benchmark").
#
# For every workload (a, b, c) and thread count (1, 2) the Noether program and
# the PyTorch script are run alternately, one fresh process each time:
#   noether, torch, noether, torch, ...   (--rounds pairs, default 3)
# Every process prints one JSON line; all lines are kept in a JSONL file and a
# summary table (median of the per-process medians, worst peak RSS, ratio
# torch/noether) is printed at the end.
#
# Usage: bench/run.sh [options]
#   --torch-only          skip the C# side (no build, no runs)
#   --noether-only        skip the PyTorch side
#   --rounds N            alternating pairs per (workload, threads)   [3]
#   --workloads "a b c"   subset of workloads                         [a b c]
#   --threads "1 2"       thread counts                               [1 2]
#   --quick               far fewer steps (smoke test, numbers are noisy)
#   --out FILE            JSONL output       [bench/results/run-<time>.jsonl]
#   --openblas-coretype V set OPENBLAS_CORETYPE=V for the torch runs;
#                         "native" unsets it (let OpenBLAS detect the CPU);
#                         default: leave the environment as it is
#   --no-build            do not run dotnet build first
#
# Steps per process (warmup/measured) can be overridden with environment
# variables STEPS_A, WARMUP_A, STEPS_B, ... (defaults below).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PY=/usr/bin/python3   # Debian's python3-torch lives here, not in a pyenv python
TORCH_SCRIPT="bench/pytorch/bench_step.py"
BENCH_PROJECT="bench/Noether.Bench"
BENCH_DLL="bench/Noether.Bench/bin/Release/net10.0/Noether.Bench.dll"

RUN_NOETHER=1
RUN_TORCH=1
ROUNDS=3
WORKLOADS="a b c"
THREADS="1 2"
QUICK=0
BUILD=1
OUT=""
CORETYPE=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    --torch-only)   RUN_NOETHER=0 ;;
    --noether-only) RUN_TORCH=0 ;;
    --rounds)       ROUNDS="$2"; shift ;;
    --workloads)    WORKLOADS="$2"; shift ;;
    --threads)      THREADS="$2"; shift ;;
    --quick)        QUICK=1 ;;
    --out)          OUT="$2"; shift ;;
    --openblas-coretype) CORETYPE="$2"; shift ;;
    --no-build)     BUILD=0 ;;
    -h|--help)      sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

if [[ $QUICK == 1 ]]; then
  : "${WARMUP_A:=50}"  "${STEPS_A:=300}"
  : "${WARMUP_B:=5}"   "${STEPS_B:=30}"
  : "${WARMUP_C:=20}"  "${STEPS_C:=100}"
else
  : "${WARMUP_A:=300}" "${STEPS_A:=3000}"
  : "${WARMUP_B:=20}"  "${STEPS_B:=200}"
  : "${WARMUP_C:=50}"  "${STEPS_C:=500}"
fi

steps_for()  { local v="STEPS_${1^^}";  echo "${!v}"; }
warmup_for() { local v="WARMUP_${1^^}"; echo "${!v}"; }

if [[ -z "$OUT" ]]; then
  mkdir -p bench/results
  OUT="bench/results/run-$(date +%Y%m%d-%H%M%S).jsonl"
fi
: > "$OUT"

# ---------------------------------------------------------------- machine
echo "== machine"
echo "cpu:      $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
echo "cores:    $(nproc) online ($(lscpu | sed -n 's/^Core(s) per socket:[[:space:]]*//p' | head -1) per socket, $(lscpu | sed -n 's/^Thread(s) per core:[[:space:]]*//p' | head -1) thread(s)/core)"
echo "kernel:   $(uname -r)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
if [[ $RUN_NOETHER == 1 ]]; then
  echo "dotnet:   $(dotnet --version 2>/dev/null || echo 'not found')"
fi
if [[ $RUN_TORCH == 1 ]]; then
  echo "torch:    $("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null || echo "not importable by $PY")"
fi
echo "OPENBLAS_CORETYPE: ${OPENBLAS_CORETYPE:-<unset>} in environment; torch runs use: $(
  case "$CORETYPE" in
    "") echo "${OPENBLAS_CORETYPE:-<unset>} (unchanged)";;
    native) echo "<unset> (OpenBLAS autodetects)";;
    *) echo "$CORETYPE";;
  esac)"
echo "results:  $OUT"
echo

# Heavy compiles on this small machine distort everything; warn, don't block.
if pgrep -f 'dotnet (build|test|run|msbuild)|Roslyn/bincore/csc|VBCSCompiler|testhost|net10.0/noether ' >/dev/null 2>&1; then
  echo "WARNING: other dotnet builds/tests/experiments are running; timings will be noisy." >&2
fi

# ---------------------------------------------------------------- build
if [[ $RUN_NOETHER == 1 && $BUILD == 1 ]]; then
  if [[ ! -d "$BENCH_PROJECT" ]]; then
    echo "run.sh: $BENCH_PROJECT does not exist; use --torch-only" >&2
    exit 1
  fi
  echo "== dotnet build $BENCH_PROJECT -c Release"
  dotnet build "$BENCH_PROJECT" -c Release -nologo -v quiet >&2
  echo
fi
if [[ $RUN_NOETHER == 1 && ! -f "$BENCH_DLL" ]]; then
  echo "run.sh: $BENCH_DLL not found after build" >&2
  exit 1
fi

# ---------------------------------------------------------------- runs
run_noether() {  # workload threads warmup steps
  dotnet "$BENCH_DLL" step --workload "$1" --threads "$2" --warmup "$3" --steps "$4"
}

run_torch() {  # workload threads warmup steps
  case "$CORETYPE" in
    "")     "$PY" "$TORCH_SCRIPT" "$1" "$2" "$3" "$4" ;;
    native) env -u OPENBLAS_CORETYPE "$PY" "$TORCH_SCRIPT" "$1" "$2" "$3" "$4" ;;
    *)      OPENBLAS_CORETYPE="$CORETYPE" "$PY" "$TORCH_SCRIPT" "$1" "$2" "$3" "$4" ;;
  esac
}

# Keep only the last line that parses as a JSON object with "impl".
record() {  # label; reads the program's stdout on stdin
  local line
  line="$("$PY" -c '
import json, sys
last = None
for raw in sys.stdin:
    raw = raw.strip()
    if raw.startswith("{"):
        try:
            obj = json.loads(raw)
        except ValueError:
            continue
        if "impl" in obj:
            last = obj
if last is None:
    sys.exit(1)
# 1-minute load average right after the process: flags runs disturbed by others
last["load1_after"] = float(open("/proc/loadavg").read().split()[0])
print(json.dumps(last))
')" || { echo "run.sh: $1 printed no JSON result line" >&2; return 1; }
  echo "$line" >> "$OUT"
  echo "$line" | "$PY" -c '
import json, sys
r = json.load(sys.stdin)
print("  %-8s %s t=%s  median %10.1f us  p10 %10.1f  p90 %10.1f  rss %6.1f MB  load %.2f"
      % (r["impl"], r["workload"], r["threads"], r["median_us"], r["p10_us"], r["p90_us"],
         r["peak_rss_mb"], r["load1_after"]))'
}

echo "== runs (alternating, $ROUNDS round(s))"
for w in $WORKLOADS; do
  warm="$(warmup_for "$w")"; steps="$(steps_for "$w")"
  for t in $THREADS; do
    echo "workload $w, threads $t, warmup $warm, steps $steps"
    for ((r = 1; r <= ROUNDS; r++)); do
      if [[ $RUN_NOETHER == 1 ]]; then
        run_noether "$w" "$t" "$warm" "$steps" | record "noether $w/$t"
      fi
      if [[ $RUN_TORCH == 1 ]]; then
        run_torch "$w" "$t" "$warm" "$steps" | record "pytorch $w/$t"
      fi
    done
  done
done
echo
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at end"
echo

# ---------------------------------------------------------------- summary
"$PY" - "$OUT" <<'EOF'
import json, statistics, sys
from collections import defaultdict

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
runs = defaultdict(list)
for r in rows:
    runs[(r["workload"], r["threads"], r["impl"])].append(r)

def med(key):
    xs = runs.get(key)
    return statistics.median(x["median_us"] for x in xs) if xs else None

def rss(key):
    xs = runs.get(key)
    return max(x["peak_rss_mb"] for x in xs) if xs else None

def fmt(x, spec="%.1f"):
    return "-" if x is None else spec % x

keys = sorted({(w, t) for (w, t, _) in runs})
print("== summary: median over processes of each process's median step time")
print("%-3s %3s %14s %14s %13s %12s %12s %5s"
      % ("wl", "thr", "noether_us", "pytorch_us", "torch/noether", "noether_MB", "pytorch_MB", "runs"))
for w, t in keys:
    n, p = med((w, t, "noether")), med((w, t, "pytorch"))
    ratio = p / n if n and p else None
    count = "%d/%d" % (len(runs.get((w, t, "noether"), [])), len(runs.get((w, t, "pytorch"), [])))
    print("%-3s %3s %14s %14s %13s %12s %12s %5s"
          % (w, t, fmt(n), fmt(p), fmt(ratio, "%.2fx"),
             fmt(rss((w, t, "noether"))), fmt(rss((w, t, "pytorch"))), count))

print()
print("targets (issue 2): (a) torch/noether >= 5; (b) torch/noether >= 1/1.2 = 0.83;")
print("                   (c) noether c/a <= 8; peak RSS <= 100 MB for (a) and (c)")
for t in sorted({t for (_, t) in keys}):
    for impl in ("noether", "pytorch"):
        a, c = med(("a", t, impl)), med(("c", t, impl))
        if a and c:
            print("  %-8s threads %s: one P=32 step (c) = %.2f x one P=1 step (a)" % (impl, t, c / a))

versions = {r["impl"]: r for r in rows}
if "pytorch" in versions:
    r = versions["pytorch"]
    print()
    print("pytorch: torch %s, BLAS %s, (c) variant %s" % (r.get("torch"), r.get("blas"), r.get("variant")))
if "noether" in versions:
    r = versions["noether"]
    extra = {k: v for k, v in r.items()
             if k not in ("impl", "workload", "threads", "median_us", "p10_us", "p90_us", "peak_rss_mb", "load1_after")}
    if extra:
        print("noether: " + json.dumps(extra))
EOF
