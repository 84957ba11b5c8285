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
#   --openblas-coretype V OpenBLAS kernel set for the torch runs: "native" (default)
#                         unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE so OpenBLAS
#                         picks its best kernels for this CPU; "keep" leaves the
#                         environment as it is; anything else sets OPENBLAS_CORETYPE
#   --simd "512 256"      Noether kernel widths to run (NOETHER_SIMD); default: 512
#                         and 256 where the CPU has AVX-512, else 256
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
CORETYPE="native"
if grep -qw avx512f /proc/cpuinfo; then SIMD="512 256"; else SIMD="256"; fi

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
    --simd)         SIMD="$2"; shift ;;
    -h|--help)      sed -n '2,30p' "$0"; exit 0 ;;
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

torch_env() {  # command...: run it in the OpenBLAS environment chosen by --openblas-coretype
  case "$CORETYPE" in
    keep)   "$@" ;;
    native) env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@" ;;
    *)      OPENBLAS_CORETYPE="$CORETYPE" "$@" ;;
  esac
}

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
    keep) echo "${OPENBLAS_CORETYPE:-<unset>} (unchanged)";;
    native) echo "<unset>, OPENBLAS_L2_SIZE <unset> (OpenBLAS autodetects)";;
    *) echo "$CORETYPE";;
  esac)"
if [[ $RUN_TORCH == 1 ]]; then
  # The kernel set OpenBLAS actually loads in the torch runs (same environment as run_torch).
  echo "openblas: $(torch_env "$PY" -c '
import ctypes
try:
    lib = ctypes.CDLL("libopenblas.so.0")
    lib.openblas_get_corename.restype = ctypes.c_char_p
    lib.openblas_get_config.restype = ctypes.c_char_p
    print("kernel", lib.openblas_get_corename().decode(), "|", lib.openblas_get_config().decode())
except OSError as e:
    print("not loadable:", e)')"
fi
if [[ $RUN_NOETHER == 1 ]]; then echo "noether:  SIMD widths $SIMD"; fi
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
run_noether() {  # simd workload threads warmup steps
  NOETHER_SIMD="$1" dotnet "$BENCH_DLL" step --workload "$2" --threads "$3" --warmup "$4" --steps "$5"
}

run_torch() {  # workload threads warmup steps
  torch_env "$PY" "$TORCH_SCRIPT" "$1" "$2" "$3" "$4"
}

# Floating-point work of one step: the products both implementations compute, 2·B·in·out each: forward and
# weight gradient in every layer, input gradient in every layer but the first (the data needs none); (c) is 32
# members of (a). Until 4 December 2026 the count included the first layer's input gradient, which overstated
# GFLOP/s by 12 % for (a) and (c) and 25 % for (b).
GFLOP_PER_STEP="$("$PY" -c 'import json
def work(batch, widths):
    layers = [i * o for i, o in zip(widths, widths[1:])]
    return 2 * batch * (2 * sum(layers) + sum(layers[1:])) / 1e9
a = work(32, [32, 64, 64, 1])
print(json.dumps({"a": a, "b": work(128, [784, 512, 512, 10]), "c": 32 * a}))')"

# The round trip of a cache line between the two CPUs right now (see bench/Noether.Bench/CoreLatency.cs), for
# a 2-thread PyTorch run (Noether's runs measure it themselves, before and after).
core_round_trip() {
  dotnet "$BENCH_DLL" cores | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["round_trip_ns"])'
}

# Keep only the last line that parses as a JSON object with "impl".
record() {  # label [core round trip ns measured just before]; reads the program's stdout on stdin
  local line
  line="$(ROUND_TRIP="${2:-}" "$PY" -c '
import json, os, sys
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
if os.environ.get("ROUND_TRIP") and "core_round_trip_ns" not in last:
    last["core_round_trip_ns"] = [float(os.environ["ROUND_TRIP"])]
print(json.dumps(last))
')" || { echo "run.sh: $1 printed no JSON result line" >&2; return 1; }
  echo "$line" >> "$OUT"
  echo "$line" | "$PY" -c '
import json, sys
r = json.load(sys.stdin)
gflop = '"$GFLOP_PER_STEP"'[r["workload"]]
label = r["impl"] + ("/%s" % r["simd"] if "simd" in r else "")
rt = r.get("core_round_trip_ns")
print("  %-12s %s t=%s  median %10.1f us (%6.1f GFLOP/s)  p10 %10.1f  p90 %10.1f  rss %6.1f MB  load %.2f%s"
      % (label, r["workload"], r["threads"], r["median_us"], gflop / r["median_us"] * 1e6, r["p10_us"], r["p90_us"],
         r["peak_rss_mb"], r["load1_after"], "  cores %s ns" % "/".join("%.0f" % x for x in rt) if rt else ""))'
}

if [[ $RUN_NOETHER == 1 ]]; then
  echo "== FMA peak (roof for GFLOP/s): $(dotnet "$BENCH_DLL" peak | tee -a "$OUT")"
  echo
fi

echo "== runs (alternating, $ROUNDS round(s))"
for w in $WORKLOADS; do
  warm="$(warmup_for "$w")"; steps="$(steps_for "$w")"
  for t in $THREADS; do
    echo "workload $w, threads $t, warmup $warm, steps $steps"
    for ((r = 1; r <= ROUNDS; r++)); do
      if [[ $RUN_NOETHER == 1 ]]; then
        for simd in $SIMD; do
          run_noether "$simd" "$w" "$t" "$warm" "$steps" | record "noether $w/$t"
        done
      fi
      if [[ $RUN_TORCH == 1 ]]; then
        rt=""
        if [[ $t -gt 1 && -n "${BENCH_DLL:-}" && -f "${BENCH_DLL:-}" ]]; then rt="$(core_round_trip)"; fi
        run_torch "$w" "$t" "$warm" "$steps" | record "pytorch $w/$t" "$rt"
      fi
    done
  done
done
echo
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at end"
echo

# ---------------------------------------------------------------- summary
"$PY" - "$OUT" "$GFLOP_PER_STEP" <<'EOF'
import json, statistics, sys
from collections import defaultdict

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
gflop = json.loads(sys.argv[2])
peak = next((r for r in rows if r["impl"] == "fma-peak"), {})
runs = defaultdict(list)
for r in rows:
    if r["impl"] == "fma-peak":
        continue
    impl = r["impl"] + ("/%s" % r["simd"] if "simd" in r else "")
    runs[(r["workload"], r["threads"], impl)].append(r)
impls = sorted({i for (_, _, i) in runs if i.startswith("noether")}, reverse=True)

def med(key):
    xs = runs.get(key)
    return statistics.median(x["median_us"] for x in xs) if xs else None

def rss(key):
    xs = runs.get(key)
    return max(x["peak_rss_mb"] for x in xs) if xs else None

def fmt(x, spec="%.1f"):
    return "-" if x is None else spec % x

def rate(w, us):
    return gflop[w] / us * 1e6 if us else None

FAR_NS = 200
def far(r):
    rt = r.get("core_round_trip_ns")
    return None if not rt else min(rt) > FAR_NS

keys = sorted({(w, t) for (w, t, _) in runs})
print("== summary: median over processes of each process's median step time; GFLOP/s = work per step / time")
print("%-3s %3s %-12s %11s %8s %6s %11s %8s %13s %7s %6s"
      % ("wl", "thr", "impl", "noether_us", "GFLOP/s", "%peak", "pytorch_us", "GFLOP/s", "torch/noether", "MB", "runs"))
for w, t in keys:
    p = med((w, t, "pytorch"))
    for impl in impls or ["-"]:
        n = med((w, t, impl))
        roof = peak.get("gflops_%s_t%s" % (impl.split("/")[-1], t)) if "/" in impl else None
        count = "%d/%d" % (len(runs.get((w, t, impl), [])), len(runs.get((w, t, "pytorch"), [])))
        print("%-3s %3s %-12s %11s %8s %6s %11s %8s %13s %7s %6s"
              % (w, t, impl, fmt(n), fmt(rate(w, n)), fmt(100 * rate(w, n) / roof if n and roof else None, "%.0f%%"),
                 fmt(p), fmt(rate(w, p)), fmt(p / n if n and p else None, "%.2fx"), fmt(rss((w, t, impl))), count))
print("pytorch peak RSS MB: " + ", ".join("%s/%s %s" % (w, t, fmt(rss((w, t, "pytorch")))) for w, t in keys))

print()
print("targets (issue 17): (a) torch/noether >= 6; (b) >= 1.0 with 1 thread, noether 1->2 threads >= 1.8x;")
print("                    (c) torch/noether >= 1.5 (PyTorch's manual bmm), noether c/a <= 16, 1->2 threads >= 1.8x")
def by_placement(key, ratio, spec):
    """ratio(median) for the runs of key on near and on far CPUs, as text; empty for 1-thread runs (no placement)."""
    split = []
    for name, want in (("near", False), ("far", True)):
        xs = [x["median_us"] for x in runs.get(key, []) if far(x) is want]
        if xs:
            split.append(("%s cores " + spec + " in %d run(s)") % (name, ratio(statistics.median(xs)), len(xs)))
    return " (%s)" % "; ".join(split) if split else ""

for impl in impls + ["pytorch"]:
    for t in sorted({t for (_, t) in keys}):
        a, c = med(("a", t, impl)), med(("c", t, impl))
        if a and c:
            # With 2 threads, (c) depends on where the host put the vCPUs; (a) runs on one thread either way.
            print("  %-12s threads %s: one P=32 step (c) = %.2f x one P=1 step (a)%s"
                  % (impl, t, c / a, by_placement(("c", t, impl), lambda x: x / a, "%.2f")))
            # The spread behind that ratio: each (c) process against (a)'s median, and the fastest against the fastest.
            cs = sorted(x["median_us"] for x in runs.get(("c", t, impl), []))
            fastest_a = min(x["median_us"] for x in runs.get(("a", t, impl), []))
            if len(cs) > 1:
                print("  %-12s threads %s: c/a per (c) process %.2f to %.2f; fastest (c) / fastest (a) %.2f"
                      % (impl, t, cs[0] / a, cs[-1] / a, cs[0] / fastest_a))
    for w in ("b", "c"):
        one, two = med((w, 1, impl)), med((w, 2, impl))
        if one and two:
            print("  %-12s %s: speed-up 1 -> 2 threads %.2fx%s"
                  % (impl, w, one / two, by_placement((w, 2, impl), lambda x: one / x, "%.2fx")))
print("  2-thread runs are 'far' when a cache line's round trip between the two CPUs took over %d ns before and after" % FAR_NS)
print("  (bench/Noether.Bench/CoreLatency.cs; a hypervisor may place the vCPUs near or far apart)")
if peak:
    print("FMA peak GFLOP/s (float, width_threads): " + ", ".join("%s %s" % (k[7:], v) for k, v in peak.items() if k.startswith("gflops")))

versions = {r["impl"]: r for r in rows}
if "pytorch" in versions:
    r = versions["pytorch"]
    print()
    print("pytorch: torch %s, BLAS %s, (c) variant %s" % (r.get("torch"), r.get("blas"), r.get("variant")))
if "noether" in versions:
    r = versions["noether"]
    print("noether: dotnet %s, allocation per step %s B (all threads)" % (r.get("dotnet"), r.get("alloc_bytes_per_step")))
EOF
