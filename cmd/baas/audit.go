package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/user"
	"text/tabwriter"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/api/admin"
	"github.com/baas-oss/baas/core"
	"github.com/spf13/cobra"
)

// withCLIActor names the operator of a command in ctx, for the audit log: "cli:" and the
// operating-system user running it ($USER when the system cannot say).
func (m *Main) withCLIActor(ctx context.Context) context.Context {
	name := m.getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	return baas.WithActor(ctx, baas.Actor{ID: "cli:" + name, Source: baas.ActorSourceCLI, Address: "cli"})
}

// auditCommand is `baas audit`: the operator audit log, newest first, read from the store
// (no master key needed).
func (m *Main) auditCommand() *cobra.Command {
	var f baas.AuditFilter
	var asJSON bool
	cmd := &cobra.Command{Use: "audit", Short: "List the operator audit log, newest first", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.Limit < 1 || f.Limit > core.MaxAuditPage {
				return fmt.Errorf("--limit must be between 1 and %d", core.MaxAuditPage)
			}
			if err := m.openStore(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			es, err := core.ListAudit(cmd.Context(), m.store, f)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(m.Stdout).Encode(admin.AuditPage(es, f.Limit))
			}
			w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tTIME\tACTOR\tFROM\tACTION\tTENANT\tTARGET\tDETAILS")
			for _, e := range es {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s %s\t%s\n", e.ID, e.CreatedAt.Format(time.RFC3339), e.Actor, e.Address,
					e.Action, e.TenantID, e.TargetType, e.TargetID, e.Details)
			}
			return w.Flush()
		}}
	cmd.Flags().StringVar(&f.TenantID, "tenant", "", "only the entries of this tenant id")
	cmd.Flags().StringVar(&f.Action, "action", "", "only the entries of this action, e.g. tenant.created")
	cmd.Flags().Int64Var(&f.BeforeID, "before", 0, "only entries with an id below this one (the next page)")
	cmd.Flags().IntVar(&f.Limit, "limit", 100, fmt.Sprintf("at most this many entries (1 to %d)", core.MaxAuditPage))
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"entries":[…],"next_before":…} as the operator API does`)
	return cmd
}
