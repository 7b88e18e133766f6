#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine: installs Debian's slurm-wlm and munge when
# missing, starts munged, slurmctld and slurmd (127.0.0.1 only, 2 CPUs, everything in a temporary
# folder), submits `siverify slurm`'s job array and merge job, waits, and compares the merged
# cases.jsonl, summary.json (timings aside) and report.md with the unsharded run byte for byte.
# Stops the daemons it started and removes the folder.
#   bash tests/slurm/slurm_test.sh path/to/siverify        (ctest label slurm)
set -euo pipefail
siverify=$(readlink -f "$1")
shards=4
run=(--profile quick --claims C4.bound,C5.terms,C1.law.ode)

sudo=""
[[ $(id -u) -ne 0 ]] && sudo=sudo
missing=()
for p in slurm-wlm munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "slurm_test: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

tmp=$(mktemp -d /tmp/siverify-slurm-XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  local code=$?
  for pid in "${pids[@]}"; do $sudo kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do $sudo kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    $sudo kill -9 "$pid" 2>/dev/null || true
  done
  if [[ $code -ne 0 ]]; then
    for log in "$tmp"/*.log "$tmp"/out/slurm/*.log; do
      [[ -f $log ]] && { echo "== $log" >&2; tail -n 30 "$log" >&2; }
    done
  fi
  $sudo rm -rf "$tmp"
  exit $code
}
trap cleanup EXIT

# munge: its own key, socket and state in the temporary folder. The daemons run as root (with
# sudo when the test does not); the socket folder stays readable for sbatch.
mkdir -p "$tmp/munge" "$tmp/socket"
chmod 700 "$tmp/munge"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
socket=$tmp/socket/munge.socket
$sudo munged --force --key-file="$tmp/munge/munge.key" --socket="$socket" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munged.log" --seed-file="$tmp/munge/seed"
for _ in $(seq 50); do $sudo test -s "$tmp/munge/munged.pid" && break; sleep 0.1; done
pids+=("$($sudo cat "$tmp/munge/munged.pid")")

# Free ports for slurmctld and slurmd.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ctld_port=$(port)
slurmd_port=$(port)
mkdir -p "$tmp/state" "$tmp/spool"
cat > "$tmp/slurm.conf" <<EOF
ClusterName=siverify
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=300
NodeName=localhost NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=2 RealMemory=1000 State=UNKNOWN
PartitionName=siverify Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$tmp/slurm.conf
$sudo slurmctld -i -f "$SLURM_CONF"
for _ in $(seq 100); do [[ -s $tmp/slurmctld.pid ]] && break; sleep 0.1; done
pids+=("$(cat "$tmp/slurmctld.pid")")
$sudo slurmd -N localhost -f "$SLURM_CONF"
for _ in $(seq 100); do [[ -s $tmp/slurmd.pid ]] && break; sleep 0.1; done
pids+=("$(cat "$tmp/slurmd.pid")")
for _ in $(seq 300); do
  sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && break
  sleep 0.2
done
sinfo -N

# The unsharded reference with the same thread count as every job (summary.json records it).
"$siverify" verify "${run[@]}" --threads 1 --out "$tmp/reference" >/dev/null
"$siverify" slurm "${run[@]}" --shards "$shards" --cpus 1 --time 10 --out "$tmp/out"
read -r array merge < "$tmp/out/slurm/jobs"
for _ in $(seq 1500); do
  [[ -z $(squeue -h -j "$array,$merge" 2>/dev/null) ]] && break
  sleep 0.2
done
state=$(scontrol show job "$merge" | grep -o 'JobState=[A-Z_]*' || true)
echo "merge job $merge: $state"
[[ $state == JobState=COMPLETED ]]

without_timings() {
  python3 -c 'import json,sys
j=json.load(open(sys.argv[1])); j.pop("seconds", None)
for g in j["groups"]: g.pop("seconds", None)
print(json.dumps(j, indent=1, sort_keys=True))' "$1"
}
cmp "$tmp/reference/cases.jsonl" "$tmp/out/cases.jsonl"
cmp <(without_timings "$tmp/reference/summary.json") <(without_timings "$tmp/out/summary.json")
cmp "$tmp/reference/report.md" "$tmp/out/report.md"
echo "slurm_test: $shards shards on Slurm, merged = unsharded (cases.jsonl, summary.json, report.md)"
