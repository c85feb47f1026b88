#!/usr/bin/env bash
# Prints the path of an OpenTofu binary of the given version (default: the
# pinned release), building it from the Go module proxy on first use.
#
#   scripts/tofu.sh [VERSION]     e.g. scripts/tofu.sh 1.12.6
#
# For machines whose only way out is the Go module proxy (no github.com releases):
# the binary is cached outside the repository, keyed by version, and reused.
# Everything but the path goes to stderr, so `tofu=$(scripts/tofu.sh)` works.
set -euo pipefail

# The newest OpenTofu release the module proxy serves (go list -m -versions, 2026-12-04).
pinned_version=1.12.6

version=${1:-$pinned_version}
version=${version#v}
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "tofu.sh: \"$version\" is not an OpenTofu release version; give one like $pinned_version." >&2
  exit 2
fi

cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-huaweicloud/opentofu
cache_dir=$cache_root/$version
binary=$cache_dir/tofu

fail() {
  echo "tofu.sh: $1" >&2
  shift
  for line in "$@"; do echo "  $line" >&2; done
  exit 1
}

# Succeeds when $1 runs and reports exactly OpenTofu v$version.
reports_version() {
  local out
  # All of it, then the first line: head would close the pipe on OpenTofu mid-write.
  out=$(TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null) || return 1
  [ "${out%%$'\n'*}" = "OpenTofu v$version" ]
}

if [ -x "$binary" ] && reports_version "$binary"; then
  echo "$binary"
  exit 0
fi

command -v go >/dev/null || fail "go is not on PATH; building OpenTofu $version needs Go." \
  "Install Go (the version in OpenTofu's go.mod or newer), then run this script again."

mkdir -p "$cache_root" || fail "cannot create the cache directory $cache_root." \
  "Set XDG_CACHE_HOME to a writable directory, then run this script again."

# One build per version at a time: a second caller waits, then reuses the first one's binary.
if command -v flock >/dev/null; then
  exec 9>"$cache_root/.$version.lock"
  if ! flock -n 9; then
    echo "tofu.sh: another build of OpenTofu $version is running; waiting for it." >&2
    flock 9
  fi
  if [ -x "$binary" ] && reports_version "$binary"; then
    echo "$binary"
    exit 0
  fi
  # Holding the lock, any earlier build directory of this version was abandoned (killed).
  for stale in "$cache_root/.build-$version".*; do
    [ -e "$stale" ] && chmod -R u+w "$stale" && rm -rf "$stale"
  done
fi

# The build happens in a temporary directory beside the cache, so the final mv
# is an atomic rename: an interrupted build never leaves a broken cached binary.
work=$(mktemp -d "$cache_root/.build-$version.XXXXXX")
log=$cache_root/build-$version.log
# A failed build keeps its log beside the cache; a successful one removes it.
trap 'status=$?; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"; [ "$status" != 0 ] || rm -f "$log"' EXIT
# The build runs in the background so a signal ends it (and this script) at once.
build_pid=
on_signal() {
  [ -z "$build_pid" ] || kill "$build_pid" 2>/dev/null
  exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
: >"$log"
started=$SECONDS

echo "tofu.sh: building OpenTofu $version from the Go module proxy (3 to 15 minutes on 2 cores; once per machine)." >&2
echo "tofu.sh: log: $log" >&2

# A module outside any go.mod: the download must not touch the repository's go.mod.
mkdir -p "$work/download"
if ! (cd "$work/download" && GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@v$version") >"$work/download.json" 2>>"$log"; then
  cat "$work/download.json" >>"$log"
  tail -n 20 "$log" >&2
  fail "could not download github.com/opentofu/opentofu@v$version from the Go module proxy ($(go env GOPROXY))." \
    "Check that the proxy is reachable and serves that version (go list -m -versions github.com/opentofu/opentofu)." \
    "If only the checksum database ($(go env GOSUMDB)) is unreachable, GONOSUMDB=github.com/opentofu/opentofu trusts the proxy for this module."
fi
module_dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p' "$work/download.json")
if [ ! -d "$module_dir" ]; then
  cat "$work/download.json" >>"$log"
  fail "go mod download reported no module directory for OpenTofu $version." "See $log."
fi

# OpenTofu's go.mod has a replace line, so `go install …/cmd/tofu@v$version`
# is refused: build it as the main module from a writable copy instead.
src=$work/src
cp -R "$module_dir" "$src"
chmod -R u+w "$src"

# version.dev=no makes it print its release version, not "$version-dev".
CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" go build -C "$src" -trimpath \
  -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$work/tofu" ./cmd/tofu >>"$log" 2>&1 &
build_pid=$!
if ! wait "$build_pid"; then
  tail -n 30 "$log" >&2
  fail "go build of OpenTofu $version failed (last lines above)." \
    "If a module could not be downloaded, check the Go module proxy ($(go env GOPROXY)); otherwise the" \
    "source changed in a way scripts/tofu.sh does not handle yet."
fi

reports_version "$work/tofu" || fail "the built binary does not report OpenTofu v$version." \
  "It printed: $(TF_CLI_CONFIG_FILE=/dev/null "$work/tofu" version 2>&1 | head -n 1)"

mkdir -p "$cache_dir"
mv -f "$work/tofu" "$binary"
echo "tofu.sh: built OpenTofu $version in $((SECONDS - started))s: $binary" >&2
echo "$binary"
