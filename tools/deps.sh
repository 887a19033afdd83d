#!/usr/bin/env bash
# Install the Debian packages phonograph needs, only when something is missing (idempotent).
# Used by `make run`, `make check`, `make all` and .ci/run. Needs root (or sudo) to install.
set -euo pipefail
PKGS=(openmpi-bin libopenmpi-dev libscalapack-openmpi-dev libopenblas-dev libhdf5-openmpi-dev
      hdf5-tools libsymspg-dev librandom123-dev libcmocka-dev pkg-config make gcc
      python3-h5py python3-numpy python3-matplotlib)
PKGS+=(${PG_EXTRA_PKGS:-})
missing=()
for p in "${PKGS[@]}"; do
    [ -n "$p" ] || continue
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
# a package can be "installed" while its tool is gone (e.g. removed by hand): check the tools too
for tool in mpicc mpirun pkg-config h5dump; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$(case $tool in
        mpicc) echo libopenmpi-dev;; mpirun) echo openmpi-bin;; pkg-config) echo pkg-config;;
        h5dump) echo hdf5-tools;; esac)")
done
for pc in scalapack-openmpi openblas hdf5-openmpi spglib cmocka; do
    if command -v pkg-config >/dev/null 2>&1 && ! pkg-config --exists "$pc" 2>/dev/null; then
        case $pc in
        scalapack-openmpi) missing+=(libscalapack-openmpi-dev) ;;
        openblas) missing+=(libopenblas-dev) ;;
        hdf5-openmpi) missing+=(libhdf5-openmpi-dev) ;;
        spglib) missing+=(libsymspg-dev) ;;
        cmocka) missing+=(libcmocka-dev) ;;
        esac
    fi
done
[ -f /usr/include/Random123/philox.h ] || missing+=(librandom123-dev)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "deps: installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
# refresh the package lists when they are missing or older than a day
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    $SUDO apt-get update -q
fi
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" || {
    $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; }
