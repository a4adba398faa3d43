package admin

import (
	"net/http"
	"strconv"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
)

// The compliance review: the operator lists KYC documents (pending ones by default),
// views their images, and verifies or rejects them with a reason; and sets a sandbox
// tenant's automatic verification. Each decision writes a kyc.verified or kyc.rejected
// event, which the webhook engine delivers.

func (h *Handler) registerKYC(mux httpx.Mux) {
	mux.Handle("GET /admin/api/kyc/documents", h.authed(h.listKYC))
	mux.Handle("GET /admin/api/kyc/documents/{id}", h.authed(h.getKYC))
	mux.Handle("GET /admin/api/kyc/documents/{id}/images/{side}", h.authed(h.kycImage))
	mux.Handle("POST /admin/api/kyc/documents/{id}/verify", h.authed(h.verifyKYC))
	mux.Handle("POST /admin/api/kyc/documents/{id}/reject", h.authed(h.rejectKYC))
	mux.Handle("GET /admin/api/kyc/settings/{tenant}", h.authed(h.kycSettings))
	mux.Handle("PUT /admin/api/kyc/settings/{tenant}", h.authed(h.putKYCSettings))
}

type kycImageView struct {
	Side        string `json:"side"`
	ContentType string `json:"content_type"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	URL         string `json:"url"`
}

type kycView struct {
	ID            int64          `json:"id"`
	TenantID      string         `json:"tenant_id"`
	CustomerID    string         `json:"customer_id"`
	UserID        string         `json:"user_id"`
	CustomerName  string         `json:"customer_name"`
	CustomerEmail string         `json:"customer_email"`
	DocumentID    int            `json:"document_id"`
	DocumentName  string         `json:"document_name"`
	Number        string         `json:"document_number"`
	Status        string         `json:"status"`
	Reason        string         `json:"reason"`
	Reviewer      string         `json:"reviewer"`
	CreatedAt     string         `json:"created_at"`
	ReviewedAt    string         `json:"reviewed_at,omitempty"`
	AutoVerifyAt  string         `json:"auto_verify_at,omitempty"`
	Images        []kycImageView `json:"images"`
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return httpx.Time(t)
}

func viewKYC(d *baas.KYCDocument) kycView {
	v := kycView{ID: d.ID, TenantID: d.TenantID, CustomerID: d.CustomerID, UserID: d.CustomerRef, CustomerName: d.CustomerName,
		CustomerEmail: d.CustomerEmail, DocumentID: d.Type, DocumentName: baas.DocumentName(d.Type), Number: d.Number,
		Status: d.Status, Reason: d.Reason, Reviewer: d.Reviewer, CreatedAt: stamp(d.CreatedAt),
		ReviewedAt: stamp(d.ReviewedAt), AutoVerifyAt: stamp(d.AutoVerifyAt), Images: []kycImageView{}}
	for _, im := range d.Images {
		v.Images = append(v.Images, kycImageView{Side: im.Side, ContentType: im.ContentType, Width: im.Width,
			Height: im.Height, Size: im.Size, SHA256: im.SHA256,
			URL: "/admin/api/kyc/documents/" + strconv.FormatInt(d.ID, 10) + "/images/" + im.Side})
	}
	return v
}

// listKYC: GET /admin/api/kyc/documents?status=Pending&tenant_id=&user_id=&after=&limit=.
// Without status it lists the pending documents; status=all lists every one.
func (h *Handler) listKYC(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := baas.KYCFilter{TenantID: q.Get("tenant_id"), Status: q.Get("status")}
	switch f.Status {
	case "":
		f.Status = baas.KYCPending
	case "all":
		f.Status = ""
	}
	var err error
	if f.AfterID, err = queryCursor(r, "after", 0); err != nil {
		return err
	}
	if f.Limit, err = queryLimit(r, core.Pages); err != nil {
		return err
	}
	// user_id is a customer's external reference (the Codego user_id).
	if uid := q.Get("user_id"); uid != "" {
		if f.TenantID == "" {
			return baas.Invalid("user_id needs tenant_id")
		}
		c, err := h.core.Customer(baas.WithTenant(r.Context(), f.TenantID), baas.CustomerKey{Ref: httpx.NormalizeRef(uid)})
		if baas.IsCode(err, baas.ENotFound) {
			return baas.Reasonf(baas.ENotFound, "USER_NOT_FOUND", "user not found")
		}
		if err != nil {
			return err
		}
		f.CustomerID = c.ID
	}
	docs, err := h.core.ListKYCDocuments(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]kycView, 0, len(docs))
	for _, d := range docs {
		out = append(out, viewKYC(d))
	}
	res := map[string]any{"documents": out}
	if len(docs) == f.Limit {
		res["next_after"] = docs[len(docs)-1].ID
	}
	httpx.WriteJSON(w, http.StatusOK, res)
	return nil
}

// getKYC: GET /admin/api/kyc/documents/{id}.
func (h *Handler) getKYC(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "document")
	if err != nil {
		return err
	}
	d, err := h.core.GetKYCDocument(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"document": viewKYC(d)})
	return nil
}

// kycImage: GET /admin/api/kyc/documents/{id}/images/{side}: the image itself, never
// cached, never sniffed.
func (h *Handler) kycImage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "document")
	if err != nil {
		return err
	}
	im, err := h.core.KYCImage(r.Context(), id, r.PathValue("side"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", im.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(im.Data)))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(im.Data)
	return nil
}

type reviewInput struct {
	Reason   string `json:"reason"`
	Reviewer string `json:"reviewer"`
}

func (h *Handler) review(w http.ResponseWriter, r *http.Request, verify bool) error {
	id, err := pathID(r, "id", "document")
	if err != nil {
		return err
	}
	var in reviewInput
	if err := decodeOptional(r, &in); err != nil {
		return err
	}
	d, err := h.core.ReviewKYC(r.Context(), core.ReviewKYCParams{DocumentID: id, Verify: verify, Reason: in.Reason,
		Reviewer: in.Reviewer})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"document": viewKYC(d)})
	return nil
}

// verifyKYC: POST /admin/api/kyc/documents/{id}/verify {"reviewer":"…"}.
func (h *Handler) verifyKYC(w http.ResponseWriter, r *http.Request) error {
	return h.review(w, r, true)
}

// rejectKYC: POST /admin/api/kyc/documents/{id}/reject {"reason":"…","reviewer":"…"}.
func (h *Handler) rejectKYC(w http.ResponseWriter, r *http.Request) error {
	return h.review(w, r, false)
}

type kycSettingsView struct {
	TenantID               string `json:"tenant_id"`
	AutoVerifyAfterSeconds int64  `json:"auto_verify_after_seconds"`
}

// kycSettings: GET /admin/api/kyc/settings/{tenant}.
func (h *Handler) kycSettings(w http.ResponseWriter, r *http.Request) error {
	s, err := h.core.KYCSettings(r.Context(), r.PathValue("tenant"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, kycSettingsView{s.TenantID, int64(s.AutoVerifyAfter / time.Second)})
	return nil
}

// putKYCSettings: PUT /admin/api/kyc/settings/{tenant} {"auto_verify_after_seconds": 60};
// 0 turns automatic verification off. Sandbox tenants only.
func (h *Handler) putKYCSettings(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		AutoVerifyAfterSeconds *int64 `json:"auto_verify_after_seconds"`
	}
	if _, err := decode(r, &in); err != nil {
		return err
	}
	if in.AutoVerifyAfterSeconds == nil {
		return baas.Invalid("auto_verify_after_seconds is required")
	}
	delay, err := core.AutoVerifyDelay(*in.AutoVerifyAfterSeconds)
	if err != nil {
		return err
	}
	s, err := h.core.SetKYCSettings(r.Context(), baas.KYCSettings{TenantID: r.PathValue("tenant"), AutoVerifyAfter: delay})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, kycSettingsView{s.TenantID, int64(s.AutoVerifyAfter / time.Second)})
	return nil
}
