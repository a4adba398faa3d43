package core

import (
	"fmt"
	"strconv"

	"github.com/baas-oss/baas"
)

// PageRule is the size of the pages of a list: the core decides it, the stores read
// what they are given.
type PageRule struct {
	Default int // when the client asks for no size
	Max     int
}

// Page sizes of the lists.
var (
	// Pages is the rule of statements, events, deliveries, authorization calls and KYC
	// documents: 100 by default, at most 500.
	Pages = PageRule{Default: 100, Max: 500}
	// AccountPages is the rule of a tenant's accounts, which the operator adds up: 1,000
	// by default and at most.
	AccountPages = PageRule{Default: 1000, Max: 1000}
	// TenantPages is the rule of the tenant list: 100 by default, at most 1,000.
	TenantPages = PageRule{Default: 100, Max: 1000}
)

// Parse is the rule for a page size a client sends as text (a query parameter): none
// ("") is the default, an integer from 1 to Max is itself, anything else an EInvalid
// error naming the range ("limit must be an integer between 1 and 500").
func (p PageRule) Parse(v string) (int, error) {
	if v == "" {
		return p.Default, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > p.Max {
		return 0, baas.Invalid(fmt.Sprintf("limit must be an integer between 1 and %d", p.Max))
	}
	return n, nil
}

// limit is the page size a use case reads: limit when within 1..Max, else the default.
func (p PageRule) limit(limit int) int {
	if limit < 1 || limit > p.Max {
		return p.Default
	}
	return limit
}
