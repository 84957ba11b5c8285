#!/usr/bin/env bash
# Real Slurm test of `noether sweep run --slurm`: installs Debian's Slurm and munge, starts a
# single-node cluster bound to 127.0.0.1 (no cgroups), runs a 4-trial sweep as a job array with
# --wait, checks every trial completed and that `collect` sees them, then shuts Slurm down.
# Needs root. Everything but the munge key lives in a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  for attempt in 1 2 3; do
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null; then break; fi
    echo "apt-get attempt $attempt failed; retrying" >&2
    sleep 10
  done
fi

dotnet build src/Noether.Cli -c Release -v quiet -nologo >/dev/null
noether="$PWD/src/Noether.Cli/bin/Release/net10.0/noether"
start=$(date +%s)

work=$(mktemp -d /tmp/noether-slurm-XXXXXX)
chmod 755 "$work"
host=$(hostname -s)
cpus=$(nproc)
export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=noether-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
mkdir -p "$work/state" "$work/spool"

cleanup() {
  status=$?
  if [ "$status" -ne 0 ]; then
    echo "slurm test: FAILED (exit $status); daemon and job logs:" >&2
    tail -n 20 "$work"/*.log "$work"/sweep/logs/*.log "$work"/long/logs/*.log 2>/dev/null >&2 || true
  fi
  scontrol shutdown >/dev/null 2>&1 || true
  for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  if [ -n "${started_munge:-}" ] && [ -f /run/munge/munged.pid ]; then kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true; fi
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT

# munge: a key (made once), then the daemon as the munge user on its own socket.
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/lib/munge /var/log/munge && chown munge:munge /run/munge /var/lib/munge /var/log/munge
if ! munge -n >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged --force
  started_munge=1
fi
munge -n | unmunge >/dev/null

slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for i in $(seq 1 60); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed)'; then break; fi
  sleep 0.5
done
sinfo -h -o '%N %T %c' | sed 's/^/slurm: node /'

sweep="$work/sweep"
cat > "$work/spec.json" <<'SPEC'
{ "experiment": "noise-equilibrium",
  "set": { "seeds": 1, "balance.sgd_steps": 1000, "balance.gd_steps": 100, "scale.steps": 500 },
  "axes": { "balance.lr": [0.01, 0.02] },
  "seeds": [1, 2] }
SPEC
"$noether" sweep plan "$work/spec.json" --out "$sweep"
"$noether" sweep run "$sweep" --slurm --wait --parallel 2 --time 5:00 --partition ci
"$noether" sweep status "$sweep" | tail -1 | tee "$work/status.txt"
grep -q '^0 corrupt, 4 completed, 0 failed, 0 interrupted, 0 running, 0 missing$' "$work/status.txt"
# Re-running submits nothing: every trial is completed.
"$noether" sweep run "$sweep" --slurm --wait | tee "$work/rerun.txt"
grep -q 'nothing to submit' "$work/rerun.txt"
"$noether" sweep collect "$sweep" | tail -1 | tee "$work/collect.txt"
grep -q 'sweep.db: 4 trials, 4 completed' "$work/collect.txt"
ls "$sweep"/logs/slurm-*.log >/dev/null

# Preemption: Slurm's time-limit warning (SIGUSR1 to the job step, as --signal=USR1@90 sends it)
# makes a running trial checkpoint and stop; submitting again resumes it to completion.
long="$work/long"
cat > "$work/long.json" <<'SPEC'
{ "experiment": "noise-equilibrium", "set": { "seeds": 2, "balance.sgd_steps": 40000 }, "seeds": [1] }
SPEC
"$noether" sweep plan "$work/long.json" --out "$long"
job=$("$noether" sweep run "$long" --slurm | sed -n 's/^slurm: submitted job array \([0-9]*\).*/\1/p')
for i in $(seq 1 120); do
  [ "$(cat "$long"/trials/*/metrics.csv 2>/dev/null | wc -l)" -gt 50 ] && break
  sleep 0.25
done
scancel --signal=USR1 "$job"
for i in $(seq 1 120); do
  squeue -h -j "$job" 2>/dev/null | grep -q . || break
  sleep 0.25
done
"$noether" sweep status "$long" | tail -1 | tee "$work/status.txt"
grep -q '^0 corrupt, 0 completed, 0 failed, 1 interrupted' "$work/status.txt"
grep -q '"status": "interrupted"' "$long"/trials/*/run.json
grep -q 'stopped by SIGUSR1; checkpoint at' "$long"/trials/*/run.json
"$noether" sweep run "$long" --slurm --wait
grep -A2 '"resumed_from"' "$long"/trials/*/run.json | grep -q '@'
"$noether" sweep status "$long" | tail -1 | grep -q '^0 corrupt, 1 completed'

echo "slurm test: passed in $(( $(date +%s) - start )) s"
