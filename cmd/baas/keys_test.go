package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/postgres"
	"github.com/baas-oss/baas/store/sqlite"
	"github.com/baas-oss/baas/store/storetest"
)

// legacyDatabase makes the database of st as a baas before key files did: the master key
// generated into the settings table, one tenant whose secrets are hashed with it. It
// returns the key and the tenant's credentials.
func legacyDatabase(t *testing.T, st *testStore) ([]byte, *core.TenantCredentials) {
	t.Helper()
	ctx := context.Background()
	var store baas.Store
	var err error
	if st.engine == "postgres" {
		store, err = postgres.Open(ctx, st.url)
	} else {
		store, err = sqlite.Open(ctx, filepath.Join(st.dir, "baas.db"))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	key := core.NewMasterKey()
	if err := store.InTx(ctx, func(tx baas.Tx) error {
		return tx.PutSetting(ctx, "master_key", base64.StdEncoding.EncodeToString(key))
	}); err != nil {
		t.Fatal(err)
	}
	svc, err := core.New(store, core.DefaultConfig(), key, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := svc.CreateTenant(ctx, core.CreateTenantParams{Name: "legacy", Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	return key, creds
}

func wantMode600(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := st.Mode().Perm(); m != 0o600 {
		t.Errorf("%s has mode %o, want 600", filepath.Base(path), m)
	}
}

func wantFails(t *testing.T, res result, msg string) {
	t.Helper()
	if res.code == 0 || !strings.Contains(res.stderr, msg) {
		t.Fatalf("want a failure saying %q; exit %d\nstdout:\n%s\nstderr:\n%s", msg, res.code, res.stdout, res.stderr)
	}
}

// TestMasterKeyLeavesTheDatabase: on first start with this version, a master key kept in
// the settings table moves to a key file (0600) and out of the table; the old credentials
// keep working; another key is refused by serve and by tenant create; rotation re-seals
// the data keys so that only the new key opens the database, and the old credentials
// still work.
func TestMasterKeyLeavesTheDatabase(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	storetest.Each(t, func(t *testing.T, engine string) {
		st := newStore(t, engine)
		key, creds := legacyDatabase(t, st)
		keyFile := filepath.Join(st.dir, "baas.db.key")
		if engine == "postgres" {
			// PostgreSQL has no "beside the database": without a key file path it refuses.
			res := runBaas(t, st, []string{"BAAS_MASTER_KEY_FILE="}, "migrate")
			wantFails(t, res, "must move out: set BAAS_MASTER_KEY_FILE")
			keyFile = filepath.Join(st.dir, "master.key") // what st.env sets
		}
		srv := startServer(t, st)
		got, err := readKeyFile(keyFile)
		if err != nil || !core.SameKey(got, key) {
			t.Fatalf("key file: %v (same key: %v)", err, core.SameKey(got, key))
		}
		wantMode600(t, keyFile)
		var v string
		if err := st.openDB(t).QueryRow(`SELECT value FROM settings WHERE key = 'master_key'`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(v, base64.StdEncoding.EncodeToString(key)) {
			t.Fatalf("the master key is still in the settings table")
		}
		g := girasolCreds{APIKey: creds.Girasol.APIKey, SecretKey: creds.Girasol.SecretKey, CompanyID: creds.Girasol.CompanyID}
		createAccount(t, srv, g, "before")
		srv.terminate(t, syscall.SIGTERM)

		list := mustRun(t, st, nil, "keys", "list")
		if !strings.Contains(list.stdout, "0  ") || !strings.Contains(list.stdout, "yes") || strings.Contains(list.stdout, base64.StdEncoding.EncodeToString(key)[:8]) {
			t.Errorf("keys list:\n%s", list.stdout)
		}

		// Another key: nothing starts.
		other := "BAAS_MASTER_KEY=" + base64.StdEncoding.EncodeToString(core.NewMasterKey())
		wantFails(t, runBaas(t, st, []string{other, "BAAS_MASTER_KEY_FILE="}, "serve"), "does not match this database")
		wantFails(t, runBaas(t, st, []string{other, "BAAS_MASTER_KEY_FILE="}, "tenant", "create", "--name", "x"),
			"does not match this database")

		// Rotate to a new key file; the old key no longer opens the database.
		newFile := filepath.Join(st.dir, "new.key")
		rot := mustRun(t, st, nil, "keys", "rotate", "--new-key-file", newFile)
		if !strings.Contains(rot.stdout, "data key 2 is current") {
			t.Errorf("rotate said:\n%s", rot.stdout)
		}
		wantMode600(t, newFile)
		wantFails(t, runBaas(t, st, nil, "tenant", "create", "--name", "x"), "does not match this database")
		srv = startServer(t, st, "BAAS_MASTER_KEY_FILE="+newFile)
		createAccount(t, srv, g, "after")
		srv.terminate(t, syscall.SIGTERM)
		list = mustRun(t, st, []string{"BAAS_MASTER_KEY_FILE=" + newFile}, "keys", "list")
		if strings.Count(list.stdout, "\n") != 4 {
			t.Errorf("want 3 data keys, got:\n%s", list.stdout)
		}
	})
}

// TestKeyFileDefaults: a new SQLite database gets a key file beside it, 0600 under umask
// 022; PostgreSQL without a key refuses to start.
func TestKeyFileDefaults(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	storetest.Each(t, func(t *testing.T, engine string) {
		st := newStore(t, engine)
		if engine == "postgres" {
			wantFails(t, runBaas(t, st, []string{"BAAS_MASTER_KEY_FILE="}, "migrate"), "PostgreSQL needs a master key")
			return
		}
		mustRun(t, st, nil, "migrate")
		for _, name := range []string{"baas.db", "baas.db.key"} {
			wantMode600(t, filepath.Join(st.dir, name))
		}
		// The key file is needed from now on: losing it is an error, not a new key.
		if err := os.Rename(filepath.Join(st.dir, "baas.db.key"), filepath.Join(st.dir, "moved.key")); err != nil {
			t.Fatal(err)
		}
		wantFails(t, runBaas(t, st, nil, "migrate"), "does not exist, but this database's data keys")
		if err := os.Chmod(filepath.Join(st.dir, "moved.key"), 0o644); err != nil {
			t.Fatal(err)
		}
		wantFails(t, runBaas(t, st, []string{"BAAS_MASTER_KEY_FILE=moved.key"}, "migrate"), "others may read it")
	})
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "baas test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeTLS: with a certificate and key, baas serves HTTPS (and only HTTPS) and prints
// https:// addresses; with only one of the two it refuses to start.
func TestServeTLS(t *testing.T) {
	st := newStore(t, "sqlite")
	certFile, keyFile, pool := selfSigned(t, st.dir)
	wantFails(t, runBaas(t, st, []string{"BAAS_TLS_CERT=" + certFile}, "serve"), "TLS needs both")

	srv := startServer(t, st, "BAAS_TLS_CERT="+certFile, "BAAS_TLS_KEY="+keyFile)
	srv.client = &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, b := srv.request(t, "GET", "/healthz", nil, nil)
	wantStatus(t, "/healthz over TLS", resp, b, http.StatusOK)
	if resp.TLS == nil {
		t.Fatal("the answer did not come over TLS")
	}
	out := srv.stdout.String()
	checkFirstCurl(t, srv, out, printedCredentials(t, out)) // the printed curl says https://

	// Plain HTTP on the TLS port gets no API answer.
	plain, err := httpClient.Get("http://" + strings.TrimPrefix(srv.base, "https://") + "/healthz")
	if err == nil {
		plain.Body.Close()
		if plain.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP answered 200 on the TLS listener")
		}
	}
	srv.terminate(t, syscall.SIGTERM)
}
