package resources

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// The time and duration arguments of every shape: timeouts, the query
// window and its default look-back, read and checked here only. Their form
// is checked by internal/validators, whose messages say what to write:
// terraform-plugin-framework-timetypes' types add their own fixed error
// ("Invalid Time Duration String Value", with Go's parse error) and accept
// negative durations, so they could not carry these messages.

// defaultCancelTimeout bounds a cancel with all its retries.
const defaultCancelTimeout = 5 * time.Minute

// descTimeout is the timeout argument of the actions and the ephemeral resource.
const descTimeout = "How long the cancel may take with all its retries, as a duration such as `30s` or `5m`. Defaults to `5m`."

// lookbackText is fgs.MaxInvocationAge in words: how far back a window
// without a begin looks.
var lookbackText = fmt.Sprintf("%d hours", int(fgs.MaxInvocationAge/time.Hour))

// lookbackDefaultText says the default look-back and why, for the docs:
// "72 hours (259,200 s, FunctionGraph's default maximum execution duration)".
var lookbackDefaultText = fmt.Sprintf("%s (%s s, FunctionGraph's default maximum execution duration)",
	lookbackText, thousands(int(fgs.MaxInvocationAge/time.Second)))

func thousands(n int) string {
	if n < 1000 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%s,%03d", thousands(n/1000), n%1000)
}

// knownDuration parses a known duration argument; null, unknown or
// malformed is no duration.
func knownDuration(v types.String) (time.Duration, bool) {
	if v.IsNull() || v.IsUnknown() {
		return 0, false
	}
	d, err := time.ParseDuration(v.ValueString())
	return d, err == nil
}

// knownTime parses a validated RFC 3339 argument; null or unknown is no time.
func knownTime(v types.String) (time.Time, bool) {
	if v.IsNull() || v.IsUnknown() {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v.ValueString())
	return t, err == nil
}

// timeValue formats a time as RFC 3339 UTC, or null when the API gave none.
func timeValue(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// validatePositiveTimeout refuses a known timeout of zero or less (each of
// the block's create and update), which would end the call before anything
// could be sent. A malformed one the block's own validator refuses.
func validatePositiveTimeout(t timeouts.Value, at path.Path, diags *diag.Diagnostics) {
	if t.IsNull() || t.IsUnknown() {
		return
	}
	for _, name := range []string{"create", "update"} {
		v, ok := t.Attributes()[name].(types.String)
		if !ok {
			continue
		}
		if _, parses := knownDuration(v); parses {
			refuseTimeout(v, at.AtName(name), "timeouts."+name, diags)
		}
	}
}

// refuseTimeout is the one check of a timeout, in every shape: a known value
// that is not a positive duration is "Invalid Timeout" on the argument.
// named is how the configuration spells it: timeout, timeouts.create.
func refuseTimeout(v types.String, at path.Path, named string, diags *diag.Diagnostics) bool {
	if v.IsNull() || v.IsUnknown() {
		return false
	}
	d, ok := knownDuration(v)
	switch {
	case !ok:
		diags.AddAttributeError(at, "Invalid Timeout",
			fmt.Sprintf("%s is %q, which is not a duration: write one such as \"30s\" or \"5m\" (units ns, us, ms, s, m, h). "+
				"Remove it for the default of %s.", named, v.ValueString(), defaultCancelTimeout))
	case d <= 0:
		diags.AddAttributeError(at, "Invalid Timeout",
			fmt.Sprintf("%s is %q: a cancel needs a positive time to be sent in, such as \"30s\" or \"5m\". "+
				"Remove it for the default of %s.", named, v.ValueString(), defaultCancelTimeout))
	default:
		return false
	}
	return true
}

// timeoutValidator is refuseTimeout as the timeout argument's validator.
type timeoutValidator struct{}

func (timeoutValidator) Description(context.Context) string {
	return "value must be a positive duration such as 30s or 5m"
}

func (v timeoutValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (timeoutValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	refuseTimeout(req.ConfigValue, req.Path, req.Path.String(), &resp.Diagnostics)
}

// invokeArgs are what the shapes that keep no state take instead of a
// timeouts block and a defaulted wait_for_stop.
type invokeArgs struct {
	WaitForStop types.Bool   `tfsdk:"wait_for_stop"`
	Timeout     types.String `tfsdk:"timeout"`
}

// waitForStop is wait_for_stop, true when unset.
func (a invokeArgs) waitForStop() bool { return a.WaitForStop.IsNull() || a.WaitForStop.ValueBool() }

// timeout reads the timeout argument: its duration, or the default when unset.
func (a invokeArgs) timeout(diags *diag.Diagnostics) (time.Duration, bool) {
	if a.Timeout.IsNull() || a.Timeout.IsUnknown() {
		return defaultCancelTimeout, true
	}
	if refuseTimeout(a.Timeout, path.Root("timeout"), "timeout", diags) {
		return 0, false
	}
	d, _ := knownDuration(a.Timeout)
	return d, true
}

// queryWindow is the time range of a listing, as the bulk cancel and the
// data source take it.
type queryWindow struct {
	QueryBeginTime types.String `tfsdk:"query_begin_time"`
	QueryEndTime   types.String `tfsdk:"query_end_time"`
}

// validate refuses a window that ends before it begins.
func (w queryWindow) validate(diags *diag.Diagnostics) {
	begin, okBegin := knownTime(w.QueryBeginTime)
	end, okEnd := knownTime(w.QueryEndTime)
	if okBegin && okEnd && begin.After(end) {
		diags.AddAttributeError(path.Root("query_end_time"), "Query Ends Before It Begins",
			fmt.Sprintf("query_end_time (%s) is before query_begin_time (%s); no invocation could match.",
				w.QueryEndTime.ValueString(), w.QueryBeginTime.ValueString()))
	}
}

// bounds are the window's known ends; an unset one is zero, which the
// client reads as its default (lookbackText ago, and now).
func (w queryWindow) bounds() (begin, end time.Time) {
	begin, _ = knownTime(w.QueryBeginTime)
	end, _ = knownTime(w.QueryEndTime)
	return begin, end
}

// boundsBack are the bounds with an unset begin lookbackText before the
// end, or before now (lookbackBegin, by the client's clock) without one.
func (w queryWindow) boundsBack(lookbackBegin time.Time) (begin, end time.Time) {
	begin, end = w.bounds()
	switch {
	case !begin.IsZero():
	case !end.IsZero():
		begin = end.Add(-fgs.MaxInvocationAge)
	default:
		begin = lookbackBegin
	}
	return begin, end
}
