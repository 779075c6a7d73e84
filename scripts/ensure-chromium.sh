#!/usr/bin/env bash
# The browser test drives Debian's Chromium (no browser is downloaded by a test tool).
# Install it when missing and we may (root with apt-get); otherwise say what to do.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser test ..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    exit 0
fi
echo "The browser test needs Chromium: install it (Debian/Ubuntu: sudo apt-get install chromium)" >&2
echo "or set NEWSDESK_CHROMIUM to its path." >&2
exit 1
