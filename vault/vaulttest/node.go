// Package vaulttest decrypts card data with an implementation independent of the one
// that encrypts it: the npm jose package run by node. Tests of the vault and of the
// endpoints that hand card data out use it.
package vaulttest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// NodeJoseEnv names a node_modules folder holding the npm jose package. Set, it makes
// the tests that decrypt with node mandatory (CI sets it); unset, they look in
// DefaultModules and are skipped when node or the package is missing.
const NodeJoseEnv = "BAAS_TEST_NODE_JOSE"

// nodeJoseScript decrypts the JWE in $JWE with the private JWK in $JWK using the npm
// jose package and prints the protected header and the plaintext as JSON.
const nodeJoseScript = `
import * as jose from 'jose';
const key = await jose.importJWK(JSON.parse(process.env.JWK), 'ECDH-ES');
const { plaintext, protectedHeader } = await jose.compactDecrypt(process.env.JWE, key);
process.stdout.write(JSON.stringify({ header: protectedHeader, plaintext: new TextDecoder().decode(plaintext) }));
`

// NodeJose returns a function that decrypts a compact JWE with a private JWK through
// node's jose and returns the protected header and the plaintext. defaultModules is the
// node_modules folder to use when NodeJoseEnv is unset (relative to the test's package).
func NodeJose(t testing.TB, defaultModules string) func(jwk, jwe string) (header map[string]any, plaintext string) {
	t.Helper()
	modules, required := os.Getenv(NodeJoseEnv), true
	if modules == "" {
		modules, required = defaultModules, false
	}
	skip := func(format string, a ...any) {
		t.Helper()
		if required {
			t.Fatalf(format, a...)
		}
		t.Skipf(format+" (set "+NodeJoseEnv+" to a node_modules folder with jose installed: npm install --prefix DIR jose)", a...)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("node is not installed")
	}
	modules, err = filepath.Abs(modules)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(modules, "jose", "package.json")); err != nil {
		skip("the npm jose package is not in %s", modules)
	}
	// node resolves "jose" from the script's folder: put the script beside a link to the
	// modules folder.
	dir := t.TempDir()
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "decrypt.mjs")
	if err := os.WriteFile(script, []byte(nodeJoseScript), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(jwk, jwe string) (map[string]any, string) {
		t.Helper()
		cmd := exec.Command(node, script)
		cmd.Env = append(os.Environ(), "JWK="+jwk, "JWE="+jwe)
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("node jose: %v\n%s", err, stderr)
		}
		var res struct {
			Header    map[string]any `json:"header"`
			Plaintext string         `json:"plaintext"`
		}
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("node output %q: %v", out, err)
		}
		return res.Header, res.Plaintext
	}
}
