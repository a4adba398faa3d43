package core

import (
	"context"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/chainaddr"
	"github.com/baas-oss/baas/ledger"
	"github.com/baas-oss/baas/money"
)

// Crypto wallets: the coins a customer may receive, a deposit address per customer, coin
// and network, and the sandbox's deposits, which convert the coin to EUR at the coin's
// price and credit the customer's EUR account (or, for the tenant's own wallet, its EUR
// float).
//
// Addresses are derived, not drawn: the keyed hash (purpose "crypto-wallet", under the
// current data key) of tenant, customer, coin and network stands where a public key would,
// and chainaddr turns it into an address of the coin's chain with its checksum. No
// private key exists: these are sandbox addresses, not spendable. A wallet is stored
// once made, so a data key rotation never changes an address that was handed out.

// CoinDecimals is the number of decimals of coin amounts, fees and EUR prices: the spec
// writes them all with eight ("0.00010000", "23567.33000000").
const CoinDecimals = 8

// coinUnit is one coin in units of 10^-CoinDecimals.
const coinUnit = 100_000_000

// CryptoCurrency is the currency deposits are credited in: the coins are priced in EUR.
const CryptoCurrency = "EUR"

// Coin is one coin on one network, as the coin list gives it.
type Coin struct {
	Code        string // "btc", "usdt": the coin of requests
	Name        string
	Network     string // "bitcoin", "erc-20", "trc-20": the network of requests
	Chain       string // the chainaddr chain its addresses are made for
	Image       string
	NetworkType string // "fixed": the network fee does not depend on the amount
	NetworkFee  int64  // taken from each deposit, in 10^-8 coins
	EURPrice    int64  // one coin in 10^-8 EUR
	Contract    string // the token's contract address, "" for a chain's own coin
}

// coins is the coin list: the configured data of the sandbox. Prices are fixed (there
// is no market feed); fees are typical of each network.
var coins = []Coin{
	{Code: "btc", Name: "Bitcoin", Network: "bitcoin", Chain: chainaddr.Bitcoin, NetworkType: "fixed",
		NetworkFee: 10_000, EURPrice: 2_356_733_000_000},
	{Code: "eth", Name: "Ethereum", Network: "erc-20", Chain: chainaddr.Ethereum, NetworkType: "fixed",
		NetworkFee: 100_000, EURPrice: 171_245_000_000},
	{Code: "usdt", Name: "Tether", Network: "erc-20", Chain: chainaddr.Ethereum, NetworkType: "fixed",
		NetworkFee: 500_000_000, EURPrice: 92_000_000, Contract: "0xdAC17F958D2ee523a2206206994597C13D831ec7"},
	{Code: "usdt", Name: "Tether", Network: "trc-20", Chain: chainaddr.Tron, NetworkType: "fixed",
		NetworkFee: 100_000_000, EURPrice: 92_000_000, Contract: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"},
}

// networkAliases are other names clients give a network.
var networkAliases = map[string]string{"ethereum": "erc-20", "erc20": "erc-20", "trc20": "trc-20", "tron": "trc-20",
	"btc": "bitcoin"}

// Coins returns the coin list, in its order.
func Coins() []Coin { return append([]Coin(nil), coins...) }

// Reasons of the crypto refusals.
const (
	ReasonUnsupportedCoin    = "UNSUPPORTED_COIN"
	ReasonUnsupportedNetwork = "UNSUPPORTED_NETWORK"
	ReasonNetworkRequired    = "NETWORK_REQUIRED"
	ReasonWalletNotFound     = "WALLET_NOT_FOUND"
	ReasonDepositTooSmall    = "DEPOSIT_TOO_SMALL"
	ReasonNoEURAccount       = "NO_EUR_ACCOUNT"
)

// FindCoin returns the coin of the list with this code on this network, ignoring case.
// The network may be left out for a coin on one network only (btc, eth); a token on
// several (usdt) needs it.
func FindCoin(code, network string) (Coin, error) {
	code, network = strings.ToLower(strings.TrimSpace(code)), strings.ToLower(strings.TrimSpace(network))
	if a, ok := networkAliases[network]; ok {
		network = a
	}
	var on []Coin
	for _, c := range coins {
		if c.Code == code {
			on = append(on, c)
		}
	}
	if len(on) == 0 {
		return Coin{}, baas.Reasonf(baas.EInvalid, ReasonUnsupportedCoin, "coin %q is not in the coin list", truncateText(code, 20))
	}
	if network == "" {
		if len(on) > 1 {
			return Coin{}, baas.Reasonf(baas.EInvalid, ReasonNetworkRequired, "network is required for %s: %s",
				code, strings.Join(networksOf(on), " or "))
		}
		return on[0], nil
	}
	for _, c := range on {
		if c.Network == network {
			return c, nil
		}
	}
	return Coin{}, baas.Reasonf(baas.EInvalid, ReasonUnsupportedNetwork, "network %q is not one of %s's: %s",
		truncateText(network, 20), code, strings.Join(networksOf(on), ", "))
}

func networksOf(cs []Coin) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Network
	}
	return out
}

func truncateText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// FormatCoin writes an amount of 10^-8 units with all eight decimals: "0.00010000".
func FormatCoin(units int64) string {
	neg := units < 0
	if neg {
		units = -units
	}
	s := strconv.FormatInt(units/coinUnit, 10) + "." + leftPad(strconv.FormatInt(units%coinUnit, 10), CoinDecimals)
	if neg {
		return "-" + s
	}
	return s
}

func leftPad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat("0", n-len(s)) + s
}

// ParseCoin reads a decimal string of coins, exactly, into 10^-8 units: digits, an
// optional point and at most eight decimals ("0.015" is 1500000). No sign, exponent or
// space; more decimals or more than int64 holds is invalid.
func ParseCoin(s string) (int64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if !money.Decimal(s) || len(frac) > CoinDecimals || len(strings.TrimLeft(whole, "0")) > 10 {
		return 0, baas.Invalid("amount must be a decimal number of coins with at most 8 decimals, such as 0.015")
	}
	n, err := strconv.ParseInt(whole+frac+strings.Repeat("0", CoinDecimals-len(frac)), 10, 64)
	if err != nil {
		return 0, baas.Invalid("amount must be a decimal number of coins with at most 8 decimals, such as 0.015")
	}
	return n, nil
}

// DepositValue returns what a deposit of amount (10^-8 coins) of c credits, in euro
// cents: (amount − network fee) × EUR price, rounded down to the cent (a fraction of a
// cent is never paid out). It is refused when the amount does not exceed the fee or the
// value is under one cent.
func DepositValue(c Coin, amount int64) (int64, error) {
	if amount <= 0 {
		return 0, baas.Invalid("amount must be greater than zero")
	}
	net := amount - c.NetworkFee
	if net <= 0 {
		return 0, baas.Reasonf(baas.EInvalid, ReasonDepositTooSmall, "amount must be more than the network fee of %s %s",
			FormatCoin(c.NetworkFee), c.Code)
	}
	// net × price is in 10^-16 EUR; a cent is 10^14 of those.
	v := new(big.Int).Mul(big.NewInt(net), big.NewInt(c.EURPrice))
	v.Quo(v, big.NewInt(100_000_000_000_000))
	if !v.IsInt64() || v.Int64() > ledger.MaxAmount {
		return 0, baas.Invalid("amount is too large")
	}
	if v.Sign() == 0 {
		return 0, baas.Reasonf(baas.EInvalid, ReasonDepositTooSmall, "amount after the network fee is worth less than one cent")
	}
	return v.Int64(), nil
}

// GenerateWalletParams are the inputs of GenerateWallet.
type GenerateWalletParams struct {
	Customer *baas.CustomerKey // nil: the tenant's own wallet
	Coin     string
	Network  string
}

// GenerateWallet returns the wallet of a customer (or of the tenant) for a coin and
// network, making it on first use. The same inputs always give the same wallet.
func (s *Service) GenerateWallet(ctx context.Context, p GenerateWalletParams) (*baas.CryptoWallet, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	coin, err := FindCoin(p.Coin, p.Network)
	if err != nil {
		return nil, err
	}
	customerID := ""
	if p.Customer != nil {
		c, err := findCustomer(ctx, s.store.Read(), tenantID, *p.Customer)
		if err != nil {
			return nil, err
		}
		customerID = c.ID
	}
	if w, err := s.store.Read().FindWallet(ctx, tenantID, customerID, coin.Code, coin.Network); err == nil ||
		!baas.IsCode(err, baas.ENotFound) {
		return w, err
	}
	addr, err := s.walletAddress(tenantID, customerID, coin)
	if err != nil {
		return nil, err
	}
	w := &baas.CryptoWallet{ID: walletID(), TenantID: tenantID, CustomerID: customerID, Coin: coin.Code,
		Network: coin.Network, Address: addr, CreatedAt: s.now()}
	err = s.store.InTx(ctx, func(tx baas.Tx) error { return tx.CreateWallet(ctx, w) })
	if baas.IsCode(err, baas.EConflict) {
		// Made meanwhile by a concurrent request: the same address.
		return s.store.Read().FindWallet(ctx, tenantID, customerID, coin.Code, coin.Network)
	}
	if err != nil {
		return nil, err
	}
	return w, nil
}

// walletAddress derives the address of a customer's ("" for the tenant's own) wallet for
// a coin: the keyed hash of tenant, customer, coin and network under the current data
// key stands for the public key. The same keys and inputs give the same address.
func (s *Service) walletAddress(tenantID, customerID string, coin Coin) (string, error) {
	key := mac(s.keys.derive(s.keys.current, "crypto-wallet"),
		strings.Join([]string{tenantID, customerID, coin.Code, coin.Network}, "\x00"))
	return chainaddr.FromKey(coin.Chain, key)
}

const lowerAlnum = "0123456789abcdefghijklmnopqrstuvwxyz"

// walletID is a wallet's unique_id in the spec's shape: three groups of eight
// lower-case letters and digits ("5sw7qmr8-z18n03aa-wexr585h").
func walletID() string {
	return randomString(8, lowerAlnum) + "-" + randomString(8, lowerAlnum) + "-" + randomString(8, lowerAlnum)
}

// ListWallets returns a customer's wallets, or with no customer every wallet of the
// tenant, newest first.
func (s *Service) ListWallets(ctx context.Context, customer *baas.CustomerKey) ([]*baas.CryptoWallet, error) {
	tenantID, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	var customerID *string
	if customer != nil {
		c, err := findCustomer(ctx, s.store.Read(), tenantID, *customer)
		if err != nil {
			return nil, err
		}
		customerID = &c.ID
	}
	return s.store.Read().ListWallets(ctx, tenantID, customerID)
}

// CryptoDepositParams are the inputs of SandboxCryptoDeposit.
type CryptoDepositParams struct {
	Address string
	Amount  string // coins, a decimal string
	// TenantID, when set, is the tenant the deposit is played for: an address of another
	// tenant's wallet is not found (the console's form sits on one tenant's page).
	TenantID string
	// Idem, when its key is set, makes the deposit idempotent: the same key and request
	// again replay the first result and credit nothing more.
	Idem Idempotency
}

// CryptoDepositResult is a deposit credited.
type CryptoDepositResult struct {
	TransferID    int64     `json:"transfer_id"`
	TenantID      string    `json:"tenant_id"`
	WalletID      string    `json:"wallet_id"`
	Coin          string    `json:"coin"`
	Network       string    `json:"network"`
	Amount        string    `json:"amount"`
	NetworkFee    string    `json:"network_fee"`
	EURPrice      string    `json:"eur_price"`
	Credited      int64     `json:"credited"` // cents
	Currency      string    `json:"currency"`
	AccountNumber int64     `json:"account_number,omitempty"` // 0: the tenant's float
	Balance       int64     `json:"balance"`
	CreatedAt     time.Time `json:"created_at"`
}

// TransferCryptoDeposit is the kind of a deposit's transfer.
const TransferCryptoDeposit = "crypto_deposit"

// SandboxCryptoDeposit plays a deposit to a wallet of a sandbox tenant (EForbidden,
// ReasonSandboxOnly, for a live one): DepositValue is moved from the tenant's EUR funding
// account (the outside world) to the customer's EUR account, or to the EUR float for the
// tenant's own wallet, in one transfer, with a crypto.deposit event. With an
// Idempotency-Key, a repeated request replays the first result (replayed true) and
// credits once; the operator's keys are kept apart from the tenant's, in the wallet's
// tenant.
func (s *Service) SandboxCryptoDeposit(ctx context.Context, p CryptoDepositParams) (*CryptoDepositResult, bool, error) {
	addr := strings.TrimSpace(p.Address)
	if addr == "" {
		return nil, false, baas.Invalid("address should not be empty")
	}
	amount, err := ParseCoin(strings.TrimSpace(p.Amount))
	if err != nil {
		return nil, false, err
	}
	// The wallet names the tenant whose idempotency records keep the key; wallets are
	// never deleted or moved, so reading it before the transaction is safe.
	w, err := s.store.Read().FindWalletByAddress(ctx, addr)
	if baas.IsCode(err, baas.ENotFound) || (err == nil && p.TenantID != "" && w.TenantID != p.TenantID) {
		return nil, false, baas.Reasonf(baas.ENotFound, ReasonWalletNotFound, "no wallet has the address %s", truncateText(addr, 100))
	} else if err != nil {
		return nil, false, err
	}
	ctx = baas.WithTenant(ctx, w.TenantID)
	if p.Idem.Key != "" {
		p.Idem.Key = operatorKeyPrefix + p.Idem.Key
	}
	return idempotent(ctx, s, p.Idem, func(ctx context.Context, tx baas.Tx, now time.Time) (*CryptoDepositResult, error) {
		t, err := tx.GetTenant(ctx, w.TenantID)
		if err != nil {
			return nil, err
		}
		if !t.Sandbox {
			return nil, baas.Reasonf(baas.EForbidden, ReasonSandboxOnly, "crypto deposits are played for sandbox tenants only")
		}
		coin, err := FindCoin(w.Coin, w.Network)
		if err != nil {
			return nil, err
		}
		value, err := DepositValue(coin, amount)
		if err != nil {
			return nil, err
		}
		to, ref, err := depositAccount(ctx, tx, w, now)
		if err != nil {
			return nil, err
		}
		funding, err := systemAccount(ctx, tx, w.TenantID, baas.AccountFunding, CryptoCurrency, now)
		if err != nil {
			return nil, err
		}
		res := &CryptoDepositResult{TenantID: w.TenantID, WalletID: w.ID, Coin: coin.Code, Network: coin.Network,
			Amount: FormatCoin(amount), NetworkFee: FormatCoin(coin.NetworkFee), EURPrice: FormatCoin(coin.EURPrice),
			Credited: value, Currency: CryptoCurrency, CreatedAt: now}
		if to.Kind == baas.AccountCustomer {
			res.AccountNumber = to.Number
		}
		pd, err := post(ctx, tx, w.TenantID, now, transferSpec{Kind: TransferCryptoDeposit,
			Description: "crypto deposit of " + res.Amount + " " + coin.Code + " (" + coin.Network + ")",
			Metadata:    map[string]any{"wallet_id": w.ID, "address": w.Address, "coin": coin.Code, "network": coin.Network, "amount": res.Amount},
			Legs:        ledger.Move(funding.ID, to.ID, value)})
		if err != nil {
			return nil, err
		}
		res.TransferID, res.Balance = pd.Transfer.ID, pd.Accounts[to.ID].Balance
		return res, event(ctx, tx, w.TenantID, "crypto.deposit", w.ID, now, map[string]any{
			"wallet_id": w.ID, "customer_id": w.CustomerID, "customer_ref": ref, "coin": coin.Code,
			"network": coin.Network, "address": w.Address, "amount": res.Amount, "network_fee": res.NetworkFee,
			"eur_price": res.EURPrice, "credited": value, "currency": CryptoCurrency, "transfer_id": pd.Transfer.ID,
			"account_number": res.AccountNumber, "balance": res.Balance})
	})
}

// depositAccount returns the account a wallet's deposits credit, and the customer's
// reference: the customer's EUR account, or the tenant's EUR float for its own wallet.
func depositAccount(ctx context.Context, tx baas.Tx, w *baas.CryptoWallet, now time.Time) (*baas.Account, string, error) {
	if w.CustomerID == "" {
		a, err := systemAccount(ctx, tx, w.TenantID, baas.AccountMaster, CryptoCurrency, now)
		return a, "", err
	}
	c, err := tx.FindProfiledCustomer(ctx, w.TenantID, baas.CustomerKey{ID: w.CustomerID})
	if err != nil {
		return nil, "", err
	}
	kind, cur := baas.AccountCustomer, CryptoCurrency
	a, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: w.TenantID, CustomerID: &w.CustomerID, Kind: &kind, Currency: &cur})
	if baas.IsCode(err, baas.ENotFound) {
		return nil, "", baas.Reasonf(baas.EConflict, ReasonNoEURAccount, "the wallet's customer has no EUR account to credit")
	}
	return a, c.Ref, err
}
