// Package reliability holds no code, only the suite that proves the provider
// under faults, load and bad input, through the real Terraform CLI against
// the in-process FunctionGraph emulator (internal/fgsemu):
//
//   - faults: every failure the API or the network can produce (5xx then
//     success, 429 with Retry-After, errors beyond max_retries, connections
//     dropped before and after the cancel was carried out, a server that
//     never answers, unreadable answers) ends in the right outcome, a clear
//     diagnostic and the emulator counters to match, never a panic or a false
//     success; an interrupted apply exits within seconds with a consistent
//     state;
//   - bulk: a thousand request IDs in one bulk cancel under 10 % faults are
//     each cancelled and recorded once, and Ctrl-C in the middle of a bulk
//     loses no accepted cancel and sends none twice on the next apply;
//   - records: off the happy path (destroying many records, a change of type
//     alone, an answer lost across applies, an invocation that ends between
//     plan and apply) the record and the output say what happened;
//   - load: hundreds of cancels in one apply at -parallelism=50 with transient
//     5xx land exactly once each, over no more connections than the
//     parallelism needs, without leaking goroutines; the data source lists
//     thousands of invocations over one connection;
//   - memory: a list without end fails at the listing cap with the
//     provider's peak RSS under 100 MB;
//   - bad input: every wrong configuration fails at validate or plan time,
//     naming the argument and what is expected, and sends nothing;
//   - secrets: with TF_LOG=TRACE, the secret key and security token appear in
//     no log, diagnostic, plan or state, and the access key only masked; TLS
//     is verified unless insecure is set.
//
// Every Terraform command the suite runs is scanned for secrets, panics and
// data races. The suite prints its figures (go test -v ./internal/reliability/)
// and internal/reliability/README.md quotes them. FGS_LONG=1 runs the
// heavier load variant.
package reliability
