#!/usr/bin/env bash
# Installs what ovnkit needs on a Debian machine with Node 20 and root. Safe to run again: it only installs
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
command -v ovsdb-server >/dev/null 2>&1 || need_pkgs+=(openvswitch-switch openvswitch-common)
command -v ovn-northd >/dev/null 2>&1 || need_pkgs+=(ovn-central ovn-common)
command -v ovn-controller >/dev/null 2>&1 || need_pkgs+=(ovn-host)
/usr/bin/python3 -c 'import ovs' >/dev/null 2>&1 || need_pkgs+=(python3-openvswitch)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_pkgs[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq ovn-central ovn-host openvswitch-switch \
    openvswitch-common ovn-common python3-openvswitch >/dev/null
fi

want_pnpm=$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' package.json)
if [ "$(pnpm --version 2>/dev/null || true)" != "$want_pnpm" ]; then
  echo "setup: installing pnpm@$want_pnpm" >&2
  npm i -g "pnpm@$want_pnpm" >/dev/null
fi

# modules: a frozen install when the lockfile matches, quick no-op when already installed
if [ ! -f node_modules/.modules.yaml ] || [ pnpm-lock.yaml -nt node_modules/.modules.yaml ]; then
  pnpm install --frozen-lockfile --reporter=silent
fi
