package fgs

import (
	"fmt"
	"regexp"
	"strings"
)

// URN identifies a FunctionGraph function, optionally with a version or alias:
// urn:fss:<region>:<project_id>:function:<package>:<function_name>[:<version>].
type URN struct {
	Region       string
	ProjectID    string
	Package      string
	FunctionName string
	// Version is the version or alias; empty means the URN names the function
	// itself, which the API resolves to "latest".
	Version string
}

// URNField names a part of a URN, so callers can point at the bad argument.
type URNField string

const (
	URNFieldWhole        URNField = "urn"
	URNFieldRegion       URNField = "region"
	URNFieldProjectID    URNField = "project_id"
	URNFieldPackage      URNField = "package"
	URNFieldFunctionName URNField = "function_name"
	URNFieldVersion      URNField = "version"
)

// URNError says which part of a URN is wrong and what was expected.
type URNError struct {
	Field  URNField
	Value  string
	Reason string
}

func (e *URNError) Error() string {
	if e.Field == URNFieldWhole {
		return e.Reason
	}
	return fmt.Sprintf("%s %q %s", e.Field, e.Value, e.Reason)
}

// URNFormat is the shape users are shown when a URN does not parse.
const URNFormat = "urn:fss:<region>:<project_id>:function:<package>:<function_name>[:<version_or_alias>]"

// The patterns follow FunctionGraph's naming rules; they also keep out every
// character the SDK would put raw into the request path ('/', '?', '#', '%', spaces).
var (
	regionPattern    = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)
	projectIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)
	packagePattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)
	functionPattern  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)
	versionPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
)

// maxURNLength bounds the input before any pattern runs on it.
const maxURNLength = 512

// ParseURN parses and validates a function URN. The error is a *URNError.
func ParseURN(s string) (URN, error) {
	if s == "" {
		return URN{}, &URNError{Field: URNFieldWhole, Reason: "function URN is empty"}
	}
	if len(s) > maxURNLength {
		return URN{}, &URNError{Field: URNFieldWhole, Reason: fmt.Sprintf("function URN is %d characters long; a valid one is at most %d", len(s), maxURNLength)}
	}
	if strings.TrimSpace(s) != s {
		return URN{}, &URNError{Field: URNFieldWhole, Reason: "function URN has leading or trailing white space"}
	}
	parts := strings.Split(s, ":")
	if len(parts) != 7 && len(parts) != 8 {
		return URN{}, &URNError{Field: URNFieldWhole, Reason: fmt.Sprintf("function URN has %d colon-separated parts, expected 7 or 8", len(parts))}
	}
	if parts[0] != "urn" || parts[1] != "fss" || parts[4] != "function" {
		return URN{}, &URNError{Field: URNFieldWhole, Reason: "function URN must start with \"urn:fss:\" and have \"function\" as its fifth part"}
	}
	u := URN{Region: parts[2], ProjectID: parts[3], Package: parts[5], FunctionName: parts[6]}
	if len(parts) == 8 {
		u.Version = parts[7]
		if u.Version == "" {
			return URN{}, &URNError{Field: URNFieldVersion, Reason: "is empty; omit the trailing colon or name a version or alias such as \"latest\""}
		}
	}
	if err := u.Validate(); err != nil {
		return URN{}, err
	}
	return u, nil
}

// Validate checks each part of the URN; the error is a *URNError naming the part.
func (u URN) Validate() error {
	if !regionPattern.MatchString(u.Region) {
		return &URNError{Field: URNFieldRegion, Value: u.Region, Reason: "is not a region ID such as \"cn-north-4\""}
	}
	if !projectIDPattern.MatchString(u.ProjectID) {
		return &URNError{Field: URNFieldProjectID, Value: u.ProjectID, Reason: "is not a project ID (32 hexadecimal characters)"}
	}
	if !packagePattern.MatchString(u.Package) {
		return &URNError{Field: URNFieldPackage, Value: u.Package, Reason: "is not a package name (letters, digits, '_' and '-', at most 64, such as \"default\")"}
	}
	if !functionPattern.MatchString(u.FunctionName) {
		return &URNError{Field: URNFieldFunctionName, Value: u.FunctionName, Reason: "is not a function name (a letter, then letters, digits, '_' and '-', at most 64)"}
	}
	if u.Version != "" && !versionPattern.MatchString(u.Version) {
		return &URNError{Field: URNFieldVersion, Value: u.Version, Reason: "is not a version or alias (letters, digits, '.', '_' and '-', at most 64, such as \"latest\")"}
	}
	return nil
}

// String formats the URN; with an empty Version it has seven parts.
func (u URN) String() string {
	s := "urn:fss:" + u.Region + ":" + u.ProjectID + ":function:" + u.Package + ":" + u.FunctionName
	if u.Version != "" {
		s += ":" + u.Version
	}
	return s
}

// maxRequestIDLength bounds request IDs; FunctionGraph's are 36-character UUIDs.
const maxRequestIDLength = 128

// ValidateRequestID checks an async invocation's request ID: printable ASCII
// without white space, so it can never alter the request it is sent in.
func ValidateRequestID(id string) error {
	if id == "" {
		return fmt.Errorf("request ID is empty; use the request_id returned when the function was invoked asynchronously")
	}
	if len(id) > maxRequestIDLength {
		return fmt.Errorf("request ID is %d characters long; at most %d are allowed", len(id), maxRequestIDLength)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return fmt.Errorf("request ID %q contains white space at position %d", id, i+1)
		case c < 0x21 || c > 0x7e:
			return fmt.Errorf("request ID %q contains a character that is not printable ASCII at position %d", id, i+1)
		}
	}
	return nil
}

// IsProjectID reports whether s has the shape of a project ID.
func IsProjectID(s string) bool { return projectIDPattern.MatchString(s) }

// IsRegionID reports whether s has the shape of a region ID.
func IsRegionID(s string) bool { return regionPattern.MatchString(s) }
