package sqldb

import "github.com/baas-oss/baas"

// CreditStmt is the input of Dialect.CreditAndPost: the postings of transfer TransferID
// (their TransferID set), of which Postings[Credit] credits an account that must belong
// to TenantID, hold the posting's currency and have status Status.
//
// The statement adds the credit's amount to that account's balance and inserts the
// postings, the credit's balance_after being the new balance, and returns that balance
// as its one row. When the account does not qualify it must fail with an error the
// Dialect's IsNotNull recognizes (the credit's balance_after is then NULL), which
// CreditLater reports as baas.ErrCreditRefused. Its placeholders are ?, like every query
// the shared code writes.
type CreditStmt struct {
	TenantID, Status string
	TransferID       int64
	Postings         []baas.Posting
	Credit           int
}

// chainLock returns the statement that locks key until the transaction ends, shared or
// exclusive, or "" where the dialect takes no such locks.
func (d *Dialect) chainLock(exclusive bool) string {
	fn := d.XactLockShared
	if exclusive {
		fn = d.XactLock
	}
	if fn == "" {
		return ""
	}
	return `SELECT ` + fn + `(?)`
}
