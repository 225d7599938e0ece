#!/usr/bin/env bash
# Installs what the tests use from Debian beside the npm packages: Chromium for the dashboard's
# browser test, and the AWS CLI (v2) that the local endpoint is tested against. Each is skipped
# when it is there already (/usr/bin/chromium or CHROMIUM_PATH; /usr/bin/aws).
set -euo pipefail
packages=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || packages+=(chromium)
[ -x /usr/bin/aws ] || packages+=(awscli)
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi
SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"
