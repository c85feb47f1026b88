// Package fgs speaks to Huawei Cloud FunctionGraph through the official Go
// SDK and adds what the SDK lacks: context on every call, bounded retries,
// recovered panics and one error type. It knows nothing of Terraform.
package fgs
