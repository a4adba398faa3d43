package servertest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/baas-oss/baas/core"
)

// Clock is a clock tests move by hand.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t.UTC()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// StartClock is Start with the core's and the server's clock set to clock.
func StartClock(t testing.TB, engine string, clock *Clock) *Env {
	t.Helper()
	return StartWith(t, engine, Options{Now: clock.Now})
}

// Codego is a Codego client of one whitelabel: its keys and an auth token.
type Codego struct {
	Env   *Env
	Keys  core.CodegoCredentials
	Token string
}

// CodegoLogin authenticates as the spec's example does (clientkey and secretkey headers,
// apikey and whitelabel_id through HTTP Basic) and returns a client with the token.
func (e *Env) CodegoLogin(t testing.TB, creds *core.TenantCredentials) *Codego {
	t.Helper()
	c := &Codego{Env: e, Keys: creds.Codego}
	r := c.Authenticate(t, "authenticaion")
	tok, _ := r.JSON["auth_token"].(string)
	if r.Status != 200 || r.JSON["status"] != float64(1) || tok == "" {
		t.Fatalf("authenticaion: %d %s", r.Status, r.Raw)
	}
	c.Token = tok
	return c
}

// Authenticate sends the authentication request to /api/<name> with the client's keys.
func (c *Codego) Authenticate(t testing.TB, name string) *Response {
	t.Helper()
	h := http.Header{}
	h.Set("clientkey", c.Keys.ClientKey)
	h.Set("secretkey", c.Keys.SecretKey)
	req, _ := http.NewRequest("POST", "/", nil)
	req.SetBasicAuth(c.Keys.APIKey, c.Keys.WhitelabelID)
	h.Set("Authorization", req.Header.Get("Authorization"))
	return c.Env.Do(t, "POST", "/api/"+name, nil, h)
}

// Post sends a JSON body to /api/<name> with the auth token header and apikey and
// whitelabel_id added to the body, as the spec's examples do.
func (c *Codego) Post(t testing.TB, name string, body map[string]any) *Response {
	t.Helper()
	b := map[string]any{"apikey": c.Keys.APIKey, "whitelabel_id": c.Keys.WhitelabelID}
	for k, v := range body {
		b[k] = v
	}
	return c.Raw(t, name, b, "application/json")
}

// Call sends /api/<name> as the curl examples of refreshtoken and the lists do: the
// authtoken header, apikey and whitelabel_id through HTTP Basic, no body.
func (c *Codego) Call(t testing.TB, name string) *Response {
	t.Helper()
	h := http.Header{}
	h.Set("authtoken", c.Token)
	req, _ := http.NewRequest("POST", "/", nil)
	req.SetBasicAuth(c.Keys.APIKey, c.Keys.WhitelabelID)
	h.Set("Authorization", req.Header.Get("Authorization"))
	return c.Env.Do(t, "POST", "/api/"+name, nil, h)
}

// Raw sends body (JSON-encoded unless it is a string or []byte) with the auth token and
// the given content type, and nothing else.
func (c *Codego) Raw(t testing.TB, name string, body any, contentType string) *Response {
	t.Helper()
	h := http.Header{}
	h.Set("authtoken", c.Token)
	h.Set("Content-Type", contentType)
	if body == nil {
		body = []byte{}
	}
	return c.Env.Do(t, "POST", "/api/"+name, body, h)
}

// Form sends a multipart form to /api/<name> with the auth token header and apikey and
// whitelabel_id as form fields, as the upload examples do. Files are sent with file names.
func (c *Codego) Form(t testing.TB, name string, fields map[string]string, files map[string][]byte) *Response {
	t.Helper()
	all := map[string]string{"apikey": c.Keys.APIKey, "whitelabel_id": c.Keys.WhitelabelID}
	for k, v := range fields {
		all[k] = v
	}
	body, ct := MultipartBody(t, all, files)
	return c.Raw(t, name, body, ct)
}

// MultipartBody encodes fields and files (in name order) as multipart/form-data and
// returns the body and its content type.
func MultipartBody(t testing.TB, fields map[string]string, files map[string][]byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, k := range sortedKeys(fields) {
		if err := mw.WriteField(k, fields[k]); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range sortedKeys(files) {
		fw, err := mw.CreateFormFile(k, "1669714244scaled_"+k+".jpg")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(fw, bytes.NewReader(files[k])); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CodegoSignupBody is the spec's signup example (without apikey and whitelabel_id) with
// the given email.
func CodegoSignupBody(email string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(specSignup), &m); err != nil {
		panic(err)
	}
	delete(m, "apikey")
	delete(m, "whitelabel_id")
	m["email"] = email
	return m
}

// specSignup is the signup example's body, as the spec prints it.
const specSignup = `{"apikey":"hZWHeHRefjir12fKEXBP7ATWeAOIKw9eQmq8eQOCXSZXoo7DUFVw","whitelabel_id":"aea56e1e-bbb094b8-2dab6640-990c21ec-d6de83f2-d523f8aa-3211da91-27d10425","country_of_residence":99,"name":"John","surname":"De","mobile":"9999640806","email":"users@gmail.com","password":"Aa100508!!!","country_id":99,"dob":"1989-01-02","nationality":25,"address":"#B004/566, Dashmesh Nagar,Kharar, Punjab","city":"Mohali","country":99,"zipcode":140301,"is_same":1,"receive_card_address":"#B004/566, Dashmesh Nagar,Kharar, Punjab","receive_card_capital":"","receive_card_city":"Mohali","receive_card_country":99,"receive_card_zipcode":140301,"work_country":99,"income_soruce":"Salary","political_person":"No","country_pay_tax":99,"tax_personal_number":"134567889","gender":"Male","device_type":"android","device_token":"c6XjksirRN-KsL_WgsUa4S:APA91bF6SpLV3kZERy3cbhQoblhQna9FwwpruoUgWOVhGsC3nX3-rvKQtkvQqVEKcMsJKCtL5qdcrydxpcu7Wc9cV7Zjhqt9MRDlHyUwWH541SbPJe0nCxr2jyEffUgfd6dxHcDpz8oo", "ipaddress": "101.0.49.223","device_model":"iphone 6 plus"}`

// SpecSignupJSON returns the spec's signup body verbatim, with the given keys and email.
func SpecSignupJSON(keys core.CodegoCredentials, email string) []byte {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(specSignup), &m); err != nil {
		panic(err)
	}
	m["apikey"], _ = json.Marshal(keys.APIKey)
	m["whitelabel_id"], _ = json.Marshal(keys.WhitelabelID)
	m["email"], _ = json.Marshal(email)
	b, _ := json.Marshal(m)
	return b
}
