#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser test, unless a Chromium is there already
# (/usr/bin/chromium, or the one CHROMIUM_PATH names).
set -euo pipefail
if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  exit 0
fi
SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
