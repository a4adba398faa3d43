package console

import (
	"net/http"
	"strconv"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
)

// The KYC review queue: pending documents (or any status), refreshed in place by
// console.js; one document's images beside the customer's data, verified or rejected with
// a reason through core.ReviewKYC, the same call as the operator API's.

func (h *Handler) registerKYC(mux httpx.Mux) {
	mux.Handle("GET /console/kyc", h.authed(h.kycList))
	mux.Handle("GET /console/kyc/queue", h.authed(h.kycQueue))
	mux.Handle("GET /console/kyc/{id}", h.authed(h.kycDocument))
	mux.Handle("GET /console/kyc/{id}/images/{side}", h.authed(h.kycImage))
	mux.Handle("POST /console/kyc/{id}/verify", h.authed(h.kycReview(true)))
	mux.Handle("POST /console/kyc/{id}/reject", h.authed(h.kycReview(false)))
}

type kycListData struct {
	Status   string // as in the URL: "" (pending), Verified, Rejected, all
	Tenant   string
	Docs     []*baas.KYCDocument
	Next     int64
	Statuses []string
}

func (h *Handler) kycFilter(c *call) (*kycListData, baas.KYCFilter, error) {
	q := c.r.URL.Query()
	d := &kycListData{Status: q.Get("status"), Tenant: q.Get("tenant"), Statuses: []string{baas.KYCVerified, baas.KYCRejected, "all"}}
	f := baas.KYCFilter{TenantID: d.Tenant, Status: d.Status, Limit: PageSize}
	switch d.Status {
	case "", baas.KYCPending:
		d.Status, f.Status = "", baas.KYCPending
	case "all":
		f.Status = ""
	case baas.KYCVerified, baas.KYCRejected:
	default:
		return nil, f, baas.Invalid("status must be Pending, Verified, Rejected or all")
	}
	var err error
	if f.AfterID, err = queryInt(c.r, "after"); err != nil {
		return nil, f, err
	}
	return d, f, nil
}

func (h *Handler) loadKYC(c *call) (*kycListData, error) {
	d, f, err := h.kycFilter(c)
	if err != nil {
		return nil, err
	}
	if d.Docs, err = h.core.ListKYCDocuments(c.r.Context(), f); err != nil {
		return nil, err
	}
	if len(d.Docs) == f.Limit {
		d.Next = d.Docs[len(d.Docs)-1].ID
	}
	return d, nil
}

func (h *Handler) kycList(c *call) error {
	d, err := h.loadKYC(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "kyc", c.page("KYC review", "kyc", d))
}

// kycQueue is the queue's table alone, which console.js fetches to refresh it.
func (h *Handler) kycQueue(c *call) error {
	d, err := h.loadKYC(c)
	if err != nil {
		return err
	}
	return h.renderPart(c, "kyc", "queue", c.page("KYC review", "kyc", d))
}

type kycDocData struct {
	Doc      *baas.KYCDocument
	Customer *baas.ProfiledCustomer
	Account  *core.CustomerAccount
}

func (h *Handler) kycDocument(c *call) error {
	return h.showKYCDocument(c, http.StatusOK, nil)
}

func (h *Handler) showKYCDocument(c *call, status int, fields map[string]string) error {
	id, err := pathInt(c.r, "id", "document")
	if err != nil {
		return err
	}
	doc, err := h.core.GetKYCDocument(c.r.Context(), id)
	if err != nil {
		return err
	}
	d := &kycDocData{Doc: doc}
	ctx := baas.WithTenant(c.r.Context(), doc.TenantID)
	if d.Customer, err = h.core.Customer(ctx, baas.CustomerKey{ID: doc.CustomerID}); err != nil {
		return err
	}
	if a, err := h.core.AccountDetail(ctx, baas.CustomerKey{ID: doc.CustomerID}); err == nil {
		d.Account = a
	}
	p := c.page(baas.DocumentName(doc.Type)+" of "+doc.CustomerName, "kyc", d)
	p.Fields = fields
	if c.r.Method == http.MethodPost {
		p.Form = c.r.PostForm
	}
	return h.render(c, status, "kycdoc", p)
}

func (h *Handler) kycImage(c *call) error {
	id, err := pathInt(c.r, "id", "document")
	if err != nil {
		return err
	}
	im, err := h.core.KYCImage(c.r.Context(), id, c.r.PathValue("side"))
	if err != nil {
		return err
	}
	c.w.Header().Set("Content-Type", im.ContentType)
	c.w.Header().Set("Content-Length", strconv.Itoa(len(im.Data)))
	c.w.Header().Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(im.Data)
	return nil
}

func (h *Handler) kycReview(verify bool) pageFunc {
	return func(c *call) error {
		id, err := pathInt(c.r, "id", "document")
		if err != nil {
			return err
		}
		_, err = h.core.ReviewKYC(c.r.Context(), core.ReviewKYCParams{DocumentID: id, Verify: verify,
			Reason: c.r.PostForm.Get("reason"), Reviewer: c.r.PostForm.Get("reviewer")})
		if fields, ok := fieldErrors(err, "reason"); ok {
			if verify {
				fields = map[string]string{"verify": baas.AsError(err).Message}
			}
			return h.showKYCDocument(c, http.StatusUnprocessableEntity, fields)
		}
		if err != nil {
			return err
		}
		done := "verified"
		if !verify {
			done = "rejected"
		}
		http.Redirect(c.w, c.r, "/console/kyc?done="+done, http.StatusSeeOther)
		return nil
	}
}
