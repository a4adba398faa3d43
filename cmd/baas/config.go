package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/baas-oss/baas/core"
)

// Config is everything baas reads from flags and the environment.
type Config struct {
	Addr            string // BAAS_ADDR
	DebugAddr       string // BAAS_DEBUG_ADDR: pprof listener, off when empty
	DatabaseURL     string // BAAS_DATABASE_URL: a SQLite path or a postgres:// URL
	AdminToken      string // BAAS_ADMIN_TOKEN
	MasterKey       string // BAAS_MASTER_KEY: 32 bytes, base64 or hex
	MasterKeyFile   string // BAAS_MASTER_KEY_FILE: a file holding the master key, created (0600) if missing
	TLSCert         string // BAAS_TLS_CERT: PEM certificate chain; with TLSKey, serve HTTPS
	TLSKey          string // BAAS_TLS_KEY: PEM private key of TLSCert
	LogFormat       string // BAAS_LOG_FORMAT: json or text
	CodegoRateLimit int    // BAAS_CODEGO_RATE_LIMIT: requests per 10 s per API key; 0 = 200, negative = off
	ShutdownTimeout time.Duration
	Core            core.Config
}

// DefaultConfig returns the defaults: 127.0.0.1:8080 and a SQLite file baas.db.
func DefaultConfig() Config {
	c := Config{Addr: "127.0.0.1:8080", DatabaseURL: "baas.db", LogFormat: "json", ShutdownTimeout: 30 * time.Second,
		Core: core.DefaultConfig()}
	c.Core.CardLoadDelay = DefaultCardLoadDelay
	c.Core.GiftcardDetailsDelay = DefaultGiftcardDetailsDelay
	return c
}

// FromEnv overlays the BAAS_* environment variables on c.
func (c *Config) FromEnv(getenv func(string) string) error {
	set := func(dst *string, name string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	set(&c.Addr, "BAAS_ADDR")
	set(&c.DebugAddr, "BAAS_DEBUG_ADDR")
	set(&c.DatabaseURL, "BAAS_DATABASE_URL")
	set(&c.AdminToken, "BAAS_ADMIN_TOKEN")
	set(&c.MasterKey, "BAAS_MASTER_KEY")
	set(&c.MasterKeyFile, "BAAS_MASTER_KEY_FILE")
	set(&c.TLSCert, "BAAS_TLS_CERT")
	set(&c.TLSKey, "BAAS_TLS_KEY")
	set(&c.LogFormat, "BAAS_LOG_FORMAT")
	if v := getenv("BAAS_CODEGO_RATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("BAAS_CODEGO_RATE_LIMIT must be an integer: %w", err)
		}
		c.CodegoRateLimit = n
	}
	if v := getenv("BAAS_TRANSFER_BATCH"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("BAAS_TRANSFER_BATCH must be an integer: %w", err)
		}
		c.Core.TransferBatch = n
	}
	if v := getenv("BAAS_CARD_LOAD_DELAY"); v != "" {
		d, err := parseDelay(v)
		if err != nil {
			return fmt.Errorf("BAAS_CARD_LOAD_DELAY must be a duration (3s) or a number of seconds: %w", err)
		}
		c.Core.CardLoadDelay = d
	}
	if v := getenv("BAAS_GIFTCARD_DETAILS_DELAY"); v != "" {
		d, err := parseDelay(v)
		if err != nil {
			return fmt.Errorf("BAAS_GIFTCARD_DETAILS_DELAY must be a duration (1m) or a number of seconds: %w", err)
		}
		c.Core.GiftcardDetailsDelay = d
	}
	if v := getenv("BAAS_TOPUP_CODE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("BAAS_TOPUP_CODE_TTL must be a duration such as 10m: %w", err)
		}
		c.Core.ReversalCodeTTL = d
	}
	if v := getenv("BAAS_CARD_AUTHORIZATION_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("BAAS_CARD_AUTHORIZATION_TTL must be a duration such as 168h: %w", err)
		}
		c.Core.CardAuthorizationTTL = d
	}
	if v := getenv("BAAS_SANDBOX_MASTER_BALANCE"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("BAAS_SANDBOX_MASTER_BALANCE must be an integer number of cents: %w", err)
		}
		c.Core.SandboxMasterBalance = n
	}
	return nil
}

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("address %q: %w", c.Addr, err)
	}
	if c.DatabaseURL == "" {
		return fmt.Errorf("database URL is empty")
	}
	if c.MasterKey != "" {
		if _, err := core.ParseMasterKey(c.MasterKey); err != nil {
			return fmt.Errorf("BAAS_MASTER_KEY: %w", err)
		}
		if c.MasterKeyFile != "" {
			return fmt.Errorf("set BAAS_MASTER_KEY or BAAS_MASTER_KEY_FILE, not both")
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("TLS needs both a certificate (--tls-cert, BAAS_TLS_CERT) and its key (--tls-key, BAAS_TLS_KEY)")
	}
	if c.AdminToken != "" && len(c.AdminToken) < 16 {
		return fmt.Errorf("BAAS_ADMIN_TOKEN must be at least 16 characters")
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return fmt.Errorf("log format must be json or text")
	}
	return c.Core.Validate()
}

func isPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// tlsConfig loads the certificate and key to serve HTTPS with, or returns nil when TLS is
// not configured. TLS 1.2 is the oldest version offered.
//
// The console's session cookie is Secure exactly when this returns a config: run.go
// passes that to the server as server.Options.TLS.
func (c Config) tlsConfig() (*tls.Config, error) {
	if c.TLSCert == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate and key: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
