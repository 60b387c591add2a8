// Command spoke runs Spoke, a HubSpot-compatible CRM v3 API server, and
// manages its database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
	_ "time/tzdata" // time zones for the rate-limit emulation, also in minimal images

	"github.com/spoke-crm/spoke/internal/runtimecfg"
)

const commandsUsage = `usage: spoke <command> [flags]

commands:
  serve    serve the API (spoke serve --addr 127.0.0.1:8080 --db spoke.db)
  tokens   manage access tokens (create --scopes a,b [--name N] | list | revoke ID)
  owners   manage owners (create --email E --first-name F --last-name L [--type PERSON|QUEUE] | list | archive ID)
  seed     load a fixture file (spoke seed --db spoke.db fixtures/example.json)
  export   write the data as a fixture (spoke export --db spoke.db [FILE])
  version  print the version

every command takes --db PATH (default spoke.db)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "spoke:", err)
		os.Exit(1)
	}
}

// run dispatches a command line; ctx ends on SIGINT or SIGTERM.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, commandsUsage)
		return fmt.Errorf("no command given")
	}
	switch args[0] {
	case "serve":
		runtimecfg.Apply()
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
	case "seed":
		return (&admin{stdout: stdout, stderr: stderr, now: time.Now}).seed(ctx, args[1:])
	case "export":
		return (&admin{stdout: stdout, stderr: stderr, now: time.Now}).export(ctx, args[1:])
	case "version":
		fmt.Fprintln(stdout, "spoke", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, commandsUsage)
		return nil
	default:
		fmt.Fprint(stderr, commandsUsage)
		return fmt.Errorf("unknown command %q", args[0])
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
