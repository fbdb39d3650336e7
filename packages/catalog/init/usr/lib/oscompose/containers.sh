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

# apply_runtime DIR : runtime.json mkdir and mounts, on the host, before the container starts.
apply_runtime() {
  local lines dir idx
  lines=$(runtime_lines "$1") || { echo "runtime.json is not valid JSON"; return 1; }
  echo "$lines" | while IFS="$(printf '\t')" read -r key value; do
    case "$key" in
      mkdir.*) mkdir -p "$value" || exit 1 ;;
    esac
  done || { echo "runtime.json mkdir failed"; return 1; }
  # mounts: collect destination/type/source/options per index, in order.
  idx=0
  while echo "$lines" | grep -q "^mounts\.$idx\."; do
    local dest type src opts
    dest=$(echo "$lines" | awk -F '\t' -v k="mounts.$idx.destination" '$1 == k { print $2 }')
    type=$(echo "$lines" | awk -F '\t' -v k="mounts.$idx.type" '$1 == k { print $2 }')
    src=$(echo "$lines" | awk -F '\t' -v k="mounts.$idx.source" '$1 == k { print $2 }')
    opts=$(echo "$lines" | awk -F '\t' -v p="mounts.$idx.options." 'index($1, p) == 1 { printf "%s%s", sep, $2; sep = "," }')
    [ -n "$dest" ] || { echo "runtime.json mount $idx has no destination"; return 1; }
    mkdir -p "$dest"
    if ! mount ${type:+-t "$type"} ${opts:+-o "$opts"} "${src:-none}" "$dest"; then
      echo "runtime.json mount of $dest failed"; return 1
    fi
    idx=$((idx + 1))
  done
  if echo "$lines" | grep -qE '^(bindNS|interfaces)\.'; then
    say "warning $(basename "$1") runtime.json bindNS/interfaces are not supported yet; ignored"
  fi
  return 0
}

# prepare DIR : the container's root filesystem, as LinuxKit's service tool prepares it.
prepare() {
  local d="$1"
  apply_runtime "$d" || return 1
  mkdir -p "$d/rootfs"
  if [ -d "$d/lower" ]; then
    mkdir -p "$d/tmp"
    mount -t tmpfs -o size=10% tmpfs "$d/tmp" || { echo "tmpfs on $d/tmp failed"; return 1; }
    mkdir -p "$d/tmp/upper" "$d/tmp/work"
    mount -t overlay -o "lowerdir=$d/lower,upperdir=$d/tmp/upper,workdir=$d/tmp/work" overlay "$d/rootfs" ||
      { echo "overlay on $d/rootfs failed (is the overlay module loaded?)"; return 1; }
  else
    # runc wants the root to be a mount point
    mount --bind "$d/rootfs" "$d/rootfs" || { echo "bind mount of $d/rootfs failed"; return 1; }
  fi
}

# cleanup DIR : best effort, undo prepare.
cleanup() {
  umount "$1/rootfs" 2>/dev/null
  [ -d "$1/lower" ] && umount "$1/tmp" 2>/dev/null
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
  (
    "$RUNC" run --bundle "$d" "$name" </dev/null >>"/var/log/$name.log" 2>&1
    rc=$?
    "$RUNC" delete -f "$name" >/dev/null 2>&1
    say "service $name exit $rc"
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
