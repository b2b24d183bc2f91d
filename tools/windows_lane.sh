#!/usr/bin/env bash
# The Windows lane: the whole test suite under the Windows build of Deno.
#
# On a Debian 12 machine, as root. Debian 12's Wine (8.0) cannot run Deno 2,
# so the lane makes (once) a Debian trixie root file system with Wine 10 and
# MinGW, a Wine prefix, and deno.exe from npm; builds the stand-in DLLs with
# MinGW (Deno under Wine cannot start a Linux compiler); installs the
# stand-ins of the DLLs Windows lacks (computenetwork.dll, vmcompute.dll...)
# into the prefix's C:\windows\system32, so the Windows-only tests load them by
# their full System32 path with Wine's own ole32 and kernel32; then runs
# `deno task test` with deno.exe under Wine and writes a JUnit report.
#
# The root file system, the Wine prefix and Deno's caches are kept under
# $PODNET_WINDOWS_LANE_DIR (default /var/cache/podnet-windows-lane, about
# 2.5 GB) so that later runs reuse them; deno.exe's DENO_DIR (npm packages) is
# rootfs/var/lib/podnet-lane/deno-dir there. Delete the folder to start cold.
# The log of the last run is test.log in it.
#
# Usage: tools/windows_lane.sh [--junit-path FILE] [-- ARGS for deno test]
#   (or `deno task test:windows`). The last line printed is
#   "windows: N passed, N failed, N skipped"; the exit status is 0 only when
#   no test failed, some passed, and every test skipped under Wine says why in
#   its name.
set -euo pipefail

DENO_VERSION=2.9.6                                   # the version pinned for Linux
SUITE=trixie                                         # the first Debian with Wine >= 10
PACKAGES=(wine64 gcc-mingw-w64-x86-64-win32)
RECIPE="1 $SUITE ${PACKAGES[*]}"                     # change it to rebuild the root file system

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
LANE=${PODNET_WINDOWS_LANE_DIR:-/var/cache/podnet-windows-lane}
ROOTFS=$LANE/rootfs
# Inside the root file system:
STATE=/var/lib/podnet-lane                           # prefix, caches, report
PREFIX=$STATE/wineprefix
DENO_EXE=/opt/deno-$DENO_VERSION/deno.exe
LINUX_DENO=/usr/local/bin/deno                       # the host's Linux deno, bind-mounted
WINE=/usr/lib/wine/wine64                            # Debian's paths (package wine64)
WINESERVER=/usr/lib/wine/wineserver

junit=""
test_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --junit-path) junit=${2:?--junit-path needs a file}; shift 2 ;;
    --junit-path=*) junit=${1#*=}; shift ;;
    --) shift; test_args=("$@"); break ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "windows-lane: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

started=$SECONDS
say() { echo "windows-lane: [$((SECONDS - started))s] $*"; }
fail() { echo "windows-lane: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "must run as root (it uses debootstrap, chroot and mount)"
[ "$(uname -m)" = x86_64 ] || fail "needs an x86_64 machine (deno.exe is x86_64)"
command -v apt-get >/dev/null || fail "needs a Debian machine (apt-get)"

command -v npm >/dev/null || fail "needs npm (Node.js): deno.exe comes from npm"

# ---- the host's Linux deno, which builds the stand-ins inside the root file system
if command -v deno >/dev/null; then
  host_deno=(deno)
else
  host_deno=(npx -y "deno@$DENO_VERSION")
fi
host_deno_path=$("${host_deno[@]}" eval --quiet 'console.log(Deno.execPath())')
[ -x "$host_deno_path" ] || fail "cannot find the Linux deno binary (got '$host_deno_path')"

mkdir -p "$LANE"
LANE=$(cd "$LANE" && pwd -P)
ROOTFS=$LANE/rootfs
exec 9>"$LANE/lock"
if ! flock -n 9; then
  say "waiting for another run of the lane to finish"
  flock 9
fi

# ---- processes and mounts: ended and undone on every exit path -------------
rooted_pids() { # the processes running inside the root file system
  local dir
  for dir in /proc/[0-9]*; do
    [ "$(readlink "$dir/root" 2>/dev/null)" = "$ROOTFS" ] && echo "${dir#/proc/}"
  done
  return 0
}

end_rooted() { # ends them: TERM, then KILL after 5 s
  local pids tries=50
  pids=$(rooted_pids)
  [ -n "$pids" ] || return 0
  say "ending processes left in the root file system: $(echo $pids)"
  kill $pids 2>/dev/null || true
  while [ -n "$(rooted_pids)" ] && [ $tries -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
  pids=$(rooted_pids)
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
}

# Long commands run in the background while the lane waits, so that a signal
# ends the lane at once (bash runs a trap only between commands).
child=""
run() {
  "$@" &
  child=$!
  local code=0
  wait "$child" || code=$?
  child=""
  return "$code"
}

mounted=()
cleanup() {
  local status=$?
  set +e
  [ -z "$child" ] || kill "$child" 2>/dev/null
  if [ -x "$ROOTFS$WINESERVER" ] && mountpoint -q "$ROOTFS/proc"; then
    chroot "$ROOTFS" env WINEPREFIX="$PREFIX" "$WINESERVER" -k >/dev/null 2>&1
    timeout 20 chroot "$ROOTFS" env WINEPREFIX="$PREFIX" "$WINESERVER" -w >/dev/null 2>&1
  fi
  end_rooted
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -R "${mounted[i]}" 2>/dev/null || umount -R -l "${mounted[i]}" 2>/dev/null ||
      echo "windows-lane: cannot unmount ${mounted[i]}" >&2
  done
  mounted=()
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mount_into() { # mount_into ROOT KIND SOURCE TARGET
  local root=$1 kind=$2 source=$3 target=$1$4
  case "$kind" in
    proc) mkdir -p "$target"; mount -t proc proc "$target" ;;
    tmpfs) mkdir -p "$target"; mount -t tmpfs -o mode=1777 tmpfs "$target" ;;
    rbind) mkdir -p "$target"; mount --rbind "$source" "$target"; mount --make-rslave "$target" ;;
    bind)
      if [ -d "$source" ]; then mkdir -p "$target"; else
        mkdir -p "$(dirname "$target")"; [ -e "$target" ] || : >"$target"
      fi
      mount --bind "$source" "$target" ;;
  esac
  mounted+=("$target")
}

mounts_under() { # lists mount points at or below $1
  awk -v root="$1" '$2 == root || index($2, root "/") == 1 { print $2 }' /proc/self/mounts
}

# ---- the Debian mirror the host's apt already uses --------------------------
host_mirrors() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    # deb822: one paragraph per source; skip disabled, deb-src-only and security ones.
    awk 'BEGIN { RS = ""; FS = "\n" }
      {
        uris = ""; suites = ""; types = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) uris = substr($i, 6)
          else if ($i ~ /^Suites:/) suites = substr($i, 8)
          else if ($i ~ /^Types:/) types = substr($i, 7)
          else if ($i ~ /^Enabled:/) enabled = substr($i, 9)
        }
        if (enabled ~ /no/ || types !~ /(^|[ \t])deb([ \t]|$)/ || suites ~ /security/) next
        n = split(uris, list, /[ \t]+/)
        for (j = 1; j <= n; j++) if (list[j] != "") print list[j]
      }' "$file"
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    awk '$1 == "deb" {
        i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) !~ /security/) print $i
      }' "$file"
  done
}

pick_mirror() {
  local uri
  while read -r uri; do
    uri=${uri%/}
    case "$uri" in http://* | https://*) ;; *) continue ;; esac
    if wget -q -O /dev/null --timeout=20 "$uri/dists/$SUITE/Release"; then
      echo "$uri"
      return 0
    fi
  done < <(host_mirrors | awk '!seen[$0]++')
  return 1
}

in_root() { # runs a command in the root file system with a clean environment
  chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

enter_root() { # mounts what programs in the root file system need
  mount_into "$ROOTFS" proc proc /proc
  mount_into "$ROOTFS" rbind /dev /dev
  mount_into "$ROOTFS" tmpfs tmpfs /tmp
  cp -L /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then # in case a proxy re-signs TLS
    mkdir -p "$ROOTFS/etc/ssl/certs"
    cp -L /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
  fi
}

leave_root() { # undoes enter_root (and anything mounted after it)
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -R "${mounted[i]}"; done
  mounted=()
}

# A run that was killed (SIGKILL, power loss) may have left its mounts: this
# run holds the lock, so nothing else uses them.
end_rooted
stale=$(mounts_under "$ROOTFS" | sort -r)
if [ -n "$stale" ]; then
  say "unmounting what a killed run left in $ROOTFS"
  while read -r target; do umount -l "$target" 2>/dev/null || true; done <<<"$stale"
fi

# ---- 1. the root file system (once) -------------------------------------
if [ "$(cat "$ROOTFS/.podnet-lane" 2>/dev/null)" != "$RECIPE" ]; then
  say "making a Debian $SUITE root file system in $ROOTFS (once; about a minute)"
  if ! command -v debootstrap >/dev/null || ! command -v wget >/dev/null; then
    say "installing debootstrap on the host"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq debootstrap wget >"$LANE/host-apt.log" 2>&1 ||
      { cat "$LANE/host-apt.log" >&2; fail "cannot install debootstrap"; }
  fi
  mirror=$(pick_mirror) || fail "none of the host's apt sources serves Debian $SUITE"
  for dir in "$ROOTFS" "$ROOTFS.new"; do
    [ -z "$(mounts_under "$dir")" ] || fail "$dir has mounts; unmount them first"
    rm -rf "$dir"
  done
  say "debootstrap --variant=minbase $SUITE from $mirror"
  run debootstrap --variant=minbase "$SUITE" "$ROOTFS.new" "$mirror" >"$LANE/debootstrap.log" 2>&1 ||
    { tail -n 20 "$LANE/debootstrap.log" >&2; fail "debootstrap failed (log: $LANE/debootstrap.log)"; }
  mv "$ROOTFS.new" "$ROOTFS"
  enter_root
  say "apt-get install ${PACKAGES[*]}"
  { run in_root apt-get update -q &&
    run in_root apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" &&
    run in_root apt-get clean; } >"$LANE/apt.log" 2>&1 ||
    { tail -n 20 "$LANE/apt.log" >&2; fail "apt-get failed in the root file system (log: $LANE/apt.log)"; }
  leave_root
  echo "$RECIPE" >"$ROOTFS/.podnet-lane"
fi

# ---- 2. deno.exe from npm (once per version) -------------------------------
if [ ! -s "$ROOTFS$DENO_EXE" ]; then
  say "fetching deno.exe $DENO_VERSION (npm: @deno/win32-x64)"
  download=$(mktemp -d "$LANE/download.XXXXXX")
  (cd "$download" && npm pack --silent "@deno/win32-x64@$DENO_VERSION" >/dev/null) ||
    { rm -rf "$download"; fail "npm pack @deno/win32-x64@$DENO_VERSION failed"; }
  tar -xzf "$download"/*.tgz -C "$download" package/deno.exe
  mkdir -p "$(dirname "$ROOTFS$DENO_EXE")"
  mv "$download/package/deno.exe" "$ROOTFS$DENO_EXE.new"
  mv "$ROOTFS$DENO_EXE.new" "$ROOTFS$DENO_EXE"
  rm -rf "$download"
fi

# ---- mounts for this run ----------------------------------------------------
enter_root
mount_into "$ROOTFS" bind "$host_deno_path" "$LINUX_DENO"
mount_into "$ROOTFS" bind "$REPO" "$REPO" # same path inside: Wine sees it as Z:$REPO

wine_env=(WINEPREFIX="$PREFIX" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  XDG_RUNTIME_DIR=/tmp DISPLAY= NO_COLOR=1 DENO_NO_UPDATE_CHECK=1)

in_root "${wine_env[@]}" "$WINESERVER" -k >/dev/null 2>&1 || true # a killed run's Wine

# ---- 3. the Wine prefix (once) ----------------------------------------------
if [ ! -f "$ROOTFS$PREFIX/.podnet-lane" ]; then
  say "making the Wine prefix (once)"
  rm -rf "$ROOTFS$PREFIX"
  mkdir -p "$ROOTFS$STATE"
  run in_root "${wine_env[@]}" "$WINE" wineboot --init >"$LANE/wineboot.log" 2>&1 ||
    { tail -n 20 "$LANE/wineboot.log" >&2; fail "wineboot failed (log: $LANE/wineboot.log)"; }
  run in_root "${wine_env[@]}" "$WINESERVER" -w
  touch "$ROOTFS$PREFIX/.podnet-lane"
fi
say "$(in_root "$WINE" --version), deno.exe $DENO_VERSION"

# ---- 4. the stand-in DLLs, built with MinGW before Wine starts ---------------
say "building the stand-in DLLs with MinGW; installing the system ones into C:\\windows\\system32"
build_status=0
run in_root DENO_DIR="$STATE/deno-dir-linux" NO_COLOR=1 DENO_NO_UPDATE_CHECK=1 "$LINUX_DENO" run \
  --quiet --allow-read --allow-write --allow-run --allow-env "$REPO/tools/build_native.ts" \
  --os windows --system32 "$PREFIX/drive_c/windows/system32" >"$LANE/build.log" 2>&1 ||
  build_status=$?
sed 's/^/  /' "$LANE/build.log"
[ "$build_status" -eq 0 ] || fail "the stand-in DLLs did not build"

# ---- 5. the suite under Wine --------------------------------------------------
report=$STATE/junit.xml
log=$LANE/test.log
rm -f "$ROOTFS$report"
deno_env=(DENO_DIR="Z:$STATE/deno-dir")            # npm packages, kept between runs
if [ -s "$ROOTFS/etc/ssl/certs/ca-certificates.crt" ]; then
  deno_env+=(DENO_CERT="Z:/etc/ssl/certs/ca-certificates.crt")
fi
registry=$(npm config get registry 2>/dev/null || true) # the npm registry the host uses
[ -z "$registry" ] || deno_env+=(NPM_CONFIG_REGISTRY="$registry")
say "deno.exe task test under Wine (log: $log)"
status=0
# Wine's heap reports a free of a block it did not hand out (a string that
# was not CoTaskMemAlloc'ed, or freed twice): those reports fail the lane.
run in_root "${wine_env[@]}" WINEDEBUG=-all,err+heap,warn+heap "${deno_env[@]}" /bin/sh -c \
  "cd '$REPO' && exec '$WINE' '$DENO_EXE' task test --junit-path='Z:$report' \"\$@\"" \
  lane "${test_args[@]}" >"$log" 2>&1 || status=$?
in_root "${wine_env[@]}" "$WINESERVER" -k >/dev/null 2>&1 || true
run in_root "${wine_env[@]}" "$WINESERVER" -w >/dev/null 2>&1 || true

if [ ! -s "$ROOTFS$report" ]; then
  tail -n 60 "$log" >&2
  fail "deno.exe wrote no test report (exit status $status; log: $log)"
fi
[ -z "$junit" ] || cp "$ROOTFS$report" "$junit"
if grep -q -E '(err|warn):heap:' "$log"; then
  grep -E '(err|warn):heap:' "$log" | head -n 20 >&2
  echo "windows-lane: Wine's heap saw a bad free (above): a string not allocated with" \
    "CoTaskMemAlloc, or freed twice" >&2
  status=1
fi
if [ "$status" -ne 0 ]; then
  # The failures, as deno reports them at the end of its output.
  awk '/^ *ERRORS *$/ { show = 1 } show' "$log" | tail -n 200 >&2
fi
say "done"
# The closing line. Under Wine only the tests that say why in their name may
# be skipped: "[skipped under Wine: ...]", "[skipped on Windows: ...]", or tests of
# what happens off Windows.
"${host_deno[@]}" run --quiet --allow-read "$REPO/tools/junit_summary.ts" windows \
  "$ROOTFS$report" --skip-reason 'skipped under Wine: |skipped on Windows: |off Windows' || status=1
exit "$status"
