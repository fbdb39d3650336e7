#!/bin/sh
# Applies each sysctl.d file in name order; fails (non-zero exit) if any setting is refused.
rc=0
for f in /etc/sysctl.d/*.conf; do
  [ -f "$f" ] || continue
  /bin/busybox sysctl -p "$f" || rc=1
done
exit $rc
