package codego_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/codego"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

var (
	tokenRe  = regexp.MustCompile(`^[0-9a-f]{8}(-[0-9a-f]{8}){5}$`)
	userIDRe = regexp.MustCompile(`^[A-Za-z0-9+/]{59}=$`)
	t0       = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
)

func testImage(t testing.TB, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	for x := 0; x < 16; x++ {
		img.Set(x, x%12, color.RGBA{200, 30, 30, 255})
	}
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, nil)
	case "gif":
		err = gif.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// wantOK checks a success answer: HTTP 200 and status 1 (the number, or the string "1"
// where the spec's example is real JSON with a string).
func wantOK(t *testing.T, r *servertest.Response, status any) {
	t.Helper()
	if r.Status != 200 || r.JSON["status"] != status {
		t.Fatalf("want status %#v: %d %s", status, r.Status, r.Raw)
	}
}

// wantCode checks the Codego error envelope: HTTP 200, status 0, the code, a message
// containing msg.
func wantCode(t *testing.T, r *servertest.Response, code int, msg string) {
	t.Helper()
	httpStatus := 200
	if code == 429 {
		httpStatus = 429
	}
	m, _ := r.JSON["message"].(string)
	if r.Status != httpStatus || r.JSON["status"] != float64(0) || r.JSON["code"] != float64(code) || m == "" {
		t.Fatalf("want code %d: %d %s", code, r.Status, r.Raw)
	}
	all := m
	if list, ok := r.JSON["errors"].([]any); ok {
		all += fmt.Sprint(list...)
	}
	if !strings.Contains(all, msg) {
		t.Fatalf("message %q (%s) lacks %q", m, r.Raw, msg)
	}
}

// strings checks that every value of an object is a string.
func allStrings(t *testing.T, what string, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: not an object: %v", what, v)
	}
	for k, x := range m {
		if _, ok := x.(string); !ok {
			t.Fatalf("%s: %s is %T, want a string", what, k, x)
		}
	}
	return m
}

// signup replays the spec's signup example (Content-Type application/javascript, the body
// verbatim but for the keys and the email) and returns the user_id.
func signup(t *testing.T, c *servertest.Codego, email string) string {
	t.Helper()
	r := c.Raw(t, "signup", servertest.SpecSignupJSON(c.Keys, email), "application/javascript")
	wantOK(t, r, float64(1))
	uid, _ := r.JSON["user_id"].(string)
	if !userIDRe.MatchString(uid) || r.JSON["message"] != "Registration is completed successfully." {
		t.Fatalf("signup: %s", r.Raw)
	}
	if b, err := base64.StdEncoding.DecodeString(uid); err != nil || len(b) != 44 {
		t.Fatalf("user_id %q is not 44 bytes of base64", uid)
	}
	return uid
}

// escaped writes a user_id as a client that copied it from a PHP-style JSON answer does
// (the spec's upload examples send "…\\/…").
func escaped(uid string) string { return strings.ReplaceAll(uid, "/", `\/`) }

func kycStatuses(t *testing.T, c *servertest.Codego, uid string) map[string]map[string]any {
	t.Helper()
	r := c.Post(t, "check_kyc_status", map[string]any{"user_id": uid})
	wantOK(t, r, float64(1))
	list, ok := r.JSON["kyc_status"].([]any)
	if !ok {
		t.Fatalf("kyc_status is not a list: %s", r.Raw)
	}
	out := map[string]map[string]any{}
	for _, e := range list {
		m := allStrings(t, "kyc_status entry", e)
		out[m["document_name"].(string)] = m
	}
	return out
}

func accountDetail(t *testing.T, c *servertest.Codego, uid string) map[string]any {
	t.Helper()
	r := c.Post(t, "account_detail", map[string]any{"user_id": uid})
	wantOK(t, r, float64(1))
	return allStrings(t, "account", r.JSON["account"])
}

// TestSpecExamples replays every curl example of the first half of the Codego spec, in
// order, against the real server, and checks the documented shapes and value types; then
// the compliance review through the admin API, and the KYC events.
func TestSpecExamples(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		clock := servertest.NewClock(t0)
		e := servertest.StartClock(t, engine, clock)
		c := &servertest.Codego{Env: e, Keys: e.Tenant.Codego}

		// Authentication: clientkey/secretkey headers, apikey/whitelabel_id through -u.
		for _, name := range []string{"authenticaion", "authentication"} {
			r := c.Authenticate(t, name)
			wantOK(t, r, float64(1))
			if !tokenRe.MatchString(r.JSON["auth_token"].(string)) || r.JSON["expiry"] != "token will be expired in 30 mintue" {
				t.Fatalf("%s: %s", name, r.Raw)
			}
			c.Token = r.JSON["auth_token"].(string)
		}

		// Refresh token: a new token; the old one keeps working until it expires.
		old := c.Token
		r := c.Call(t, "refreshtoken")
		wantOK(t, r, float64(1))
		if tok, _ := r.JSON["auth_token"].(string); !tokenRe.MatchString(tok) || tok == old {
			t.Fatalf("refreshtoken: %s", r.Raw)
		}
		c.Token = r.JSON["auth_token"].(string)
		wantOK(t, (&servertest.Codego{Env: e, Keys: c.Keys, Token: old}).Post(t, "income_source", nil), float64(1))

		// Countries: every ISO 3166-1 country, ids as the examples use them, values as strings.
		r = c.Call(t, "countries_list")
		wantOK(t, r, float64(1))
		list := r.JSON["countries"].([]any)
		if len(list) != 249 {
			t.Fatalf("%d countries, want 249", len(list))
		}
		byID := map[string]map[string]any{}
		for _, x := range list {
			m := allStrings(t, "country", x)
			if len(m) != 10 {
				t.Fatalf("country has %d fields: %v", len(m), m)
			}
			byID[m["id"].(string)] = m
		}
		it := byID["106"]
		want := map[string]string{"id": "106", "country_code": "IT", "country_name": "Italy", "phonecode": "39", "iso3": "380",
			"status": "1", "is_iban": "1", "europe_country": "1", "solaris_iban": "1", "shipping_cost": "5"}
		for k, v := range want {
			if it[k] != v {
				t.Fatalf("Italy: %s = %v, want %s (%v)", k, it[k], v, it)
			}
		}
		if byID["99"]["country_code"] != "IN" || byID["99"]["phonecode"] != "91" || byID["99"]["is_iban"] != "0" {
			t.Fatalf("India: %v", byID["99"])
		}

		// Nationality: the same ids, the documented fields.
		r = c.Call(t, "nationality")
		wantOK(t, r, float64(1))
		nat := r.JSON["countries"].([]any)
		if len(nat) != 249 {
			t.Fatalf("%d nationalities", len(nat))
		}
		for _, x := range nat {
			m := allStrings(t, "nationality", x)
			if m["id"] == "106" && (m["country_code"] != "IT" || m["is_iban"] != "1" || len(m) != 6) {
				t.Fatalf("nationality 106: %v", m)
			}
		}

		r = c.Call(t, "income_source")
		wantOK(t, r, float64(1))
		if fmt.Sprint(r.JSON["income_source"]) != "[Salary Investment Agriculture]" {
			t.Fatalf("income_source: %s", r.Raw)
		}
		r = c.Call(t, "documents_list")
		wantOK(t, r, float64(1))
		if !strings.Contains(string(r.Raw), `"documents":[{"id":"1","name":"Id Proof"},{"id":"2","name":"Address Proof"}]`) {
			t.Fatalf("documents_list: %s", r.Raw)
		}

		// Signup, the example verbatim (Content-Type: application/javascript).
		uid := signup(t, c, "users@gmail.com")
		if got := kycStatuses(t, c, uid); len(got) != 0 {
			t.Fatalf("kyc before any upload: %v", got)
		}
		acc := accountDetail(t, c, uid)
		if acc["name"] != "John" || acc["surname"] != "De" || acc["kyc_status"] != "Pending" || acc["account_status"] != "Unblock" ||
			acc["currency"] != "EUR" {
			t.Fatalf("account_detail: %v", acc)
		}

		// KYC uploads, as multipart forms with the user_id as the examples escape it.
		front, back, addr := testImage(t, "jpeg"), testImage(t, "png"), testImage(t, "jpeg")
		r = c.Form(t, "upload_id_proof", map[string]string{"user_id": escaped(uid), "document_id": "1",
			"document_number": "1234568910"}, map[string][]byte{"front_proof": front, "back_proof": back})
		wantOK(t, r, "1")
		if r.JSON["message"] != "Your document uploaded successfully." {
			t.Fatalf("upload_id_proof: %s", r.Raw)
		}
		r = c.Form(t, "address_proof", map[string]string{"user_id": escaped(uid), "document_id": "2"},
			map[string][]byte{"address_proof": addr})
		wantOK(t, r, float64(1))
		if r.JSON["message"] != "Address Proof Document Uploaded Successfully." {
			t.Fatalf("address_proof: %s", r.Raw)
		}

		// Cards: remaining cards and shipping cost (India is outside Europe: 10 EUR).
		r = c.Post(t, "check_remaining_card", map[string]any{"user_id": uid, "type": "prepaid"})
		wantOK(t, r, float64(1))
		if r.JSON["remaining_card"] != "1" {
			t.Fatalf("check_remaining_card: %s", r.Raw)
		}
		r = c.Post(t, "get_shipping_cost", map[string]any{"user_id": uid, "type": "prepaid"})
		wantOK(t, r, "1")
		if r.JSON["shipping_cost"] != "10" {
			t.Fatalf("get_shipping_cost: %s", r.Raw)
		}

		st := kycStatuses(t, c, uid)
		if st["Id Proof"]["status"] != "Pending" || st["Address Proof"]["status"] != "Pending" || len(st) != 2 {
			t.Fatalf("check_kyc_status: %v", st)
		}
		wantCode(t, c.Form(t, "upload_id_proof", map[string]string{"user_id": uid, "document_number": "1"},
			map[string][]byte{"front_proof": front}), 0, "waiting for review")

		// The compliance review: list, view, reject, re-upload, verify.
		r = e.Admin(t, "GET", "/admin/api/kyc/documents?tenant_id="+e.Tenant.TenantID, nil)
		docs, _ := r.JSON["documents"].([]any)
		if r.Status != 200 || len(docs) != 2 {
			t.Fatalf("admin list: %d %s", r.Status, r.Raw)
		}
		idDoc := docs[0].(map[string]any)
		if idDoc["user_id"] != uid || idDoc["document_name"] != "Id Proof" || idDoc["document_number"] != "1234568910" ||
			idDoc["customer_email"] != "users@gmail.com" || len(idDoc["images"].([]any)) != 2 {
			t.Fatalf("admin document: %v", idDoc)
		}
		docID := int64(idDoc["id"].(float64))
		addrID := int64(docs[1].(map[string]any)["id"].(float64))
		// check_kyc_status gives the operator API's id of each document beside its type.
		if st := kycStatuses(t, c, uid); st["Id Proof"]["kyc_document_id"] != fmt.Sprint(docID) ||
			st["Address Proof"]["kyc_document_id"] != fmt.Sprint(addrID) || st["Id Proof"]["document_id"] != "1" {
			t.Fatalf("check_kyc_status ids: %v", st)
		}
		img := e.Admin(t, "GET", fmt.Sprintf("/admin/api/kyc/documents/%d/images/front", docID), nil)
		if img.Status != 200 || !bytes.Equal(img.Raw, front) || img.Header.Get("Content-Type") != "image/jpeg" ||
			img.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("image: %d %v", img.Status, img.Header)
		}
		r = e.Admin(t, "POST", fmt.Sprintf("/admin/api/kyc/documents/%d/reject", docID), map[string]any{})
		if r.Status != 400 {
			t.Fatalf("reject without reason: %d %s", r.Status, r.Raw)
		}
		clock.Add(time.Minute)
		r = e.Admin(t, "POST", fmt.Sprintf("/admin/api/kyc/documents/%d/reject", docID),
			map[string]any{"reason": "the photo is blurred", "reviewer": "alice"})
		if r.Status != 200 || r.JSON["document"].(map[string]any)["status"] != "Rejected" {
			t.Fatalf("reject: %d %s", r.Status, r.Raw)
		}
		if r := e.Admin(t, "POST", fmt.Sprintf("/admin/api/kyc/documents/%d/verify", docID), nil); r.Status != 409 {
			t.Fatalf("verify a rejected document: %d %s", r.Status, r.Raw)
		}
		st = kycStatuses(t, c, uid)
		if st["Id Proof"]["status"] != "Rejected" || st["Id Proof"]["reason"] != "the photo is blurred" {
			t.Fatalf("after reject: %v", st)
		}
		if acc := accountDetail(t, c, uid); acc["kyc_status"] != "Rejected" {
			t.Fatalf("account after reject: %v", acc)
		}
		r = c.Form(t, "upload_id_proof", map[string]string{"user_id": uid, "document_number": "P1234567"},
			map[string][]byte{"front_proof": testImage(t, "png")})
		wantOK(t, r, "1")
		r = e.Admin(t, "GET", "/admin/api/kyc/documents", nil)
		docs, _ = r.JSON["documents"].([]any)
		if len(docs) != 2 {
			t.Fatalf("pending after re-upload: %s", r.Raw)
		}
		newID := int64(docs[1].(map[string]any)["id"].(float64))
		for _, id := range []int64{addrID, newID} {
			if r := e.Admin(t, "POST", fmt.Sprintf("/admin/api/kyc/documents/%d/verify", id), map[string]any{"reviewer": "bob"}); r.Status != 200 {
				t.Fatalf("verify %d: %d %s", id, r.Status, r.Raw)
			}
		}
		st = kycStatuses(t, c, uid)
		if st["Id Proof"]["status"] != "Verified" || st["Address Proof"]["status"] != "Verified" {
			t.Fatalf("after verify: %v", st)
		}
		if acc := accountDetail(t, c, uid); acc["kyc_status"] != "Verified" {
			t.Fatalf("account after verify: %v", acc)
		}
		wantCode(t, c.Form(t, "address_proof", map[string]string{"user_id": uid},
			map[string][]byte{"address_proof": addr}), 0, "already verified")

		// Every status change wrote its event, with the webhook payload.
		ctx := context.Background()
		count := map[string]int{}
		for _, typ := range []string{"kyc.pending", "kyc.verified", "kyc.rejected"} {
			evs, err := e.Store.Read().ListEvents(ctx, baas.EventFilter{TenantID: e.Tenant.TenantID, Type: typ})
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range evs {
				body, err := codego.RenderEvent(ev)
				if err != nil {
					t.Fatal(err)
				}
				var p map[string]any
				if err := json.Unmarshal(body, &p); err != nil {
					t.Fatal(err)
				}
				if p["user_id"] != uid || p["event"] != typ || p["status"] != float64(1) {
					t.Fatalf("%s payload: %s", typ, body)
				}
				if typ == "kyc.rejected" && (p["reason"] != "the photo is blurred" || p["document_name"] != "Id Proof") {
					t.Fatalf("rejected payload: %s", body)
				}
				count[typ]++
			}
		}
		if count["kyc.pending"] != 3 || count["kyc.verified"] != 2 || count["kyc.rejected"] != 1 {
			t.Fatalf("events: %v", count)
		}
	})
}

// TestCredentialPlaces sends apikey and whitelabel_id in each place the spec allows: the
// JSON body, a form field, the query string and HTTP Basic.
func TestCredentialPlaces(t *testing.T) {
	e := servertest.Start(t, "sqlite")
	c := e.CodegoLogin(t, e.Tenant)
	k := c.Keys
	h := http.Header{}
	h.Set("authtoken", c.Token)
	h.Set("Content-Type", "application/json")
	wantOK(t, e.Do(t, "POST", "/api/income_source", map[string]any{"apikey": k.APIKey, "whitelabel_id": k.WhitelabelID}, h), float64(1))
	wantOK(t, e.Do(t, "POST", "/api/income_source?apikey="+k.APIKey+"&whitelabel_id="+k.WhitelabelID, nil, h), float64(1))
	fh := h.Clone()
	fh.Set("Content-Type", "application/x-www-form-urlencoded")
	wantOK(t, e.Do(t, "POST", "/api/income_source", "apikey="+k.APIKey+"&whitelabel_id="+k.WhitelabelID, fh), float64(1))
	// curl -d '{…}' without a Content-Type labels JSON as a form: it is read as JSON.
	wantOK(t, e.Do(t, "POST", "/api/income_source", `{"apikey":"`+k.APIKey+`","whitelabel_id":"`+k.WhitelabelID+`"}`, fh), float64(1))
	body, ct := servertest.MultipartBody(t, map[string]string{"apikey": k.APIKey, "whitelabel_id": k.WhitelabelID}, nil)
	mh := h.Clone()
	mh.Set("Content-Type", ct)
	wantOK(t, e.Do(t, "POST", "/api/income_source", body, mh), float64(1))
	// The examples' literal -u 'apikey=…' -u 'whitelabel_id=…', had curl sent both.
	bh := h.Clone()
	req, _ := http.NewRequest("POST", "/", nil)
	req.SetBasicAuth("apikey="+k.APIKey, "whitelabel_id="+k.WhitelabelID)
	bh.Set("Authorization", req.Header.Get("Authorization"))
	wantOK(t, e.Do(t, "POST", "/api/income_source", nil, bh), float64(1))
	// Two spellings of one credential, in headers or fields, are refused.
	both := bh.Clone()
	both.Set("auth_token", c.Token)
	wantCode(t, e.Do(t, "POST", "/api/income_source", nil, both), 400, "authtoken and auth_token are spellings of one field")
	wantCode(t, e.Do(t, "POST", "/api/income_source", map[string]any{"apikey": k.APIKey, "api_key": k.APIKey,
		"whitelabel_id": k.WhitelabelID}, h), 400, "apikey and api_key are spellings of one field")
	ch := http.Header{}
	ch.Set("clientkey", k.ClientKey)
	ch.Set("client_key", k.ClientKey)
	ch.Set("secretkey", k.SecretKey)
	ch.Set("Authorization", bh.Get("Authorization"))
	wantCode(t, e.Do(t, "POST", "/api/authenticaion", nil, ch), 400, "clientkey and client_key are spellings of one field")
}

// TestErrorCodes sends requests that each earn one code of the spec's error table.
func TestErrorCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		clock := servertest.NewClock(t0)
		e := servertest.StartClock(t, engine, clock)
		c := e.CodegoLogin(t, e.Tenant)
		other := e.CodegoLogin(t, e.NewTenant(t))
		uid := signup(t, c, "john@example.com")
		otherUID := signup(t, other, "john@example.com") // the same email in another whitelabel is fine

		// 203, 204, 202: authentication.
		bad := *c
		bad.Keys.ClientKey = ""
		wantCode(t, bad.Authenticate(t, "authenticaion"), 203, "clientkey or secretkey is empty")
		bad = *c
		bad.Keys.SecretKey = "sk_wrong"
		wantCode(t, bad.Authenticate(t, "authenticaion"), 204, "incorrect")
		bad = *c
		bad.Keys.ClientKey = other.Keys.ClientKey // another whitelabel's client keys
		bad.Keys.SecretKey = other.Keys.SecretKey
		wantCode(t, bad.Authenticate(t, "authenticaion"), 204, "incorrect")
		bad = *c
		bad.Keys.APIKey = "wrong"
		wantCode(t, bad.Authenticate(t, "authenticaion"), 202, "wrong")
		wantCode(t, bad.Post(t, "income_source", nil), 202, "wrong")
		wantCode(t, c.Raw(t, "income_source", nil, ""), 204, "required") // no apikey / whitelabel_id at all

		// 205, 201, 401: the auth token.
		bad = *c
		bad.Token = ""
		wantCode(t, bad.Post(t, "countries_list", nil), 205, "authtoken")
		bad.Token = "7ac9ffc2-73586415-e2ba6a50-5a1a546a-e5e90de8-cb2dc8df" // the spec's
		wantCode(t, bad.Post(t, "countries_list", nil), 201, "not existed")
		bad.Token = other.Token // another whitelabel's token
		wantCode(t, bad.Post(t, "countries_list", nil), 201, "not existed")

		// 400: validation, every message naming its field.
		for _, tc := range []struct {
			change map[string]any
			msg    string
		}{
			{map[string]any{"nickname": "x"}, `unknown field "nickname"`},
			{map[string]any{"name": true}, "name must be a string"},
			{map[string]any{"name": ""}, "name cannot be blank"},
			{map[string]any{"country_id": "abc"}, "country_id must be an integer"},
			{map[string]any{"country_id": 250}, "country_id must be an id of the countries list"},
			{map[string]any{"nationality": 0}, "nationality must be an id of the countries list"},
			{map[string]any{"dob": "1989-02-30"}, "dob must be a real date"},
			{map[string]any{"dob": "02-01-1989"}, "dob must be a real date"},
			{map[string]any{"dob": t0.AddDate(-18, 0, 1).Format(time.DateOnly)}, "at least 18 years"},
			{map[string]any{"email": "not-an-email"}, "email must be a valid email"},
			{map[string]any{"gender": "X"}, "gender must be Male or Female"},
			{map[string]any{"political_person": "Maybe"}, "political_person must be No or Yes"},
			{map[string]any{"is_same": 2}, "is_same must be 0 or 1"},
			{map[string]any{"is_same": 0, "receive_card_address": ""}, "receive_card_address cannot be blank"},
			{map[string]any{"password": "password"}, "password must contain"},
			{map[string]any{"password": "Aa1!"}, "at least 8 characters"},
			{map[string]any{"income_soruce": "Lottery"}, "income_soruce must be one of"},
			{map[string]any{"mobile": "12ab"}, "mobile must be a phone number"},
			{map[string]any{"ipaddress": "300.1.1.1"}, "ipaddress must be an IPv4 or IPv6 address"},
			{map[string]any{"zipcode": 1.5}, "zipcode must be a string"},
		} {
			b := servertest.CodegoSignupBody("new@example.com")
			for k, v := range tc.change {
				b[k] = v
			}
			wantCode(t, c.Post(t, "signup", b), 400, tc.msg)
		}
		// Numbers and numeric strings interchangeably; the corrected spelling of income_soruce.
		b := servertest.CodegoSignupBody("jane@example.com")
		b["country_id"], b["nationality"], b["zipcode"], b["mobile"], b["is_same"] = "99", "106", "140301", 9999640806, "1"
		delete(b, "income_soruce")
		b["income_source"] = "salary"
		wantOK(t, c.Post(t, "signup", b), float64(1))
		// Duplicate email in the whitelabel: a rule of the API, code 0.
		wantCode(t, c.Post(t, "signup", servertest.CodegoSignupBody("JOHN@example.com")), 0, "already registered")
		wantCode(t, c.Raw(t, "signup", `{"apikey":`, "application/json"), 400, "not valid JSON")
		wantCode(t, c.Post(t, "check_remaining_card", map[string]any{"user_id": uid, "type": "credit"}), 400, "type must be prepaid or debitcard")
		wantCode(t, c.Post(t, "check_kyc_status", map[string]any{"user_id": uid, "type": "x"}), 400, `unknown field "type"`)

		// 404: users of another whitelabel, unknown users, unknown APIs.
		wantCode(t, c.Post(t, "account_detail", map[string]any{"user_id": otherUID}), 404, "user not found")
		wantCode(t, other.Post(t, "check_kyc_status", map[string]any{"user_id": uid}), 404, "user not found")
		wantCode(t, c.Form(t, "address_proof", map[string]string{"user_id": otherUID},
			map[string][]byte{"address_proof": testImage(t, "png")}), 404, "user not found")
		wantCode(t, c.Post(t, "account_detail", map[string]any{"user_id": "Oj1Xx2DZ8hcS3fIDxYQAHUMhZmdwwD4/wSbcJ0Ho6wWzY9czeGTBJhMd0S4="}), 404, "user not found")
		wantCode(t, c.Post(t, "no_such_api", nil), 404, "Could not found: there is no Codego API named no_such_api")
		if r := c.Post(t, "no_such_api", nil); strings.Contains(string(r.Raw), "every Codego API is POST") {
			t.Fatalf("a POST to an unknown API is told to POST: %s", r.Raw)
		}
		// Two spellings of one field are refused, as in the Girasol dialect.
		both := servertest.CodegoSignupBody("both@example.com")
		both["income_source"] = "Salary"
		wantCode(t, c.Post(t, "signup", both), 400, "income_soruce and income_source are spellings of one field: send only one")
		wantCode(t, e.Do(t, "GET", "/api/countries_list", nil, nil), 404, "POST")

		// 401: an expired token, which refreshtoken cannot revive.
		clock.Add(30*time.Minute + time.Second)
		wantCode(t, c.Post(t, "countries_list", nil), 401, "expired")
		wantCode(t, c.Raw(t, "refreshtoken", map[string]any{"apikey": c.Keys.APIKey, "whitelabel_id": c.Keys.WhitelabelID}, "application/json"), 401, "expired")
		wantOK(t, e.CodegoLogin(t, e.Tenant).Post(t, "account_detail", map[string]any{"user_id": uid}), float64(1))
	})
}

// TestUploads refuses what is not a PNG or JPEG under 2 MB, whatever its name says.
func TestUploads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		e := servertest.Start(t, engine)
		c := e.CodegoLogin(t, e.Tenant)
		uid := signup(t, c, "john@example.com")
		up := func(files map[string][]byte, fields map[string]string) *servertest.Response {
			f := map[string]string{"user_id": uid, "document_id": "1", "document_number": "X1"}
			for k, v := range fields {
				f[k] = v
			}
			return c.Form(t, "upload_id_proof", f, files)
		}
		big := append(testImage(t, "png"), make([]byte, 2<<20)...)
		for _, tc := range []struct {
			name   string
			files  map[string][]byte
			fields map[string]string
			msg    string
		}{
			{"text named .jpg", map[string][]byte{"front_proof": []byte("hello, I am not an image")}, nil, "front_proof must be a PNG or JPEG"},
			{"gif", map[string][]byte{"front_proof": testImage(t, "gif")}, nil, "front_proof must be a PNG or JPEG"},
			{"truncated jpeg", map[string][]byte{"front_proof": {0xff, 0xd8, 0xff, 0xe0, 0, 0}}, nil, "not a readable jpeg"},
			{"png header only", map[string][]byte{"front_proof": []byte("\x89PNG\r\n\x1a\n")}, nil, "not a readable png"},
			// The header parses, the image does not: decoded whole, as docs/codego.md says.
			{"cut png", map[string][]byte{"front_proof": cut(testImage(t, "png"))}, nil, "front_proof is not a readable png"},
			{"cut jpeg", map[string][]byte{"front_proof": cut(testImage(t, "jpeg"))}, nil, "front_proof is not a readable jpeg"},
			{"corrupt png", map[string][]byte{"front_proof": corrupt(testImage(t, "png"))}, nil, "front_proof is not a readable png"},
			{"too many pixels", map[string][]byte{"front_proof": hugePNG(t)}, nil, "front_proof must be at most 25 megapixels"},
			{"oversize", map[string][]byte{"front_proof": testImage(t, "png"), "back_proof": big}, nil, "back_proof must be smaller than 2 MB"},
			{"empty", map[string][]byte{"front_proof": {}}, nil, "front_proof is required"},
			{"no front", map[string][]byte{"back_proof": testImage(t, "png")}, nil, "front_proof cannot be blank"},
			{"wrong document", map[string][]byte{"front_proof": testImage(t, "png")}, map[string]string{"document_id": "2"}, "document_id must be 1"},
			{"no number", map[string][]byte{"front_proof": testImage(t, "png")}, map[string]string{"document_number": ""}, "document_number cannot be blank"},
			{"unknown file", map[string][]byte{"front_proof": testImage(t, "png"), "selfie": testImage(t, "png")}, nil, `unknown field "selfie"`},
		} {
			t.Run(tc.name, func(t *testing.T) { wantCode(t, up(tc.files, tc.fields), 400, tc.msg) })
		}
		// A file sent as JSON is refused with a pointer to multipart.
		wantCode(t, c.Post(t, "address_proof", map[string]any{"user_id": uid, "address_proof": "aGVsbG8="}), 400, "multipart")
		// Nothing was stored: the first real upload is accepted.
		wantOK(t, up(map[string][]byte{"front_proof": testImage(t, "png")}, nil), "1")
	})
}

// cut returns the first half of an image file: its header parses, its data ends early.
func cut(b []byte) []byte { return b[:len(b)/2] }

// corrupt returns an image file with a byte of its compressed data changed near the end.
func corrupt(b []byte) []byte {
	c := bytes.Clone(b)
	c[len(c)-20] ^= 0xff
	return c
}

// hugePNG is a small file of a 5,001 × 5,001 image: within the side limit, over the area.
func hugePNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 5001, 5001))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRateLimit: 200 requests per 10 seconds per API key, then 429 with Retry-After and
// the envelope; other keys are not affected; the bucket refills with time.
func TestRateLimit(t *testing.T) {
	clock := servertest.NewClock(t0)
	e := servertest.StartClock(t, "sqlite", clock)
	c := e.CodegoLogin(t, e.Tenant) // one request
	other := e.CodegoLogin(t, e.NewTenant(t))
	for i := 1; i < 200; i++ {
		if r := c.Post(t, "documents_list", nil); r.Status != 200 {
			t.Fatalf("request %d: %d %s", i+1, r.Status, r.Raw)
		}
	}
	r := c.Post(t, "documents_list", nil)
	wantCode(t, r, 429, "200 requests per 10 seconds")
	if r.Header.Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	wantOK(t, other.Post(t, "documents_list", nil), float64(1))
	clock.Add(time.Second) // 20 more
	for i := 0; i < 20; i++ {
		wantOK(t, c.Post(t, "documents_list", nil), float64(1))
	}
	wantCode(t, c.Post(t, "documents_list", nil), 429, "Too many")
}

// TestSandboxAutoVerify: a sandbox tenant's uploads verify themselves after the delay the
// operator set, seen on read before any sweep runs.
func TestSandboxAutoVerify(t *testing.T) {
	clock := servertest.NewClock(t0)
	e := servertest.StartClock(t, "sqlite", clock)
	c := e.CodegoLogin(t, e.Tenant)
	uid := signup(t, c, "john@example.com")
	r := e.Admin(t, "PUT", "/admin/api/kyc/settings/"+e.Tenant.TenantID, map[string]any{"auto_verify_after_seconds": 60})
	if r.Status != 200 || r.JSON["auto_verify_after_seconds"] != float64(60) {
		t.Fatalf("settings: %d %s", r.Status, r.Raw)
	}
	wantOK(t, c.Form(t, "address_proof", map[string]string{"user_id": uid},
		map[string][]byte{"address_proof": testImage(t, "png")}), float64(1))
	clock.Add(59 * time.Second)
	if st := kycStatuses(t, c, uid); st["Address Proof"]["status"] != "Pending" {
		t.Fatalf("before the delay: %v", st)
	}
	clock.Add(time.Second)
	if st := kycStatuses(t, c, uid); st["Address Proof"]["status"] != "Verified" {
		t.Fatalf("after the delay: %v", st)
	}
	if n, err := e.Core.AutoVerifyKYC(context.Background()); err != nil || n != 0 {
		t.Fatalf("sweep after the read verified: %d %v", n, err)
	}
	// A production tenant cannot turn it on.
	prod, err := e.Core.CreateTenant(context.Background(), core.CreateTenantParams{Name: "prod", Sandbox: false})
	if err != nil {
		t.Fatal(err)
	}
	r = e.Admin(t, "PUT", "/admin/api/kyc/settings/"+prod.TenantID, map[string]any{"auto_verify_after_seconds": 60})
	if r.Status != 409 {
		t.Fatalf("production tenant: %d %s", r.Status, r.Raw)
	}
}

// TestInternalError: a store that fails answers the generic 502 of the table, revealing
// nothing of the cause.
func TestInternalError(t *testing.T) {
	e := servertest.Start(t, "sqlite")
	c := e.CodegoLogin(t, e.Tenant)
	if err := e.Store.Close(); err != nil {
		t.Fatal(err)
	}
	r := c.Post(t, "countries_list", nil)
	wantCode(t, r, 502, "Bad Gateway (There was a generic error.)")
	if strings.Contains(string(r.Raw), "sql") {
		t.Fatalf("the cause leaked: %s", r.Raw)
	}
}

// TestRenderEvent renders the core's neutral payloads as the Codego webhooks showed them
// before the core made them neutral: the same bytes.
func TestRenderEvent(t *testing.T) {
	at := time.Date(2025, 3, 14, 9, 30, 5, 123000, time.UTC)
	for _, c := range []struct {
		typ, payload, want string
	}{
		{"kyc.rejected", `{"customer_id":"c1","customer_ref":"ab/c+=","document_status":"Rejected","document_type":1,"kyc_status":"Rejected","reason":"blurred"}`,
			`{"datetime":"2025-03-14 09:30:05","document_id":"1","document_name":"Id Proof","document_status":"Rejected","event":"kyc.rejected","kyc_status":"Rejected","reason":"blurred","status":1,"user_id":"ab/c+="}`},
		{"account.created", `{"account_number":12345678,"currency":"EUR","customer_id":"c1","customer_ref":"ab/c+=","email":"a@b.co"}`,
			`{"account_number":12345678,"currency":"EUR","customer_id":"c1","email":"a@b.co","user_id":"ab/c+="}`},
		{"account.created", `{"account_number":12345678,"currency":"USD","customer_id":"c1","email":"a@b.co"}`, ``},
		{"transfer.p2p", `{"amount":5}`, ``},
	} {
		got, err := codego.RenderEvent(&baas.Event{Type: c.typ, Payload: []byte(c.payload), CreatedAt: at})
		if err != nil || string(got) != c.want {
			t.Fatalf("RenderEvent(%s %s) = %s, %v\nwant %s", c.typ, c.payload, got, err, c.want)
		}
	}
}
