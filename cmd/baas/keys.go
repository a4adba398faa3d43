package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"text/tabwriter"
	"time"

	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/sqlite"
	"github.com/spf13/cobra"
)

// keyFile is the master key file: BAAS_MASTER_KEY_FILE, or for SQLite a file beside the
// database (baas.db.key, the sandbox default); "" for PostgreSQL without
// BAAS_MASTER_KEY_FILE.
func (c Config) keyFile() string {
	if c.MasterKeyFile != "" || isPostgres(c.DatabaseURL) {
		return c.MasterKeyFile
	}
	return sqlite.FilePath(c.DatabaseURL) + ".key"
}

// masterKey returns the master key of the opened store: from BAAS_MASTER_KEY, else from
// the key file (created with a new key when the database has no data keys yet). A master
// key that an older baas kept in the database's settings table is first moved out, to
// the key file.
func (m *Main) masterKey(ctx context.Context) (*core.LocalKey, error) {
	c := m.Config
	if err := m.moveStoredKey(ctx); err != nil {
		return nil, err
	}
	if c.MasterKey != "" {
		key, err := core.ParseMasterKey(c.MasterKey)
		if err != nil {
			return nil, fmt.Errorf("BAAS_MASTER_KEY: %w", err)
		}
		return core.NewLocalKey(key, "BAAS_MASTER_KEY")
	}
	path := c.keyFile()
	if path == "" {
		return nil, errors.New("PostgreSQL needs a master key kept outside the database: set BAAS_MASTER_KEY, " +
			"or BAAS_MASTER_KEY_FILE (a file holding the key; created with a new key, mode 0600, if it does not exist)")
	}
	key, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		keys, lerr := core.ListDataKeys(ctx, m.store)
		if lerr != nil {
			return nil, lerr
		}
		if len(keys) > 0 {
			return nil, fmt.Errorf("master key file %s does not exist, but this database's data keys were sealed "+
				"with a master key: restore that file, or set BAAS_MASTER_KEY", path)
		}
		key = core.NewMasterKey()
		if err = writeKeyFile(path, key); err == nil {
			m.log.Warn("generated a master key and wrote it to a file (mode 0600): keep it, and back it up apart from the database",
				"key_file", path)
		}
	}
	if err != nil {
		return nil, err
	}
	return core.NewLocalKey(key, "master key file "+path)
}

// moveStoredKey moves a master key kept in the settings table (older versions did so
// without BAAS_MASTER_KEY) to the key file, then erases it from the table. When it is the
// key of BAAS_MASTER_KEY, it is only erased.
func (m *Main) moveStoredKey(ctx context.Context) error {
	stored, err := core.StoredMasterKey(ctx, m.store)
	if err != nil || stored == nil {
		return err
	}
	inEnv := false
	if m.Config.MasterKey != "" {
		env, err := core.ParseMasterKey(m.Config.MasterKey)
		if err != nil {
			return fmt.Errorf("BAAS_MASTER_KEY: %w", err)
		}
		inEnv = core.SameKey(env, stored)
	}
	path := m.Config.keyFile()
	if !inEnv {
		if path == "" {
			return errors.New("this database keeps its master key in its settings table, and it must move out: " +
				"set BAAS_MASTER_KEY_FILE to a path where baas may write it (mode 0600)")
		}
		existing, err := readKeyFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := writeKeyFile(path, stored); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if !core.SameKey(existing, stored) {
				return fmt.Errorf("this database keeps its master key in its settings table, to move to %s, "+
					"but that file holds another key: move the file away or set BAAS_MASTER_KEY_FILE to another path", path)
			}
		}
	}
	if err := core.ForgetStoredMasterKey(ctx, m.store); err != nil {
		return err
	}
	if inEnv {
		m.log.Warn("erased the master key that this database kept in its settings table (it is the one in BAAS_MASTER_KEY); " +
			"older copies and backups of the database still hold it")
	} else {
		m.log.Warn("moved the master key that this database kept in its settings table to a file (mode 0600); "+
			"older copies and backups of the database still hold it", "key_file", path)
	}
	return nil
}

// readKeyFile reads a master key file (32 bytes in base64 or hex). A file that others can
// read is refused.
func readKeyFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("master key file %s has mode %o: others may read it; chmod 600 it", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := core.ParseMasterKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	return key, nil
}

// writeKeyFile creates path (it must not exist) holding key in base64, mode 0600 whatever
// the umask, and syncs it before returning.
func writeKeyFile(path string, key []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("creating master key file: %w", err)
	}
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("writing master key file %s: %w", path, err)
	}
	return nil
}

func (m *Main) keysCommand() *cobra.Command {
	keys := &cobra.Command{Use: "keys", Short: "List the data keys; rotate the master key"}
	list := &cobra.Command{Use: "list", Short: "List the data keys: id, creation time, which is current (never key material)",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := m.openStore(cmd.Context()); err != nil {
				return err
			}
			defer m.Close()
			infos, err := core.ListDataKeys(cmd.Context(), m.store)
			if err != nil {
				return err
			}
			if len(infos) == 0 {
				fmt.Fprintln(m.Stdout, "no data keys yet: they are made on the first start")
				return nil
			}
			w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tCREATED\tCURRENT\tNOTE")
			for _, k := range infos {
				cur, note := "", ""
				if k.Current {
					cur = "yes"
				}
				if k.Legacy {
					note = "the master key of this database before data keys"
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", k.ID, k.CreatedAt.Format(time.RFC3339), cur, note)
			}
			return w.Flush()
		}}

	var newKeyFile string
	rotate := &cobra.Command{Use: "rotate",
		Short: "Re-seal the data keys under a new master key and add a data key for new writes",
		Long: "rotate opens the data keys with the current master key (BAAS_MASTER_KEY or BAAS_MASTER_KEY_FILE, " +
			"or the sandbox key file), seals them under the new one (BAAS_NEW_MASTER_KEY, or --new-key-file, " +
			"created with a new key if it does not exist) and adds a data key, sealed under the new master key, " +
			"that becomes current for new writes. No other row changes. Then restart every baas process with the new master key.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if err := m.openStore(ctx); err != nil {
				return err
			}
			defer m.Close()
			old, err := m.masterKey(ctx)
			if err != nil {
				return err
			}
			next, where, err := m.newMasterKey(newKeyFile)
			if err != nil {
				return err
			}
			if next.Same(old) {
				return errors.New("the new master key is the current one")
			}
			id, err := core.RotateMasterKey(ctx, m.store, old, next, true, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "data keys re-sealed under the new master key (%s); data key %d is current for new writes\n", where, id)
			fmt.Fprintf(m.Stdout, "restart every baas process with the new master key; the old one no longer opens this database\n")
			return nil
		}}
	rotate.Flags().StringVar(&newKeyFile, "new-key-file", "",
		"file holding the new master key; created with a new key (mode 0600) if it does not exist (or env BAAS_NEW_MASTER_KEY)")
	keys.AddCommand(list, rotate)
	return keys
}

// newMasterKey is the master key to rotate to: BAAS_NEW_MASTER_KEY, else the file at path
// (created with a new key when missing).
func (m *Main) newMasterKey(path string) (*core.LocalKey, string, error) {
	env := m.getenv("BAAS_NEW_MASTER_KEY")
	if (env == "") == (path == "") {
		return nil, "", errors.New("give the new master key in BAAS_NEW_MASTER_KEY or with --new-key-file (one of them)")
	}
	if env != "" {
		key, err := core.ParseMasterKey(env)
		if err != nil {
			return nil, "", fmt.Errorf("BAAS_NEW_MASTER_KEY: %w", err)
		}
		k, err := core.NewLocalKey(key, "BAAS_NEW_MASTER_KEY")
		return k, "BAAS_NEW_MASTER_KEY", err
	}
	key, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = core.NewMasterKey()
		err = writeKeyFile(path, key)
	}
	if err != nil {
		return nil, "", err
	}
	k, err := core.NewLocalKey(key, "master key file "+path)
	return k, "master key file " + path, err
}
