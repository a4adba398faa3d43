package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/baas-oss/baas/server/servertest"
)

// TestNoRedirects: paths the standard mux would clean or complete with a slash get the
// dialect's own 404 envelope, never a redirect (the fuzzer found the 307 for
// "/v1/accounts/customer-info-by-email/a/../b").
func TestNoRedirects(t *testing.T) {
	e := servertest.Start(t, "sqlite")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct{ method, target, prefix string }{
		{"GET", "/v1/accounts/customer-info-by-email/a/../b", `{"statusCode":404,"error":`},
		{"GET", "/v1/accounts//transactions/1", `{"statusCode":404,"error":`},
		{"GET", "/v1/./accounts/customer-info/1", `{"statusCode":404,"error":`},
		{"POST", "/v1", `{"statusCode":404,"error":`},
		{"POST", "/api", `{"status":0`},
		{"POST", "/api//authenticaion", `{"status":0`},
		{"POST", "/api/../api/authenticaion", `{"status":0`},
		{"GET", "//admin/api/tenants", `{"error":`},
		{"GET", "/admin/api/../../healthz", `{"error":`},
	} {
		req, err := http.NewRequest(tc.method, e.URL+tc.target, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body := string(b)
		// Codego answers errors with HTTP 200 and the code in the body (docs/codego.md).
		want := http.StatusNotFound
		if strings.HasPrefix(tc.prefix, `{"status":0`) {
			want = http.StatusOK
			if !strings.Contains(body, `"code":404`) {
				t.Errorf("%s %s: %s, want code 404", tc.method, tc.target, body)
			}
		}
		if resp.StatusCode != want || !strings.HasPrefix(body, tc.prefix) {
			t.Errorf("%s %s: %d %q, want %d starting %s", tc.method, tc.target, resp.StatusCode, body, want, tc.prefix)
		}
	}
}
