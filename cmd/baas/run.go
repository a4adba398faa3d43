package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/server"
	"github.com/baas-oss/baas/store/postgres"
	"github.com/baas-oss/baas/store/sqlite"
	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

// Main is the program: configuration, the opened store and core, and the commands.
type Main struct {
	Config Config
	Stdout io.Writer
	Stderr io.Writer
	getenv func(string) string

	// Listening, when set, receives the server's address once it listens (for tests).
	Listening func(addr string)

	store baas.Store
	core  *core.Service
	log   *slog.Logger
}

// NewMain returns a Main reading its environment through getenv.
func NewMain(stdout, stderr io.Writer, getenv func(string) string) *Main {
	return &Main{Config: DefaultConfig(), Stdout: stdout, Stderr: stderr, getenv: getenv}
}

// Run parses args and runs the command they name.
func (m *Main) Run(ctx context.Context, args []string) error {
	if err := m.Config.FromEnv(m.getenv); err != nil {
		return err
	}
	root := m.commands()
	root.SetArgs(args)
	root.SetOut(m.Stdout)
	root.SetErr(m.Stderr)
	return root.ExecuteContext(m.withCLIActor(ctx)) // audit.go
}

// Close releases the store.
func (m *Main) Close() error {
	if m.store != nil {
		return m.store.Close()
	}
	return nil
}

func (m *Main) commands() *cobra.Command {
	root := &cobra.Command{Use: "baas", Short: "Self-hostable banking-as-a-service and card-issuing core",
		SilenceUsage: true, SilenceErrors: true}
	root.PersistentFlags().StringVar(&m.Config.DatabaseURL, "database", m.Config.DatabaseURL,
		"SQLite file path or postgres:// URL (env BAAS_DATABASE_URL)")

	serve := &cobra.Command{Use: "serve", Short: "Run the HTTP server", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return m.serve(cmd.Context()) }}
	serve.Flags().StringVar(&m.Config.Addr, "addr", m.Config.Addr, "listen address (env BAAS_ADDR)")
	serve.Flags().StringVar(&m.Config.TLSCert, "tls-cert", m.Config.TLSCert,
		"serve HTTPS with this PEM certificate (chain), with --tls-key (env BAAS_TLS_CERT)")
	serve.Flags().StringVar(&m.Config.TLSKey, "tls-key", m.Config.TLSKey,
		"PEM private key of --tls-cert (env BAAS_TLS_KEY)")
	serve.Flags().StringVar(&m.Config.DebugAddr, "debug-addr", m.Config.DebugAddr,
		"serve Go's pprof profiles on this address, e.g. 127.0.0.1:6060 (env BAAS_DEBUG_ADDR; off by default)")

	migrate := &cobra.Command{Use: "migrate", Short: "Apply database migrations", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := m.withProgress("applying migrations", func() error { return m.open(cmd.Context()) }); err != nil { // progress.go
				return err
			}
			defer m.Close()
			fmt.Fprintf(m.Stdout, "migrations applied (%s)\n", m.store.Engine())
			return nil
		}}

	tenant := &cobra.Command{Use: "tenant", Short: "Manage tenants"}
	var name string
	var asJSON, production bool
	create := &cobra.Command{Use: "create", Short: "Create a tenant and print its credentials", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := m.open(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			var sandbox *bool // the core's default unless --production was given
			if cmd.Flags().Changed("production") {
				sandbox = new(bool)
				*sandbox = !production
			}
			creds, err := m.core.CreateTenant(cmd.Context(), core.CreateTenantParams{Name: name, Sandbox: core.TenantSandbox(sandbox)})
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(m.Stdout).Encode(creds)
			}
			printCredentials(m.Stdout, creds)
			return nil
		}}
	create.Flags().StringVar(&name, "name", "", "tenant name (required)")
	create.Flags().BoolVar(&asJSON, "json", false, "print the credentials as JSON")
	create.Flags().BoolVar(&production, "production", false, "no sandbox opening balance on the master account")
	_ = create.MarkFlagRequired("name")
	tenant.AddCommand(create, m.tenantUpdateCommand(), m.tenantListCommand(), m.tenantFundCommand()) // operator.go

	ledgerCmd := &cobra.Command{Use: "ledger", Short: "Ledger tools"}
	verify := &cobra.Command{Use: "verify", Short: "Check every ledger invariant; exit 1 when one breaks", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := m.open(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			rep, err := m.core.VerifyLedger(cmd.Context())
			if err != nil {
				return err
			}
			for _, t := range rep.Totals {
				fmt.Fprintf(m.Stdout, "total %s: %d\n", t.Currency, t.Total)
			}
			if rep.OK {
				fmt.Fprintln(m.Stdout, "ledger OK: every invariant holds")
				return nil
			}
			fmt.Fprintf(m.Stdout, "ledger BROKEN: %d violation(s)\n", len(rep.Violations))
			for _, v := range rep.Violations {
				fmt.Fprintf(m.Stdout, "  %s: %s\n", v.Kind, v.Message)
			}
			return exitCode(1)
		}}
	ledgerCmd.AddCommand(verify)

	version := &cobra.Command{Use: "version", Short: "Print the version", Args: cobra.NoArgs,
		Run: func(*cobra.Command, []string) { fmt.Fprintln(m.Stdout, "baas", Version) }}

	root.AddCommand(serve, migrate, tenant, ledgerCmd, version, m.benchCommand(), m.webhookCommand(), m.keysCommand(),
		m.auditCommand(), m.cardDataKeyCommand(), m.giftcardFeesCommand(), m.kycCommand(), m.cardCommand())
	for _, c := range root.Commands() {
		requireSubcommands(c) // operator.go
	}
	return root
}

// open validates the configuration, opens the store (applying migrations), opens its data
// keys with the master key and builds the core. A master key that does not open the data
// keys stops here: nothing would authenticate.
func (m *Main) open(ctx context.Context) error {
	if err := m.openStore(ctx); err != nil {
		return err
	}
	master, err := m.masterKey(ctx) // keys.go
	if err != nil {
		return err
	}
	keys, err := core.OpenKeyring(ctx, m.store, master, time.Now())
	if err != nil {
		return err
	}
	m.core, err = core.NewWithKeys(m.store, m.Config.Core, keys, time.Now, m.log)
	return err
}

// openStore validates the configuration, sets up the log and opens the store (applying
// migrations).
func (m *Main) openStore(ctx context.Context) error {
	if err := m.Config.Validate(); err != nil {
		return err
	}
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if m.Config.LogFormat == "text" {
		m.log = slog.New(slog.NewTextHandler(m.Stderr, opts))
	} else {
		m.log = slog.New(slog.NewJSONHandler(m.Stderr, opts))
	}
	var err error
	if isPostgres(m.Config.DatabaseURL) {
		m.store, err = postgres.Open(ctx, m.Config.DatabaseURL)
	} else {
		m.store, err = sqlite.Open(ctx, m.Config.DatabaseURL)
	}
	return err
}

// serverGCPercent is the garbage collector's target for the server when GOGC is not set.
// The server's live heap is small (tens of MiB) and every request allocates, so Go's
// default of 100 collects several times a second under load; 400 collects a quarter as
// often for a few tens of MiB more, which took Codego account_detail reads from ~9,300
// to ~12,400/s and their p99 from 11.6 to 8.3 ms here (docs/benchmarks.md).
const serverGCPercent = 400

func (m *Main) serve(ctx context.Context) error {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serverGCPercent)
	}
	// Say so before the store opens: migrating a large database takes a while, and a `go
	// run` user sees nothing until the server listens.
	fmt.Fprintf(m.Stdout, "baas %s starting\n", Version)
	if err := m.withProgress("opening the store and applying migrations", func() error { return m.open(ctx) }); err != nil {
		return err
	}
	defer m.Close()
	reg := server.NewRegistry()
	stopWebhooks, err := m.startWebhooks(reg) // webhook.go: the dispatcher stops before the store closes
	if err != nil {
		return err
	}
	defer stopWebhooks()
	tlsConfig, err := m.Config.tlsConfig()
	if err != nil {
		return err
	}
	// Listen first: a token generated for a server that then cannot start would be
	// stored but never shown.
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	token, created, err := m.core.EnsureAdminToken(ctx, m.Config.AdminToken)
	if err != nil {
		return err
	}
	auth, err := m.core.AdminAuthenticator(ctx, m.Config.AdminToken)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	if tlsConfig != nil {
		base = "https://" + ln.Addr().String()
	}
	if created {
		fmt.Fprintf(m.Stdout, "Operator token (shown once; set BAAS_ADMIN_TOKEN to choose your own):\n  %s\n\n", token)
	}
	// A count, not the list: startup does not grow with the number of tenants.
	tenants, err := m.core.CountTenants(ctx)
	if err != nil {
		return err
	}
	m.printRestart(created, tenants) // operator.go
	if tenants == 0 {
		creds, err := m.core.CreateTenant(ctx, core.CreateTenantParams{Name: "sandbox", Sandbox: true})
		if err != nil {
			return err
		}
		fmt.Fprintln(m.Stdout, "Created the sandbox tenant (credentials are shown only this once):")
		printCredentials(m.Stdout, creds)
		printFirstCurl(m.Stdout, base, creds)
	}

	srv := &http.Server{
		Handler: server.New(server.Options{Core: m.core, Log: m.log, AdminAuth: auth, Now: time.Now,
			CodegoRateLimit: m.Config.CodegoRateLimit, Metrics: reg, TLS: tlsConfig != nil}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
		TLSConfig:         tlsConfig,
	}
	errc := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			errc <- srv.ServeTLS(ln, "", "") // the certificate is in TLSConfig
			return
		}
		// Go's own answers to requests it cannot read, in the API's envelope.
		errc <- srv.Serve(server.Listener(ln, time.Now))
	}()
	m.log.Info("baas listening", "addr", ln.Addr().String(), "tls", tlsConfig != nil, "store", m.store.Engine(), "version", Version)
	fmt.Fprintf(m.Stdout, "baas %s listening on %s (store: %s)\n", Version, base, m.store.Engine())
	if m.Listening != nil {
		m.Listening(ln.Addr().String())
	}

	if m.Config.DebugAddr != "" {
		go m.serveDebug(m.Config.DebugAddr)
	}

	bg, cancelBG := context.WithCancel(context.Background())
	defer cancelBG()
	go m.housekeeping(bg)
	go m.kycSweeper(bg)        // codego.go
	go m.cardExpirySweeper(bg) // cardsweep.go
	go m.cardSweeper(bg)       // cardsweep.go
	go m.cardLoadSweeper(bg)   // cardload.go

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	m.log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	m.log.Info("stopped")
	return nil
}

// housekeeping purges expired idempotency keys every hour.
func (m *Main) housekeeping(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := m.core.PurgeIdempotencyKeys(ctx); err != nil && ctx.Err() == nil {
			m.log.Warn("purging idempotency keys", "err", err)
		} else if n > 0 {
			m.log.Info("purged expired idempotency keys", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func printCredentials(w io.Writer, c *core.TenantCredentials) {
	fmt.Fprintf(w, "  tenant_id:              %s\n", c.TenantID)
	fmt.Fprintf(w, "  girasol x-api-key:      %s\n", c.Girasol.APIKey)
	fmt.Fprintf(w, "  girasol x-secret-key:   %s\n", c.Girasol.SecretKey)
	fmt.Fprintf(w, "  girasol x-company-id:   %s\n", c.Girasol.CompanyID)
	fmt.Fprintf(w, "  codego clientkey:       %s\n", c.Codego.ClientKey)
	fmt.Fprintf(w, "  codego secretkey:       %s\n", c.Codego.SecretKey)
	fmt.Fprintf(w, "  codego apikey:          %s\n", c.Codego.APIKey)
	fmt.Fprintf(w, "  codego whitelabel_id:   %s\n\n", c.Codego.WhitelabelID)
}

func printFirstCurl(w io.Writer, base string, c *core.TenantCredentials) {
	fmt.Fprintf(w, "A first request (Girasol: create an account):\n")
	fmt.Fprintf(w, "  curl -s -X POST %s/v1/accounts/create-account \\\n", base)
	fmt.Fprintf(w, "    -H 'Content-Type: application/json' -H 'x-api-key: %s' \\\n", c.Girasol.APIKey)
	fmt.Fprintf(w, "    -H 'x-secret-key: %s' -H 'x-company-id: %s' \\\n", c.Girasol.SecretKey, c.Girasol.CompanyID)
	fmt.Fprintf(w, "    -d '{\"companyId\":\"%s\",\"firstName\":\"alejo\",\"lastName\":\"villegas\",\"addressLine1\":\"cra123\",\"addressLine2\":\"asd\",\"city\":\"montevideo\",\"zipCode\":\"000\",\"phone\":\"3018775627\",\"email\":\"alejo@example.com\",\"handle\":\"alejo\"}'\n\n", c.Girasol.CompanyID)
	fmt.Fprintf(w, "And Codego (authenticate; then send the auth_token as the authtoken header):\n")
	fmt.Fprintf(w, "  curl -s -X POST %s/api/authenticaion -H 'clientkey: %s' -H 'secretkey: %s' \\\n", base, c.Codego.ClientKey, c.Codego.SecretKey)
	fmt.Fprintf(w, "    -u '%s:%s'\n\n", c.Codego.APIKey, c.Codego.WhitelabelID)
}

// serveDebug serves pprof on its own listener, never on the public one.
func (m *Main) serveDebug(addr string) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	m.log.Info("debug listener (pprof)", "addr", addr)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		m.log.Warn("debug listener stopped", "err", err)
	}
}
