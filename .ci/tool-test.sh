#!/usr/bin/env bash
# Packs noether as a .NET tool, installs it from that package into a temporary tool path (as a user
# would with --global, but leaving ~/.dotnet/tools alone) and runs `noether --version` and `noether list`.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
start=$(date +%s)
work=$(mktemp -d /tmp/noether-tool-XXXXXX)
trap 'rm -rf "$work"' EXIT

# Quiet on success; on failure the tool's own output says why.
quiet() { "$@" > "$work/log.txt" 2>&1 || { cat "$work/log.txt" >&2; echo "tool test: FAILED: $*" >&2; exit 1; }; }
quiet dotnet pack src/Noether.Cli -c Release -o "$work/nupkg" -nologo
quiet dotnet tool install noether --tool-path "$work/tools" --add-source "$work/nupkg"

version=$("$work/tools/noether" --version)
expected=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
case "$version" in *"$expected"*) ;; *) echo "tool test: noether --version printed '$version', expected $expected" >&2; exit 1;; esac
"$work/tools/noether" list > "$work/list.txt"
grep -q 'noise-equilibrium' "$work/list.txt"
echo "tool test: packed, installed and ran noether $version in $(( $(date +%s) - start )) s"
