# Sourced by the scripts that run Terraform on the provider just built
# (internal/tfinstall does the same for the Go tests and make bench).
#
# install_dev_provider BIN_DIR WORK_DIR [CONFIG_DIR] copies the binary in
# BIN_DIR into a filesystem mirror in WORK_DIR (for Terraform and OpenTofu), writes WORK_DIR/terraformrc to
# use it and exports TF_CLI_CONFIG_FILE. A mirror, unlike dev_overrides, lets
# `terraform init` succeed offline without the "development overrides"
# warnings. With CONFIG_DIR it also writes that configuration's lock file with
# the binary's checksum, which spares init the "Incomplete lock file
# information" warning that locally computed checksums bring.
install_dev_provider() {
  local bin=$1 work=$2 config=${3:-}
  local binary=terraform-provider-huaweicloud_v0.1.0
  local platform host mirror
  platform=$(go env GOOS)_$(go env GOARCH)
  # Under both registries' hosts: an unqualified source means
  # registry.opentofu.org to OpenTofu and registry.terraform.io to Terraform.
  for host in registry.opentofu.org registry.terraform.io; do
    mirror="$work/mirror/$host/fgs-tools/huaweicloud/0.1.0/$platform"
    mkdir -p "$mirror"
    cp "$bin/terraform-provider-huaweicloud" "$mirror/$binary"
  done
  cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["fgs-tools/huaweicloud"]
  }
}
RC
  export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
  [ -n "$config" ] || return 0
  # Terraform's "h1:" hash of the package directory: the SHA-256 of its
  # "<sha256>  <file>" listing, in base64.
  local file_sum dir_sum
  file_sum=$(sha256sum "$mirror/$binary" | cut -d' ' -f1)
  dir_sum=$(printf '%s  %s\n' "$file_sum" "$binary" | sha256sum | cut -d' ' -f1)
  mkdir -p "$config"
  cat >"$config/.terraform.lock.hcl" <<LOCK
provider "registry.terraform.io/fgs-tools/huaweicloud" {
  version = "0.1.0"
  hashes = [
    "h1:$(printf '%b' "$(sed 's/../\\x&/g' <<<"$dir_sum")" | base64)",
  ]
}
LOCK
}
