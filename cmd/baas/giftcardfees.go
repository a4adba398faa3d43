package main

import (
	"strconv"

	"github.com/baas-oss/baas/core"
	"github.com/spf13/cobra"
)

// giftcardFeesCommand is `baas giftcard-fees get|set`: a tenant's gift-card fees per
// product (docs/codego.md, "Gift cards"), as GET/PUT /admin/api/tenants/{id}/fees do. It
// works through the core on the store, so it runs beside a server, and each change is in
// the audit log with the CLI's actor.
func (m *Main) giftcardFeesCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "giftcard-fees", Short: "Show or set a tenant's gift-card fees per product"}
	var tenant, product string
	var issueFee, loadFixed, percentBP int64
	var asJSON bool
	show := func(fs ...*core.GiftcardFeeConfig) error {
		rows := make([][]string, 0, len(fs))
		for _, f := range fs {
			rows = append(rows, []string{f.Product, f.Kind, strconv.FormatInt(f.IssueFee, 10), strconv.FormatInt(f.LoadFeeFixed, 10),
				strconv.FormatInt(f.LoadFeePercentBP, 10), f.Currency, strconv.FormatBool(f.Default)})
		}
		return m.table("PRODUCT\tKIND\tISSUE_FEE\tLOAD_FEE_FIXED\tLOAD_FEE_PERCENT_BP\tCURRENCY\tDEFAULT", rows)
	}
	get := &cobra.Command{Use: "get", Short: "Show a tenant's fees of every gift-card product (the defaults where it set none)",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := m.open(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			fs, err := m.core.TenantGiftcardFees(cmd.Context(), tenant)
			if err != nil {
				return err
			}
			if asJSON {
				return m.printJSON(map[string]any{"fees": fs})
			}
			return show(fs...)
		}}
	set := &cobra.Command{Use: "set", Short: "Set a tenant's fees of one gift-card product; gift cards issued before keep theirs",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := m.open(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			f, err := m.core.PutGiftcardFees(cmd.Context(), tenant, product, issueFee, loadFixed, percentBP)
			if err != nil {
				return err
			}
			if asJSON {
				return m.printJSON(f)
			}
			return show(f)
		}}
	set.Flags().StringVar(&product, "product", "", "the product's name (codego-giftcard, …) or kind (standard, hs, us) (required)")
	set.Flags().Int64Var(&issueFee, "issue-fee", 0, "issue fee in cents of EUR (required)")
	set.Flags().Int64Var(&loadFixed, "load-fee-fixed", 0, "fixed load fee in cents of EUR (required)")
	set.Flags().Int64Var(&percentBP, "load-fee-percent-bp", 0, "percentage load fee in hundredths of a percent, 0 to 10000 (required)")
	for _, name := range []string{"product", "issue-fee", "load-fee-fixed", "load-fee-percent-bp"} {
		_ = set.MarkFlagRequired(name)
	}
	get.Flags().BoolVar(&asJSON, "json", false, `print {"fees":[…]} as the operator API does`)
	set.Flags().BoolVar(&asJSON, "json", false, "print the product's fees as the operator API does")
	for _, c := range []*cobra.Command{get, set} {
		c.Flags().StringVar(&tenant, "tenant", "", "tenant id (required)")
		_ = c.MarkFlagRequired("tenant")
	}
	cmd.AddCommand(get, set)
	return cmd
}
