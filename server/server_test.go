package server_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server"
	"github.com/baas-oss/baas/store/storetest"
)

// TestNoRedirects: paths the standard mux would clean or complete with a slash get the
// dialect's own 404 envelope, never a redirect (the fuzzer found the 307 for
// "/v1/accounts/customer-info-by-email/a/../b").
func TestNoRedirects(t *testing.T) {
	store := storetest.Open(t, "sqlite")
	svc, err := core.New(store, core.DefaultConfig(), core.NewMasterKey(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := server.New(server.Options{Core: svc, Log: slog.New(slog.DiscardHandler), AdminAuth: func(string) bool { return false }})
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
		req := httptest.NewRequest(tc.method, "http://baas.test/", nil)
		req.URL.Path, req.URL.RawPath = tc.target, ""
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		// Codego answers errors with HTTP 200 and the code in the body (docs/codego.md).
		want, body := http.StatusNotFound, rec.Body.String()
		if strings.HasPrefix(tc.prefix, `{"status":0`) {
			want = http.StatusOK
			if !strings.Contains(body, `"code":404`) {
				t.Errorf("%s %s: %s, want code 404", tc.method, tc.target, body)
			}
		}
		if rec.Code != want || !strings.HasPrefix(body, tc.prefix) {
			t.Errorf("%s %s: %d %q, want %d starting %s", tc.method, tc.target, rec.Code, body, want, tc.prefix)
		}
	}
}
