#!/usr/bin/env bash
# The example scripts (examples/scripts/*.cs, .NET 10 file-based apps on the library) compile and run,
# and print what examples/README.md says they print.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
start=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
check() { # script, then a pattern its output must contain
  if ! dotnet run "examples/scripts/$1" > "$log" 2>&1 || ! grep -q "$2" "$log"; then
    cat "$log" >&2; echo "scripts test: FAILED: examples/scripts/$1 (expected '$2' in its output)" >&2; exit 1
  fi
}
check hebbian-population.cs 'final loss'
check compare-features.cs 'linear CKA'
echo "scripts test: both example scripts compiled and ran in $(( $(date +%s) - start )) s"
