package girasol

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/field"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/rules"
)

// The "Controls" collection (spending-control rules per company, product or card) and
// the bearer token its examples authenticate with. The rules are the core's
// (core/spendingcontrol.go, the rules package); this file decodes the bodies, words the
// core's refusals as class-validator does, and answers as the spec's examples: the bare
// {"ruleId"} for create, the envelope elsewhere (docs/girasol.md, "Controls").

func (h *Handler) registerControls(mux httpx.Mux) {
	mux.Handle("POST /v1/auth/token", h.authed(h.issueToken))
	mux.Handle("POST /v1/controls/{ownerType}/{ownerId}", h.keyOrBearer(h.createControl))
	mux.Handle("GET /v1/controls/{ownerType}/{ownerId}", h.keyOrBearer(h.listControls))
	mux.Handle("PATCH /v1/controls/{ruleId}", h.keyOrBearer(h.updateControl))
	mux.Handle("DELETE /v1/controls/{ruleId}", h.keyOrBearer(h.deleteControl))
}

// issueToken: POST /v1/auth/token with the key headers issues a bearer token that stands
// for them for core.SessionTTL.
func (h *Handler) issueToken(ctx context.Context, r *http.Request, b *body) (*response, error) {
	if msgs := b.finish(); msgs != nil {
		return nil, invalid(msgs)
	}
	_, sess, err := h.core.OpenKeySession(ctx, r.Header.Get("x-api-key"), r.Header.Get("x-secret-key"),
		r.Header.Get("x-company-id"))
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusCreated, data: map[string]any{"accessToken": sess.Token, "tokenType": "Bearer",
		"expiresIn": int(core.SessionTTL.Seconds()), "expiresAt": timestamp(sess.ExpiresAt)}}, nil
}

// controlFunc serves a Controls route: the status and the whole answer (bare or the
// envelope), or an error for the envelope.
type controlFunc func(ctx context.Context, r *http.Request, b *body) (int, any, error)

// keyOrBearer authenticates with the bearer token the Controls examples show or with the
// key headers as every other route, reads the body and writes fn's answer as it is.
func (h *Handler) keyOrBearer(fn controlFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenantID, err := h.controlCaller(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if name, _ := field.UnstorableParam(r); name != "" {
			h.fail(w, r, baas.Errorf(baas.ENotFound, "%s not found", name))
			return
		}
		httpx.SetTenant(r.Context(), tenantID)
		ctx := baas.WithTenant(r.Context(), tenantID)
		b, _ := decodeBody(nil)
		if r.Method == http.MethodPost || r.Method == http.MethodPatch {
			var ok bool
			if b, _, ok = h.readBody(w, r); !ok {
				return
			}
		}
		status, answer, err := fn(ctx, r, b)
		if err != nil {
			h.fail(w, r, controlErr(err))
			return
		}
		httpx.WriteJSON(w, status, answer)
	})
}

// controlCaller returns the tenant of a bearer token ("Authorization: Bearer …", when no
// x-api-key is sent) or of the key headers.
func (h *Handler) controlCaller(r *http.Request) (string, error) {
	unauthorized := baas.Errorf(baas.EUnauthorized, "Unauthorized")
	auth := r.Header.Get("Authorization")
	if r.Header.Get("x-api-key") == "" && len(auth) > 7 && strings.EqualFold(auth[:7], "Bearer ") {
		token := strings.TrimSpace(auth[7:])
		if !field.Storable(token) {
			return "", unauthorized
		}
		return h.core.AuthenticateBearer(r.Context(), token)
	}
	apiKey, secret, company := r.Header.Get("x-api-key"), r.Header.Get("x-secret-key"), r.Header.Get("x-company-id")
	if !field.Storable(apiKey) || !field.Storable(secret) || !field.Storable(company) {
		return "", unauthorized
	}
	return h.core.AuthenticateGirasol(r.Context(), apiKey, secret, company)
}

// controlView is a rule as the list and update answers show it.
type controlView struct {
	RuleID         string         `json:"ruleId"`
	OwnerType      string         `json:"ownerType"`
	OwnerID        string         `json:"ownerId"`
	ValidationType string         `json:"validationType"`
	Value          string         `json:"value"`
	Amount         int64          `json:"amount"`
	CurrencyCode   string         `json:"currencyCode"`
	BusinessScope  string         `json:"businessScope"`
	RangeType      string         `json:"rangeType"`
	TimeFrame      rulesTimeFrame `json:"timeFrame"`
	CreatedAt      string         `json:"createdAt"`
	UpdatedAt      string         `json:"updatedAt"`
}

type rulesTimeFrame struct {
	Begin string `json:"begin"`
	End   string `json:"end"`
}

func viewControl(c *baas.SpendingControl) controlView {
	tf := rulesTimeFrame{Begin: c.TimeBegin, End: c.TimeEnd}
	if tf.Begin == "" && tf.End == "" {
		tf = rulesTimeFrame{Begin: "00:00:00", End: "23:59:59"} // no time frame: the whole day
	}
	return controlView{RuleID: c.ID, OwnerType: c.OwnerType, OwnerID: c.OwnerID, ValidationType: c.ValidationType,
		Value: c.Value, Amount: c.Amount, CurrencyCode: c.CurrencyCode, BusinessScope: c.BusinessScope,
		RangeType: c.RangeType, TimeFrame: tf, CreatedAt: timestamp(c.CreatedAt), UpdatedAt: timestamp(c.UpdatedAt)}
}

// createControl: POST /v1/controls/{ownerType}/{ownerId} answers 200 {"ruleId"}, bare,
// as the spec's example.
func (h *Handler) createControl(ctx context.Context, r *http.Request, b *body) (int, any, error) {
	ownerType, ownerID := r.PathValue("ownerType"), r.PathValue("ownerId")
	f, err := b.controlFields(true)
	if err != nil { // an owner that is not the company's is not found, whatever the body
		return 0, nil, cmp.Or(h.core.CheckControlOwner(ctx, ownerType, ownerID), err)
	}
	c, err := h.core.CreateControl(ctx, ownerType, ownerID, f)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]string{"ruleId": c.ID}, nil
}

// listControls: GET /v1/controls/{ownerType}/{ownerId}, the owner's rules oldest first.
func (h *Handler) listControls(ctx context.Context, r *http.Request, _ *body) (int, any, error) {
	cs, err := h.core.ListControls(ctx, r.PathValue("ownerType"), r.PathValue("ownerId"))
	if err != nil {
		return 0, nil, err
	}
	out := make([]controlView, len(cs))
	for i, c := range cs {
		out[i] = viewControl(c)
	}
	return http.StatusOK, envelope{StatusCode: http.StatusOK, Data: out}, nil
}

// updateControl: PATCH /v1/controls/{ruleId} changes the fields sent and answers the rule.
func (h *Handler) updateControl(ctx context.Context, r *http.Request, b *body) (int, any, error) {
	id, err := pathRuleID(r)
	if err != nil {
		return 0, nil, err
	}
	f, err := b.controlFields(false)
	if err != nil { // a rule that is not the company's is not found, whatever the body
		_, nf := h.core.GetControl(ctx, id)
		return 0, nil, cmp.Or(nf, err)
	}
	c, err := h.core.UpdateControl(ctx, id, f)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, envelope{StatusCode: http.StatusOK, Data: viewControl(c)}, nil
}

// deleteControl: DELETE /v1/controls/{ruleId} answers {"ruleId","deleted":true}.
func (h *Handler) deleteControl(ctx context.Context, r *http.Request, _ *body) (int, any, error) {
	id, err := pathRuleID(r)
	if err != nil {
		return 0, nil, err
	}
	if id, err = h.core.DeleteControl(ctx, id); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, envelope{StatusCode: http.StatusOK, Data: map[string]any{"ruleId": id, "deleted": true}}, nil
}

func pathRuleID(r *http.Request) (string, error) {
	id := r.PathValue("ruleId")
	if !uuidRe.MatchString(id) {
		return "", baas.Invalid("ruleId must be a UUID")
	}
	return id, nil
}

// controlFields reads a rule's fields: their JSON types here, their values in the core.
// On create validationType is required, and amount for an Amount rule.
func (b *body) controlFields(create bool) (core.ControlFields, error) {
	var f core.ControlFields
	text := func(name string, required bool) *string {
		if _, _, ok := b.lookup(name); !ok {
			if required {
				b.fail("%s should not be empty", name)
			}
			return nil
		}
		s := b.str(strOpt{empty: true, max: 1000}, name)
		return &s
	}
	f.ValidationType = text("validationType", create)
	f.Value = text("value", false)
	f.CurrencyCode = text("currencyCode", false)
	f.BusinessScope = text("businessScope", false)
	f.RangeType = text("rangeType", false)
	if _, _, ok := b.lookup("amount"); ok {
		n := b.int(intOpt{optional: true}, "amount")
		f.Amount = &n
	} else if create && f.ValidationType != nil && strings.EqualFold(*f.ValidationType, string(rules.Amount)) {
		b.fail("amount should not be empty")
	}
	if raw, _, ok := b.lookup("timeFrame"); ok {
		f.TimeFrame = b.timeFrame(raw)
	}
	return f, invalid(b.finish())
}

// timeFrame reads the nested {"begin","end"} object.
func (b *body) timeFrame(raw json.RawMessage) *rules.TimeFrame {
	var fields map[string]json.RawMessage
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &fields) != nil {
		b.fail("nested property timeFrame must be either object or array")
		return nil
	}
	var tf rules.TimeFrame
	for name, v := range fields {
		var dst *string
		switch name {
		case "begin":
			dst = &tf.Begin
		case "end":
			dst = &tf.End
		default:
			if len(name) > 64 {
				name = name[:64] + "…"
			}
			b.fail("property timeFrame.%s should not exist", name)
			continue
		}
		s, ok := field.JSONString(v)
		if !ok || !field.Storable(s) {
			b.fail("timeFrame.%s must be a string", name)
			continue
		}
		*dst = s
	}
	return &tf
}

// clockPattern is the class-validator @Matches pattern of a time of day, for the messages.
const clockPattern = `/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/`

// controlMessages words the core's rule refusals per field as class-validator would.
var controlMessages = map[string]string{
	"validationType":  "validationType must be one of the following values: Mcc, Amount, EntryMode",
	"businessScope":   "businessScope must be one of the following values: International, Domestic, Both",
	"rangeType":       "rangeType must be one of the following values: Daily, Weekly, Monthly, Always",
	"ownerType":       "ownerType must be one of the following values: company, product, card",
	"currencyCode":    "currencyCode must be a valid ISO4217 currency code",
	"timeFrame.begin": "timeFrame.begin must match " + clockPattern + " regular expression",
	"timeFrame.end":   "timeFrame.end must match " + clockPattern + " regular expression",
}

// controlErr words the core's validation of a rule in class-validator's terms; other
// errors pass unchanged.
func controlErr(err error) error {
	e := baas.AsError(err)
	if e.Code != baas.EInvalid || len(e.Fields) == 0 {
		return err
	}
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Message
		if m, ok := controlMessages[f.Field]; ok {
			msgs[i] = m
		}
		if f.Field == "amount" && strings.Contains(f.Message, "negative") {
			msgs[i] = "amount must not be less than 0"
		}
	}
	return baas.Invalid(msgs...)
}
