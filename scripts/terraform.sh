#!/usr/bin/env bash
# Prints the path of a Terraform binary of the given version (default: the
# pinned 1.14 release), building it from the Go module proxy on first use.
#
#   scripts/terraform.sh [VERSION]     e.g. scripts/terraform.sh 1.14.9
#
# For machines whose only way out is the Go module proxy (no releases.hashicorp.com):
# the binary is cached outside the repository, keyed by version, and reused.
# Everything but the path goes to stderr, so `tf=$(scripts/terraform.sh)` works.
set -euo pipefail

# The newest 1.14 release the module proxy serves (v1.14.10 and later answer 403).
pinned_version=1.14.9

version=${1:-$pinned_version}
version=${version#v}
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "terraform.sh: \"$version\" is not a Terraform release version; give one like $pinned_version." >&2
  exit 2
fi

cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-huaweicloud/terraform
cache_dir=$cache_root/$version
binary=$cache_dir/terraform

fail() {
  echo "terraform.sh: $1" >&2
  shift
  for line in "$@"; do echo "  $line" >&2; done
  exit 1
}

# Succeeds when $1 runs and reports exactly Terraform v$version.
reports_version() {
  local first
  first=$(TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null | head -n 1) || return 1
  [ "$first" = "Terraform v$version" ]
}

if [ -x "$binary" ] && reports_version "$binary"; then
  echo "$binary"
  exit 0
fi

command -v go >/dev/null || fail "go is not on PATH; building Terraform $version needs Go." \
  "Install Go (the version in go.mod or newer), then run this script again."

mkdir -p "$cache_root" || fail "cannot create the cache directory $cache_root." \
  "Set XDG_CACHE_HOME to a writable directory, then run this script again."

# One build per version at a time: a second caller waits, then reuses the first one's binary.
if command -v flock >/dev/null; then
  exec 9>"$cache_root/.$version.lock"
  if ! flock -n 9; then
    echo "terraform.sh: another build of Terraform $version is running; waiting for it." >&2
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

echo "terraform.sh: building Terraform $version from the Go module proxy (10 to 35 minutes on 2 cores; once per machine)." >&2
echo "terraform.sh: log: $log" >&2

# A module outside any go.mod: the download must not touch the repository's go.mod.
mkdir -p "$work/download"
if ! (cd "$work/download" && GOFLAGS=-mod=mod go mod download -json "github.com/hashicorp/terraform@v$version") >"$work/download.json" 2>>"$log"; then
  cat "$work/download.json" >>"$log"
  tail -n 20 "$log" >&2
  fail "could not download github.com/hashicorp/terraform@v$version from the Go module proxy ($(go env GOPROXY))." \
    "Check that the proxy is reachable and serves that version (it serves 1.14 releases only up to $pinned_version)." \
    "If only the checksum database ($(go env GOSUMDB)) is unreachable, GONOSUMDB=github.com/hashicorp/terraform trusts the proxy for this module."
fi
module_dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p' "$work/download.json")
if [ ! -d "$module_dir" ]; then
  cat "$work/download.json" >>"$log"
  fail "go mod download reported no module directory for Terraform $version." "See $log."
fi

src=$work/src
cp -R "$module_dir" "$src"
chmod -R u+w "$src"

# The module zip leaves out Terraform's nested modules (the remote-state
# backends and internal/legacy) that its go.mod replaces with local paths.
# Drop each missing one from go.mod and, for backends, from the backend list.
missing=()
while read -r module target; do
  [ -d "$src/$target" ] || missing+=("$module")
done < <(sed -n 's#^replace \(github.com/hashicorp/terraform/[^ ]*\) => \./\([^ ]*\)$#\1 \2#p' "$src/go.mod")

init_go=$src/internal/backend/init/init.go
for module in "${missing[@]}"; do
  quoted=${module//\//\\/}
  quoted=${quoted//./\\.}
  sed -i -e "/^[[:space:]]*$quoted v/d" -e "/^replace $quoted =>/d" "$src/go.mod"
  alias=$(sed -n "s/^[[:space:]]*\([A-Za-z0-9_]*\) \"$quoted\"$/\1/p" "$init_go")
  if [ -n "$alias" ]; then
    sed -i -e "/^[[:space:]]*$alias \"$quoted\"$/d" -e "/return $alias\.New(/d" "$init_go"
  fi
done
echo "terraform.sh: left out (absent from the module zip): ${missing[*]:-nothing}" >>"$log"
if grep -q 'remote-state/\(azure\|consul\|cos\|gcs\|kubernetes\|oci\|oss\|pg\|s3\)"' "$init_go"; then
  fail "could not remove the missing backends from internal/backend/init/init.go of Terraform $version." \
    "Its layout changed; adjust the edits in scripts/terraform.sh (see that file in $module_dir)."
fi

CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" go build -C "$src" -trimpath \
  -ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" -o "$work/terraform" . >>"$log" 2>&1 &
build_pid=$!
if ! wait "$build_pid"; then
  tail -n 30 "$log" >&2
  fail "go build of Terraform $version failed (last lines above)." \
    "If a module could not be downloaded, check the Go module proxy ($(go env GOPROXY)); otherwise the" \
    "source changed in a way scripts/terraform.sh does not handle yet."
fi

reports_version "$work/terraform" || fail "the built binary does not report Terraform v$version." \
  "It printed: $(TF_CLI_CONFIG_FILE=/dev/null "$work/terraform" version 2>&1 | head -n 1)"

mkdir -p "$cache_dir"
mv -f "$work/terraform" "$binary"
echo "terraform.sh: built Terraform $version in $((SECONDS - started))s: $binary" >&2
echo "$binary"
