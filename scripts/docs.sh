#!/usr/bin/env bash
# make docs: render docs/ with tfplugindocs from the provider's real schema.
#
# Terraform before 1.14 leaves actions out of `terraform providers schema
# -json` (and tfplugindocs then drops their pages), so the schema is read with
# Terraform 1.14+: the `terraform` on PATH if it is that new, else the one
# scripts/terraform.sh builds (TERRAFORM=/path/to/terraform overrides both).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

# Succeeds when the terraform at $1 is 1.14 or newer.
reads_actions() {
  local major minor
  read -r major minor < <(TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null |
    sed -n '1s/^Terraform v\([0-9]*\)\.\([0-9]*\)\..*/\1 \2/p') || return 1
  [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -ge 14 ]; }
}

tf=${TERRAFORM:-}
if [ -z "$tf" ] && command -v terraform >/dev/null && reads_actions "$(command -v terraform)"; then
  tf=$(command -v terraform)
fi
if [ -z "$tf" ]; then
  tf=$("$root/scripts/terraform.sh") || { echo "make docs needs Terraform 1.14+ to read the actions' schemas; scripts/terraform.sh could not provide it (see above)." >&2; exit 1; }
fi
reads_actions "$tf" || { echo "make docs needs Terraform 1.14+ to read the actions' schemas; $tf is older. Unset TERRAFORM or point it at 1.14+." >&2; exit 1; }
echo "make docs: reading the schema with $("$tf" version 2>/dev/null | head -n 1) ($tf)" >&2

cd "$root"
# tfplugindocs builds the provider, installs it from a plugin directory (no
# registry needed) and asks the first terraform on PATH for its schema.
PATH="$(dirname "$tf"):$PATH" TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 go tool tfplugindocs generate \
  --provider-name huaweicloud \
  --rendered-provider-name "Huawei Cloud FunctionGraph (fgs-tools)"
