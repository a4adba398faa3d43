package codego_test

import (
	"testing"
	"time"

	"github.com/baas-oss/baas/server/servertest"
)

// TestRefusalWording pins whole answers, byte for byte: the core names the problems of a
// signup and of a KYC upload neutrally and this dialect words them as it always has.
func TestRefusalWording(t *testing.T) {
	e := servertest.Start(t, "sqlite")
	c := e.CodegoLogin(t, e.Tenant)
	uid := signup(t, c, "john@example.com")

	b := servertest.CodegoSignupBody("not-an-email")
	for k, v := range map[string]any{
		"password": "password", "dob": time.Now().AddDate(1, 0, 0).Format(time.DateOnly), "mobile": "12ab",
		"is_same": 0, "receive_card_address": "", "receive_card_city": "", "receive_card_zipcode": "",
		"income_soruce": "Lottery", "gender": "X", "ipaddress": "300.1.1.1",
	} {
		b[k] = v
	}
	want := `{"status":0,"code":400,"message":"email must be a valid email address","errors":["email must be a valid email address",` +
		`"password must contain a lower-case letter, an upper-case letter, a digit and a special character",` +
		`"dob must not be in the future","mobile must be a phone number of 6 to 15 digits",` +
		`"receive_card_address cannot be blank when is_same is 0","receive_card_city cannot be blank when is_same is 0",` +
		`"receive_card_zipcode cannot be blank when is_same is 0",` +
		`"income_soruce must be one of: Salary, Investment, Agriculture","gender must be Male or Female",` +
		`"ipaddress must be an IPv4 or IPv6 address"]}`
	if r := c.Post(t, "signup", b); string(r.Raw) != want {
		t.Fatalf("signup:\n got %s\nwant %s", r.Raw, want)
	}
	for _, tc := range []struct{ dob, msg string }{
		{"1989-02-30", "dob must be a real date written YYYY-MM-DD"},
		{time.Now().AddDate(-18, 0, 1).Format(time.DateOnly), "the customer must be at least 18 years old"},
		{"1850-01-01", "dob must be a date in the last 130 years"},
	} {
		b := servertest.CodegoSignupBody("new@example.com")
		b["dob"] = tc.dob
		want := `{"status":0,"code":400,"message":"` + tc.msg + `"}`
		if r := c.Post(t, "signup", b); string(r.Raw) != want {
			t.Fatalf("dob %s:\n got %s\nwant %s", tc.dob, r.Raw, want)
		}
	}

	r := c.Form(t, "upload_id_proof", map[string]string{"user_id": uid, "document_id": "2", "document_number": ""},
		map[string][]byte{"back_proof": testImage(t, "png")})
	want = `{"status":0,"code":400,"message":"document_id must be 1 for upload_id_proof","errors":["document_id must be 1 for upload_id_proof",` +
		`"document_number cannot be blank","front_proof cannot be blank"]}`
	if string(r.Raw) != want {
		t.Fatalf("upload_id_proof:\n got %s\nwant %s", r.Raw, want)
	}
	r = c.Form(t, "address_proof", map[string]string{"user_id": uid, "document_id": "1"}, nil)
	want = `{"status":0,"code":400,"message":"document_id must be 2 for address_proof","errors":["document_id must be 2 for address_proof",` +
		`"address_proof cannot be blank"]}`
	if string(r.Raw) != want {
		t.Fatalf("address_proof:\n got %s\nwant %s", r.Raw, want)
	}
}

// TestMobileRule: mobile is checked by the core's phone rule alone (6 to 15 digits, as
// documented), however long it is written.
func TestMobileRule(t *testing.T) {
	e := servertest.Start(t, "sqlite")
	c := e.CodegoLogin(t, e.Tenant)
	b := servertest.CodegoSignupBody("long@example.com")
	b["mobile"] = "+91 999-964-080-612-3" // 21 characters, 15 digits
	wantOK(t, c.Post(t, "signup", b), float64(1))
	b = servertest.CodegoSignupBody("longer@example.com")
	b["mobile"] = "+91 999-964-080-612-34" // 16 digits
	wantCode(t, c.Post(t, "signup", b), 400, "mobile must be a phone number of 6 to 15 digits")
}
