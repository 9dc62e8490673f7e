#!/usr/bin/env bash
# Part of `npm test` (and so of .ci/run): the report rendering test needs a headless Chromium.
# Installs Debian's package when /usr/bin/chromium (or $CHROMIUM_PATH) is missing and apt-get can
# run (as root, or through password-less sudo); otherwise says what to do and lets the test name it.
set -euo pipefail
target="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$target" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found at $target and apt-get is not available: install Chromium or set CHROMIUM_PATH" >&2
  exit 0
fi
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
  echo "Chromium not found at $target: run \`sudo apt-get install -y chromium\` (or set CHROMIUM_PATH)" >&2
  exit 0
fi
echo "installing Debian's chromium for the report rendering test" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
