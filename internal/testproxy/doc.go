// Package testproxy holds loopback servers for tests: an HTTP proxy that
// refuses every tunnel, an address where none listens, a FunctionGraph
// stand-in that echoes the request's credentials in 200 answers, and a
// server that greets in neither HTTP nor TLS.
package testproxy
