package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/admin"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/ledger"
	"github.com/spf13/cobra"
)

// The operator's hand work from the command line, as the operator API does it: tenants
// (list, fund), the KYC review (list, verify, reject) and cards (list, accept, ship,
// block). Each command goes through the core, so each decision is in the audit log with
// the CLI's actor (audit.go); --json prints the operator API's body, a table otherwise.

// printJSON writes v as one line of JSON.
func (m *Main) printJSON(v any) error { return json.NewEncoder(m.Stdout).Encode(v) }

// table writes a header and rows, aligned.
func (m *Main) table(header string, rows [][]string) error {
	w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, header)
	for _, r := range rows {
		fmt.Fprintln(w, strings.Join(r, "\t"))
	}
	return w.Flush()
}

func cliTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// parseAmount reads an amount in minor units with the ledger's one message for anything
// that is not a whole number within the limit.
func parseAmount(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("--amount: %s (an integer number of minor units, e.g. 10000 for 100.00)", ledger.AmountMessage)
	}
	if err := ledger.CheckAmount(n); err != nil {
		return 0, fmt.Errorf("--amount: %w", err)
	}
	return n, nil
}

func (m *Main) tenantListCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{Use: "list", Short: "List the tenants with their master balances", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := m.open(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			ts, err := m.allTenants(cmd)
			if err != nil {
				return err
			}
			if asJSON {
				return m.printJSON(admin.TenantsPage(ts, 0))
			}
			rows := make([][]string, 0, len(ts))
			for _, t := range ts {
				rows = append(rows, []string{t.ID, t.Name, strconv.FormatBool(t.Sandbox), m.masterBalances(cmd, t.ID), cliTime(t.CreatedAt)})
			}
			return m.table("TENANT_ID\tNAME\tSANDBOX\tMASTER\tCREATED", rows)
		}}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"tenants":[…]} as the operator API does`)
	return cmd
}

// allTenants reads every tenant, page by page: no read holds the whole table.
func (m *Main) allTenants(cmd *cobra.Command) ([]*baas.Tenant, error) {
	var all []*baas.Tenant
	for after := ""; ; {
		page, err := m.core.ListTenantPage(cmd.Context(), after, core.TenantPages.Max)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < core.TenantPages.Max {
			return all, nil
		}
		after = page[len(page)-1].ID
	}
}

// masterBalances is a tenant's master balance in each currency it uses, e.g.
// "USD 1000000 EUR 1000000" (minor units).
func (m *Main) masterBalances(cmd *cobra.Command, tenantID string) string {
	currencies, err := m.core.TenantCurrencies(cmd.Context(), tenantID)
	if err != nil {
		return "-"
	}
	var out []string
	for _, cur := range currencies {
		if a, err := m.core.MasterBalance(cmd.Context(), tenantID, cur); err == nil {
			out = append(out, cur+" "+strconv.FormatInt(a.Balance, 10))
		}
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, " ")
}

func (m *Main) tenantFundCommand() *cobra.Command {
	var amount, currency, desc string
	var asJSON bool
	cmd := &cobra.Command{Use: "fund TENANT_ID", Short: "Fund a tenant's master (float) account from outside",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseAmount(amount)
			if err != nil {
				return err
			}
			if err := m.open(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			res, _, err := m.core.FundMaster(cmd.Context(), core.FundMasterParams{TenantID: args[0], Amount: n,
				Currency: currency, Description: desc})
			if err != nil {
				return err
			}
			if asJSON {
				return m.printJSON(res)
			}
			fmt.Fprintf(m.Stdout, "  transfer_id:  %d\n  currency:     %s\n  balance:      %d\n", res.TransferID, res.Currency, res.Balance)
			return nil
		}}
	cmd.Flags().StringVar(&amount, "amount", "", "amount in minor units, e.g. 10000 for 100.00 (required)")
	cmd.Flags().StringVar(&currency, "currency", "", "ISO 4217 code of one of the tenant's currencies (default: the master currency)")
	cmd.Flags().StringVar(&desc, "description", "", "description of the transfer")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"transfer_id","balance","currency","created_at"} as the operator API does`)
	_ = cmd.MarkFlagRequired("amount")
	return cmd
}

// kycCommand is `baas kyc list|verify|reject`: the compliance review.
func (m *Main) kycCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "kyc", Short: "Review customers' KYC documents"}
	var f baas.KYCFilter
	var status string
	var listJSON bool
	list := &cobra.Command{Use: "list", Short: "List KYC documents, oldest first (the pending ones by default)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.Limit < 1 || f.Limit > core.Pages.Max {
				return fmt.Errorf("--limit must be between 1 and %d", core.Pages.Max)
			}
			f.Status = status
			if status == "all" {
				f.Status = ""
			}
			if err := m.open(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			docs, err := m.core.ListKYCDocuments(cmd.Context(), f)
			if err != nil {
				return err
			}
			if listJSON {
				return m.printJSON(admin.KYCPage(docs, f.Limit))
			}
			rows := make([][]string, 0, len(docs))
			for _, d := range docs {
				rows = append(rows, kycRow(d))
			}
			return m.table(kycHeader, rows)
		}}
	list.Flags().StringVar(&f.TenantID, "tenant", "", "only the documents of this tenant id")
	list.Flags().StringVar(&status, "status", baas.KYCPending, "Pending, Verified, Rejected or all")
	list.Flags().Int64Var(&f.AfterID, "after", 0, "only documents with an id above this one (the next page)")
	list.Flags().IntVar(&f.Limit, "limit", core.Pages.Default, fmt.Sprintf("at most this many documents (1 to %d)", core.Pages.Max))
	list.Flags().BoolVar(&listJSON, "json", false, `print {"documents":[…],"next_after":…} as the operator API does`)
	cmd.AddCommand(list, m.kycDecision(true), m.kycDecision(false))
	return cmd
}

const kycHeader = "ID\tTENANT\tCUSTOMER\tDOCUMENT\tNUMBER\tSTATUS\tREASON\tREVIEWER\tCREATED"

func kycRow(d *baas.KYCDocument) []string {
	return []string{strconv.FormatInt(d.ID, 10), d.TenantID, d.CustomerRef + " " + d.CustomerEmail, baas.DocumentName(d.Type),
		d.Number, d.Status, d.Reason, d.Reviewer, cliTime(d.CreatedAt)}
}

// kycDecision is `baas kyc verify ID` or `baas kyc reject ID --reason`.
func (m *Main) kycDecision(verify bool) *cobra.Command {
	var reason, reviewer string
	var asJSON bool
	use, short := "verify DOCUMENT_ID", "Verify a pending KYC document"
	if !verify {
		use, short = "reject DOCUMENT_ID", "Reject a pending KYC document with a reason the customer sees"
	}
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return fmt.Errorf("document id %q: want the positive number `baas kyc list` shows", args[0])
			}
			if err := m.open(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			d, err := m.core.ReviewKYC(cmd.Context(), core.ReviewKYCParams{DocumentID: id, Verify: verify, Reason: reason, Reviewer: reviewer})
			if err != nil {
				return err
			}
			if asJSON {
				return m.printJSON(admin.KYCDocument(d))
			}
			return m.table(kycHeader, [][]string{kycRow(d)})
		}}
	if !verify {
		cmd.Flags().StringVar(&reason, "reason", "", "why, as the customer will read it (required)")
		_ = cmd.MarkFlagRequired("reason")
	}
	cmd.Flags().StringVar(&reviewer, "reviewer", "", `who decides (default "operator")`)
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"document":{…}} as the operator API does`)
	return cmd
}

// cardCommand is `baas card list|accept|ship|block`.
func (m *Main) cardCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "card", Short: "List cards and move them through fulfilment"}
	var f baas.CardFilter
	var status string
	var listJSON bool
	list := &cobra.Command{Use: "list", Short: "List cards in creation order (masked numbers only)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.Limit < 1 || f.Limit > 1000 {
				return fmt.Errorf("--limit must be between 1 and 1000")
			}
			f.Status = baas.CardStatus(status)
			if err := m.open(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			cards, err := m.core.ListCards(cmd.Context(), f)
			if err != nil {
				return err
			}
			if listJSON {
				return m.printJSON(admin.CardsPage(cards, f.Limit))
			}
			rows := make([][]string, 0, len(cards))
			for _, c := range cards {
				rows = append(rows, cardRow(c))
			}
			return m.table(cardHeader, rows)
		}}
	list.Flags().StringVar(&f.TenantID, "tenant", "", "only the cards of this tenant id")
	list.Flags().StringVar(&status, "status", "", "only the cards in this status, e.g. ordered")
	list.Flags().StringVar(&f.AfterID, "after", "", "only cards after this card id (the next page)")
	list.Flags().IntVar(&f.Limit, "limit", 100, "at most this many cards (1 to 1000)")
	list.Flags().BoolVar(&listJSON, "json", false, `print {"cards":[…],"next_after":…} as the operator API does`)
	cmd.AddCommand(list)
	for _, a := range []struct {
		action baas.CardAction
		short  string
	}{
		{baas.CardAccept, "Accept an ordered card for production"},
		{baas.CardShip, "Mark an accepted card as shipped"},
		{baas.CardBlock, "Block a card for good"},
	} {
		var asJSON bool
		c := &cobra.Command{Use: string(a.action) + " CARD_ID", Short: a.short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				if err := m.open(cmd.Context()); err != nil {
					return err
				}
				defer m.Close()
				card, err := m.core.OperatorCardAction(cmd.Context(), args[0], a.action)
				if err != nil {
					return err
				}
				if asJSON {
					return m.printJSON(map[string]any{"card": card})
				}
				return m.table(cardHeader, [][]string{cardRow(card)})
			}}
		c.Flags().BoolVar(&asJSON, "json", false, `print {"card":{…}} as the operator API does`)
		cmd.AddCommand(c)
	}
	return cmd
}

const cardHeader = "CARD_ID\tTENANT\tPRODUCT\tFORM\tSTATUS\tNUMBER\tEXPIRY\tHOLDER\tCREATED"

func cardRow(c *core.CardInfo) []string {
	return []string{c.ID, c.TenantID, c.Product, c.FormFactor, string(c.Status), c.MaskedPAN,
		fmt.Sprintf("%02d/%d", c.ExpMonth, c.ExpYear), c.NameForPrint, cliTime(c.CreatedAt)}
}

// requireSubcommands makes every command that only groups others (tenant, kyc, card, …)
// fail when run without one of them or with an unknown one, instead of printing its help
// and succeeding as if it had done something.
func requireSubcommands(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		requireSubcommands(c)
	}
	if cmd.HasSubCommands() && !cmd.Runnable() {
		cmd.Args = cobra.ArbitraryArgs
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			var names []string
			for _, c := range cmd.Commands() {
				if c.IsAvailableCommand() {
					names = append(names, c.Name())
				}
			}
			if len(args) > 0 {
				return fmt.Errorf("unknown command %q for %q: choose one of %s", args[0], cmd.CommandPath(), strings.Join(names, ", "))
			}
			return fmt.Errorf("%q needs a command: one of %s (see %s --help)", cmd.CommandPath(), strings.Join(names, ", "), cmd.CommandPath())
		}
	}
}

// printRestart tells an operator starting the server again where the credentials went:
// they are printed once, when made, and only their hashes are kept.
func (m *Main) printRestart(tokenCreated bool, tenants int) {
	switch {
	case m.Config.AdminToken != "":
		fmt.Fprintln(m.Stdout, "The operator token is the one in BAAS_ADMIN_TOKEN, for this run only: set it on every start.")
	case !tokenCreated:
		fmt.Fprintln(m.Stdout, "The operator token was printed at the first start (only its hash is kept); to use a token of your own, set BAAS_ADMIN_TOKEN on every start.")
	}
	if tenants > 0 {
		fmt.Fprintf(m.Stdout, "Tenants: %d, their credentials printed when each was created (only hashes are kept); `baas tenant list` lists them, `baas tenant create --name NAME` makes a tenant with new credentials.\n\n", tenants)
	}
}
