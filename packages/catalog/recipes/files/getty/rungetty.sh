#!/bin/sh
# One getty (or, with INSECURE=true, a root shell) per console= on the kernel command line.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
/bin/busybox --install -s 2>/dev/null
ttys=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    console=*) t=${arg#console=}; ttys="$ttys ${t%%,*}" ;;
  esac
done
[ -n "$ttys" ] || ttys=ttyS0
for tty in $ttys; do
  [ -c "/dev/$tty" ] || continue
  if [ "$INSECURE" = "true" ]; then
    ( while true; do setsid -c sh -l <"/dev/$tty" >"/dev/$tty" 2>&1; sleep 1; done ) &
  else
    ( while true; do getty -L 115200 "$tty" vt100; sleep 1; done ) &
  fi
done
wait
