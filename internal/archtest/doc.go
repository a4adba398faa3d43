// Package archtest holds the test of what may import what in baas: the one table of the
// allowed directions between the module's packages (rules in arch_test.go, explained in
// docs/design.md). It has no code of its own.
package archtest
