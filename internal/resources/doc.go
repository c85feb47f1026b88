// Package resources holds the provider's Terraform types and what they share.
//
// The cancel of one async invocation, huaweicloud_fgs_async_invocation_cancel,
// comes as a resource (create sends it and records it in state; nothing else
// touches the API), an ephemeral resource (sent each time it is opened with
// enabled = true) and a Terraform 1.14+ action. The bulk cancel,
// huaweicloud_fgs_async_invocations_cancel, of listed request IDs or of every
// invocation queued or running within a window, comes as a resource (whose
// record of each request ID every apply converges on) and an action. The data
// source huaweicloud_fgs_async_invocations lists a function's async
// invocations; the provider functions parse_function_urn and function_urn
// take a function URN apart and build one.
//
// Every cancel and the data source check their arguments against the URN and
// the provider before anything is sent (at plan time where the values are
// known), send through the internal/fgs client, and turn a failure into one
// diagnostic (diagnostics.go); a bulk's failures make one error naming each.
//
// Files are named by kind then shape, as in terraform-provider-time:
// resource_cancel.go, ephemeral_cancel.go, action_cancel.go (the single
// cancel), resource_bulk_cancel.go, action_bulk_cancel.go (the bulk),
// data_source_async_invocations.go, functions_function_urn.go. What the
// shapes of one cancel share is in cancel_shared.go and
// bulk_cancel_shared.go (with the bulk's record, progress and diagnostics
// in bulk_cancel_*.go), the time and duration arguments of all of them in
// time_arguments.go.
package resources
