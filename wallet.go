package baas

import (
	"context"
	"time"
)

// Crypto wallets (Codego "Crypto - …"): an address per customer, coin and network where
// the customer receives that coin; a deposit to it is converted and credited to the
// customer's account. A wallet without a customer (CustomerID "") is the tenant's own,
// and deposits to it credit the tenant's float. Addresses are derived by the core; the
// store only keeps them unique.

// CryptoWallet is one deposit address.
type CryptoWallet struct {
	ID         string // the unique_id a client sees
	TenantID   string
	CustomerID string // "" for the tenant's own wallet
	Coin       string // a coin of the core's list: "btc", "usdt"
	Network    string // its network: "bitcoin", "erc-20", "trc-20"
	Address    string // unique among all wallets
	CreatedAt  time.Time
}

// WalletTx holds the queries of crypto wallets.
type WalletTx interface {
	// CreateWallet inserts a wallet; a second wallet of the same tenant, customer, coin
	// and network, or another wallet with the same address, is EConflict.
	CreateWallet(ctx context.Context, w *CryptoWallet) error
	// FindWallet returns the tenant's wallet of a customer ("" for the tenant's own),
	// coin and network.
	FindWallet(ctx context.Context, tenantID, customerID, coin, network string) (*CryptoWallet, error)
	// FindWalletByAddress returns the wallet with this address, of whichever tenant.
	FindWalletByAddress(ctx context.Context, address string) (*CryptoWallet, error)
	// ListWallets returns the tenant's wallets, newest first: a customer's ("" for the
	// tenant's own) when customerID is set, else all of them.
	ListWallets(ctx context.Context, tenantID string, customerID *string) ([]*CryptoWallet, error)
}
