#!/usr/bin/env bash
# make demo: cancel a real async invocation, end to end, with no cloud account.
# Builds the provider and the FunctionGraph emulator, starts the emulator,
# starts an async invocation on it, then lets Terraform cancel it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin"
work=$(mktemp -d "${TMPDIR:-/tmp}/fgs-demo.XXXXXX")
emu_pid=""

cleanup() {
  if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Colour and bold headings on a terminal only: a log or a pipe gets plain text.
no_color=()
if [ -t 1 ]; then
  step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
else
  no_color=(-no-color)
  step() { printf '\n==> %s\n' "$*"; }
fi

command -v terraform >/dev/null || { echo "terraform is not on PATH; install Terraform >= 1.8 and run again." >&2; exit 1; }

# Demo credentials: they exist only in this emulator.
access_key=DEMOACCESSKEY
secret_key=demo-secret-key
urn="urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:report-generator:latest"

step "Building the provider and the emulator"
mkdir -p "$bin"
(cd "$root" && go build -o "$bin/terraform-provider-huaweicloud" . && go build -o "$bin/fgsemu" ./cmd/fgsemu)

step "Starting the FunctionGraph emulator"
"$bin/fgsemu" -listen 127.0.0.1:0 -access-key "$access_key" -secret-key "$secret_key" \
  -function "$urn" >"$work/emulator.out" 2>"$work/emulator.log" &
emu_pid=$!
endpoint=""
for _ in $(seq 1 100); do
  endpoint=$(sed -n 's/^listening on //p' "$work/emulator.out" 2>/dev/null | head -n 1)
  [ -n "$endpoint" ] && break
  kill -0 "$emu_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; exit 1; }
  sleep 0.05
done
[ -n "$endpoint" ] || { echo "the emulator did not start" >&2; exit 1; }
echo "FunctionGraph emulator at $endpoint"

step "Starting an async invocation of $urn"
request_id=$("$bin/fgsemu" invoke -endpoint "$endpoint" -urn "$urn")
echo "request_id = $request_id"
"$bin/fgsemu" show -endpoint "$endpoint" -urn "$urn"

# shellcheck source=scripts/dev-provider.sh
. "$root/scripts/dev-provider.sh"
install_dev_provider "$bin" "$work" "$work/config"
mkdir -p "$work/config"
cp "$root/examples/demo/main.tf" "$work/config/main.tf"
export HW_ACCESS_KEY="$access_key" HW_SECRET_KEY="$secret_key"
tfvars=(-var "fgs_endpoint=$endpoint" -var "function_urn=$urn" -var "request_id=$request_id")

step "terraform init"
terraform -chdir="$work/config" init -input=false "${no_color[@]}"

step "terraform apply"
terraform -chdir="$work/config" apply -auto-approve -input=false "${no_color[@]}" -compact-warnings "${tfvars[@]}"

step "The cancel, as Terraform recorded it"
terraform -chdir="$work/config" state show "${no_color[@]}" huaweicloud_fgs_async_invocation_cancel.demo

step "The invocation, as FunctionGraph (the emulator) sees it now"
"$bin/fgsemu" show -endpoint "$endpoint" -urn "$urn" -request-id "$request_id"

status=$("$bin/fgsemu" show -endpoint "$endpoint" -urn "$urn" -request-id "$request_id" | awk -v id="$request_id" '$1 == id { print $2 }')
if [ "$status" = "RUNNING" ] || [ -z "$status" ]; then
  echo "The invocation is still running: the demo failed." >&2
  exit 1
fi
printf '\nInvocation %s is no longer running (status %s): cancelled by Terraform.\n' "$request_id" "$status"
