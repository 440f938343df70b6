#!/bin/sh
# The browser tests drive Debian's Chromium (/usr/bin/chromium) through playwright-core; nothing
# downloads a browser of its own. Installs it when missing (needs root and the Debian mirror).
set -e
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "installing chromium for the browser tests (apt-get)..."
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
