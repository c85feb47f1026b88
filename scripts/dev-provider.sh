# Sourced by the scripts that run Terraform on the provider just built
# (internal/tfinstall does the same for the Go tests and make bench).
#
# install_dev_provider BIN_DIR WORK_DIR writes WORK_DIR/terraformrc and
# exports TF_CLI_CONFIG_FILE: dev_overrides make Terraform run the binary in
# BIN_DIR; the filesystem mirror beside it lets `terraform init` succeed
# offline, since init ignores overrides and would otherwise ask the registry.
install_dev_provider() {
  local bin=$1 work=$2
  local mirror="$work/mirror/registry.terraform.io/fgs-tools/huaweicloud/0.1.0/$(go env GOOS)_$(go env GOARCH)"
  mkdir -p "$mirror"
  cp "$bin/terraform-provider-huaweicloud" "$mirror/terraform-provider-huaweicloud_v0.1.0"
  cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "fgs-tools/huaweicloud" = "$bin"
  }
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["fgs-tools/huaweicloud"]
  }
}
RC
  export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
}
