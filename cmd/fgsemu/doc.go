// Command fgsemu runs the local FunctionGraph emulator (internal/fgsemu) for
// demos, scripts and users' own tests, and drives a running one.
//
//	fgsemu [serve] -access-key AK -secret-key SK [-function URN ...]   serve until SIGINT/SIGTERM
//	               [-quota-cancel 100/10s] [-quota-list 20/1m]         ... enforcing API Gateway quotas
//	fgsemu invoke -endpoint URL -urn URN [-count N]                    start invocations, print their request IDs
//	fgsemu show -endpoint URL -urn URN [-request-id ID]                print invocations and counters
//	fgsemu help                                                        every command's flags and the control API
//
// Every serve flag can also come from an FGSEMU_* environment variable
// (FGSEMU_LISTEN, FGSEMU_ACCESS_KEY, FGSEMU_FUNCTIONS=urn1,urn2, ...); a flag
// wins over its variable. serve prints "listening on http://127.0.0.1:PORT"
// first; invoke and show drive that emulator through its control API.
package main
