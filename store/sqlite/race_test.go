//go:build race

package sqlite_test

// raceEnabled: the race detector instruments the whole of the pure-Go SQLite engine.
const raceEnabled = true
