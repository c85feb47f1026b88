// Package pluginserver serves the provider to Terraform over protocol 6, as
// the framework's providerserver.Serve does, with two changes that keep an
// apply of thousands of resources cheap: the provider makes no log lines
// Terraform would throw away, and the framework forgets each call's context
// when the call returns. The README's Performance section measures both.
package pluginserver
