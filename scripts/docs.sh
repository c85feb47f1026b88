#!/usr/bin/env bash
# make docs: render docs/ with tfplugindocs from the provider's real schema.
#
# Terraform before 1.14 leaves actions out of `terraform providers schema
# -json`, and tfplugindocs would then drop the action's page; docschema adds
# the action schemas, read from the provider itself, before rendering.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/fgs-docs.XXXXXX")
trap 'rm -rf "$work"' EXIT

command -v terraform >/dev/null || { echo "terraform is not on PATH; make docs needs it to read the provider's schema." >&2; exit 1; }

cd "$root"
mkdir -p "$work/bin" "$work/config"
go build -o "$work/bin/terraform-provider-huaweicloud" .
# shellcheck source=scripts/dev-provider.sh
. "$root/scripts/dev-provider.sh"
install_dev_provider "$work/bin" "$work"
cat >"$work/config/main.tf" <<'TF'
terraform {
  required_providers {
    huaweicloud = {
      source = "fgs-tools/huaweicloud"
    }
  }
}
TF
terraform -chdir="$work/config" init -input=false -no-color >"$work/init.log" 2>&1 || { cat "$work/init.log" >&2; exit 1; }
terraform -chdir="$work/config" providers schema -json >"$work/schema.json"
go run ./internal/tools/docschema -in "$work/schema.json" -out "$work/schema.json"
go tool tfplugindocs generate \
  --provider-name huaweicloud \
  --rendered-provider-name "Huawei Cloud FunctionGraph (fgs-tools)" \
  --providers-schema "$work/schema.json"
