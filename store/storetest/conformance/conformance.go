// Package conformance is the suite that every baas.Store passes, whatever its engine. It
// imports only the root package: it knows the store through baas.Store and baas.Tx, never
// an engine package (TestImportsNoEngine checks that), so each engine runs it from its
// own tests and a new engine runs it without a change here.
//
// The suite has one file per area, named like the root file that declares the area's
// interface (tenant.go tests baas.TenantTx, ledger.go baas.LedgerTx, …); helpers.go holds
// the fixtures they share and batch.go the batch writes that span several areas.
//
// # A third engine
//
// An engine's test file runs the suite with an opener that returns a fresh, empty,
// migrated store, closed at the end of the test it is given:
//
//	func TestConformance(t *testing.T) {
//		t.Parallel()
//		conformance.Run(t, func(t testing.TB) baas.Store {
//			s, err := myengine.Open(context.Background(), dsnForATestOfItsOwn(t))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Every subtest opens a store of its own and runs in parallel with the others. The suite
// asks of Engine only a non-empty name (the engine's own test checks which); other tests
// of the repository reach the engines through store/storetest, whose Open and Each then
// learn the new engine's name.
package conformance

import (
	"testing"

	"github.com/baas-oss/baas"
)

// Run runs the conformance suite on the stores that open returns: a fresh, empty,
// migrated store that lives until the end of the test it is given. Every subtest opens
// its own and runs in parallel.
func Run(t *testing.T, open func(t testing.TB) baas.Store) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s baas.Store)
	}{
		// store.go
		{"Engine", testEngine},
		{"Settings", testSettings},
		{"InitSettingFirstWriterWins", testInitSetting},
		{"SettingForUpdate", testSettingForUpdate},
		{"InTxRollsBack", testInTxRollback},
		{"InTxPanicRollsBack", testInTxPanic},
		{"InTxConcurrentRollbacks", testInTxConcurrentRollbacks},
		{"InTxCancelledContext", testInTxCancelled},
		{"InTxCancelledNeighbour", testInTxCancelledNeighbour},
		{"ViewSnapshot", testViewSnapshot},
		{"ViewIsReadOnly", testViewReadOnly},

		// tenant.go
		{"Tenants", testTenants},
		{"Credentials", testCredentials},

		// customer.go
		{"Customers", testCustomers},
		{"CodegoCustomers", testCodegoCustomers},

		// session.go
		{"SessionTokens", testSessionTokens},

		// kyc.go
		{"KYCDocuments", testKYCDocuments},
		{"KYCSettings", testKYCSettings},

		// ledger.go
		{"Accounts", testAccounts},
		{"AccountNumberTaken", testAccountNumberTaken},
		{"LockAccounts", testLockAccounts},
		{"LockAccountsSerializesWriters", testLockAccountsConcurrent},
		{"LockCustomerAccounts", testLockCustomerAccounts},
		{"FindCustomerAccounts", testFindCustomerAccounts},
		{"FindCustomerAccount", testFindCustomerAccount},
		{"ListAccounts", testListAccounts},
		{"AddToBalance", testAddToBalance},
		{"AddToBalances", testAddToBalances},
		{"DeferredWriteFailsTheTransaction", testDeferredWriteFails},
		{"CreditLater", testCreditLater},
		{"SaveBalances", testSaveBalances},
		{"BalanceCheckConstraint", testBalanceConstraint},
		{"InsertTransfer", testInsertTransfer},
		{"ListStatements", testListStatements},
		{"ListStatementsByNumber", testListStatementsByNumber},
		{"Holds", testHolds},
		{"LedgerChecksClean", testLedgerChecksClean},
		{"LedgerChecksReportBrokenData", testLedgerChecksBroken},

		// idempotency.go
		{"Idempotency", testIdempotency},

		// event.go
		{"Events", testEvents},
		{"WebhookEndpoints", testWebhookEndpoints},
		{"WebhookOutbox", testWebhookOutbox},
		{"RecordEvent", testRecordEvent},
		{"WebhookClaimsConcurrent", testWebhookClaimsConcurrent},
		{"EventLog", testEventLog},

		// authorization.go
		{"AuthorizationSettings", testAuthorizationSettings},

		// audit.go
		{"AuditLog", testAuditLog},

		// card.go
		{"Cards", testCards},
		{"CardSettings", testCardSettings},

		// topup.go
		{"TopUps", testTopUps},

		// spendingcontrol.go
		{"SpendingControls", testSpendingControls},
		{"TenantRegions", testTenantRegions},

		// cardtxn.go
		{"CardTransactions", testCardTransactions},

		// cardload.go
		{"CodegoCards", testCodegoCards},
		{"CardLoads", testCardLoads},

		// wallet.go
		{"Wallets", testWallets},

		// giftcard.go
		{"Giftcards", testGiftcards},

		// batch.go
		{"BatchWrites", testBatchWrites},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}
