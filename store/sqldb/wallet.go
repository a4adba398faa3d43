package sqldb

import (
	"context"

	"github.com/baas-oss/baas"
)

// --- crypto wallets ---

const walletCols = `id, tenant_id, customer_id, coin, network, address, created_at`

func scanWallet(s interface{ Scan(...any) error }) (*baas.CryptoWallet, error) {
	var w baas.CryptoWallet
	var created int64
	if err := s.Scan(&w.ID, &w.TenantID, &w.CustomerID, &w.Coin, &w.Network, &w.Address, &created); err != nil {
		return nil, err
	}
	w.CreatedAt = fromMicros(created)
	return &w, nil
}

func (x *queries) CreateWallet(ctx context.Context, w *baas.CryptoWallet) error {
	_, err := x.exec(ctx, `INSERT INTO crypto_wallets (`+walletCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		w.ID, w.TenantID, w.CustomerID, w.Coin, w.Network, w.Address, micros(w.CreatedAt))
	return err
}

func (x *queries) FindWallet(ctx context.Context, tenantID, customerID, coin, network string) (*baas.CryptoWallet, error) {
	w, err := scanWallet(x.row(ctx, `SELECT `+walletCols+` FROM crypto_wallets
		WHERE tenant_id = ? AND customer_id = ? AND coin = ? AND network = ?`, tenantID, customerID, coin, network))
	return w, x.scanErr(err, "wallet")
}

func (x *queries) FindWalletByAddress(ctx context.Context, address string) (*baas.CryptoWallet, error) {
	w, err := scanWallet(x.row(ctx, `SELECT `+walletCols+` FROM crypto_wallets WHERE address = ?`, address))
	return w, x.scanErr(err, "wallet")
}

func (x *queries) ListWallets(ctx context.Context, tenantID string, customerID *string) ([]*baas.CryptoWallet, error) {
	q, args := `SELECT `+walletCols+` FROM crypto_wallets WHERE tenant_id = ?`, []any{tenantID}
	if customerID != nil {
		q, args = q+` AND customer_id = ?`, append(args, *customerID)
	}
	rows, err := x.query(ctx, q+` ORDER BY created_at DESC, id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*baas.CryptoWallet
	for rows.Next() {
		w, err := scanWallet(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}
