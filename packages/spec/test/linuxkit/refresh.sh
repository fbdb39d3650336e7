#!/usr/bin/env bash
# Refreshes the copies of LinuxKit's own specs and LinuxKit's verdict on each:
#   refresh.sh GIT_DIR_OF_LINUXKIT LINUXKIT_BINARY [TAG]
# Copies every .yml/.yaml under examples/ and test/cases/ at TAG (default v1.7.1) into v1.7.1/
# and records `linuxkit build --dry-run` (accept/reject) for each in verdicts.txt.
set -euo pipefail
git_dir=$1 linuxkit=$2 tag=${3:-v1.7.1}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$here/$tag" && mkdir -p "$here/$tag"
git --git-dir="$git_dir" show "$tag:NOTICE" > "$here/NOTICE"
: > "$here/verdicts.txt"
git --git-dir="$git_dir" ls-tree -r --name-only "$tag" examples test/cases | grep -E '\.ya?ml$' | sort | while read -r f; do
  mkdir -p "$here/$tag/$(dirname "$f")"
  git --git-dir="$git_dir" show "$tag:$f" > "$here/$tag/$f"
  if (cd "$here/$tag/$(dirname "$f")" && "$linuxkit" build --dry-run "$(basename "$f")" >/dev/null 2>&1); then v=accepted; else v=rejected; fi
  echo "$v $f" >> "$here/verdicts.txt"
done
