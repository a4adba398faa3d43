package admin

import (
	"encoding/json"
	"net"
	"net/http"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
)

// operatorActor is the actor of a request made with the operator token: "operator" (the
// one token there is; no fingerprint of it is kept) from the request's remote address.
func operatorActor(r *http.Request) baas.Actor {
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	return baas.Actor{ID: "operator", Source: baas.ActorSourceAPI, Address: addr}
}

func (h *Handler) registerAudit(mux httpx.Mux) {
	mux.Handle("GET /admin/api/audit", h.authed(h.listAudit))
}

// AuditView is an audit entry as the operator API and `baas audit --json` show it.
type AuditView struct {
	ID         int64           `json:"id"`
	Actor      string          `json:"actor"`
	Source     string          `json:"source"`
	Address    string          `json:"address"`
	RequestID  string          `json:"request_id,omitempty"`
	Action     string          `json:"action"`
	TenantID   string          `json:"tenant_id,omitempty"`
	TargetType string          `json:"target_type"`
	TargetID   string          `json:"target_id"`
	Details    json.RawMessage `json:"details"`
	CreatedAt  string          `json:"created_at"`
}

// listAudit: GET /admin/api/audit?tenant_id=&action=&before=&limit= — the audit log,
// newest first. "next_before" is set when the page is full: pass it as ?before= for the
// next page.
func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := baas.AuditFilter{TenantID: q.Get("tenant_id"), Action: q.Get("action")}
	var err error
	if f.BeforeID, f.Limit, err = pageQuery(r); err != nil {
		return err
	}
	es, err := h.core.ListAudit(r.Context(), f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, AuditPage(es, f.Limit))
	return nil
}

// AuditPage is a page of audit entries as the operator API and `baas audit --json` show
// it: {"entries":[…]}, with "next_before" (the ?before= of the next page) when the page
// holds limit entries.
func AuditPage(es []*baas.AuditEntry, limit int) map[string]any {
	out := make([]AuditView, 0, len(es))
	for _, e := range es {
		out = append(out, AuditView{ID: e.ID, Actor: e.Actor, Source: e.Source, Address: e.Address, RequestID: e.RequestID,
			Action: e.Action, TenantID: e.TenantID, TargetType: e.TargetType, TargetID: e.TargetID, Details: e.Details,
			CreatedAt: webhookTime(e.CreatedAt)})
	}
	page := map[string]any{"entries": out}
	if len(es) > 0 && len(es) == limit {
		page["next_before"] = es[len(es)-1].ID
	}
	return page
}
