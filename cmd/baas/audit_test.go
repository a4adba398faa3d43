package main

import (
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baas-oss/baas/store/storetest"
)

// TestAuditCommand: the CLI's operator actions are recorded with the operating-system
// user as "cli:<user>" from "cli"; `baas audit` lists them, newest first, filtered, as a
// table or JSON, without any secret the commands printed, and needs no master key.
func TestAuditCommand(t *testing.T) {
	actor := cliActor(t)
	storetest.Each(t, func(t *testing.T, engine string) {
		st := newStore(t, engine)
		created := mustRun(t, st, nil, "tenant", "create", "--name", "acme", "--json")
		var creds struct {
			TenantID string            `json:"tenant_id"`
			Codego   map[string]string `json:"codego"`
			Girasol  map[string]string `json:"girasol"`
		}
		decodeJSON(t, "tenant create", []byte(created.stdout), &creds)
		hook := mustRun(t, st, nil, "webhook", "add", "--tenant", creds.TenantID, "--url", "https://example.com/hook", "--json")
		var ep map[string]string
		decodeJSON(t, "webhook add", []byte(hook.stdout), &ep)
		mustRun(t, st, nil, "keys", "rotate", "--new-key-file", filepath.Join(st.dir, "new.key"))

		// No master key in the environment: reading the log needs none.
		out := mustRun(t, st, []string{"BAAS_MASTER_KEY_FILE=" + filepath.Join(st.dir, "absent.key")}, "audit", "--json")
		var page struct {
			Entries []struct {
				Actor, Source, Address, Action string
				TargetID                       string `json:"target_id"`
			}
		}
		decodeJSON(t, "audit --json", []byte(out.stdout), &page)
		var actions []string
		for _, e := range page.Entries {
			actions = append(actions, e.Action)
			if e.Actor != actor || e.Source != "cli" || e.Address != "cli" {
				t.Errorf("entry %+v, want actor %s from cli", e, actor)
			}
		}
		if got := strings.Join(actions, " "); got != "keys.rotated webhook_endpoint.created tenant.created" {
			t.Fatalf("actions %q:\n%s", got, out.stdout)
		}
		for _, s := range []string{creds.Codego["client_key"], creds.Codego["secret_key"], creds.Codego["api_key"],
			creds.Girasol["api_key"], creds.Girasol["secret_key"], ep["event_request_key"], ep["signing_secret"]} {
			if s == "" || strings.Contains(out.stdout, s) {
				t.Errorf("secret %q empty or in the audit log:\n%s", s, out.stdout)
			}
		}

		table := mustRun(t, st, nil, "audit", "--tenant", creds.TenantID, "--action", "tenant.created")
		if lines := strings.Split(strings.TrimSpace(table.stdout), "\n"); len(lines) != 2 ||
			!strings.Contains(lines[1], "tenant.created") || !strings.Contains(lines[1], actor) || !strings.Contains(lines[1], `"name":"acme"`) {
			t.Errorf("audit --tenant --action:\n%s", table.stdout)
		}
		one := mustRun(t, st, nil, "audit", "--limit", "1", "--json")
		if !strings.Contains(one.stdout, `"next_before"`) || strings.Count(one.stdout, `"action"`) != 1 {
			t.Errorf("audit --limit 1:\n%s", one.stdout)
		}
		for _, bad := range [][]string{{"audit", "--limit", "0"}, {"audit", "--limit", "501"}, {"audit", "--tenant", "a\xffb"}} {
			if res := runBaas(t, st, nil, bad...); res.code == 0 {
				t.Errorf("baas %v succeeded:\n%s", bad, res.stdout)
			}
		}
	})
}

// cliActor is the audit actor of the commands the tests run: "cli:" and the current
// operating-system user (the test is skipped when there is none).
func cliActor(t *testing.T) string {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Skipf("no current user: %v", err)
	}
	return "cli:" + u.Username
}
