// Command spoke runs Spoke, a HubSpot-compatible CRM v3 API server, and
// manages its database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // time zones for the rate-limit emulation, also in minimal images

	"github.com/spoke-crm/spoke/internal/runtimecfg"
)

const commandsUsage = `usage: spoke <command> [flags]

commands:
  serve    serve the API and the web pages (spoke serve --addr 127.0.0.1:8080 --db spoke.db)
  health   exit 0 when a running server answers (for container health checks)
  tokens   manage access tokens: create (--scopes a,b or --all-scopes), list, revoke
  owners   manage owners: create, list, archive
  apps     manage developer apps (webhooks): create --name N, list, delete
  seed     load a fixture file into a database (spoke seed --db spoke.db FILE)
  export   write a database's data as a fixture (spoke export --db spoke.db [FILE])
  version  print the version (also spoke --version)

--db names the database of serve, tokens, owners, apps, seed and export (or SPOKE_DB):
a SQLite file path (default spoke.db), or a postgres:// or postgresql:// URL;
serve also takes :memory: for an in-memory database.

spoke <command> --help (or spoke help <command>) describes a command and its flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "spoke:", err)
		os.Exit(exitCode(err))
	}
}

// usageError is a mistake in the command line or in the environment that
// sets flags: an unknown command or flag, a bad value, a missing or extra
// argument. It exits 2, a failure of a well-formed command 1, as the flag
// package and most Unix tools do, so that scripts can tell them apart.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usage marks err, if any, as a usage error; flag.ErrHelp stays as it is.
func usage(err error) error {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{err}
}

// exitCode is the exit status for err: 2 for a usage error, else 1.
func exitCode(err error) int {
	if errors.As(err, new(usageError)) {
		return 2
	}
	return 1
}

// run dispatches a command line; ctx ends on SIGINT or SIGTERM. It returns
// flag.ErrHelp after printing help that was asked for, which is success.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, commandsUsage)
		return usage(fmt.Errorf("no command given"))
	}
	switch args[0] {
	case "serve":
		runtimecfg.Apply()
		m := NewMain(stdout, stderr)
		if err := m.ParseFlags(args[1:]); err != nil {
			return usage(err)
		}
		if err := m.Run(ctx); err != nil {
			m.Close()
			return err
		}
		<-ctx.Done()
		start := time.Now()
		err := m.Close()
		if err != nil {
			m.logger.Error("spoke stopped", slog.Duration("took", time.Since(start)), slog.Any("err", err))
			return err
		}
		m.logger.Info("spoke stopped", slog.Duration("took", time.Since(start)))
		return nil
	case "health":
		return health(ctx, args[1:], stdout, stderr)
	case "tokens":
		return (&admin{stdout: stdout, stderr: stderr, now: time.Now}).tokens(ctx, args[1:])
	case "owners":
		return (&admin{stdout: stdout, stderr: stderr, now: time.Now}).owners(ctx, args[1:])
	case "apps":
		return (&admin{stdout: stdout, stderr: stderr, now: time.Now}).apps(ctx, args[1:])
	case "seed":
		return (&admin{stdout: stdout, stderr: stderr, now: time.Now}).seed(ctx, args[1:])
	case "export":
		return (&admin{stdout: stdout, stderr: stderr, now: time.Now}).export(ctx, args[1:])
	case "version", "--version", "-version":
		if len(args) > 1 {
			if args[1] == "-h" || args[1] == "--help" || args[1] == "-help" {
				fmt.Fprint(stdout, "usage: spoke version (or spoke --version)\n\nPrints the version of the program.\n")
				return flag.ErrHelp
			}
			return usage(fmt.Errorf("unexpected arguments: %s", strings.Join(args[1:], " ")))
		}
		fmt.Fprintln(stdout, "spoke", version())
		return nil
	case "help", "-h", "--help", "-help":
		if len(args) > 1 && args[1] != "help" && !strings.HasPrefix(args[1], "-") {
			return run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, commandsUsage)
		return flag.ErrHelp
	default:
		return usage(fmt.Errorf("unknown command %q (spoke --help lists the commands)", args[0]))
	}
}

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = ""

// version is Version, or what the Go toolchain recorded about the build.
func version() string {
	if Version != "" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		v := info.Main.Version
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " " + s.Value[:12]
			}
		}
		return v + " " + info.GoVersion
	}
	return "(unknown)"
}
