package acctest

import "testing"

// The line that names the CLI, as each prints it, after whatever warnings
// OpenTofu prints first on stdout.
func TestVersionLine(t *testing.T) {
	t.Parallel()
	tests := []struct{ out, name, version string }{
		{"Terraform v1.11.4\non linux_amd64\n", "Terraform", "1.11.4"},
		{"Terraform v1.14.9\non linux_amd64\n", "Terraform", "1.14.9"},
		{"OpenTofu v1.12.6\non linux_amd64\n", "OpenTofu", "1.12.6"},
		{"\nWarning: Unable to open CLI configuration file\n\nThe CLI configuration file at \"/root/.terraformrc\" does not exist.\nOpenTofu v1.12.6\non linux_amd64\n", "OpenTofu", "1.12.6"},
		{"OpenTofu v1.12.6-dev\n", "OpenTofu", "1.12.6-dev"},
		{"Terraform v1.11.4\n\nYour version of Terraform is out of date!", "Terraform", "1.11.4"},
		{"tofu: command not found\n", "", ""},
		{"Something v1.0.0\n", "", ""},
	}
	for _, tt := range tests {
		m := versionLine.FindStringSubmatch(tt.out)
		switch {
		case tt.name == "" && m != nil:
			t.Errorf("%q: found %q, want no version line", tt.out, m[0])
		case tt.name != "" && (m == nil || m[1] != tt.name || m[2] != tt.version):
			t.Errorf("%q: got %q, want %s v%s", tt.out, m, tt.name, tt.version)
		}
	}
}
