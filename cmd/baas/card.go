package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
)

// cardDataKeyCommand is `baas card-data-key set|get`: the public key (EC P-256, PEM or
// JWK) to which a tenant's card data is encrypted (Girasol virtual-card-info), as
// PUT/GET /admin/api/tenants/{id}/card-data-key do. It works on the store directly, so it
// runs beside a server, which reads the key on each request.
func (m *Main) cardDataKeyCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "card-data-key", Short: "Register or show the public key a tenant's card data is encrypted to"}
	var tenant, kid, keyFile, keyText string
	var asJSON bool
	show := func(v any, kid string, at time.Time) error {
		if asJSON {
			return json.NewEncoder(m.Stdout).Encode(v)
		}
		fmt.Fprintf(m.Stdout, "  tenant_id:   %s\n  kid:         %s\n  updated_at:  %s\n", tenant, kid, at.Format(time.RFC3339))
		return nil
	}
	set := &cobra.Command{Use: "set", Short: "Register a tenant's card data public key with its key id", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			key := keyText
			switch {
			case keyFile != "" && keyText != "":
				return errors.New("give --public-key-file or --public-key, not both")
			case keyFile != "":
				b, err := os.ReadFile(keyFile)
				if err != nil {
					return err
				}
				key = string(b)
			case keyText == "":
				return errors.New("give the key with --public-key-file or --public-key")
			}
			if err := m.open(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			k, err := m.core.PutCardDataKey(cmd.Context(), tenant, kid, key)
			if err != nil {
				return err
			}
			return show(k, k.KeyID, k.UpdatedAt)
		}}
	set.Flags().StringVar(&kid, "kid", "", "key id, sent in the JWE header (required)")
	set.Flags().StringVar(&keyFile, "public-key-file", "", "file with the public key: PEM (PUBLIC KEY) or JWK")
	set.Flags().StringVar(&keyText, "public-key", "", "the public key itself: PEM or JWK")
	_ = set.MarkFlagRequired("kid")

	get := &cobra.Command{Use: "get", Short: "Show the key id a tenant registered", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := m.open(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			k, err := m.core.GetCardDataKey(cmd.Context(), tenant)
			if err != nil {
				return err
			}
			return show(k, k.KeyID, k.UpdatedAt)
		}}
	for _, c := range []*cobra.Command{set, get} {
		c.Flags().StringVar(&tenant, "tenant", "", "tenant id (required)")
		c.Flags().BoolVar(&asJSON, "json", false, `print {"tenant_id","kid","updated_at"}`)
		_ = c.MarkFlagRequired("tenant")
	}
	cmd.AddCommand(set, get)
	return cmd
}
