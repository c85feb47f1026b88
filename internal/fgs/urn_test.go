package fgs

import (
	"strings"
	"testing"
)

const testProject = "0123456789abcdef0123456789abcdef"

func TestParseURN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		want      URN
		wantField URNField // empty when valid
	}{
		{"with version", "urn:fss:cn-north-4:" + testProject + ":function:default:hello:latest",
			URN{Region: "cn-north-4", ProjectID: testProject, Package: "default", FunctionName: "hello", Version: "latest"}, ""},
		{"without version", "urn:fss:ap-southeast-1:" + testProject + ":function:pkg-1:my_func",
			URN{Region: "ap-southeast-1", ProjectID: testProject, Package: "pkg-1", FunctionName: "my_func"}, ""},
		{"alias with dots", "urn:fss:eu-west-101:" + testProject + ":function:default:f1:v1.2_beta-3",
			URN{Region: "eu-west-101", ProjectID: testProject, Package: "default", FunctionName: "f1", Version: "v1.2_beta-3"}, ""},
		{"upper-case hex project", "urn:fss:cn-north-4:0123456789ABCDEF0123456789ABCDEF:function:default:hello",
			URN{Region: "cn-north-4", ProjectID: "0123456789ABCDEF0123456789ABCDEF", Package: "default", FunctionName: "hello"}, ""},
		{"empty", "", URN{}, URNFieldWhole},
		{"too few parts", "urn:fss:cn-north-4:" + testProject + ":function:default", URN{}, URNFieldWhole},
		{"too many parts", "urn:fss:cn-north-4:" + testProject + ":function:default:hello:latest:x", URN{}, URNFieldWhole},
		{"wrong scheme", "arn:fss:cn-north-4:" + testProject + ":function:default:hello:latest", URN{}, URNFieldWhole},
		{"wrong service", "urn:obs:cn-north-4:" + testProject + ":function:default:hello:latest", URN{}, URNFieldWhole},
		{"wrong kind", "urn:fss:cn-north-4:" + testProject + ":trigger:default:hello:latest", URN{}, URNFieldWhole},
		{"leading space", " urn:fss:cn-north-4:" + testProject + ":function:default:hello:latest", URN{}, URNFieldWhole},
		{"trailing newline", "urn:fss:cn-north-4:" + testProject + ":function:default:hello:latest\n", URN{}, URNFieldWhole},
		{"upper-case region", "urn:fss:CN-NORTH-4:" + testProject + ":function:default:hello:latest", URN{}, URNFieldRegion},
		{"region without dash", "urn:fss:cnnorth4:" + testProject + ":function:default:hello:latest", URN{}, URNFieldRegion},
		{"empty region", "urn:fss::" + testProject + ":function:default:hello:latest", URN{}, URNFieldRegion},
		{"short project", "urn:fss:cn-north-4:0123456789abcdef:function:default:hello:latest", URN{}, URNFieldProjectID},
		{"non-hex project", "urn:fss:cn-north-4:0123456789abcdef0123456789abcdeg:function:default:hello:latest", URN{}, URNFieldProjectID},
		{"empty package", "urn:fss:cn-north-4:" + testProject + ":function::hello:latest", URN{}, URNFieldPackage},
		{"slash in package", "urn:fss:cn-north-4:" + testProject + ":function:a/b:hello:latest", URN{}, URNFieldPackage},
		{"function starts with digit", "urn:fss:cn-north-4:" + testProject + ":function:default:1hello:latest", URN{}, URNFieldFunctionName},
		{"query in function", "urn:fss:cn-north-4:" + testProject + ":function:default:hello?x=1:latest", URN{}, URNFieldFunctionName},
		{"space in function", "urn:fss:cn-north-4:" + testProject + ":function:default:hel lo:latest", URN{}, URNFieldFunctionName},
		{"empty version", "urn:fss:cn-north-4:" + testProject + ":function:default:hello:", URN{}, URNFieldVersion},
		{"percent in version", "urn:fss:cn-north-4:" + testProject + ":function:default:hello:%2e", URN{}, URNFieldVersion},
		{"hash in version", "urn:fss:cn-north-4:" + testProject + ":function:default:hello:v1#x", URN{}, URNFieldVersion},
		{"too long", "urn:fss:cn-north-4:" + testProject + ":function:default:" + strings.Repeat("a", 600), URN{}, URNFieldWhole},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseURN(tt.in)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("ParseURN(%q) error: %v", tt.in, err)
				}
				if got != tt.want {
					t.Fatalf("ParseURN(%q) = %+v, want %+v", tt.in, got, tt.want)
				}
				if got.String() != tt.in {
					t.Fatalf("String() = %q, want the input %q back", got.String(), tt.in)
				}
				return
			}
			ue, ok := err.(*URNError)
			if !ok {
				t.Fatalf("ParseURN(%q) error = %v (%T), want *URNError on %s", tt.in, err, err, tt.wantField)
			}
			if ue.Field != tt.wantField {
				t.Fatalf("ParseURN(%q) blamed %s (%v), want %s", tt.in, ue.Field, err, tt.wantField)
			}
			if ue.Error() == "" {
				t.Fatal("empty error message")
			}
		})
	}
}

func TestValidateRequestID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		wantErr string
	}{
		{"1b3a6c2e-7d3f-4e1a-9c6b-2f1e0d9c8b7a", ""},
		{"abc", ""},
		{"", "empty"},
		{" abc", "white space at position 1"},
		{"ab c", "white space at position 3"},
		{"abc\n", "white space at position 4"},
		{"ab\x00c", "not printable ASCII"},
		{"réq", "not printable ASCII"},
		{strings.Repeat("a", 129), "at most 128"},
	}
	for _, tt := range tests {
		err := ValidateRequestID(tt.in)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("ValidateRequestID(%q) = %v, want nil", tt.in, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ValidateRequestID(%q) = %v, want an error containing %q", tt.in, err, tt.wantErr)
		}
	}
}

// FuzzParseURN checks that parsing never panics, that what parses formats
// back to itself, and that nothing accepted can alter a request path.
func FuzzParseURN(f *testing.F) {
	f.Add("urn:fss:cn-north-4:" + testProject + ":function:default:hello:latest")
	f.Add("urn:fss:cn-north-4:" + testProject + ":function:default:hello")
	f.Add("urn:fss:::function:::")
	f.Add("urn:fss:cn-north-4:" + testProject + ":function:default:hello/../../x:latest")
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURN(s)
		if err != nil {
			if _, ok := err.(*URNError); !ok {
				t.Fatalf("error is %T, want *URNError", err)
			}
			return
		}
		if u.String() != s {
			t.Fatalf("String() = %q, want %q", u.String(), s)
		}
		if strings.ContainsAny(s, "/?#% \t\r\n") {
			t.Fatalf("accepted %q, which would alter the request path", s)
		}
		if err := u.Validate(); err != nil {
			t.Fatalf("parsed URN does not validate: %v", err)
		}
	})
}
