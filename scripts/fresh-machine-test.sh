#!/usr/bin/env bash
# Runs `npm test` as it goes on a fresh machine that has only Node and npm:
# Chromium, redis-server, PostgreSQL (initdb/pg_ctl), openssl and Python's
# authlib/requests are made unavailable to the test process, which must then
# pass with the skips summed up at the end.
#
# How they are hidden (for real, not by a flag the helpers read): in a private
# mount namespace (unshare --mount, so nothing changes outside this run), a
# non-executable empty file is bind-mounted over each program, an empty folder
# over /usr/lib/postgresql, and a module that raises ImportError over the
# authlib and requests packages of /usr/bin/python3. Needs root (or
# CAP_SYS_ADMIN) and util-linux's unshare.
#
# Usage: scripts/fresh-machine-test.sh [extra vitest arguments]
# Exit status: that of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${GATEHOUSE_FRESH_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "fresh-machine-test: run as root (it bind-mounts over system programs in a private mount namespace)" >&2; exit 2; }
  command -v unshare >/dev/null || { echo "fresh-machine-test: needs unshare (apt-get install util-linux)" >&2; exit 2; }
  exec env GATEHOUSE_FRESH_INNER=1 unshare --mount --propagation private "$0" "$@"
fi

# Inside the private mount namespace from here on.
hide=$(mktemp -d /tmp/gatehouse-fresh-XXXXXX)
mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}" 2>/dev/null || true; done
  rm -rf "$hide"
}
trap cleanup EXIT
: > "$hide/not-a-program"
chmod 0644 "$hide/not-a-program"
mkdir "$hide/empty"
printf 'raise ImportError("hidden by scripts/fresh-machine-test.sh")\n' > "$hide/no-module.py"

declare -A done_paths=()
hide_file() { # bind the non-executable file over a program (over its target when it is a symlink), once
  local path
  path=$(readlink -f "$1") || return 0
  [ -f "$path" ] || return 0
  [ -n "${done_paths[$path]:-}" ] && return 0
  done_paths[$path]=1
  mount --bind "$hide/not-a-program" "$path"
  mounted+=("$path")
  echo "hidden: $1${path:+ ($path)}"
}

for name in chromium redis-server initdb pg_ctl postgres psql openssl; do
  for path in $(which -a "$name" 2>/dev/null | sort -u); do hide_file "$path"; done
done
[ -n "${CHROMIUM_PATH:-}" ] && hide_file "$CHROMIUM_PATH"
hide_file /usr/bin/chromium
if [ -d /usr/lib/postgresql ]; then mount --bind "$hide/empty" /usr/lib/postgresql; mounted+=(/usr/lib/postgresql); echo "hidden: /usr/lib/postgresql"; fi
for module in authlib requests; do
  init=$(/usr/bin/python3 -c "import $module; print($module.__file__)" 2>/dev/null) || continue
  mount --bind "$hide/no-module.py" "$init"
  mounted+=("$init")
  echo "hidden: python module $module ($init)"
done

# Check that the programs are really gone for this process and its children.
on_path() { # an executable file of that name in a PATH folder (bash's command -v also finds non-executable ones)
  local dir
  IFS=: read -ra dirs <<< "$PATH"
  for dir in "${dirs[@]}"; do [ -f "$dir/$1" ] && [ -x "$dir/$1" ] && return 0; done
  return 1
}
gone=1
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && { echo "still there: chromium"; gone=0; }
for name in redis-server initdb pg_ctl openssl; do on_path "$name" && { echo "still there: $name"; gone=0; }; done
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && { echo "still there: /usr/lib/postgresql/*/bin/initdb"; gone=0; }
/usr/bin/python3 -c 'import authlib' >/dev/null 2>&1 && { echo "still there: python3 authlib"; gone=0; }
[ "$gone" = 1 ] || { echo "fresh-machine-test: could not hide everything" >&2; exit 2; }

# A fresh machine's user has not set it (CI does).
unset GATEHOUSE_TEST_REQUIRE_ALL GATEHOUSE_FRESH_INNER CHROMIUM_PATH
echo "npm test with Chromium, redis-server, PostgreSQL, openssl and python3 authlib/requests hidden:"
npm test -- "$@"
