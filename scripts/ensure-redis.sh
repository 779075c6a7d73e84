#!/usr/bin/env bash
# The distributed test (tests/distributed) needs Redis as the Celery broker: the one answering on
# 127.0.0.1:6379, else a redis-server it starts itself. Install Debian's redis-server when neither
# is there and we may (root with apt-get); otherwise say what to do.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
    exit 0
fi
if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's redis-server for the distributed test ..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    exit 0
fi
echo "The distributed test needs Redis: install it (Debian/Ubuntu: sudo apt-get install redis-server)" >&2
echo "or run one on 127.0.0.1:6379." >&2
exit 1
