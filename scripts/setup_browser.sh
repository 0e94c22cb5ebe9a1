#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright; install it when it is missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "error: browser tests need Chromium at /usr/bin/chromium; install Debian's 'chromium' package" >&2
  exit 1
fi
echo "==> installing Debian's chromium for the browser tests"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
