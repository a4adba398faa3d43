package codego_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// fuzzAPIs are the APIs the fuzz targets send to: every API the server registers (so a new
// one joins by itself), and one that does not exist.
var fuzzAPIs = func() []string {
	var out []string
	for _, p := range server.Routes() {
		if name, ok := strings.CutPrefix(p, "POST /api/"); ok && name != "" && !strings.ContainsAny(name, "/{") {
			out = append(out, name)
		}
	}
	return append(out, "no_such_api")
}()

// fuzzEnv is a handler over a real store with one whitelabel, a live token and a
// signed-up user. Its rate-limit clock moves a second per request, so the limit never
// hides a decoder from the fuzzer.
type fuzzEnv struct {
	h      http.Handler
	keys   core.CodegoCredentials
	token  string
	userID string
}

// newFuzzEnvs returns a fuzzEnv over SQLite, and one over PostgreSQL when its URL is set.
func newFuzzEnvs(f *testing.F) []*fuzzEnv {
	var envs []*fuzzEnv
	for _, engine := range servertest.FuzzEngines() {
		envs = append(envs, newFuzzEnv(f, engine))
	}
	return envs
}

func newFuzzEnv(f *testing.F, engine string) *fuzzEnv {
	store := storetest.Open(f, engine)
	svc, err := core.New(store, core.DefaultConfig(), core.NewMasterKey(), nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	creds, err := svc.CreateTenant(ctx, core.CreateTenantParams{Name: "fuzz", Sandbox: true})
	if err != nil {
		f.Fatal(err)
	}
	_, sess, err := svc.OpenSession(ctx, core.OpenSessionParams{ClientKey: creds.Codego.ClientKey,
		SecretKey: creds.Codego.SecretKey, APIKey: creds.Codego.APIKey, APIKeyID: creds.Codego.WhitelabelID})
	if err != nil {
		f.Fatal(err)
	}
	var mu sync.Mutex
	tick := time.Now()
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		tick = tick.Add(time.Second)
		return tick
	}
	env := &fuzzEnv{h: server.New(server.Options{Core: svc, Log: slog.New(slog.DiscardHandler), Now: now,
		AdminAuth: func(string) bool { return false }}), keys: creds.Codego, token: sess.Token}
	rec := env.send(f, "signup", servertest.SpecSignupJSON(creds.Codego, "fuzz@example.com"), "application/javascript")
	var res struct {
		UserID string `json:"user_id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || res.UserID == "" {
		f.Fatalf("signup: %s", rec.Body)
	}
	env.userID = res.UserID
	return env
}

func (e *fuzzEnv) send(t testing.TB, api string, body []byte, contentType string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/api/"+api, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("authtoken", e.token)
	req.Header.Set("clientkey", e.keys.ClientKey)
	req.Header.Set("secretkey", e.keys.SecretKey)
	req.SetBasicAuth(e.keys.APIKey, e.keys.WhitelabelID)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// check fails unless rec is a Codego envelope that is not an internal error.
func check(t *testing.T, rec *httptest.ResponseRecorder, in any) {
	t.Helper()
	if rec.Code != 200 && rec.Code != 429 {
		t.Fatalf("HTTP %d for %q: %s", rec.Code, in, rec.Body)
	}
	var env struct {
		Status any `json:"status"`
		Code   int `json:"code"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Status == nil {
		t.Fatalf("not a Codego envelope for %q: %s", in, rec.Body)
	}
	if env.Code == 502 || env.Code == 503 {
		t.Fatalf("internal error for %q: %s", in, rec.Body)
	}
}

// FuzzCodegoRequest sends arbitrary bodies, as JSON, url-encoded forms or text, to every
// API through the whole handler stack: no input may panic, answer a 5xx or an internal
// error code (502/503), and every answer is the Codego envelope.
func FuzzCodegoRequest(f *testing.F) {
	envs := newFuzzEnvs(f)
	env := envs[0]
	seeds := []string{
		``, `{}`,
		string(servertest.SpecSignupJSON(env.keys, "seed@example.com")),
		`{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","user_id":"Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4\/wSbcJ0Ho6wWzY9czeGTBJhMd0S4=","type":"prepaid"}`,
		`{"user_id":"` + env.userID + `","type":"debitcard"}`,
		`{"user_id":"` + strings.ReplaceAll(env.userID, "/", `\/`) + `"}`,
		`{"user_id":"` + env.userID + `","document_id":"1","document_number":"1234568910"}`,
		`{"country_id":1e400,"dob":"1989-13-01","is_same":"01","zipcode":-0}`,
		`{"name":{"a":[1,2,null]},"mobile":[],"email":null}`,
		`user_id=` + env.userID + `&type=prepaid`,
		`[]`, `null`, "\xff\xfe", `{"user_id":"\u0000"}`, `{"type":"prepaid","type":7}`,
		`{"whitelabel_id":"\u0000","apikey":"\u0000"}`, `{"authtoken":"\u0000"}`, "user_id=%00&type=%ff",
		// The card statements' filters: page, type, month and year.
		`{"user_id":"` + env.userID + `","page":0,"type":"refund"}`,
		`{"user_id":"` + env.userID + `","page":"99999999999999999999","type":"CREDIT"}`,
		`{"user_id":"` + env.userID + `","page":-1e3,"type":["debit"]}`,
		`{"user_id":"` + env.userID + `","month":"12","year":"21","page":"2"}`,
		`{"user_id":"` + env.userID + `","month":12,"year":2021}`,
		`{"user_id":"` + env.userID + `","month":"00","year":"-1"}`,
		`{"user_id":"` + env.userID + `","month":"1.5","year":"２０２１"}`,
		`user_id=` + env.userID + `&month=7&year=&page=1`,
		// The gift-card fields: amount, mobile_number, access_code, card_id.
		`{"user_id":"` + env.userID + `","amount":"10","mobile_number":"39-1234567890"}`,
		`{"user_id":"` + env.userID + `","amount":10.5,"mobile_number":"+39 123"}`,
		`{"user_id":"` + env.userID + `","amount":"-0.01","mobile_number":"\u0000"}`,
		`{"user_id":"` + env.userID + `","amount":"1e9"}`, `{"user_id":"` + env.userID + `","amount":[]}`,
		`{"user_id":"` + env.userID + `","access_code":"WERD-WEXS-SWAA-ONSW","card_id":"GTBJhMd0S4wSbcJ0Ho6wWzY9cze"}`,
		`{"user_id":"` + env.userID + `","access_code":null,"card_id":"00000000-0000-0000-0000-000000000000"}`,
		`{"user_id":"` + env.userID + `","access_code":"` + strings.Repeat("A", 100) + `","card_id":7}`,
		"user_id=" + env.userID + "&amount=10&mobile_number=39-1234567890",
		// The float filters.
		`{"start_date":"2025-02-30","end_date":"","trans_type":"debit"}`, `{"month":"13","year":"20x5"}`,
	}
	for i := range fuzzAPIs {
		for _, s := range seeds {
			f.Add(uint8(i), uint8(0), []byte(s))
		}
	}
	f.Add(uint8(9), uint8(1), []byte("user_id="+env.userID+"&type=prepaid"))
	types := []string{"application/json", "application/x-www-form-urlencoded", "application/javascript", "text/plain",
		"multipart/form-data"}
	f.Fuzz(func(t *testing.T, api, ctype uint8, body []byte) {
		for _, env := range envs {
			check(t, env.send(t, fuzzAPIs[int(api)%len(fuzzAPIs)], body, types[int(ctype)%len(types)]), body)
		}
	})
}

// FuzzCodegoUpload sends arbitrary multipart forms to the upload APIs: arbitrary field
// values and file bytes (seeded with real images) and arbitrary raw multipart bodies.
func FuzzCodegoUpload(f *testing.F) {
	envs := newFuzzEnvs(f)
	env := envs[0]
	png, jpg := testImage(f, "png"), testImage(f, "jpeg")
	f.Add(uint8(0), env.userID, "1", "1234568910", jpg, png, []byte(nil))
	f.Add(uint8(1), strings.ReplaceAll(env.userID, "/", `\\/`), "2", "", png, []byte(nil), []byte(nil))
	f.Add(uint8(0), "O39I2XXEsBtAgb0Cwd0CHUZiI290wmoqkXTcKETz\\/V7uLds3J3OFKgtDzSg=", "x", "", []byte("GIF89a"), []byte{0xff, 0xd8, 0xff}, []byte(nil))
	f.Add(uint8(1), env.userID, "", "", []byte(nil), []byte(nil),
		[]byte("--B\r\nContent-Disposition: form-data; name=\"address_proof\"; filename=\"a.jpg\"\r\n\r\n\xff\xd8\xff\xe0\r\n--B--\r\n"))
	f.Fuzz(func(t *testing.T, api uint8, userID, docID, number string, front, back, raw []byte) {
		name := []string{"upload_id_proof", "address_proof"}[int(api)%2]
		var body []byte
		ct := "multipart/form-data; boundary=B"
		if len(raw) > 0 {
			body = raw
		} else {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			fields := map[string]string{"user_id": userID, "document_id": docID, "document_number": number}
			keys := make([]string, 0, len(fields))
			for k := range fields {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				_ = mw.WriteField(k, fields[k])
			}
			for _, file := range []struct {
				name string
				data []byte
			}{{"front_proof", front}, {"back_proof", back}, {"address_proof", front}} {
				if file.data != nil {
					w, _ := mw.CreateFormFile(file.name, "x.jpg")
					_, _ = w.Write(file.data)
				}
			}
			_ = mw.Close()
			body, ct = buf.Bytes(), mw.FormDataContentType()
		}
		for _, env := range envs {
			check(t, env.send(t, name, body, ct), body)
		}
	})
}
