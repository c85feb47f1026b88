// Package fgsemu is a local stand-in for the Huawei Cloud FunctionGraph API
// (async invoke, list async invocations, cancel) and the IAM call that issues
// temporary credentials for an agency.
//
// It verifies requests exactly as the Huawei Cloud Go SDK signs them
// (SDK-HMAC-SHA256 and SDK-HMAC-SM3), keeps invocations in memory, computes
// their state lazily from timestamps (no goroutine or timer per invocation),
// injects faults on demand, enforces API Gateway quotas (SetQuota: 429
// APIGW.0308 per API and credential in fixed windows) and counts what it saw. Tests start it in-process
// with New and Start; cmd/fgsemu serves it as a program.
//
// It never panics on any input and never hangs: every wait honours the
// request's context and Close.
package fgsemu
