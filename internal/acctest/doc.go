// Package acctest holds what the provider's tests share: the test
// credentials and an emulator per test (acctest.go, with the IAM agencies
// and tokens in auth.go), provider factories that serve the provider
// in-process exactly as the binary does, the Terraform CLI's setup (Main),
// a CLI attached to the in-process provider for what a plugin-testing step
// cannot run (cli.go), a protocol-6 driver for actions where this machine's
// Terraform is too old (protocol.go), checks of results (ErrorPattern,
// StateFunc, CountResources), and the acceptance tests' cloud setup,
// skipped without TF_ACC and the HW_* variables (cloud.go).
package acctest
