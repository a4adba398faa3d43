package admin

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/webhook"
)

// Webhooks and real-time authorization: a tenant's endpoints, the delivery log, the event
// log, re-sending, and the authorization URL (see docs/webhooks.md).

func (h *Handler) registerWebhooks(mux httpx.Mux) {
	const t = "/admin/api/tenants/{id}"
	mux.Handle("POST "+t+"/webhooks/endpoints", h.authed(h.createEndpoint))
	mux.Handle("GET "+t+"/webhooks/endpoints", h.authed(h.listEndpoints))
	mux.Handle("DELETE "+t+"/webhooks/endpoints/{endpoint}", h.authed(h.deleteEndpoint))
	mux.Handle("GET "+t+"/webhooks/endpoints/{endpoint}/deliveries", h.authed(h.listDeliveries))
	mux.Handle("GET "+t+"/webhooks/deliveries", h.authed(h.listDeliveries))
	mux.Handle("GET "+t+"/webhooks/deliveries/{delivery}", h.authed(h.getDelivery))
	mux.Handle("POST "+t+"/webhooks/deliveries/resend-failed", h.authed(h.resendFailed))
	mux.Handle("GET "+t+"/events", h.authed(h.listEvents))
	mux.Handle("GET "+t+"/events/{event}/deliveries", h.authed(h.listDeliveries))
	mux.Handle("POST "+t+"/events/{event}/resend", h.authed(h.resendEvent))
	mux.Handle("PATCH "+t, h.authed(h.patchTenant))
	mux.Handle("GET "+t+"/authorization", h.authed(h.getAuthorization))
	mux.Handle("GET "+t+"/authorization/calls", h.authed(h.listAuthorizationCalls))
}

// webhookTime formats times like the rest of the admin API.
func webhookTime(t time.Time) string { return httpx.Time(t) }

func webhookTimePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := webhookTime(t)
	return &s
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

type endpointView struct {
	ID        string   `json:"endpoint_id"`
	URL       string   `json:"url"`
	Events    []string `json:"events"` // ["*"] for every event
	Format    string   `json:"format"`
	CreatedAt string   `json:"created_at"`
}

func viewEndpoint(e *baas.WebhookEndpoint) endpointView {
	types := e.EventTypes
	if len(types) == 0 {
		types = []string{"*"}
	}
	return endpointView{ID: e.ID, URL: e.URL, Events: types, Format: e.Format, CreatedAt: webhookTime(e.CreatedAt)}
}

// createEndpoint: POST …/webhooks/endpoints {"url","events":[…],"format"} → 201
// {"endpoint_id","event_request_key","signing_secret"} (the secrets are shown once).
func (h *Handler) createEndpoint(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
		Format string   `json:"format"`
	}
	if _, err := decode(r, &in); err != nil {
		return err
	}
	s, err := h.core.CreateWebhookEndpoint(r.Context(), core.CreateWebhookEndpointParams{TenantID: r.PathValue("id"),
		URL: in.URL, EventTypes: in.Events, Format: in.Format})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, s)
	return nil
}

func (h *Handler) listEndpoints(w http.ResponseWriter, r *http.Request) error {
	eps, err := h.core.ListWebhookEndpoints(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := make([]endpointView, 0, len(eps))
	for _, e := range eps {
		out = append(out, viewEndpoint(e))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"endpoints": out})
	return nil
}

func (h *Handler) deleteEndpoint(w http.ResponseWriter, r *http.Request) error {
	if err := h.core.DeleteWebhookEndpoint(r.Context(), r.PathValue("id"), r.PathValue("endpoint")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type deliveryView struct {
	ID             int64   `json:"delivery_id"`
	EndpointID     string  `json:"endpoint_id"`
	EventID        int64   `json:"event_id"`
	WebhookID      string  `json:"webhook_id"`
	EventType      string  `json:"event_type"`
	ObjectID       string  `json:"object_id"`
	Status         string  `json:"status"`
	Attempts       int     `json:"attempts"`
	NextAttemptAt  *string `json:"next_attempt_at"`
	LastStatusCode int     `json:"last_status_code"`
	LastError      string  `json:"last_error"`
	LastLatencyMS  float64 `json:"last_latency_ms"`
	CreatedAt      string  `json:"created_at"`
	UpdatedAt      string  `json:"updated_at"`
	CompletedAt    *string `json:"completed_at"`
}

func viewDelivery(d *baas.WebhookDelivery) deliveryView {
	v := deliveryView{ID: d.ID, EndpointID: d.EndpointID, EventID: d.EventID, WebhookID: webhook.EventID(d.EventID),
		EventType: d.EventType, ObjectID: d.ObjectID, Status: d.Status, Attempts: d.Attempts,
		LastStatusCode: d.LastStatusCode, LastError: d.LastError, LastLatencyMS: millis(d.LastLatency),
		CreatedAt: webhookTime(d.CreatedAt), UpdatedAt: webhookTime(d.UpdatedAt), CompletedAt: webhookTimePtr(d.CompletedAt)}
	if d.Status == baas.DeliveryPending {
		v.NextAttemptAt = webhookTimePtr(d.NextAttemptAt)
	}
	return v
}

// listDeliveries serves the delivery log of a tenant, of one endpoint, or of one event,
// newest first: ?status=&before=&limit= (continue with before = the last delivery_id).
func (h *Handler) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	f := baas.DeliveryFilter{TenantID: r.PathValue("id"), EndpointID: r.PathValue("endpoint"), Status: r.URL.Query().Get("status")}
	var err error
	if r.PathValue("event") != "" {
		if f.EventID, err = pathID(r, "event", "event"); err != nil {
			return err
		}
	}
	if f.BeforeID, f.Limit, err = pageQuery(r); err != nil {
		return err
	}
	ds, err := h.core.ListDeliveries(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]deliveryView, 0, len(ds))
	for _, d := range ds {
		out = append(out, viewDelivery(d))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"deliveries": out})
	return nil
}

type attemptView struct {
	Attempt    int     `json:"attempt"`
	StatusCode int     `json:"status_code"`
	Error      string  `json:"error"`
	LatencyMS  float64 `json:"latency_ms"`
	Response   string  `json:"response"`
	CreatedAt  string  `json:"created_at"`
}

// getDelivery: one delivery with every attempt made, oldest first.
func (h *Handler) getDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "delivery", "webhook delivery")
	if err != nil {
		return err
	}
	d, attempts, err := h.core.DeliveryLog(r.Context(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	out := make([]attemptView, 0, len(attempts))
	for _, a := range attempts {
		out = append(out, attemptView{Attempt: a.Attempt, StatusCode: a.StatusCode, Error: a.Error, LatencyMS: millis(a.Latency),
			Response: a.Response, CreatedAt: webhookTime(a.CreatedAt)})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"delivery": viewDelivery(d), "attempts": out})
	return nil
}

// resendFailed: POST …/webhooks/deliveries/resend-failed {"since": RFC 3339, "endpoint_id"}.
func (h *Handler) resendFailed(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Since      string `json:"since"`
		EndpointID string `json:"endpoint_id"`
	}
	if _, err := decode(r, &in); err != nil {
		return err
	}
	since, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(in.Since))
	if err != nil {
		return baas.Invalid("since must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
	}
	n, err := h.core.ResendFailed(r.Context(), r.PathValue("id"), since, in.EndpointID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]any{"requeued": n})
	return nil
}

type eventView struct {
	ID        int64           `json:"event_id"`
	WebhookID string          `json:"webhook_id"`
	Type      string          `json:"type"`
	ObjectID  string          `json:"object_id"`
	CreatedAt string          `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// pageQuery reads the ?before= cursor and ?limit= (at most core.Pages.Max) of a listing.
func pageQuery(r *http.Request) (before int64, limit int, err error) {
	if before, err = queryCursor(r, "before", 1); err != nil {
		return 0, 0, err
	}
	limit, err = queryLimit(r, core.Pages)
	return before, limit, err
}

// listEvents: GET …/events?type=&before=&limit=, newest first.
func (h *Handler) listEvents(w http.ResponseWriter, r *http.Request) error {
	f := baas.EventFilter{TenantID: r.PathValue("id"), Type: r.URL.Query().Get("type")}
	var err error
	if f.BeforeID, f.Limit, err = pageQuery(r); err != nil {
		return err
	}
	evs, err := h.core.ListEvents(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]eventView, 0, len(evs))
	for _, e := range evs {
		out = append(out, eventView{ID: e.ID, WebhookID: webhook.EventID(e.ID), Type: e.Type, ObjectID: e.ObjectID,
			CreatedAt: webhookTime(e.CreatedAt), Data: e.Payload})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"events": out})
	return nil
}

// resendEvent: POST …/events/{event}/resend [{"endpoint_id"}].
func (h *Handler) resendEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "event", "event")
	if err != nil {
		return err
	}
	var in struct {
		EndpointID string `json:"endpoint_id"`
	}
	if err := decodeOptional(r, &in); err != nil {
		return err
	}
	n, err := h.core.ResendEvent(r.Context(), r.PathValue("id"), id, in.EndpointID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]any{"requeued": n})
	return nil
}

// patchTenant: PATCH /admin/api/tenants/{id} {"authorization_url","authorization_timeout_ms",
// "stand_in"}. The answer carries "authorization_signing_secret" once, when the tenant
// first gets a URL.
func (h *Handler) patchTenant(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		URL       *string `json:"authorization_url"`
		TimeoutMS *int64  `json:"authorization_timeout_ms"`
		StandIn   *string `json:"stand_in"`
	}
	if _, err := decode(r, &in); err != nil {
		return err
	}
	p := core.AuthorizationSettingsPatch{TenantID: r.PathValue("id"), URL: in.URL, StandIn: in.StandIn}
	if in.TimeoutMS != nil {
		d, err := core.AuthorizationTimeoutMS(*in.TimeoutMS)
		if err != nil {
			return err
		}
		p.Timeout = &d
	}
	v, err := h.core.UpdateAuthorizationSettings(r.Context(), p)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, v)
	return nil
}

func (h *Handler) getAuthorization(w http.ResponseWriter, r *http.Request) error {
	v, err := h.core.GetAuthorizationSettings(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, v)
	return nil
}

// listAuthorizationCalls: the recorded real-time authorization calls, newest first.
func (h *Handler) listAuthorizationCalls(w http.ResponseWriter, r *http.Request) error {
	before, limit, err := pageQuery(r)
	if err != nil {
		return err
	}
	calls, err := h.core.ListAuthorizationCalls(r.Context(), r.PathValue("id"), before, limit)
	if err != nil {
		return err
	}
	type view struct {
		ID         int64   `json:"id"`
		RequestID  string  `json:"request_id"`
		Reference  string  `json:"reference"`
		Approved   bool    `json:"approved"`
		StandIn    bool    `json:"stand_in"`
		Reason     string  `json:"reason"`
		StatusCode int     `json:"status_code"`
		LatencyMS  float64 `json:"latency_ms"`
		CreatedAt  string  `json:"created_at"`
	}
	out := make([]view, 0, len(calls))
	for _, c := range calls {
		out = append(out, view{c.ID, c.RequestID, c.Reference, c.Approved, c.StandIn, c.Reason, c.StatusCode,
			millis(c.Latency), webhookTime(c.CreatedAt)})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"calls": out})
	return nil
}
