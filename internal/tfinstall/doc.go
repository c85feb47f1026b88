// Package tfinstall lets a Terraform that cannot reach the registry run
// provider binaries built from this tree: it lays them out as a filesystem
// mirror, which `terraform init` installs from, and writes the CLI
// configuration that says so. With dev_overrides, commands also run the
// binaries in place, as `make demo` does (scripts/dev-provider.sh is the
// shell twin of this package).
package tfinstall
