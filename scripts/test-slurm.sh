#!/usr/bin/env bash
# End to end on a real single-node Slurm: installs slurm-wlm and munge (Debian), writes a one-node
# slurm.conf for this machine, starts munged, slurmctld and slurmd, submits
# examples/sweep-slurm/sweep.sbatch as a 4-task array job (sbatch --array=0-3 --wait), merges the
# four shards and compares them byte for byte with the same sweep run unsharded; then stops the
# daemons it started (by their process ids) and removes its files. Needs root and a built
# checkout. VFPU_SKIP_SLURM=1 skips it (machines without root or apt).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
if [[ ${VFPU_SKIP_SLURM:-} == 1 ]]; then
  echo "test-slurm: skipped (VFPU_SKIP_SLURM=1)"
  exit 0
fi
if [[ $(id -u) != 0 ]]; then
  echo "test-slurm: needs root (apt-get, slurmctld, slurmd); VFPU_SKIP_SLURM=1 skips it" >&2
  exit 1
fi
t0=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=600 -qq)
"${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends slurm-wlm munge >/dev/null
t1=$(date +%s)

work=$(mktemp -d /tmp/vfpu-slurm.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if ((status != 0)); then
    for log in "$work"/*.log "$work"/*.out "$work"/munge/*.log "$work"/run/vfpu-sweep-*.out; do
      [[ -f $log ]] && { echo "--- $log"; tail -n 30 "$log"; } >&2
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# munge: its own socket, pid and seed files (a munged already running is left alone)
mkdir -p "$work/munge"
chown munge:munge "$work/munge"
chmod 755 "$work/munge" # munged wants the socket directory searchable by all
[[ -s /etc/munge/munge.key ]] || runuser -u munge -- mungekey --create --keyfile=/etc/munge/munge.key
runuser -u munge -- /usr/sbin/munged --foreground --socket="$work/munge/munge.socket" \
  --pid-file="$work/munge/munged.pid" --seed-file="$work/munge/munged.seed" \
  --log-file="$work/munge/munged.log" >"$work/munged.out" 2>&1 &
pids+=($!)

host=$(hostname -s)
cpus=$(nproc)
mem=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 / 2))
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=vfpu-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/ctld
SlurmdSpoolDir=$work/d
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
mkdir -p "$work/ctld" "$work/d" "$work/run"
for _ in $(seq 100); do [[ -S $work/munge/munge.socket ]] && break; sleep 0.1; done
munge -S "$work/munge/munge.socket" -n | unmunge -S "$work/munge/munge.socket" >/dev/null
/usr/sbin/slurmctld -D -i >"$work/slurmctld.out" 2>&1 &
pids+=($!)
/usr/sbin/slurmd -D >"$work/slurmd.out" 2>&1 &
pids+=($!)
ready=
for _ in $(seq 60); do
  state=$(timeout 5 sinfo -h -n "$host" -o %t 2>/dev/null || true)
  if [[ $state == idle ]]; then
    ready=1
    break
  fi
  sleep 0.5
done
[[ -n $ready ]] || { echo "test-slurm: the node did not become idle (state: ${state:-none})" >&2; exit 1; }
t2=$(date +%s)

# the example batch script, as a 4-task array; each task writes its shard
vfpu="node $root/packages/cli/dist/bin.js"
ex=$root/examples/sweep-slurm
export VFPU=$vfpu WORKLOAD=preset:desktop GRID=$ex/grid.json SEEDS=3 EVENTS=5000 OUT=$work/run/shards
timeout 240 sbatch --wait --array=0-3 --chdir="$work/run" --output="$work/run/vfpu-sweep-%A_%a.out" \
  --export=ALL "$ex/sweep.sbatch"
t3=$(date +%s)
shards=("$OUT"/shard-{0..3}.ndjson)
for s in "${shards[@]}"; do head -c 160 "$s" | head -n 1; done
$vfpu merge "${shards[@]}" -o "$work/merged.ndjson"
$vfpu sweep "$WORKLOAD" --grid "$GRID" --seeds "$SEEDS" --events "$EVENTS" -o "$work/whole.ndjson"
cmp "$work/merged.ndjson" "$work/whole.ndjson"
echo "test-slurm: 4-task array job ($(wc -l <"$work/whole.ndjson") rows): merged shards = unsharded sweep, byte for byte"
echo "test-slurm: install $((t1 - t0)) s, daemons up $((t2 - t1)) s, array job $((t3 - t2)) s, total $(($(date +%s) - t0)) s"
