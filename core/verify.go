package core

import (
	"context"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/ledger"
)

// LedgerReport is the outcome of VerifyLedger.
type LedgerReport struct {
	OK         bool                 `json:"ok"`
	Totals     []baas.CurrencyTotal `json:"totals"`
	Violations []ledger.Violation   `json:"violations"`
}

// VerifyLedger checks every ledger invariant over the whole store, in one consistent
// snapshot, so no transfer is seen half-applied.
func (s *Service) VerifyLedger(ctx context.Context) (*LedgerReport, error) {
	rep := &LedgerReport{}
	err := s.store.View(ctx, func(tx baas.Tx) error {
		totals, err := tx.CurrencyTotals(ctx)
		if err != nil {
			return err
		}
		accounts, err := tx.AccountChecks(ctx)
		if err != nil {
			return err
		}
		transfers, err := tx.UnbalancedTransfers(ctx)
		if err != nil {
			return err
		}
		rep.Totals = append([]baas.CurrencyTotal{}, totals...)
		rep.Violations = ledger.Check(totals, accounts, transfers)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep.OK = len(rep.Violations) == 0
	return rep, nil
}
