package core

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // tenants' zones resolve on hosts without a zone database

	"github.com/google/uuid"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/ledger"
	"github.com/baas-oss/baas/rules"
)

// This file holds the spending-control rules a tenant sets through a dialect (create,
// update, delete, list per owner) and the tenant's region they are evaluated in (set by
// the operator). What a rule means, and its validation, is the rules package's; the
// evaluation in the authorization path is controls.go.

// MaxControlsPerOwner bounds the rules of one owner, so that an authorization checks a
// bounded list.
const MaxControlsPerOwner = 50

// ControlFields are a rule's fields as a client sends them; nil keeps the stored value on
// update (and takes the default on create: Both, Always, no time frame).
type ControlFields struct {
	ValidationType *string
	Value          *string
	Amount         *int64
	CurrencyCode   *string
	BusinessScope  *string
	RangeType      *string
	TimeFrame      *rules.TimeFrame
}

// Reasons of the spending-control refusals.
const (
	ReasonRuleNotFound  = "RULE_NOT_FOUND"  // no such rule of the tenant (or a malformed id)
	ReasonOwnerNotFound = "OWNER_NOT_FOUND" // the company, product or card named is not the tenant's
	ReasonRuleInvalid   = "RULE_INVALID"    // a field of the rule does not validate (FieldError.Reason)
	ReasonRuleLimit     = "RULE_LIMIT"      // the owner has MaxControlsPerOwner rules already
)

func errRuleNotFound() error {
	return baas.Reasonf(baas.ENotFound, ReasonRuleNotFound, "rule not found")
}

// CreateControl creates a rule of the tenant in ctx on an owner: ownerType "company"
// (ownerID the company id: the tenant's id), "product" (a card product's name, such as
// girasol-virtual) or "card" (a card id of the tenant). Refusals: EInvalid with one
// FieldError (the spec's field name) when a field does not validate; ENotFound
// OWNER_NOT_FOUND for an owner that is not the tenant's; EConflict RULE_LIMIT.
func (s *Service) CreateControl(ctx context.Context, ownerType, ownerID string, f ControlFields) (*baas.SpendingControl, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	ot, err := controlOwnerType(ownerType)
	if err != nil {
		return nil, err
	}
	id, err := uuid.NewV7() // time-ordered: rules list and apply in creation order
	if err != nil {
		return nil, err
	}
	var out *baas.SpendingControl
	defer s.controls.invalidate(tenantID)
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		ownerID, err := controlOwner(ctx, tx, tenantID, ot, ownerID)
		if err != nil {
			return err
		}
		r, err := applyControlFields(rules.Rule{ID: id.String(), OwnerType: ot, OwnerID: ownerID}, f)
		if err != nil {
			return err
		}
		existing, err := tx.ListSpendingControls(ctx, tenantID, string(r.OwnerType), r.OwnerID)
		if err != nil {
			return err
		}
		if len(existing) >= MaxControlsPerOwner {
			return baas.Reasonf(baas.EConflict, ReasonRuleLimit, "an owner has at most %d rules", MaxControlsPerOwner)
		}
		now := s.now()
		out = fromRule(r, tenantID)
		out.CreatedAt, out.UpdatedAt = now, now
		return tx.CreateSpendingControl(ctx, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CheckControlOwner checks an owner as CreateControl and ListControls do, without a rule:
// EInvalid for an unknown owner type, ENotFound OWNER_NOT_FOUND for an owner that is not
// the tenant's in ctx. A dialect calls it to answer "not found" before the problems of a
// body it could not decode.
func (s *Service) CheckControlOwner(ctx context.Context, ownerType, ownerID string) error {
	_, err := s.ListControls(ctx, ownerType, ownerID)
	return err
}

// GetControl returns a rule of the tenant in ctx; ENotFound RULE_NOT_FOUND for an
// unknown, foreign or malformed id.
func (s *Service) GetControl(ctx context.Context, ruleID string) (*baas.SpendingControl, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	if !ValidCardID(ruleID) {
		return nil, errRuleNotFound()
	}
	c, err := s.store.Read().GetSpendingControl(ctx, tenantID, strings.ToLower(ruleID))
	if baas.IsCode(err, baas.ENotFound) {
		return nil, errRuleNotFound()
	}
	return c, err
}

// UpdateControl changes the fields given of a rule of the tenant in ctx (its owner stays).
// Refusals: ENotFound RULE_NOT_FOUND for an unknown, foreign or malformed id; EInvalid as
// CreateControl.
func (s *Service) UpdateControl(ctx context.Context, ruleID string, f ControlFields) (*baas.SpendingControl, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	if !ValidCardID(ruleID) { // the same UUID shape
		return nil, errRuleNotFound()
	}
	var out *baas.SpendingControl
	defer s.controls.invalidate(tenantID)
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		c, err := tx.GetSpendingControl(ctx, tenantID, strings.ToLower(ruleID))
		if baas.IsCode(err, baas.ENotFound) {
			return errRuleNotFound()
		}
		if err != nil {
			return err
		}
		r, err := applyControlFields(toRule(c), f)
		if err != nil {
			return err
		}
		out = fromRule(r, tenantID)
		out.CreatedAt, out.UpdatedAt = c.CreatedAt, s.now()
		return tx.UpdateSpendingControl(ctx, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteControl deletes a rule of the tenant in ctx and returns its id as stored;
// ENotFound RULE_NOT_FOUND for an unknown, foreign or malformed id.
func (s *Service) DeleteControl(ctx context.Context, ruleID string) (string, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return "", err
	}
	if !ValidCardID(ruleID) {
		return "", errRuleNotFound()
	}
	id := strings.ToLower(ruleID)
	defer s.controls.invalidate(tenantID)
	err = s.store.InTx(ctx, func(tx baas.Tx) error {
		err := tx.DeleteSpendingControl(ctx, tenantID, id)
		if baas.IsCode(err, baas.ENotFound) {
			return errRuleNotFound()
		}
		return err
	})
	return id, err
}

// ListControls returns the rules of one owner of the tenant in ctx, oldest first; an
// unknown owner type is EInvalid, an owner that is not the tenant's ENotFound
// OWNER_NOT_FOUND.
func (s *Service) ListControls(ctx context.Context, ownerType, ownerID string) ([]*baas.SpendingControl, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	ot, err := controlOwnerType(ownerType)
	if err != nil {
		return nil, err
	}
	var out []*baas.SpendingControl
	err = s.store.View(ctx, func(tx baas.Tx) error {
		id, err := controlOwner(ctx, tx, tenantID, ot, ownerID)
		if err != nil {
			return err
		}
		out, err = tx.ListSpendingControls(ctx, tenantID, string(ot), id)
		return err
	})
	return out, err
}

// controlOwnerType reads an owner type, ignoring case.
func controlOwnerType(s string) (rules.OwnerType, error) {
	r, err := rules.Rule{OwnerType: rules.OwnerType(s)}.Normalize()
	if e := ruleError(err); e != nil && baas.AsError(e).Fields[0].Field == "ownerType" {
		return "", e
	}
	return r.OwnerType, nil
}

// controlOwner checks that the owner named is the tenant's and returns its id as rules
// store it: the tenant id for the company, the product's name, the card's id in lower
// case.
func controlOwner(ctx context.Context, tx baas.Tx, tenantID string, ot rules.OwnerType, id string) (string, error) {
	notFound := baas.Reasonf(baas.ENotFound, ReasonOwnerNotFound, "%s not found", ot)
	switch ot {
	case rules.OwnerCompany:
		// A tenant's Girasol company id is its id (CreateTenant).
		if !strings.EqualFold(id, tenantID) {
			return "", notFound
		}
		return tenantID, nil
	case rules.OwnerProduct:
		p, ok := LookupCardProduct(strings.ToLower(id))
		if !ok {
			return "", notFound
		}
		return p.Name, nil
	case rules.OwnerCard:
		if !ValidCardID(id) {
			return "", notFound
		}
		c, err := tx.GetCard(ctx, tenantID, strings.ToLower(id))
		if baas.IsCode(err, baas.ENotFound) {
			return "", notFound
		}
		if err != nil {
			return "", err
		}
		return c.ID, nil
	}
	return "", notFound
}

// applyControlFields sets the fields given on r and validates the result.
func applyControlFields(r rules.Rule, f ControlFields) (rules.Rule, error) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	vt, scope, rng := string(r.ValidationType), string(r.BusinessScope), string(r.RangeType)
	set(&vt, f.ValidationType)
	set(&scope, f.BusinessScope)
	set(&rng, f.RangeType)
	set(&r.Value, f.Value)
	set(&r.CurrencyCode, f.CurrencyCode)
	r.ValidationType, r.BusinessScope, r.RangeType = rules.ValidationType(vt), rules.Scope(scope), rules.RangeType(rng)
	if f.Amount != nil {
		r.Amount = *f.Amount
	}
	if f.TimeFrame != nil {
		r.TimeFrame = *f.TimeFrame
	}
	n, err := r.Normalize()
	if err != nil {
		return r, ruleError(err)
	}
	if n.Amount > ledger.MaxAmount {
		return r, baas.InvalidFields(baas.FieldError{Field: "amount", Reason: ReasonRuleInvalid,
			Message: fmt.Sprintf("amount must not be greater than %d", int64(ledger.MaxAmount))})
	}
	return n, nil
}

// ruleError turns the rules package's refusal into a validation error naming the field.
func ruleError(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := err.(*rules.Error); ok {
		return baas.InvalidFields(baas.FieldError{Field: e.Field, Reason: ReasonRuleInvalid, Message: e.Message})
	}
	return err
}

func toRule(c *baas.SpendingControl) rules.Rule {
	return rules.Rule{ID: c.ID, OwnerType: rules.OwnerType(c.OwnerType), OwnerID: c.OwnerID,
		ValidationType: rules.ValidationType(c.ValidationType), Value: c.Value, Amount: c.Amount,
		CurrencyCode: c.CurrencyCode, BusinessScope: rules.Scope(c.BusinessScope), RangeType: rules.RangeType(c.RangeType),
		TimeFrame: rules.TimeFrame{Begin: c.TimeBegin, End: c.TimeEnd}}
}

func fromRule(r rules.Rule, tenantID string) *baas.SpendingControl {
	return &baas.SpendingControl{ID: r.ID, TenantID: tenantID, OwnerType: string(r.OwnerType), OwnerID: r.OwnerID,
		ValidationType: string(r.ValidationType), Value: r.Value, Amount: r.Amount, CurrencyCode: r.CurrencyCode,
		BusinessScope: string(r.BusinessScope), RangeType: string(r.RangeType), TimeBegin: r.TimeFrame.Begin,
		TimeEnd: r.TimeFrame.End}
}

// Every write here moves the tenant's generation of the controls cache on once it has
// committed (the deferred invalidate): the next authorization reads what it wrote
// (controls.go).

// --- the tenant's region ---

// SetTenantRegion sets where a tenant is for its spending controls: timeZone an IANA
// zone name ("" or "UTC" for UTC), country an ISO 3166 alpha-2 code ("" for none: every
// transaction is then domestic). Recorded in the audit log.
func (s *Service) SetTenantRegion(ctx context.Context, tenantID, timeZone, country string) (*baas.TenantRegion, error) {
	timeZone, country = strings.TrimSpace(timeZone), strings.ToUpper(strings.TrimSpace(country))
	var fields []baas.FieldError
	if _, err := s.zone(timeZone); err != nil {
		fields = append(fields, baas.FieldError{Field: "time_zone", Reason: "UNKNOWN_TIME_ZONE",
			Message: "time_zone must be an IANA time zone name such as America/New_York"})
	}
	if country != "" && !knownCountry(country) {
		fields = append(fields, baas.FieldError{Field: "country", Reason: "UNKNOWN_COUNTRY",
			Message: "country must be an ISO 3166 alpha-2 code such as US"})
	}
	if len(fields) > 0 {
		return nil, baas.InvalidFields(fields...)
	}
	out := &baas.TenantRegion{TenantID: tenantID, TimeZone: timeZone, Country: country}
	defer s.controls.invalidate(tenantID)
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		if _, err := tx.GetTenant(ctx, tenantID); err != nil {
			return err
		}
		out.UpdatedAt = s.now()
		if err := tx.PutTenantRegion(ctx, out); err != nil {
			return err
		}
		return audit(ctx, tx, out.UpdatedAt, AuditRecord{Action: baas.AuditTenantRegionChanged, TenantID: tenantID,
			TargetType: "tenant", TargetID: tenantID, Details: map[string]any{"time_zone": timeZone, "country": country}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetTenantRegion returns a tenant's region; the zero region (UTC, no country) when the
// operator set none.
func (s *Service) GetTenantRegion(ctx context.Context, tenantID string) (*baas.TenantRegion, error) {
	var out *baas.TenantRegion
	err := s.store.View(ctx, func(tx baas.Tx) error {
		if _, err := tx.GetTenant(ctx, tenantID); err != nil {
			return err
		}
		var err error
		out, err = tx.GetTenantRegion(ctx, tenantID)
		return err
	})
	return out, err
}

func knownCountry(alpha2 string) bool {
	for _, c := range countries {
		if c.Alpha2 == alpha2 {
			return true
		}
	}
	return false
}

// zones keeps the time zones already loaded: loading one reads the zone database.
var zones sync.Map // name -> *time.Location

// zone returns the location named name ("" is UTC).
func (s *Service) zone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	zones.Store(name, l)
	return l, nil
}
