package main

import (
	"encoding/json"
	"fmt"

	"github.com/baas-oss/baas/loadtest"
	"github.com/spf13/cobra"
)

// benchCommand is `baas bench`: the load tool (package loadtest) against a running server.
func (m *Main) benchCommand() *cobra.Command {
	cfg := loadtest.DefaultConfig()
	var asJSON bool
	cmd := &cobra.Command{Use: "bench", Short: "Drive load at a running baas server and report throughput, latency and the ledger check",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.AdminToken == "" {
				cfg.AdminToken = m.Config.AdminToken
			}
			if cfg.AdminToken == "" {
				return fmt.Errorf("an operator token is needed: --admin-token or BAAS_ADMIN_TOKEN")
			}
			if !cmd.Flags().Changed("progress") && isTerminal(m.Stderr) {
				cfg.Progress = progressEvery // progress.go: a line per interval on a terminal
			}
			res, err := loadtest.Run(cmd.Context(), cfg, m.Stderr)
			if err != nil {
				return err
			}
			if asJSON {
				if err := json.NewEncoder(m.Stdout).Encode(res); err != nil {
					return err
				}
			} else {
				res.Print(m.Stdout)
			}
			if !res.LedgerOK {
				return exitCode(1)
			}
			return nil
		}}
	f := cmd.Flags()
	f.StringVar(&cfg.BaseURL, "url", cfg.BaseURL, "base URL of the server")
	f.StringVar(&cfg.AdminToken, "admin-token", "", "operator token (default: BAAS_ADMIN_TOKEN)")
	f.StringVar(&cfg.Workload, "workload", cfg.Workload, "p2p, p2p-hot, reads, codego, codego-reads or purchase")
	f.IntVar(&cfg.Clients, "clients", cfg.Clients, "concurrent clients")
	f.DurationVar(&cfg.Duration, "duration", cfg.Duration, "how long to run")
	f.Int64Var(&cfg.MaxRequests, "max-requests", 0, "stop after this many requests (0: no limit)")
	f.IntVar(&cfg.Accounts, "accounts", cfg.Accounts, "accounts to create and fund")
	f.Int64Var(&cfg.InitialBalance, "initial-balance", cfg.InitialBalance, "cents cashed in to each account")
	f.Float64Var(&cfg.HotShare, "hot-share", cfg.HotShare, "p2p-hot: share of transfers paying the hot merchant")
	f.BoolVar(&cfg.Idempotency, "idempotency", cfg.Idempotency, "send an Idempotency-Key with every transfer")
	f.DurationVar(&cfg.Progress, "progress", 0, "print throughput and latency every interval while running (0: only at the end; default 5s when stderr is a terminal, else 0)")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}
