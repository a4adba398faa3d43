// Command baas is the baas server and its operator tools: serve, migrate, tenant
// create/update/list/fund, kyc list/verify/reject, card list/accept/ship/block, webhook
// add/list/delete, keys, audit, card-data-key, ledger verify, bench, version. It is the
// only place that names concrete stores.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	m := NewMain(os.Stdout, os.Stderr, os.Getenv)
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if code, ok := err.(exitCode); ok {
			os.Exit(int(code))
		}
		fmt.Fprintln(os.Stderr, "baas:", err)
		os.Exit(1)
	}
}

// exitCode ends the program with a status and no further message.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
