#!/usr/bin/env bash
# The README's walkthrough ("Using the built provider"): set Terraform up for
# the provider in bin/, and start and stop the emulator, in one directory.
#
#   scripts/try.sh provider DIR       bin/'s provider in a filesystem mirror under DIR, DIR/terraformrc
#                                     using it (absolute paths) and DIR/.terraform.lock.hcl with its checksum
#   scripts/try.sh emulator DIR URN   bin/fgsemu serving URN on a free port, in the background; prints
#                                     its http://127.0.0.1:PORT once it answers (log: DIR/fgsemu.log)
#   scripts/try.sh stop DIR           stops that emulator
#
# Run from anywhere; bin/ is the repository's (make build; go build -o bin/fgsemu ./cmd/fgsemu).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/bin

usage() {
  sed -n '4,9s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

fail() {
  echo "try.sh: $*" >&2
  exit 1
}

# absolute DIR: Terraform does not expand ~ or resolve relative paths the way a shell does.
absolute() {
  mkdir -p "$1" && (cd "$1" && pwd)
}

provider() {
  local dir
  dir=$(absolute "$1")
  [ -x "$bin/terraform-provider-huaweicloud" ] || fail "$bin/terraform-provider-huaweicloud is missing; run make build first."
  # shellcheck source=scripts/dev-provider.sh
  . "$root/scripts/dev-provider.sh"
  install_dev_provider "$bin" "$dir" "$dir"
  # As install_dev_provider's, plus direct for every other provider, as a CLI
  # configuration of your own would have it.
  cat >"$dir/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$dir/mirror"
    include = ["fgs-tools/huaweicloud"]
  }
  direct {
    exclude = ["fgs-tools/huaweicloud"]
  }
}
RC
  echo "try.sh: the provider is in $dir/mirror; TF_CLI_CONFIG_FILE=$dir/terraformrc uses it." >&2
}

# running_emulator prints the pid in DIR/fgsemu.pid if that process is still this emulator.
running_emulator() {
  local pid
  pid=$(cat "$1/fgsemu.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && ps -p "$pid" -o command= 2>/dev/null | grep -q fgsemu && echo "$pid"
}

emulator() {
  local dir urn pid endpoint
  dir=$(absolute "$1")
  urn=$2
  [ -x "$bin/fgsemu" ] || fail "$bin/fgsemu is missing; run go build -o bin/fgsemu ./cmd/fgsemu first."
  if pid=$(running_emulator "$dir"); then
    fail "an emulator started in $dir is still running (pid $pid); run scripts/try.sh stop $dir first."
  fi
  rm -f "$dir/fgsemu.out"
  # Port 0: the system picks a free port, so an emulator already on a fixed one
  # cannot answer in this one's place. Its output goes to files, never to the
  # caller's $(...), which would otherwise wait for it to exit.
  "$bin/fgsemu" serve -listen 127.0.0.1:0 -access-key AK -secret-key SK -function "$urn" \
    </dev/null >"$dir/fgsemu.out" 2>"$dir/fgsemu.log" &
  pid=$!
  echo "$pid" >"$dir/fgsemu.pid"
  for _ in $(seq 1 100); do
    endpoint=$(sed -n 's/^listening on //p' "$dir/fgsemu.out")
    [ -z "$endpoint" ] || break
    kill -0 "$pid" 2>/dev/null || { cat "$dir/fgsemu.log" >&2; fail "the emulator exited (above)."; }
    sleep 0.1
  done
  [ -n "$endpoint" ] || { kill "$pid"; fail "the emulator printed no address within 10 s; see $dir/fgsemu.log."; }
  # It answers, and it serves this URN.
  "$bin/fgsemu" show -endpoint "$endpoint" -urn "$urn" >/dev/null ||
    { kill "$pid"; fail "the emulator at $endpoint does not answer; see $dir/fgsemu.log."; }
  echo "try.sh: emulator (pid $pid) at $endpoint; stop it with scripts/try.sh stop $dir" >&2
  echo "$endpoint"
}

stop() {
  local dir pid
  dir=$(absolute "$1")
  pid=$(running_emulator "$dir") || { echo "try.sh: no emulator of $dir is running." >&2; return 0; }
  kill "$pid"
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$dir/fgsemu.pid"; echo "try.sh: emulator (pid $pid) stopped." >&2; return 0; }
    sleep 0.1
  done
  fail "the emulator (pid $pid) did not stop within 5 s."
}

case "${1:-} $#" in
"provider 2") provider "$2" ;;
"emulator 3") emulator "$2" "$3" ;;
"stop 2") stop "$2" ;;
*) usage ;;
esac
