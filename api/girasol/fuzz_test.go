package girasol_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/baas-oss/baas/server"
	"github.com/baas-oss/baas/server/servertest"
)

// fuzzRoutes are every Girasol route the server registers, each as its method and its
// path up to the first wildcard (the fuzzer writes the rest): a new route joins by itself.
var fuzzRoutes = func() []struct{ method, path string } {
	var out []struct{ method, path string }
	seen := map[string]bool{}
	for _, p := range server.Routes() {
		method, path, ok := strings.Cut(p, " ")
		if !ok || !strings.HasPrefix(path, "/v1/") {
			continue
		}
		if i := strings.IndexByte(path, '{'); i >= 0 {
			path = path[:i]
		}
		if k := method + " " + path; !seen[k] {
			seen[k] = true
			out = append(out, struct{ method, path string }{method, path})
		}
	}
	return out
}()

// bareAnswers are the routes whose success the spec shows without the envelope.
var bareAnswers = map[string]bool{"POST /v1/controls/": true, "POST /v1/auth/token": true}

// FuzzGirasolRequest sends arbitrary bodies, path tails and idempotency keys through the
// whole handler stack over a real SQLite store, and PostgreSQL when its URL is set: no
// input may panic or produce a 5xx, and every answer must be the Girasol envelope.
func FuzzGirasolRequest(f *testing.F) {
	for _, seed := range []string{
		`{"companyId":"d3574800-e15e-4292-8ad4-608d465acbc4","firstName":"alejo","lastName":"villegas","addressLine1":"cra123","addressLine2":"asd","city":"montevideo","zipCode":"000","phone":"3018775627","email":"a@example.com","handle":"asdd"}`,
		`{"companyId" : "5588e1b3-c1c1-4913-94a0-4d952645fcae","accountNumber" : 36290590,"status" : 1}`,
		`{"companyId" : "d3574800-e15e-4292-8ad4-608d465acbc4","accountNumber" : 24875232,"amount" : 500,"message": "message to user"}`,
		`{"companyId" : "d3574800-e15e-4292-8ad4-608d465acbc4","originAccountNumber" : 11937218,"destinarionAccountNumber" : 24875232, "amount" : 500,"message": "peer to peer message"}`,
		`{"amount": 1e400}`, `{"amount": -0}`, `{"amount": 5.000000000000001}`, `[]`, `null`, `{"a":{"b":[1,2,{"c":null}]}}`,
		"\xff\xfe", `{"message":"\u0000"}`, `{"amount":500,"amount":"x"}`,
		`{"address1": "calle 53A# 77-11","address2": "Apto 44","zipCode": "051043","state": "antioquia","city": "medellin","firstName": "andres","lastName": "cepeda","phone": "+573194236735342","nameForPrint": "Alejandro Villegas","accountNumber" : 37322295}`,
		`{"cardId": "61615673-b1d5-4a17-bf3a-f905a9586aef","old_pin": "1234","new_pin": "4321"}`,
		`{"cardId": "fa2f46d8-1679-48e0-8c96-39b84141403c","pin": "1234","cvv": "859","lastFour": "7894"}`,
		`{"cardId": "07672c12-9686-4102-8f55-199b6b5f0869","transactionType" : "purchase"}`,
		`{"cardId": "07672c12-9686-4102-8f55-199b6b5f0869","transactionType" : "reseversal"}`,
	} {
		for i := range fuzzRoutes {
			f.Add(uint8(i), []byte(seed), "14507214", "")
		}
	}
	f.Add(uint8(5), []byte(nil), "a%40example.com", "key")
	f.Add(uint8(6), []byte(nil), "99999999?limit=0&cursor=-1", "")
	f.Add(uint8(5), []byte(nil), "a/../b", "") // the mux would redirect these
	f.Add(uint8(4), []byte(nil), "1//../.", "")
	f.Add(uint8(5), []byte(nil), "%00", "") // text PostgreSQL cannot store
	f.Add(uint8(5), []byte(nil), "%ff%fe", "")
	f.Add(uint8(6), []byte(nil), "14507214?cursor=%00&limit=%ff", "")
	f.Add(uint8(11), []byte(nil), "5bc3890d-e745-4ea3-bcd6-b5fab04b062e/freeze", "")
	f.Add(uint8(12), []byte(nil), "info-by-card-id/9c530680-5455-46e3-9ad5-372bfb6ebdc", "")
	f.Add(uint8(12), []byte(nil), "info-by-account/1114719", "")
	f.Add(uint8(12), []byte(nil), "f89330f0-108f-42f4-8e59-891c87879fe6/virtual-card-info", "")

	targets := servertest.FuzzTargets(f, false)

	f.Fuzz(func(t *testing.T, route uint8, body []byte, tail, idemKey string) {
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		target := rt.path
		if strings.HasSuffix(rt.path, "/") {
			target += tail
		}
		for _, tg := range targets {
			req, err := http.NewRequest(rt.method, "http://baas.test"+target, bytes.NewReader(body))
			if err != nil {
				return // not a request a client could send
			}
			req.Header = servertest.GirasolHeaders(tg.Tenant)
			if idemKey != "" {
				req.Header["Idempotency-Key"] = []string{idemKey}
			}
			rec := httptest.NewRecorder()
			tg.Handler.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %s %q -> %d %s", rt.method, target, body, rec.Code, rec.Body)
			}
			if rec.Code < 300 && bareAnswers[rt.method+" "+rt.path] {
				continue
			}
			if !bytes.HasPrefix(rec.Body.Bytes(), []byte(fmt.Sprintf(`{"statusCode":%d,"error":`, rec.Code))) {
				t.Fatalf("not a Girasol envelope: %d %s", rec.Code, rec.Body)
			}
		}
	})
}
