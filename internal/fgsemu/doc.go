// Package fgsemu is a local stand-in for the Huawei Cloud FunctionGraph API
// (async invoke, list async invocations, cancel) and the IAM call that issues
// temporary credentials for an agency.
//
// It verifies requests exactly as the Huawei Cloud Go SDK signs them
// (SDK-HMAC-SHA256 and SDK-HMAC-SM3, signature.go and canonical_request.go)
// or accepts an X-Auth-Token; keeps functions and their invocations in memory
// and computes their states lazily from timestamps, with no goroutine or
// timer per invocation (simulation.go); injects faults on demand (faults.go,
// fault_answers.go); enforces API Gateway quotas, answering 429 APIGW.0308
// per API and credential in fixed windows (quota.go); and counts what it saw
// (stats.go). handler.go routes each request to the FunctionGraph API
// (fgsapi.go) or IAM (iam.go); control.go serves the unauthenticated
// /_emulator/ API that sets all this up over HTTP, to loopback clients only.
//
// Where FunctionGraph's API page is silent it picks one behaviour and says
// so: a cancel of a queued (WAIT) invocation is accepted and ends it as
// DISCARD with error code 4208 (the provider handles a refusal as well).
// Invocation.CancelRequests counts every cancel that reached an invocation,
// accepted or refused, so tests can prove none was sent twice.
//
// Tests start it in-process with New and Start; cmd/fgsemu serves it as a
// program. It never panics on any input and never hangs: every wait honours
// the request's context and Close.
package fgsemu
