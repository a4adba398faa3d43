package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/baas-oss/baas/store/storetest"
)

// TestCardsLogNothingSecret runs the card collection against the real binary — order,
// operator accept and ship, activation (a wrong CVV first), PIN change, the dev card
// info, a virtual card and its JWE after the key is registered with the CLI — and then
// reads everything the server wrote (stdout and stderr, the access log included): no card
// number, no CVV, no PIN.
func TestCardsLogNothingSecret(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		st := newStore(t, engine)
		srv := startServer(t, st)
		out := srv.stdout.String()
		token, creds := printedToken(t, out), printedCredentials(t, out)
		g := girasolHeader(creds.Girasol)
		call := func(method, path string, body any, want int) map[string]any {
			t.Helper()
			var raw []byte
			if body != nil {
				raw, _ = json.Marshal(body)
			}
			resp, b := srv.request(t, method, path, raw, g)
			wantStatus(t, method+" "+path, resp, b, want)
			var env struct {
				Data map[string]any `json:"data"`
			}
			_ = json.Unmarshal(b, &env)
			return env.Data
		}
		admin := func(method, path string, body any) []byte {
			t.Helper()
			resp, b := srv.admin(t, token, method, path, body)
			wantStatus(t, method+" "+path, resp, b, http.StatusOK)
			return b
		}
		account := func(handle string) float64 {
			t.Helper()
			createAccount(t, srv, creds.Girasol, handle)
			resp, b := srv.request(t, "GET", "/v1/accounts/customer-info-by-email/"+handle+"@example.com", nil, g)
			wantStatus(t, "customer-info-by-email", resp, b, http.StatusOK)
			var env struct {
				Data struct{ AccountNumber float64 } `json:"data"`
			}
			decodeJSON(t, "customer-info-by-email", b, &env)
			return env.Data.AccountNumber
		}

		// A physical card through its life.
		id := call("POST", "/v1/cards/create-card", map[string]any{"address1": "calle 53A# 77-11", "zipCode": "051043",
			"city": "medellin", "firstName": "andres", "lastName": "cepeda", "accountNumber": account("ana")}, 201)["cardId"].(string)
		admin("POST", "/admin/api/cards/"+id+"/accept", nil)
		admin("POST", "/admin/api/cards/"+id+"/ship", nil)
		var sd struct{ PAN, CVV string }
		decodeJSON(t, "sandbox-data", admin("GET", "/admin/api/cards/"+id+"/sandbox-data", nil), &sd)
		last4 := sd.PAN[len(sd.PAN)-4:]
		wrong := fmt.Sprintf("%03d", (int(sd.CVV[0]-'0')*100+int(sd.CVV[1]-'0')*10+int(sd.CVV[2]-'0')+1)%1000)
		call("PATCH", "/v1/cards/activate", map[string]any{"cardId": id, "pin": "7391", "cvv": wrong, "lastFour": last4}, 409)
		call("PATCH", "/v1/cards/activate", map[string]any{"cardId": id, "pin": "7391", "cvv": sd.CVV, "lastFour": last4}, 200)
		call("POST", "/v1/cards/change-pin", map[string]any{"cardId": id, "old_pin": "7391", "new_pin": "8264"}, 201)
		call("POST", "/v1/cards/change-pin", map[string]any{"cardId": id, "old_pin": "7391", "new_pin": "8264"}, 409)
		call("GET", "/v1/cards/"+id+"/card-info", nil, 200)
		call("PATCH", "/v1/cards/"+id+"/block", nil, 200)

		// A virtual card, its data encrypted to a key registered with the CLI.
		vid := call("POST", "/v1/cards/create-virtual-card", map[string]any{"firstName": "luis", "lastName": "marquines",
			"accountNumber": account("luis")}, 201)["cardId"].(string)
		call("GET", "/v1/cards/"+vid+"/virtual-card-info", nil, 409)
		priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		der, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
		keyFile := filepath.Join(t.TempDir(), "company.pem")
		if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		res := mustRun(t, st, nil, "card-data-key", "set", "--tenant", creds.TenantID, "--kid", "cli-key", "--public-key-file", keyFile)
		if !strings.Contains(res.stdout, "kid:         cli-key") {
			t.Fatalf("card-data-key set printed:\n%s", res.stdout)
		}
		res = mustRun(t, st, nil, "card-data-key", "get", "--tenant", creds.TenantID, "--json")
		var got struct {
			KeyID string `json:"kid"`
		}
		if err := json.Unmarshal([]byte(res.stdout), &got); err != nil || got.KeyID != "cli-key" {
			t.Fatalf("card-data-key get: %q %v", res.stdout, err)
		}
		if res := runBaas(t, st, nil, "card-data-key", "set", "--tenant", creds.TenantID, "--kid", "bad",
			"--public-key", "not a key"); res.code == 0 || !strings.Contains(res.stderr, "neither a PEM block") {
			t.Fatalf("a malformed key: exit %d\n%s", res.code, res.stderr)
		}
		resp, b := srv.admin(t, token, "GET", "/admin/api/tenants/"+creds.TenantID+"/card-data-key", nil)
		wantStatus(t, "GET card-data-key", resp, b, http.StatusOK)
		if !bytes.Contains(b, []byte(`"kid":"cli-key"`)) {
			t.Fatalf("GET card-data-key: %s", b)
		}
		jwe := call("GET", "/v1/cards/"+vid+"/virtual-card-info", nil, 200)["cardInfo"].(map[string]any)["encryptedData"].(string)
		if strings.Count(jwe, ".") != 4 {
			t.Fatalf("not a compact JWE: %q", jwe)
		}
		var vd struct{ PAN, CVV string }
		decodeJSON(t, "sandbox-data", admin("GET", "/admin/api/cards/"+vid+"/sandbox-data", nil), &vd)

		// Everything the server wrote.
		logs := srv.stdout.String() + srv.stderr.String()
		if !strings.Contains(logs, "/v1/cards/activate") {
			t.Fatalf("the access log shows no card request:\n%s", logs)
		}
		// Fields of the access log that are numbers by nature.
		logs = regexp.MustCompile(`(status|duration|time|latency)=\S+`).ReplaceAllString(logs, "")
		for _, secret := range []string{sd.PAN, vd.PAN, sd.CVV, vd.CVV, wrong, "7391", "8264"} {
			if regexp.MustCompile(`(^|[^0-9A-Za-z])` + secret + `($|[^0-9A-Za-z])`).MatchString(logs) {
				t.Errorf("the server's output holds %q:\n%s", secret, logs)
			}
		}
	})
}
