package provider_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// At TF_LOG=TRACE, neither Terraform's log nor the provider's holds a secret
// key, a security token or an IAM token, and the access key shows only masked.
// Not parallel: the log settings are the test process's environment.
func TestProvider_noSecretInTraceLog(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "terraform.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)

	urn := acctest.FunctionURN("hello")
	emu := acctest.StartAuthEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
	iam := recordIssuedCredentials(t, emu)
	file := profileFile(t, filepath.Join(dir, "hcloud"))
	endpoints := fmt.Sprintf("endpoints = { fgs = %q, iam = %q }", emu.URL(), iam.url)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(acctest.Env(map[string]string{"HW_SHARED_CONFIG_FILE": file})),
		Steps: []resource.TestStep{
			{
				// Keys in the block, which ask IAM for an agency's temporary credentials.
				Config: providerBlock(
					fmt.Sprintf("access_key = %q", acctest.AccessKey), fmt.Sprintf("secret_key = %q", acctest.SecretKey), endpoints,
					fmt.Sprintf("assume_role {\n    agency_name = %q\n    domain_name = %q\n  }", acctest.AgencyName, acctest.AgencyDomain),
				) + cancels(urn, invokeN(t, emu, urn, 2), false),
				Check: expectAccepted(emu, 2, 1),
			},
			{
				// A token in the block.
				Config: providerBlock(fmt.Sprintf("token = %q", acctest.AuthToken), endpoints) + cancels(urn, invokeN(t, emu, urn, 2), false),
				Check:  expectAccepted(emu, 4, 1),
			},
			{
				// Keys from the CLI profile.
				Config: providerBlock(endpoints) + cancels(urn, invokeN(t, emu, urn, 2), false),
				Check:  expectAccepted(emu, 6, 1),
			},
		},
	})

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := withoutTestHarness(raw)
	// The provider's own lines are in the log, so their absence of secrets means something.
	for _, want := range []string{
		"Configured the FunctionGraph client", `auth_method="assumed agency"`, "auth_method=token", `auth_method="access key"`,
		"Got temporary credentials for the agency", "FunctionGraph request answered", "IAM request answered",
		fgs.MaskAccessKey(acctest.AccessKey),
	} {
		if !bytes.Contains(log, []byte(want)) {
			t.Errorf("the TRACE log (%d bytes) lacks %q", len(log), want)
		}
	}
	secrets := map[string]string{"secret key": acctest.SecretKey, "token": acctest.AuthToken, "access key": acctest.AccessKey}
	issued := iam.all()
	if len(issued) != 3 {
		t.Fatalf("recorded %d issued credentials, want one set of 3", len(issued))
	}
	secrets["temporary access key"], secrets["temporary secret key"], secrets["temporary security token"] = issued[0], issued[1], issued[2]
	if len(log) < len(raw)/2 {
		t.Fatalf("only %d of the log's %d bytes are Terraform's and the provider's", len(log), len(raw))
	}
	for what, secret := range secrets {
		if i := bytes.Index(log, []byte(secret)); i >= 0 {
			start := max(0, i-200)
			t.Errorf("the TRACE log holds the %s, here: %s", what, strings.ReplaceAll(string(log[start:i]), secret, "<secret>"))
		}
	}
}
