package console_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
)

// operator is a browser without a browser: a cookie jar that does not follow redirects.
type operator struct {
	e *servertest.Env
	c *http.Client
}

func newOperator(t *testing.T, e *servertest.Env) *operator {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &operator{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (o *operator) do(t *testing.T, method, path string, form url.Values) *page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, o.e.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := o.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &page{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (o *operator) get(t *testing.T, path string) *page { t.Helper(); return o.do(t, "GET", path, nil) }

// post sends a form with the CSRF token of the page at from.
func (o *operator) post(t *testing.T, from, path string, form url.Values) *page {
	t.Helper()
	p := o.get(t, from)
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", csrfOf(t, p))
	return o.do(t, "POST", path, form)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, p *page) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF token on the page (%d): %.500s", p.status, p.body)
	}
	return m[1]
}

func (o *operator) signIn(t *testing.T, token string) *page {
	t.Helper()
	return o.post(t, "/console/sign-in", "/console/sign-in", url.Values{"token": {token}, "next": {"/console/kyc"}})
}

func signedIn(t *testing.T, e *servertest.Env) *operator {
	t.Helper()
	o := newOperator(t, e)
	if p := o.signIn(t, servertest.AdminToken); p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/kyc" {
		t.Fatalf("sign-in: %d %s", p.status, p.header.Get("Location"))
	}
	return o
}

func pngImage(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	for x := range 320 {
		for y := range 200 {
			img.Set(x, y, color.RGBA{uint8(40 + x/4), uint8(90 + y/3), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// world is what the console tests look at: a Codego customer with two pending KYC
// documents, and a Girasol customer with an ordered physical card.
type world struct {
	UserID   string
	Codego   *servertest.Codego
	Card     *core.CardInfo
	Account  int64
	FullPAN  string
	Customer string
}

func seed(t *testing.T, e *servertest.Env) *world {
	t.Helper()
	w := &world{}
	w.Codego = e.CodegoLogin(t, e.Tenant)
	r := w.Codego.Raw(t, "signup", servertest.SpecSignupJSON(w.Codego.Keys, "john@example.com"), "application/json")
	w.UserID, _ = r.JSON["user_id"].(string)
	if w.UserID == "" {
		t.Fatalf("signup: %s", r.Raw)
	}
	img := pngImage(t)
	r = w.Codego.Form(t, "upload_id_proof", map[string]string{"user_id": w.UserID, "document_id": "1",
		"document_number": "X1234567"}, map[string][]byte{"front_proof": img, "back_proof": img})
	if r.Status != 200 {
		t.Fatalf("upload_id_proof: %s", r.Raw)
	}
	ctx := baas.WithTenant(context.Background(), e.Tenant.TenantID)
	info, _, err := e.Core.CreateAccount(ctx, core.CreateAccountParams{Email: "ada@example.com", Handle: "ada",
		FirstName: "Ada", LastName: "Lovelace"})
	if err != nil {
		t.Fatal(err)
	}
	w.Account, w.Customer = info.Account.Number, info.Customer.ID
	if _, _, err := e.Core.CashIn(ctx, core.CashInParams{AccountNumber: w.Account, Amount: 50_000, Message: "opening deposit"}); err != nil {
		t.Fatal(err)
	}
	if w.Card, _, err = e.Core.CreateCard(ctx, core.CreateCardParams{AccountNumber: w.Account, Product: core.ProductGirasolPhysical,
		NameForPrint: "ADA LOVELACE"}); err != nil {
		t.Fatal(err)
	}
	d, err := e.Core.SandboxCardData(context.Background(), w.Card.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.FullPAN = d.PAN
	return w
}
