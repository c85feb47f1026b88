package fgs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	fgsregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/functiongraph/v2/region"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// One check for every endpoint: the scheme lowercased, anything the SDK
// would drop or misread refused with what is wrong.
func TestNormalizeEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, want, wantErr string
	}{
		{raw: "https://functiongraph.cn-north-4.myhuaweicloud.com", want: "https://functiongraph.cn-north-4.myhuaweicloud.com"},
		{raw: "http://127.0.0.1:8080/", want: "http://127.0.0.1:8080"},
		{raw: "HTTP://127.0.0.1:8080", want: "http://127.0.0.1:8080"},
		{raw: "Https://fgs.example.com", want: "https://fgs.example.com"},
		{raw: "http://[::1]:8080", want: "http://[::1]:8080"},
		{raw: "http://[fe80::1%25eth0]:8080", wantErr: `names an IPv6 zone (%eth0)`},
		{raw: "127.0.0.1:8080", wantErr: "must start with https://"},
		{raw: "localhost:8080", wantErr: "must start with https://"},
		{raw: "functiongraph.example.com", wantErr: "must start with https://"},
		{raw: "ftp://fgs.example.com", wantErr: "must start with https://"},
		{raw: "http://host/prefix", wantErr: `has a path ("/prefix")`},
		{raw: "https://fgs.example.com/v2/", wantErr: "has a path"},
		{raw: "https://fgs.example.com?x=1", wantErr: "must not have a query or fragment"},
		{raw: "https://fgs.example.com/?", wantErr: "must not have a query or fragment"},
		{raw: "https://fgs.example.com#top", wantErr: "must not have a query or fragment"},
		{raw: "http://127.0.0.1:99999", wantErr: "has the port 99999; a port is a number from 1 to 65535"},
		{raw: "http://127.0.0.1:0", wantErr: "has the port 0"},
		{raw: "http://127.0.0.1:", wantErr: "has an empty port"},
		{raw: "https://user:pw@fgs.example.com", wantErr: "must not carry user information"},
		{raw: "https://", wantErr: "has no host"},
		{raw: " https://fgs.example.com", wantErr: "white space around it"},
		{raw: "https://fgs.example.com\n", wantErr: "white space around it"},
	}
	for _, tt := range tests {
		got, err := fgs.NormalizeEndpoint(tt.raw)
		switch {
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("%q: got %q, %v; want %q", tt.raw, got, err, tt.want)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%q: got %q, %v; want error %q", tt.raw, got, err, tt.wantErr)
		}
	}
	if got, err := fgs.IAMEndpoint("HTTPS://iam.example.com/v3"); err != nil || got != "https://iam.example.com" {
		t.Errorf("auth URL with an uppercase scheme: got %q, %v", got, err)
	}
	if _, err := fgs.IAMEndpoint("iam.example.com:443"); err == nil || !strings.Contains(err.Error(), "must start with https://") {
		t.Errorf("a bare host:port auth URL: %v", err)
	}
}

func writeRegions(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "regions.yaml")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The SDK's own overrides, its variables and regions.yaml, are read by the
// provider in the SDK's order and go through the same check.
func TestRegionEndpoints(t *testing.T) {
	t.Parallel()
	good := writeRegions(t, "FunctionGraph:\n  - id: cn-north-4\n    endpoint: HTTP://127.0.0.1:8080\n  - id: xx-new-1\n    endpoints: [https://fgs.xx-new-1.example.com]\nECS:\n  - id: cn-north-4\n    endpoint: https://ecs.example.com/any/path\n")
	withPath := writeRegions(t, "FUNCTIONGRAPH:\n  - id: cn-north-4\n    endpoint: http://127.0.0.1:8080/prefix\n")
	malformed := writeRegions(t, "FUNCTIONGRAPH: [id: {\n")
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".huaweicloud"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".huaweicloud", "regions.yaml"), []byte("functiongraph:\n  - id: cn-north-4\n    endpoint: https://home.example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const variable = "HUAWEICLOUD_SDK_REGION_FUNCTIONGRAPH_CN_NORTH_4"
	tests := []struct {
		name           string
		env            map[string]string
		region         string
		want, wantFrom string
		wantLoadErr    string
		wantErr        string
	}{
		{name: "none", env: map[string]string{"HOME": t.TempDir()}, region: "cn-north-4"},
		{name: "variable, scheme lowercased", env: map[string]string{variable: "HTTP://127.0.0.1:9000"}, region: "cn-north-4",
			want: "http://127.0.0.1:9000", wantFrom: variable},
		{name: "variable, first of several", env: map[string]string{variable: "https://a.example.com,https://b.example.com"}, region: "cn-north-4",
			want: "https://a.example.com", wantFrom: variable},
		{name: "variable with a path prefix", env: map[string]string{variable: "http://host/prefix"}, region: "cn-north-4",
			wantErr: variable + `, the SDK's endpoint for region cn-north-4, is invalid: "http://host/prefix" has a path ("/prefix")`},
		{name: "variable as a bare host:port", env: map[string]string{variable: "127.0.0.1:8080"}, region: "cn-north-4",
			wantErr: `"127.0.0.1:8080" must start with https://`},
		{name: "a later one of several is checked too", env: map[string]string{variable: "https://a.example.com,b.example.com"}, region: "cn-north-4",
			wantErr: `"b.example.com" must start with https://`},
		{name: "variable wins over regions.yaml", env: map[string]string{variable: "https://var.example.com", "HUAWEICLOUD_SDK_REGIONS_FILE": good},
			region: "cn-north-4", want: "https://var.example.com", wantFrom: variable},
		{name: "regions.yaml, scheme lowercased", env: map[string]string{"HUAWEICLOUD_SDK_REGIONS_FILE": good}, region: "cn-north-4",
			want: "http://127.0.0.1:8080", wantFrom: good},
		{name: "regions.yaml, a region the SDK does not know", env: map[string]string{"HUAWEICLOUD_SDK_REGIONS_FILE": good}, region: "xx-new-1",
			want: "https://fgs.xx-new-1.example.com", wantFrom: good},
		{name: "regions.yaml in the home directory", env: map[string]string{"HOME": home}, region: "cn-north-4",
			want: "https://home.example.com", wantFrom: filepath.Join(home, ".huaweicloud", "regions.yaml")},
		{name: "regions.yaml entry with a path", env: map[string]string{"HUAWEICLOUD_SDK_REGIONS_FILE": withPath},
			wantLoadErr: withPath + `: the endpoint of region "cn-north-4" under FUNCTIONGRAPH: "http://127.0.0.1:8080/prefix" has a path`},
		{name: "malformed regions.yaml", env: map[string]string{"HUAWEICLOUD_SDK_REGIONS_FILE": malformed},
			wantLoadErr: "the SDK's regions file " + malformed + " is not valid YAML"},
		{name: "regions file named but missing", env: map[string]string{"HUAWEICLOUD_SDK_REGIONS_FILE": "/nonexistent/regions.yaml"},
			wantLoadErr: "(from HUAWEICLOUD_SDK_REGIONS_FILE) does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) string { return tt.env[k] }
			r, err := fgs.LoadRegionEndpoints(getenv)
			if tt.wantLoadErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantLoadErr) {
					t.Fatalf("load: %v, want %q", err, tt.wantLoadErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, from, err := r.Lookup(tt.region)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("lookup: %v, want %q", err, tt.wantErr)
				}
				if _, err := fgs.Endpoint(tt.region, "", "", r); err == nil {
					t.Fatal("Endpoint used an override that Lookup refuses")
				}
				return
			}
			if err != nil || got != tt.want || from != tt.wantFrom {
				t.Fatalf("lookup: %q from %q, %v; want %q from %q", got, from, err, tt.want, tt.wantFrom)
			}
			// Endpoint: endpoints.fgs first, then the override, then the default.
			if e, err := fgs.Endpoint(tt.region, "", "HTTP://override.example.com/", r); err != nil || e != "http://override.example.com" {
				t.Fatalf("with endpoints.fgs: %q, %v", e, err)
			}
			want := tt.want
			if want == "" {
				want = "https://functiongraph." + tt.region + ".myhuaweicloud.com"
			}
			if e, err := fgs.Endpoint(tt.region, "", "", r); err != nil || e != want {
				t.Fatalf("Endpoint: %q, %v; want %q", e, err, want)
			}
		})
	}
}

// A key, secret or token is refused with what is wrong and never quoted.
func TestCheckCredentialText(t *testing.T) {
	t.Parallel()
	tests := []struct{ value, wantErr string }{
		{value: ""},
		{value: "EMULATORACCESSKEY0001"},
		{value: "a b"}, // inner spaces are the user's business
		{value: "secret-from-file\n", wantErr: "ends with a line break"},
		{value: "secret-from-file\r\n", wantErr: "ends with a line break"},
		{value: " secret-value", wantErr: "white space at its start or end"},
		{value: "secret-value\t", wantErr: "white space at its start or end"},
		{value: "two\nlines", wantErr: "contains a line break"},
		{value: "nul\x00byte", wantErr: "contains a control character"},
		{value: "del\x7fbyte", wantErr: "contains a control character"},
	}
	for _, tt := range tests {
		err := fgs.CheckCredentialText(tt.value)
		if (tt.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%q: %v, want %q", tt.value, err, tt.wantErr)
		}
		if err != nil && tt.value != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.value)) {
			t.Errorf("%q: the error quotes the value: %v", tt.value, err)
		}
	}
}

// The provider's list of the SDK's FunctionGraph regions is the SDK's own:
// the SDK's lookup, asked with no regions file around, names the same ones.
func TestKnownRegionMatchesTheSDK(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("HUAWEICLOUD_SDK_REGIONS_FILE", "")
	_, err := fgsregion.SafeValueOf("xx-nowhere-0")
	if err == nil {
		t.Fatal("the SDK knows xx-nowhere-0")
	}
	list := err.Error()[strings.LastIndex(err.Error(), "[")+1 : strings.LastIndex(err.Error(), "]")]
	sdkIDs := strings.Split(list, ", ")
	_, ours := fgs.KnownRegion("xx-nowhere-0")
	if ours == nil || !strings.HasSuffix(ours.Error(), ": "+list) {
		t.Fatalf("the provider's regions differ from the SDK's %q: %v", sdkIDs, ours)
	}
	for _, id := range sdkIDs {
		want, _ := fgsregion.SafeValueOf(id)
		got, err := fgs.KnownRegion(id)
		if err != nil || got != want.Endpoints[0] {
			t.Fatalf("region %s: got %q, %v; the SDK says %q", id, got, err, want.Endpoints[0])
		}
	}
}

// The cloud is read as DNS reads it; a domain with an empty part is refused.
func TestCloud(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{"MYHUAWEICLOUD.COM": fgs.DefaultCloud, "myhuaweicloud.com.": fgs.DefaultCloud, "Example.Com": "example.com"} {
		if got := fgs.NormalizeCloud(raw); got != want || fgs.ValidateCloud(got) != nil {
			t.Fatalf("%q: got %q (%v), want %q", raw, got, fgs.ValidateCloud(got), want)
		}
	}
	for _, bad := range []string{"a..b", ".example.com", "example.com..", "-a.com", "https://example.com", "a b"} {
		if err := fgs.ValidateCloud(fgs.NormalizeCloud(bad)); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}
