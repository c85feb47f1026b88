// Package validators holds the plan-time checks of arguments shared by the
// provider block and its types: function URN, request ID, region, project
// ID, endpoint URL and credential text, each built on the fgs package's own
// rules so the API and the configuration are judged alike; RFC 3339 times
// and positive Go durations; and whole numbers within bounds, read from a
// number so that 1.5 gets an error naming the argument rather than the
// framework's conversion error. Null and unknown values pass: they are
// checked once known.
package validators
