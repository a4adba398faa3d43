package console_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/webhook"
	"github.com/chromedp/chromedp"
)

// The browser test drives Debian's chromium through the console. Locally it skips when
// chromium is missing; .ci/run sets BAAS_TEST_REQUIRE_CHROMIUM=1 (and installs it), so
// there a missing browser fails. BAAS_TEST_SCREENSHOTS names the folder for the
// screenshots of the main pages (.ci/run keeps .ci/artifacts/console); without it they
// go to a temporary folder.

func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("BAAS_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("BAAS_TEST_REQUIRE_CHROMIUM") != "" {
		t.Fatal("chromium is required (BAAS_TEST_REQUIRE_CHROMIUM is set) but not installed: apt-get install -y chromium")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium); skipping the browser test")
	return ""
}

// receiver takes webhooks and counts each webhook-id.
type receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	ids map[string]int
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{ids: map[string]int{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		rc.mu.Lock()
		rc.ids[r.Header.Get("webhook-id")]++
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) count(id string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.ids[id]
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 15s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestConsoleInBrowser(t *testing.T) {
	exe := chromiumPath(t)
	shots := os.Getenv("BAAS_TEST_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	e := servertest.Start(t, "sqlite")
	ten := e.Tenant.TenantID
	rc := newReceiver(t)
	if _, err := e.Core.CreateWebhookEndpoint(context.Background(), core.CreateWebhookEndpointParams{TenantID: ten,
		URL: rc.srv.URL + "/hooks"}); err != nil {
		t.Fatal(err)
	}
	d, err := webhook.NewDispatcher(e.Core, webhook.Config{PollInterval: 20 * time.Millisecond, Timeout: 2 * time.Second,
		Schedule: []time.Duration{20 * time.Millisecond}, Jitter: -1}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	dctx, stop := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { _ = d.Run(dctx); close(stopped) }()
	t.Cleanup(func() { stop(); <-stopped })

	w := seed(t, e)
	tctx := baas.WithTenant(context.Background(), ten)
	grace, _, err := e.Core.CreateAccount(tctx, core.CreateAccountParams{Email: "grace@example.com", Handle: "grace",
		FirstName: "Grace", LastName: "Hopper"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Core.CashIn(tctx, core.CashInParams{AccountNumber: grace.Account.Number, Amount: 120_000, Message: "salary"}); err != nil {
		t.Fatal(err)
	}
	virtual, _, err := e.Core.CreateCard(tctx, core.CreateCardParams{AccountNumber: grace.Account.Number, Product: core.ProductGirasolVirtual,
		NameForPrint: "GRACE HOPPER"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Core.FundMaster(context.Background(), core.FundMasterParams{TenantID: ten, Amount: 2_500_000,
		Currency: core.FloatCurrency, Description: "wire from the program manager"}); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 860), chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	// The first run starts the browser and must not have a deadline (it would stop it).
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// A bound for a hung browser, not a timing: on the shared 2-core host, with the rest
	// of the suite running, the whole walk once took 146 s and ran out of 2 minutes.
	ctx, cancel := context.WithTimeout(bctx, 6*time.Minute)
	defer cancel()

	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg) // quality 100: PNG
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		})
	}
	textOf := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }

	// Sign-in: the console sends a visitor to the sign-in page first.
	run("sign in",
		chromedp.Navigate(e.URL+"/console/kyc"),
		chromedp.WaitVisible(css("#token")),
		shot("sign-in"),
		chromedp.SendKeys(css("#token"), servertest.AdminToken),
		chromedp.Submit(css("#token")),
		chromedp.WaitVisible(css(".doc-link")),
	)
	// The queue updates without a reload: a new upload appears in place.
	r := w.Codego.Form(t, "address_proof", map[string]string{"user_id": w.UserID, "document_id": "2"},
		map[string][]byte{"address_proof": pngImage(t)})
	if r.Status != 200 {
		t.Fatalf("address_proof: %s", r.Raw)
	}
	addr, err := e.Core.ListKYCDocuments(context.Background(), baas.KYCFilter{TenantID: ten, Status: baas.KYCPending})
	if err != nil || len(addr) != 2 {
		t.Fatalf("documents: %v %v", addr, err)
	}
	run("KYC queue refresh",
		chromedp.WaitVisible(css(fmt.Sprintf(`a[href="/console/kyc/%d"]`, addr[1].ID))),
		shot("kyc-queue"),
	)

	// KYC approval, which Codego's check_kyc_status then reports.
	run("KYC review",
		chromedp.Click(css(".doc-link")),
		chromedp.WaitVisible(css("#verify")),
		chromedp.WaitVisible(css(".docs img")),
		shot("kyc-review"),
		chromedp.Click(css("#verify")),
		chromedp.WaitVisible(css(".notice")),
	)
	if text := textOf("main"); !strings.Contains(text, "The document is verified.") {
		t.Fatalf("after verify: %s", text)
	}
	r = w.Codego.Post(t, "check_kyc_status", map[string]any{"user_id": w.UserID})
	list, _ := r.JSON["kyc_status"].([]any)
	st := map[string]any{}
	for _, x := range list {
		m, _ := x.(map[string]any)
		st[fmt.Sprint(m["document_name"])] = m["status"]
	}
	if st["Id Proof"] != "Verified" || st["Address Proof"] != "Pending" {
		t.Fatalf("check_kyc_status after the console's approval: %s", r.Raw)
	}

	// A card order accepted and shipped.
	run("card order",
		chromedp.Navigate(e.URL+"/console/cards?status=ordered"),
		chromedp.WaitVisible(css(".card-link")),
		shot("cards"),
		chromedp.Navigate(e.URL+"/console/cards/"+w.Card.ID),
		chromedp.Click(css("#action-accept")),
		chromedp.WaitVisible(css("#action-ship")),
		chromedp.Click(css("#action-ship")),
		chromedp.WaitVisible(css("h1 .b-shipped")),
	)
	if c, err := e.Core.OperatorGetCard(context.Background(), w.Card.ID); err != nil || c.Status != baas.CardShipped {
		t.Fatalf("card after accept and ship: %v %v", c, err)
	}

	// A sandbox purchase that appears on the card's page, merchant name escaped.
	run("sandbox purchase",
		chromedp.Navigate(e.URL+"/console/cards/"+virtual.ID),
		chromedp.WaitVisible(css("#send-txn")),
		chromedp.SetValue(css("#type"), "purchase"),
		chromedp.SendKeys(css("#amount"), "12.34"),
		chromedp.SendKeys(css("#merchant_name"), "<b>Corner Café</b>"),
		chromedp.Click(css("#send-txn")),
		chromedp.WaitVisible(css("#txns")),
	)
	text := textOf("#txns")
	if !strings.Contains(text, "<b>Corner Café</b>") || !strings.Contains(text, "12.34") || !strings.Contains(text, "approved") {
		t.Fatalf("the purchase on the card's page: %s", text)
	}
	run("card page", shot("card"))

	// A webhook replay: the delivery's event reaches the endpoint a second time.
	dels, err := e.Core.ListDeliveries(context.Background(), baas.DeliveryFilter{TenantID: ten, Limit: 100})
	if err != nil || len(dels) == 0 {
		t.Fatalf("deliveries: %v %v", dels, err)
	}
	first := dels[len(dels)-1]
	hookID := webhook.EventID(first.EventID)
	eventually(t, "the first delivery", func() bool { return rc.count(hookID) == 1 })
	run("webhook replay",
		chromedp.Navigate(e.URL+"/console/tenants/"+ten+"/webhooks"),
		chromedp.WaitVisible(css("#deliveries")),
		shot("webhooks"),
		chromedp.Navigate(fmt.Sprintf("%s/console/tenants/%s/webhooks/deliveries/%d", e.URL, ten, first.ID)),
		chromedp.Click(css("#replay")),
		chromedp.WaitVisible(css(".notice")),
	)
	eventually(t, "the replayed delivery", func() bool { return rc.count(hookID) == 2 })

	// The other main pages, for the screenshots.
	run("tenant and account",
		chromedp.Navigate(e.URL+"/console/tenants/"+ten),
		chromedp.WaitVisible(css("#float-balance")),
		shot("tenant"),
		chromedp.Navigate(fmt.Sprintf("%s/console/tenants/%s/accounts/%d", e.URL, ten, grace.Account.Number)),
		chromedp.WaitVisible(css("table")),
		shot("account"),
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(e.URL+"/console/cards/"+virtual.ID),
		chromedp.WaitVisible(css("#txns")),
		shot("card-phone"),
		chromedp.EmulateViewport(1280, 860),
	)

	// Sign-out: afterwards the console sends the browser to sign in again.
	run("sign out",
		chromedp.Navigate(e.URL+"/console/kyc"),
		chromedp.Click(css("#sign-out")),
		chromedp.WaitVisible(css("#token")),
		chromedp.Navigate(e.URL+"/console/cards"),
		chromedp.WaitVisible(css("#token")),
	)
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(url, "/console/sign-in") {
		t.Fatalf("after sign-out: %s", url)
	}
	t.Logf("screenshots in %s", shots)
}
