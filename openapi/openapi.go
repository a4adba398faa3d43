// Package openapi holds the hand-maintained OpenAPI 3.1 documents of baas's three APIs —
// girasol.json (the Girasol dialect), codego.json (the Codego dialect) and admin.json (the
// operator API: admin and sandbox) — embedded in the binary, which serves them at
// /openapi/{name}.json with a rendered reference at /docs. The tests of the servertest
// package validate every request and response of the end-to-end tests against them, and
// a route-coverage test fails for a route without a documented operation
// (docs/design.md "The API reference").
package openapi

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.json
var files embed.FS

// Names are the documents the binary may serve, in the order the reference lists them.
var Names = []string{"girasol", "codego", "admin"}

// Document returns the JSON text of the named document ("girasol", "codego", "admin"),
// and false when the binary has none of that name.
func Document(name string) ([]byte, bool) {
	if strings.ContainsAny(name, "/\\.") || name == "" {
		return nil, false
	}
	b, err := files.ReadFile(name + ".json")
	if err != nil {
		return nil, false
	}
	return b, true
}

// Available returns the names of the documents the binary holds, in the order of Names.
func Available() []string {
	have := map[string]bool{}
	entries, _ := fs.ReadDir(files, ".")
	for _, e := range entries {
		have[strings.TrimSuffix(e.Name(), ".json")] = true
	}
	var out []string
	for _, n := range Names {
		if have[n] {
			out = append(out, n)
			delete(have, n)
		}
	}
	var rest []string
	for n := range have {
		rest = append(rest, n)
	}
	sort.Strings(rest)
	return append(out, rest...)
}
