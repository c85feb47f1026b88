package tfinstall

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Install serves the binary under both registries' hosts, since a source
// without one means registry.terraform.io to Terraform and
// registry.opentofu.org to OpenTofu, and one CLI configuration names the mirror.
func TestInstallServesTerraformAndOpenTofu(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	bin := filepath.Join(t.TempDir(), "terraform-provider-huaweicloud")
	if err := os.WriteFile(bin, []byte("provider"), 0o755); err != nil {
		t.Fatal(err)
	}
	rc, err := Install(root, false, Provider{Source: "fgs-tools/huaweicloud", Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		path := filepath.Join(root, "mirror", host, "fgs-tools/huaweicloud", Version, runtime.GOOS+"_"+runtime.GOARCH,
			"terraform-provider-huaweicloud_v"+Version)
		if b, err := os.ReadFile(path); err != nil || string(b) != "provider" {
			t.Errorf("%s: %q, %v; want the binary", host, b, err)
		}
	}
	cfg, err := os.ReadFile(rc)
	if err != nil {
		t.Fatal(err)
	}
	if want := `path    = "` + filepath.Join(root, "mirror") + `"`; !strings.Contains(string(cfg), want) ||
		!strings.Contains(string(cfg), `include = ["fgs-tools/huaweicloud"]`) {
		t.Errorf("the CLI configuration does not name the mirror and the source:\n%s", cfg)
	}
	if MirrorBinary(root, "fgs-tools/huaweicloud") != filepath.Join(MirrorDir(root, "fgs-tools/huaweicloud"), "terraform-provider-huaweicloud_v"+Version) {
		t.Errorf("MirrorBinary is not in MirrorDir")
	}
}
