// Command spoke runs Spoke, a HubSpot-compatible CRM v3 API server, and
// manages its database.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const usage = `usage: spoke <command> [flags]

commands:
  serve    serve the API (spoke serve --addr 127.0.0.1:8080 --db spoke.db)
  tokens   manage access tokens (create --scopes a,b [--name N] | list | revoke ID)
  owners   manage owners (create --email E --first-name F --last-name L [--type PERSON|QUEUE] | list | archive ID)

every command takes --db PATH (default spoke.db)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "spoke:", err)
		os.Exit(1)
	}
}

// run dispatches a command line; ctx ends on SIGINT or SIGTERM.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command given")
	}
	switch args[0] {
	case "serve":
		m := NewMain(stdout, stderr)
		if err := m.ParseFlags(args[1:]); err != nil {
			return err
		}
		if err := m.Run(ctx); err != nil {
			m.Close()
			return err
		}
		<-ctx.Done()
		return m.Close()
	case "tokens":
		return (&admin{stdout: stdout, stderr: stderr, now: time.Now}).tokens(ctx, args[1:])
	case "owners":
		return (&admin{stdout: stdout, stderr: stderr, now: time.Now}).owners(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}
