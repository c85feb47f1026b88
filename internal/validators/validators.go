// Package validators holds the plan-time checks shared by the provider block
// and its types, each built on the fgs package's own rules so the API and
// the configuration are judged alike.
package validators

import (
	"context"
	"fmt"
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
