// Package fgs speaks to Huawei Cloud FunctionGraph through the official Go
// SDK and knows nothing of Terraform. It adds what the SDK lacks: a context
// on every call, bounded retries of 5xx and connection failures
// (RetryPolicy), throttled answers waited out at one pace per endpoint,
// credential and API shared by the whole process (pace.go, throttle.go),
// recovered SDK panics, and one error type, *Error, that says what went
// wrong and carries what a support ticket needs.
//
// URN parses and checks function URNs; Endpoint finds a region's endpoint.
// A Client, built once from a Config and safe for concurrent use, signs with
// access keys, a token or an agency's temporary credentials it renews
// (credentials.go, iam.go); it starts an invocation (InvokeAsync), cancels
// one (Cancel) or many through a bounded worker pool (CancelMany), lists invocations
// (ListInvocations, GetInvocation, ListUnfinished) and waits for them to end
// (WaitForStop, WaitForStopMany). Everything that reads the time or waits
// goes through the client's clock (clock.go), which tests replace.
//
// The files follow a call: client.go builds the Client, call.go drives the
// SDK and decides whether to try again (retry.go), transport.go carries the
// context to the HTTP request, classify.go and answer.go say what an answer
// means, errors.go is the error type.
package fgs
