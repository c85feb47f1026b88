// Package fgsemu is a local stand-in for the Huawei Cloud FunctionGraph API
// (async invoke, list async invocations, cancel) and the IAM call that issues
// temporary credentials for an agency.
//
// It verifies requests exactly as the Huawei Cloud Go SDK signs them
// (SDK-HMAC-SHA256 and SDK-HMAC-SM3), keeps invocations in memory, computes
// their state lazily from timestamps (no goroutine or timer per invocation),
// injects faults on demand and counts what it saw. Tests start it in-process
// with New and Start; cmd/fgsemu serves it as a program.
//
// Where FunctionGraph's API page is silent it picks one behaviour and says
// so: a cancel of a queued (WAIT) invocation is accepted and ends it as
// DISCARD with error code 4208 (the provider handles a refusal as well).
// Invocation.CancelRequests counts every cancel that reached an invocation,
// accepted or refused, so tests can prove none was sent twice.
//
// It never panics on any input and never hangs: every wait honours the
// request's context and Close.
package fgsemu
