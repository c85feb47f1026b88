//go:build race

package reliability

// raceEnabled builds the provider binary with the race detector too.
const raceEnabled = true
