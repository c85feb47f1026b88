package validators

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// stringCheck adapts a check function into a framework string validator.
// Null and unknown values pass: they are checked once known.
type stringCheck struct {
	summary     string
	description string
	check       func(string) error
}

var _ validator.String = stringCheck{}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, err.Error())
	}
}

// FunctionURN accepts a function URN with or without a version or alias.
func FunctionURN() validator.String {
	return stringCheck{
		summary:     "Invalid Function URN",
		description: "value must be a function URN: " + fgs.URNFormat,
		check: func(s string) error {
			_, err := fgs.ParseURN(s)
			if err != nil {
				return fmt.Errorf("%w.\nExpected %s, for example urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:hello:latest", err, fgs.URNFormat)
			}
			return nil
		},
	}
}

// RequestID accepts an async invocation's request ID.
func RequestID() validator.String {
	return stringCheck{
		summary:     "Invalid Request ID",
		description: "value must be a request ID: printable characters without white space",
		check:       fgs.ValidateRequestID,
	}
}

// Region accepts the shape of a region ID; whether it exists is checked
// where the cloud and endpoint overrides are known.
func Region() validator.String {
	return stringCheck{
		summary:     "Invalid Region",
		description: "value must be a region ID such as cn-north-4",
		check: func(s string) error {
			if !fgs.IsRegionID(s) {
				return fmt.Errorf("%q is not a region ID such as \"cn-north-4\"", s)
			}
			return nil
		},
	}
}

// ProjectID accepts a project ID.
func ProjectID() validator.String {
	return stringCheck{
		summary:     "Invalid Project ID",
		description: "value must be a project ID: 32 hexadecimal characters",
		check: func(s string) error {
			if !fgs.IsProjectID(s) {
				return fmt.Errorf("%q is not a project ID (32 hexadecimal characters); copy it from My Credentials > API Credentials in the console", s)
			}
			return nil
		},
	}
}

// EndpointURL accepts an endpoint override.
func EndpointURL() validator.String {
	return stringCheck{
		summary:     "Invalid Endpoint",
		description: "value must be an http(s) URL with a host and no path",
		check:       fgs.ValidateEndpointURL,
	}
}

// RFC3339 accepts a time such as 2026-01-02T15:04:05Z.
func RFC3339() validator.String {
	return stringCheck{
		summary:     "Invalid Time",
		description: "value must be an RFC 3339 time such as 2026-01-02T15:04:05Z",
		check: func(s string) error {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				return fmt.Errorf("%q is not an RFC 3339 time such as 2026-01-02T15:04:05Z or 2026-01-02T23:04:05+08:00", s)
			}
			return nil
		},
	}
}

// Duration accepts a positive Go duration such as "30s" or "5m".
func Duration() validator.String {
	return stringCheck{
		summary:     "Invalid Duration",
		description: "value must be a positive duration such as 30s, 5m or 1h",
		check: func(s string) error {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				return fmt.Errorf("%q is not a positive duration such as \"30s\", \"5m\" or \"1h\"", s)
			}
			return nil
		},
	}
}

// CancelType accepts a cancel's type, as the API spells it.
func CancelType() validator.String {
	return oneOf("Invalid Cancel Type", "type", fgs.CancelTypes, false,
		`Set type = "force" to terminate the function's runtime directly (the only behaviour FunctionGraph supports today), `+
			`"recursive" to also stop the child functions it is invoking, or leave type out to let FunctionGraph choose.`)
}

// InvocationStatus accepts an invocation status in any case; the caller
// sends it in the API's upper case.
func InvocationStatus() validator.String {
	return oneOf("Invalid Invocation Status", "status", fgs.InvocationStatuses, true,
		"Set status to one of them (in any case), or leave it out to list invocations of every status.")
}

// oneOf accepts one of values (ignoring case with anyCase); its error names
// them all and what to do instead, where the framework's OneOf only says
// "Invalid Attribute Value Match".
func oneOf(summary, argument string, values []string, anyCase bool, instead string) stringCheck {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	list := strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
	caseNote := ""
	if anyCase {
		caseNote = " (in any case)"
	}
	return stringCheck{
		summary:     summary,
		description: "value must be one of " + list + caseNote,
		check: func(s string) error {
			var near string
			for _, v := range values {
				if v == s || (anyCase && strings.EqualFold(v, s)) {
					return nil
				}
				if strings.EqualFold(v, s) {
					near = fmt.Sprintf(" Did you mean %q? Its case matters.", v)
				}
			}
			return fmt.Errorf("%s %q is not one of %s.%s %s", argument, s, list, near, instead)
		},
	}
}

// RegionOrEmpty is Region, where an empty string means unset, as in the
// official provider: the region then comes from the environment or profile.
func RegionOrEmpty() validator.String {
	return stringCheck{
		summary:     "Invalid Region",
		description: "value must be a region ID such as cn-north-4, or empty",
		check: func(s string) error {
			if s != "" && !fgs.IsRegionID(s) {
				return fmt.Errorf("%q is not a region ID such as \"cn-north-4\"", s)
			}
			return nil
		},
	}
}

// Credential refuses a key, secret or token with white space around it or a
// control character in it; the error names the argument, never the value.
func Credential(summary string) validator.String { return credentialText{summary: summary} }

type credentialText struct{ summary string }

func (v credentialText) Description(context.Context) string {
	return "value must have no white space around it and no line break or control character in it"
}

func (v credentialText) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v credentialText) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := fgs.CheckCredentialText(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf(
			"%s is refused: %s. HTTP cannot carry it, and nothing was sent. Wrap the value in trimspace(), such as %s = trimspace(file(\"%s.txt\")).\n\n"+
				"The value itself is not shown, as it is a secret.", req.Path, err, req.Path, req.Path))
	}
}

// WholeNumberBetween accepts a whole number from min to max. The argument is
// a number rather than an integer so that 1.5 gets this error, naming the
// argument, instead of the framework's conversion error.
func WholeNumberBetween(minimum, maximum int64) validator.Number {
	return wholeNumber{minimum: minimum, maximum: maximum}
}

type wholeNumber struct{ minimum, maximum int64 }

func (v wholeNumber) Description(context.Context) string {
	return fmt.Sprintf("value must be a whole number between %d and %d", v.minimum, v.maximum)
}

func (v wholeNumber) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v wholeNumber) ValidateNumber(ctx context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	f := req.ConfigValue.ValueBigFloat()
	n, accuracy := f.Int64()
	switch {
	case !f.IsInt():
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Value",
			fmt.Sprintf("%s %s, got: %s", req.Path, v.Description(ctx), f.Text('g', -1)))
	case accuracy != big.Exact || n < v.minimum || n > v.maximum:
		// Worded as int64validator.Between words it.
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Value",
			fmt.Sprintf("%s value must be between %d and %d, got: %s", req.Path, v.minimum, v.maximum, f.Text('g', -1)))
	}
}
