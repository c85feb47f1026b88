// Package testproxy holds loopback HTTP proxies for tests: one that refuses
// every tunnel, and an address where none listens.
package testproxy
