#!/usr/bin/env bash
# Start a one-node SLURM cluster on localhost for phonograph's tests (Debian 12 slurm-wlm 22.05
# + munge, optionally slurmdbd + MariaDB for sacct), without systemd: the daemons are started
# directly and everything lives under $PG_SLURM_DIR (default /tmp/pg-slurm). Only daemons whose
# pid files are under that directory are ever stopped (cluster-down.sh).
# The only file touched outside it is /etc/slurm/slurm.conf, made a symlink to our config when it
# is absent or already such a symlink (SLURM clients then need no SLURM_CONF).
# Platform facts behind the choices: ../shared/notes/platform.md section 4.
set -euo pipefail
DIR=${PG_SLURM_DIR:-/tmp/pg-slurm}
CONF=$DIR/etc/slurm.conf
SOCK=$DIR/munge/munge.socket.2
export SLURM_CONF=$CONF
ACCT=${PG_SLURM_ACCOUNTING:-auto}
# A requeued job may start again only after the step credentials of its last run expired
# (cred_expire, default 120 s); the test cluster uses 10 s so that self-requeueing jobs are
# tested in seconds, and a 2 s main scheduling loop (default 60 s) so that they start promptly.
CRED_EXPIRE=${PG_SLURM_CRED_EXPIRE:-10}
if [ "$ACCT" = auto ]; then
    if command -v slurmdbd >/dev/null && command -v mariadbd >/dev/null; then ACCT=1; else ACCT=0; fi
fi
say() { echo "[cluster-up] $*"; }
die() { say "ERROR: $*"; for l in slurmctld slurmd slurmdbd; do [ -f "$DIR/log/$l.log" ] && tail -n 20 "$DIR/log/$l.log" >&2; done; exit 1; }
alive() { local p; [ -s "$1" ] && p=$(cat "$1") && [ -d /proc/$p ] && [ "$(cat /proc/$p/comm 2>/dev/null)" = "$2" ]; }

[ "$(id -u)" = 0 ] || die "needs root (slurmd runs as root)"
for b in munged slurmctld slurmd sbatch scontrol sinfo runuser; do
    command -v "$b" >/dev/null || die "missing $b: apt-get install slurm-wlm munge"
done
if alive "$DIR/run/slurmctld.pid" slurmctld && alive "$DIR/run/slurmd.pid" slurmd && scontrol ping >/dev/null 2>&1; then
    say "already up"; exit 0
fi
[ -d "$DIR" ] && "$(dirname "$0")/cluster-down.sh" >/dev/null 2>&1 || true
HOST=$(hostname -s)
mkdir -p "$DIR"/{etc,state,spool,log,run,munge}
chmod 0755 "$DIR" "$DIR/run"

# munge with a private key and socket, as user munge
chown munge:munge "$DIR/munge"; chmod 0755 "$DIR/munge"
dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
chown munge:munge "$DIR/munge/munge.key"; chmod 0400 "$DIR/munge/munge.key"
runuser -u munge -- /usr/sbin/munged --socket="$SOCK" --key-file="$DIR/munge/munge.key" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/munge/munged.log" \
    --seed-file="$DIR/munge/munged.seed" --num-threads=2 || die "munged did not start"
for _ in $(seq 50); do [ -S "$SOCK" ] && [ -s "$DIR/munge/munged.pid" ] && break; sleep 0.1; done
cp "$DIR/munge/munged.pid" "$DIR/run/munged.pid"

if [ "$ACCT" = 1 ]; then
    ACCT_CONF="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=6819
AccountingStoragePass=$SOCK"
else
    ACCT_CONF="AccountingStorageType=accounting_storage/none"
fi
HW=$(slurmd -C | head -n 1 | sed -E 's/^NodeName=[^ ]+ //')
MEM=$(sed -nE 's/.*RealMemory=([0-9]+).*/\1/p' <<<"$HW")
HW=$(sed -E "s/RealMemory=[0-9]+/RealMemory=$((MEM * 95 / 100))/" <<<"$HW")
cat > "$CONF" <<CONFEOF
ClusterName=pgtest
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK,cred_expire=$CRED_EXPIRE
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
JobAcctGatherType=jobacct_gather/linux
$ACCT_CONF
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1024
MpiDefault=pmix
ReturnToService=2
MailProg=/bin/true
KillWait=10
MinJobAge=600
JobRequeue=1
SchedulerParameters=sched_interval=2
NodeName=$HOST NodeAddr=127.0.0.1 $HW State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONFEOF
mkdir -p /etc/slurm
if [ -L /etc/slurm/slurm.conf ] || [ ! -e /etc/slurm/slurm.conf ]; then ln -sfn "$CONF" /etc/slurm/slurm.conf; fi

if [ "$ACCT" = 1 ]; then
    PASS=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
    mkdir -p "$DIR/mysql" "$DIR/mysql-run"; chown mysql:mysql "$DIR/mysql" "$DIR/mysql-run"
    mariadb-install-db --user=mysql --datadir="$DIR/mysql" --auth-root-authentication-method=socket \
        --skip-test-db > "$DIR/log/mariadb-install.log" 2>&1 || die "mariadb-install-db failed"
    setsid runuser -u mysql -- mariadbd --no-defaults --datadir="$DIR/mysql" \
        --socket="$DIR/mysql-run/mysqld.sock" --pid-file="$DIR/mysql-run/mariadbd.pid" \
        --bind-address=127.0.0.1 --port=3307 --skip-name-resolve --innodb-buffer-pool-size=64M \
        --log-error="$DIR/log/mariadbd.err" </dev/null >/dev/null 2>&1 &
    for _ in $(seq 300); do [ -S "$DIR/mysql-run/mysqld.sock" ] && [ -s "$DIR/mysql-run/mariadbd.pid" ] && break; sleep 0.1; done
    [ -S "$DIR/mysql-run/mysqld.sock" ] || die "mariadbd did not start"
    cp "$DIR/mysql-run/mariadbd.pid" "$DIR/run/mariadbd.pid"
    printf "CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY '%s';\nGRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';\n" "$PASS" \
        | mariadb --socket="$DIR/mysql-run/mysqld.sock" -u root || die "database user setup failed"
    cat > "$DIR/etc/slurmdbd.conf" <<DBDEOF
AuthType=auth/munge
AuthInfo=socket=$SOCK
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=6819
SlurmUser=root
PidFile=$DIR/run/slurmdbd.pid
LogFile=$DIR/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=3307
StorageUser=slurm
StoragePass=$PASS
StorageLoc=slurm_acct_db
DBDEOF
    chmod 0600 "$DIR/etc/slurmdbd.conf"
    slurmdbd || die "slurmdbd did not start"
    for _ in $(seq 100); do timeout 3 sacctmgr -n list cluster >/dev/null 2>&1 && break; sleep 0.1; done
    timeout 10 sacctmgr -i add cluster pgtest >/dev/null 2>&1 || true
fi
slurmctld -i || die "slurmctld did not start"
for _ in $(seq 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.1; done
slurmd || die "slurmd did not start"
for _ in $(seq 600); do
    state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1)
    [ "$state" = idle ] && break; sleep 0.1
done
[ "${state:-}" = idle ] || die "node not idle (state ${state:-none})"
say "up: node $HOST idle, accounting=$ACCT, config $CONF"
