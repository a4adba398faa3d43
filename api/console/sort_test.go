package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// TestConsoleSortAndPages: the customer, card and delivery lists sort as asked and page by
// keyset in that order: walking the "Next" links of 120 customers by name visits each
// once, in name order; cards sort by status and newest first; a sort that is not offered
// is refused.
func TestConsoleSortAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		o := signedIn(t, e)
		ctx := baas.WithTenant(context.Background(), e.Tenant.TenantID)
		const n = 120
		for i := range n {
			// Last names in the reverse of creation order, two customers per name.
			if _, _, err := e.Core.CreateAccount(ctx, core.CreateAccountParams{Email: fmt.Sprintf("s%03d@example.com", i),
				Handle: fmt.Sprintf("s%03d", i), FirstName: fmt.Sprintf("F%03d", i%2), LastName: fmt.Sprintf("L%03d", (n-i)/2)}); err != nil {
				t.Fatal(err)
			}
		}
		base := "/console/tenants/" + e.Tenant.TenantID + "/accounts"
		nameRe := regexp.MustCompile(`<td>(L\d{3}), (F\d{3})</td>`)
		nextRe := regexp.MustCompile(`<nav class="pager"><a href="([^"]+)">`)
		var names []string
		path := base + "?sort=name"
		for pages := 0; path != ""; pages++ {
			if pages > 5 {
				t.Fatal("the pages do not end")
			}
			p := o.get(t, path)
			if p.status != http.StatusOK {
				t.Fatalf("GET %s: %d", path, p.status)
			}
			for _, m := range nameRe.FindAllStringSubmatch(p.body, -1) {
				names = append(names, m[1]+", "+m[2])
			}
			path = ""
			if m := nextRe.FindStringSubmatch(p.body); m != nil {
				path = strings.ReplaceAll(m[1], "&amp;", "&")
			}
		}
		if len(names) != n {
			t.Fatalf("walked %d customers by name, want %d", len(names), n)
		}
		for i := 1; i < len(names); i++ {
			if names[i] < names[i-1] {
				t.Fatalf("by name: %q after %q", names[i], names[i-1])
			}
		}
		newest := o.get(t, base+"?sort=newest")
		if m := nameRe.FindStringSubmatch(newest.body); m == nil || m[1] != "L000" && m[1] != "L001" {
			t.Errorf("newest first starts with %v", m)
		}

		// Cards: two cards of the seed, one ordered; by status, then newest first.
		w := seed(t, e)
		cards := o.get(t, "/console/cards?tenant="+e.Tenant.TenantID+"&sort=status")
		if cards.status != http.StatusOK || !strings.Contains(cards.body, w.Card.MaskedPAN) {
			t.Errorf("cards by status: %d", cards.status)
		}
		if p := o.get(t, "/console/cards?sort=newest"); p.status != http.StatusOK || !strings.Contains(p.body, w.Card.MaskedPAN) {
			t.Errorf("cards newest first: %d", p.status)
		}
		if p := o.get(t, "/console/tenants/"+e.Tenant.TenantID+"/webhooks?sort=oldest"); p.status != http.StatusOK {
			t.Errorf("deliveries oldest first: %d", p.status)
		}
		for _, path := range []string{"/console/cards?sort=pan", base + "?sort=balance",
			"/console/tenants/" + e.Tenant.TenantID + "/webhooks?sort=<b>"} {
			if p := o.get(t, path); p.status != http.StatusUnprocessableEntity || strings.Contains(p.body, "<b>") {
				t.Errorf("GET %s: %d, want 422", path, p.status)
			}
		}
	})
}

// TestConsoleResendFailed: the webhooks page's "resend failed" goes through
// core.ResendFailed; a day that does not parse or an endpoint of no one is refused beside
// its field and changes nothing.
func TestConsoleResendFailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		e := servertest.Start(t, engine)
		o := signedIn(t, e)
		page := "/console/tenants/" + e.Tenant.TenantID + "/webhooks"
		action := page + "/resend-failed"
		for form, field := range map[string]url.Values{
			"since":       {"since": {"yesterday<script>"}},
			"endpoint_id": {"since": {"2026-01-02"}, "endpoint_id": {"nope"}},
		} {
			p := o.post(t, page, action, field)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `class="ferr"`) ||
				strings.Contains(p.body, "<script>") {
				t.Errorf("resend failed with a bad %s: %d", form, p.status)
			}
		}
		p := o.post(t, page, action, url.Values{"since": {"2026-01-02"}})
		if p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Location"), "done=requeued") {
			t.Fatalf("resend failed: %d %s", p.status, p.header.Get("Location"))
		}
		if p := o.get(t, p.header.Get("Location")); !strings.Contains(p.body, "queued for delivery again") {
			t.Errorf("no notice after resending: %d", p.status)
		}
		if p := o.do(t, "POST", action, url.Values{"since": {"2026-01-02"}, "csrf": {"forged"}}); p.status != http.StatusForbidden {
			t.Errorf("resend failed with a forged CSRF token: %d", p.status)
		}
	})
}
