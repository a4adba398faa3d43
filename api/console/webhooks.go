package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
)

// Webhooks: a tenant's endpoints, the delivery log newest or oldest first (keyset by
// delivery id),
// one delivery's attempts with their responses, and replay of its event through
// core.ResendEvent, as the operator API's POST …/events/{event}/resend does.

func (h *Handler) registerWebhooks(mux httpx.Mux) {
	mux.Handle("GET /console/tenants/{id}/webhooks", h.authed(h.webhooks))
	mux.Handle("GET /console/tenants/{id}/webhooks/deliveries/{delivery}", h.authed(h.delivery))
	mux.Handle("POST /console/tenants/{id}/webhooks/deliveries/{delivery}/replay", h.authed(h.replay))
	mux.Handle("POST /console/tenants/{id}/webhooks/resend-failed", h.authed(h.resendFailed))
}

type webhooksData struct {
	Tenant     *baas.Tenant
	Endpoints  []*baas.WebhookEndpoint
	Deliveries []*baas.WebhookDelivery
	Status     string
	Next       int64
	Statuses   []string
	Sort       string
	Sorts      []sortChoice
}

// deliverySorts are the delivery log's orders: by time (delivery ids follow creation).
var deliverySorts = []sortChoice{{"", "Newest first"}, {"oldest", "Oldest first"}}

func (h *Handler) webhooks(c *call) error { return h.showWebhooks(c, http.StatusOK, nil) }

func (h *Handler) showWebhooks(c *call, status int, fields map[string]string) error {
	ctx := c.r.Context()
	t, err := h.core.GetTenant(ctx, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	d := &webhooksData{Tenant: t, Status: c.r.URL.Query().Get("status"),
		Statuses: []string{baas.DeliveryPending, baas.DeliverySucceeded, baas.DeliveryFailed}}
	if d.Endpoints, err = h.core.ListWebhookEndpoints(ctx, t.ID); err != nil {
		return err
	}
	d.Sorts = deliverySorts
	if d.Sort, err = pickSort(c.r.URL.Query().Get("sort"), deliverySorts); err != nil {
		return err
	}
	f := baas.DeliveryFilter{TenantID: t.ID, Status: d.Status, Oldest: d.Sort == "oldest", Limit: PageSize}
	if f.BeforeID, err = queryInt(c.r, "before"); err != nil {
		return err
	}
	if f.AfterID, err = queryInt(c.r, "after"); err != nil {
		return err
	}
	if d.Deliveries, err = h.core.ListDeliveries(ctx, f); err != nil {
		return err
	}
	if len(d.Deliveries) == f.Limit {
		d.Next = d.Deliveries[len(d.Deliveries)-1].ID
	}
	p := c.page("Webhooks of "+t.Name, "tenants", d)
	p.Fields = fields
	if c.r.Method == http.MethodPost {
		p.Form = c.r.PostForm
	}
	return h.render(c, status, "webhooks", p)
}

// resendFailed queues the tenant's failed deliveries since a day (UTC), of one endpoint or
// every one, through core.ResendFailed, as the operator API's POST
// …/webhooks/deliveries/resend-failed does.
func (h *Handler) resendFailed(c *call) error {
	f := c.r.PostForm
	since, err := time.Parse(time.DateOnly, strings.TrimSpace(f.Get("since")))
	if err != nil {
		return h.showWebhooks(c, http.StatusUnprocessableEntity, map[string]string{"since": "Write a day such as 2026-01-31."})
	}
	_, err = h.core.ResendFailed(c.r.Context(), c.r.PathValue("id"), since, f.Get("endpoint_id"))
	if baas.IsCode(err, baas.ENotFound) && f.Get("endpoint_id") != "" {
		return h.showWebhooks(c, http.StatusUnprocessableEntity,
			map[string]string{"endpoint_id": "That endpoint is not one of this tenant's."})
	}
	if fields, ok := fieldErrors(err, "since"); ok {
		return h.showWebhooks(c, statusOf[baas.AsError(err).Code], fields)
	}
	if err != nil {
		return err
	}
	http.Redirect(c.w, c.r, "/console/tenants/"+url.PathEscape(c.r.PathValue("id"))+"/webhooks?status=pending&done=requeued",
		http.StatusSeeOther)
	return nil
}

type deliveryData struct {
	Tenant   *baas.Tenant
	Delivery *baas.WebhookDelivery
	Attempts []*baas.WebhookAttempt
}

func (h *Handler) loadDelivery(c *call) (*deliveryData, error) {
	ctx := c.r.Context()
	t, err := h.core.GetTenant(ctx, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	id, err := pathInt(c.r, "delivery", "delivery")
	if err != nil {
		return nil, err
	}
	d := &deliveryData{Tenant: t}
	if d.Delivery, d.Attempts, err = h.core.DeliveryLog(ctx, t.ID, id); err != nil {
		return nil, err
	}
	return d, nil
}

func (h *Handler) delivery(c *call) error {
	d, err := h.loadDelivery(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "delivery", c.page(fmt.Sprintf("Delivery %d", d.Delivery.ID), "tenants", d))
}

// replay sends the delivery's event again to the delivery's endpoint.
func (h *Handler) replay(c *call) error {
	d, err := h.loadDelivery(c)
	if err != nil {
		return err
	}
	if _, err := h.core.ResendEvent(c.r.Context(), d.Tenant.ID, d.Delivery.EventID, d.Delivery.EndpointID); err != nil {
		return err
	}
	http.Redirect(c.w, c.r, "/console/tenants/"+url.PathEscape(d.Tenant.ID)+"/webhooks/deliveries/"+
		strconv.FormatInt(d.Delivery.ID, 10)+"?done=resent", http.StatusSeeOther)
	return nil
}
