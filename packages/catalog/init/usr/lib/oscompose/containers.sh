# oscompose init: running the containers of LinuxKit's layout with runc. Sourced by rc.init and
# rc.shutdown. Each container directory holds config.json (OCI runtime spec), runtime.json
# (mounts/mkdir done on the host before the container starts), and either rootfs/ (read-only
# image) or lower/ + rootfs/ + tmp/ (writable: overlay of a tmpfs upper on lower), as LinuxKit's
# `service` tool prepares them. Status lines go to the console (docs/console-protocol.md).

OSC_LIB=/usr/lib/oscompose
RUNC=/usr/bin/runc

# say WORDS… : one protocol line on the console, whatever our stdout is.
say() { echo "oscompose: $*" >/dev/console; }

# runtime_lines DIR : runtime.json flattened to "path<TAB>value" lines (nothing when absent).
runtime_lines() {
  [ -f "$1/runtime.json" ] || return 0
  awk -f "$OSC_LIB/json.awk" "$1/runtime.json"
}

# field LINES KEY : the value of one flattened runtime.json key.
field() { echo "$1" | awk -F '\t' -v k="$2" '$1 == k { print $2; exit }'; }

# abs DIR PATH : runtime.json paths are absolute, or relative to the container's rootfs.
abs() { case "$2" in /*) echo "$2" ;; *) echo "$1/rootfs/$2" ;; esac; }

# do_mount DEST TYPE SOURCE OPTIONS : one runtime.json mount with LinuxKit's semantics. Options
# are mount(8) flags or filesystem data; propagation options (private, rshared…) change the
# mount's propagation after it is made (alone with remount, they only change propagation).
do_mount() {
  local dest="$1" type="$2" src="$3" opts="$4" data="" prop="" remount="" o
  for o in $(echo "$opts" | tr ',' ' '); do
    case "$o" in
      private|rprivate|shared|rshared|slave|rslave|unbindable|runbindable) prop="$prop $o" ;;
      remount) remount=1 ;;
      upperdir=*|workdir=*) mkdir -p "${o#*=}"; data="${data:+$data,}$o" ;;
      *) data="${data:+$data,}$o" ;;
    esac
  done
  mkdir -p "$dest" || return 1
  if [ -n "$remount" ]; then
    if [ -n "$data" ]; then mount -o "remount,$data" "$dest" || return 1; fi
  else
    mount ${type:+-t "$type"} ${data:+-o "$data"} "${src:-none}" "$dest" || return 1
  fi
  for o in $prop; do mount --make-"$o" "$dest" || return 1; done
  return 0
}

# apply_runtime DIR : runtime.json mounts, mkdir and cgroups, on the host, before the container
# starts (as LinuxKit's service tool does; the build puts the rootfs overlay/bind mounts there).
apply_runtime() {
  local d="$1" lines idx dest n
  lines=$(runtime_lines "$d") || { echo "runtime.json is not valid JSON"; return 1; }
  idx=0
  while echo "$lines" | grep -q "^mounts\.$idx\."; do
    dest=$(field "$lines" "mounts.$idx.destination")
    [ -n "$dest" ] || { echo "runtime.json mount $idx has no destination"; return 1; }
    dest=$(abs "$d" "$dest")
    opts=$(echo "$lines" | awk -F '\t' -v p="mounts.$idx.options." 'index($1, p) == 1 { printf "%s%s", sep, $2; sep = "," }')
    do_mount "$dest" "$(field "$lines" "mounts.$idx.type")" "$(field "$lines" "mounts.$idx.source")" "$opts" ||
      { echo "runtime.json mount $idx on $dest failed"; return 1; }
    echo "$dest" >> "$d/.oscompose-mounts"
    idx=$((idx + 1))
  done
  for dest in $(echo "$lines" | awk -F '\t' '$1 ~ /^mkdir\./ { print $2 }'); do
    mkdir -p "$(abs "$d" "$dest")" || { echo "runtime.json mkdir $dest failed"; return 1; }
  done
  for n in $(echo "$lines" | awk -F '\t' '$1 ~ /^cgroups\./ { print $2 }'); do
    mkdir -p "/sys/fs/cgroup/$n"
  done
  if echo "$lines" | grep -qE '^(bindNS\.[a-z]+|interfaces\.[0-9]+\.[a-zA-Z]+)'"$(printf '\t')"'.'; then
    say "warning $(basename "$d") runtime.json bindNS/interfaces are not supported yet; ignored"
  fi
  return 0
}

# prepare DIR : the container's root filesystem. Builds that follow current LinuxKit put the
# rootfs mounts in runtime.json; for older layouts (no mount on rootfs) do what LinuxKit's
# service tool used to: overlay a tmpfs upper on lower/, or bind rootfs/ onto itself.
prepare() {
  local d="$1"
  rm -f "$d/.oscompose-mounts"
  apply_runtime "$d" || return 1
  grep -qx "$d/rootfs" "$d/.oscompose-mounts" 2>/dev/null && return 0
  mkdir -p "$d/rootfs"
  if [ -d "$d/lower" ]; then
    mkdir -p "$d/tmp"
    mount -t tmpfs -o size=10% tmpfs "$d/tmp" || { echo "tmpfs on $d/tmp failed"; return 1; }
    mkdir -p "$d/tmp/upper" "$d/tmp/work"
    echo "$d/tmp" >> "$d/.oscompose-mounts"
    mount -t overlay -o "lowerdir=$d/lower,upperdir=$d/tmp/upper,workdir=$d/tmp/work" overlay "$d/rootfs" ||
      { echo "overlay on $d/rootfs failed (is the overlay module loaded?)"; return 1; }
  else
    # runc wants the root to be a mount point
    mount --bind "$d/rootfs" "$d/rootfs" || { echo "bind mount of $d/rootfs failed"; return 1; }
  fi
  echo "$d/rootfs" >> "$d/.oscompose-mounts"
}

# cleanup DIR : best effort, undo prepare (unmount what it mounted, last first).
cleanup() {
  [ -f "$1/.oscompose-mounts" ] || return 0
  for m in $(sed -n '1!G;h;$p' "$1/.oscompose-mounts"); do umount "$m" 2>/dev/null; done
  rm -f "$1/.oscompose-mounts"
  return 0
}

# run_once PHASE DIR : runs one onboot/onshutdown container to completion and reports its exit.
run_once() {
  local phase="$1" d="${2%/}" name why rc
  name=$(basename "$d")
  if ! why=$(prepare "$d" 2>&1); then
    say "$phase $name error $(echo "$why" | tail -n 1)"
    cleanup "$d"
    return 1
  fi
  "$RUNC" run --bundle "$d" "$name" </dev/null
  rc=$?
  "$RUNC" delete -f "$name" >/dev/null 2>&1
  cleanup "$d"
  say "$phase $name exit $rc"
  return 0
}

# start_service DIR : starts one service in the background; reports started (once runc says the
# container is running) or error, and later its exit if it ever exits.
start_service() {
  local d="${1%/}" name why i state
  name=$(basename "$d")
  if ! why=$(prepare "$d" 2>&1); then
    say "service $name error $(echo "$why" | tail -n 1)"
    cleanup "$d"
    return 1
  fi
  mkdir -p /var/log
  # oscompose.debug on the kernel command line: service output on the console, not in its log
  local log="/var/log/$name.log"
  grep -qw oscompose.debug /proc/cmdline && log=/dev/console
  (
    "$RUNC" run --bundle "$d" "$name" </dev/null >>"$log" 2>&1
    rc=$?
    "$RUNC" delete -f "$name" >/dev/null 2>&1
    # at shutdown rc.shutdown stops services itself and reports them as stopped
    [ -e /run/oscompose/shutdown ] || say "service $name exit $rc"
  ) &
  i=0
  while [ $i -lt 600 ]; do
    state=$("$RUNC" state "$name" 2>/dev/null | awk -F '"' '/"status"/ { print $4 }')
    case "$state" in
      running) say "service $name started"; return 0 ;;
      stopped) say "service $name error stopped during start; see /var/log/$name.log"; return 1 ;;
    esac
    # the subshell is gone without runc ever creating the container
    kill -0 $! 2>/dev/null || { say "service $name error runc run failed: $(tail -n 1 "/var/log/$name.log")"; return 1; }
    usleep 100000
    i=$((i + 1))
  done
  say "service $name error not running after 60s; see /var/log/$name.log"
  return 1
}

# stop_service NAME : asks a service to stop (TERM, then KILL after 10 s) and reports it.
stop_service() {
  local name="$1" i=0 state
  "$RUNC" kill "$name" TERM >/dev/null 2>&1
  while [ $i -lt 100 ]; do
    state=$("$RUNC" state "$name" 2>/dev/null | awk -F '"' '/"status"/ { print $4 }')
    case "$state" in running|created|paused) ;; *) break ;; esac
    [ $i -eq 90 ] && "$RUNC" kill "$name" KILL >/dev/null 2>&1
    usleep 100000
    i=$((i + 1))
  done
  say "service $name stopped"
}
