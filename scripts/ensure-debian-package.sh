#!/usr/bin/env bash
# ensure-debian-package.sh PROGRAM PACKAGE: install PACKAGE from Debian's archive when
# PROGRAM is not on this machine (chromium for the browser test, nginx for the cluster).
set -euo pipefail
program=$1 package=$2
if command -v "$program" >/dev/null 2>&1; then exit 0; fi
echo "$program not found: installing Debian package $package"
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
  echo "error: $program is missing and installing $package needs root (apt-get install $package)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q "$package" >/dev/null 2>&1 || {
  $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "$package" >/dev/null
}
command -v "$program" >/dev/null || { echo "error: $package installed but $program not found" >&2; exit 1; }
