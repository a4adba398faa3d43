package postgres

import (
	"strings"

	"github.com/baas-oss/baas/store/sqldb"
)

// This file holds the statements only PostgreSQL runs: the Dialect's SQL variants.

// creditAndPost is the Dialect's CreditAndPost: it updates the balance and inserts the
// postings at once; when the account does not qualify, the update returns no row, the
// credit's balance_after is NULL and its NOT NULL constraint fails the statement — and,
// pipelined with the COMMIT, the transaction. (SQLite has no UPDATE inside WITH.)
func creditAndPost(c sqldb.CreditStmt) (string, []any) {
	cr := &c.Postings[c.Credit]
	args := make([]any, 0, 5+5*len(c.Postings)+1)
	args = append(args, cr.Amount, cr.AccountID, c.TenantID, cr.Currency, c.Status)
	var b strings.Builder
	b.WriteString(`WITH credited AS (UPDATE accounts SET balance = balance + ?
	WHERE id = ? AND tenant_id = ? AND currency = ? AND status = ? RETURNING balance),
	inserted AS (INSERT INTO postings (transfer_id, account_id, currency, amount, balance_after) VALUES `)
	for i, p := range c.Postings {
		if i > 0 {
			b.WriteString(", ")
		}
		args = append(args, c.TransferID, p.AccountID, p.Currency, p.Amount)
		if i == c.Credit {
			b.WriteString("(?, ?, ?, ?, (SELECT balance FROM credited))")
		} else {
			b.WriteString("(?, ?, ?, ?, ?)")
			args = append(args, p.BalanceAfter)
		}
	}
	b.WriteString(` RETURNING account_id, balance_after)
	SELECT balance_after FROM inserted WHERE account_id = ?`)
	args = append(args, cr.AccountID)
	return b.String(), args
}
