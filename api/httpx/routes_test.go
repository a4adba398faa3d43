package httpx_test

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/baas-oss/baas/api/httpx"
)

func TestRoutesRecordAndPassOn(t *testing.T) {
	mux := http.NewServeMux()
	r := httpx.Record(mux)
	r.HandleFunc("GET /a/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	r.Handle("POST /b", http.NotFoundHandler())
	if got, want := r.Patterns(), []string{"GET /a/{id}", "POST /b"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Patterns() = %q, want %q", got, want)
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/a/1", nil))
	if w.Code != http.StatusTeapot {
		t.Fatalf("the wrapped mux answered %d, want the registered handler's 418", w.Code)
	}
	httpx.Record(nil).Handle("GET /c", http.NotFoundHandler()) // recording only
}
