package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/mail"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/sqlite"
)

// admin runs the commands that manage a database directly: tokens and owners.
type admin struct {
	stdout, stderr io.Writer
	db             string
	now            func() time.Time
}

// dbAbout describes --db in the help of the commands that take it.
const dbAbout = `--db names the database, as spoke serve does: a SQLite file path or a
postgres:// (or postgresql://) URL; SPOKE_DB sets it too. The server may be running.`

// adminCommands are the help texts of the commands run by admin, by flag
// set name.
var adminCommands = map[string]command{
	"tokens create": {
		synopsis: "spoke tokens create (--scopes LIST | --all-scopes) [--name NAME] [--db PATH|URL]",
		about: "Creates an access token and prints it once, on the last line; only its hash is stored.\n" +
			"--all-scopes (or --scopes all) gives every scope, as the token of a first start has,\n" +
			"which is how to get a token back after losing that one.\n\n" + dbAbout,
	},
	"tokens list": {
		synopsis: "spoke tokens list [--wide] [--db PATH|URL]",
		about:    "Lists the tokens (never their secrets), scopes summarised unless --wide.\n\n" + dbAbout,
	},
	"tokens revoke": {synopsis: "spoke tokens revoke [--db PATH|URL] ID", about: "Revokes a token; it is refused from then on.\n\n" + dbAbout},
	"owners create": {
		synopsis: "spoke owners create --email EMAIL [--first-name F] [--last-name L] [--type PERSON|QUEUE] [--db PATH|URL]",
		about:    "Creates an owner (what hubspot_owner_id names) and prints it as the API shows it.\n\n" + dbAbout,
	},
	"owners list":    {synopsis: "spoke owners list [--archived] [--db PATH|URL]", about: "Lists the owners.\n\n" + dbAbout},
	"owners archive": {synopsis: "spoke owners archive [--db PATH|URL] ID", about: "Archives an owner.\n\n" + dbAbout},
	"seed": {
		synopsis: "spoke seed [--no-webhooks] [--db PATH|URL] FILE",
		about: "Loads a fixture file (the format of GET /_spoke/export) into the database, all or nothing.\n" +
			"--no-webhooks emits no webhook events for what the fixture writes.\n\n" + dbAbout,
	},
	"apps create": {
		synopsis: "spoke apps create --name NAME [--db PATH|URL]",
		about: "Creates a developer app and prints its id, client secret and developer API key once,\n" +
			"as JSON; only the key's hash is stored.\n\n" + dbAbout,
	},
	"apps list":   {synopsis: "spoke apps list [--db PATH|URL]", about: "Lists the apps: ids, creation times and names, never secrets.\n\n" + dbAbout},
	"apps delete": {synopsis: "spoke apps delete [--db PATH|URL] ID", about: "Deletes an app with its webhook settings, subscriptions and events.\n\n" + dbAbout},
	"export": {
		synopsis: "spoke export [--secrets] [--history] [--db PATH|URL] [FILE]",
		about: "Writes the data of the database as a fixture, to FILE or standard output.\n" +
			"--secrets adds each app's client secret and developer API key hash, so that a seed restores working apps.\n" +
			"--history adds each record's property history, so that a seed restores it.\n\n" + dbAbout,
	},
}

// flags returns a flag set with the shared --db flag (also SPOKE_DB) and
// the help text of the command name.
func (a *admin) flags(name string) *flag.FlagSet {
	c := adminCommands[name]
	c.env = []string{"db"}
	fs := newFlagSet(name, c, a.stdout)
	fs.StringVar(&a.db, "db", DefaultDB, "`PATH|URL` the database: a SQLite file path or a postgres:// URL")
	return fs
}

// parse reads SPOKE_DB and parses args, allowing flags after positional
// arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	return parseWithEnv(fs, args, true, "db")
}

// group handles a command group's own arguments (spoke tokens, spoke
// tokens --help): it prints the group's help and says whether the caller
// is done, with flag.ErrHelp for a help request.
func group(args []string, help string, stdout, stderr io.Writer) (bool, error) {
	if len(args) == 0 {
		fmt.Fprint(stderr, help)
		return true, usage(errors.New("no command given"))
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, help)
		return true, flag.ErrHelp
	}
	return false, nil
}

const tokensUsage = `usage: spoke tokens <command> [flags]

commands:
  create   create a token and print it once: --scopes a,b or --all-scopes
  list     list the tokens (never their secrets)
  revoke   revoke a token by id

Every command takes --db PATH|URL: a SQLite file (default spoke.db) or a postgres:// URL.
spoke tokens <command> --help describes a command's flags.
`

const ownersUsage = `usage: spoke owners <command> [flags]

commands:
  create   create an owner: --email E [--first-name F] [--last-name L] [--type PERSON|QUEUE]
  list     list the owners
  archive  archive an owner by id

Every command takes --db PATH|URL: a SQLite file (default spoke.db) or a postgres:// URL.
spoke owners <command> --help describes a command's flags.
`

// withExisting is withEngine for a command that reads or changes what a
// database already holds: a SQLite path with no file is refused rather
// than made into an empty database (a mistyped --db would otherwise list
// nothing, or export an empty fixture, and succeed).
func (a *admin) withExisting(ctx context.Context, fn func(*crm.Engine, crm.Store) error) error {
	if checkDB(a.db) == nil && !isPostgres(a.db) && !sqlite.IsMemory(a.db) {
		if _, err := os.Stat(a.db); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no database at %s (spoke serve, spoke seed and the create commands make one)", a.db)
		}
	}
	return a.withEngine(ctx, fn)
}

// withEngine opens the database and runs fn with an engine on it.
func (a *admin) withEngine(ctx context.Context, fn func(*crm.Engine, crm.Store) error) error {
	store, err := openStoreOffline(ctx, a.db)
	if err != nil {
		return err
	}
	defer store.Close()
	// Writes made here (seed) emit webhook events as the server's do; a
	// running server delivers them from the outbox.
	base := store
	if ws, ok := store.(crm.WebhookStorer); ok {
		base = crm.NewWebhooks(ws.Webhooks(), DefaultPortalID, a.now).Wrap(store)
	}
	engine := crm.NewEngine(base, a.now, DefaultPortalID)
	return fn(engine, store)
}

func (a *admin) tokens(ctx context.Context, args []string) error {
	if done, err := group(args, tokensUsage, a.stdout, a.stderr); done {
		return err
	}
	switch args[0] {
	case "create":
		fs := a.flags("tokens create")
		var list []string
		fs.Func("scopes", "`LIST` comma-separated scopes, e.g. crm.objects.contacts.read,crm.objects.contacts.write, or all (repeat to add more)", func(v string) error {
			for _, s := range splitComma(v) {
				if !slices.Contains(list, s) {
					list = append(list, s)
				}
			}
			return nil
		})
		all := fs.Bool("all-scopes", false, "give the token every scope (the same as --scopes all)")
		name := fs.String("name", "token", "`NAME` a name to recognise the token by")
		if rest, err := parse(fs, args[1:]); err != nil || len(rest) > 0 {
			return errors.Join(err, extra(rest))
		}
		if *all || slices.Contains(list, "all") {
			if len(list) > 1 || (*all && len(list) > 0) {
				return usage(errors.New("--all-scopes (or --scopes all) already gives every scope: name no others"))
			}
			list = slices.Clone(crm.AllScopes)
		}
		if len(list) == 0 {
			return usage(fmt.Errorf("--scopes or --all-scopes is required; known scopes: %s", strings.Join(crm.AllScopes, ", ")))
		}
		for _, s := range list {
			if !slices.Contains(crm.AllScopes, s) {
				return usage(fmt.Errorf("unknown scope %q; known scopes: %s", s, strings.Join(crm.AllScopes, ", ")))
			}
		}
		return a.withEngine(ctx, func(_ *crm.Engine, store crm.Store) error {
			secret := crm.NewTokenSecret()
			t := &crm.Token{Name: *name, Hash: crm.HashToken(secret), Scopes: list, CreatedAt: a.now()}
			if err := store.Tokens().CreateToken(ctx, t); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Created token %d %q with %s. The token is shown only this once:\n%s\n",
				t.ID, t.Name, describeScopes(t.Scopes), secret)
			return nil
		})
	case "list":
		fs := a.flags("tokens list")
		wide := fs.Bool("wide", false, "show every scope, full names and times")
		if rest, err := parse(fs, args[1:]); err != nil || len(rest) > 0 {
			return errors.Join(err, extra(rest))
		}
		return a.withExisting(ctx, func(_ *crm.Engine, store crm.Store) error {
			list, err := store.Tokens().ListTokens(ctx)
			if err != nil {
				return err
			}
			return printTokens(a.stdout, list, *wide)
		})
	case "revoke":
		fs := a.flags("tokens revoke")
		rest, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(rest) != 1 {
			return usage(errors.New("usage: spoke tokens revoke [--db PATH|URL] ID"))
		}
		id, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil {
			return usage(fmt.Errorf("token id %q is not a number", rest[0]))
		}
		return a.withExisting(ctx, func(_ *crm.Engine, store crm.Store) error {
			if err := store.Tokens().RevokeToken(ctx, id, a.now()); errors.Is(err, crm.ErrNotFound) {
				return fmt.Errorf("no live token with id %d", id)
			} else if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Revoked token %d\n", id)
			return nil
		})
	}
	return usage(fmt.Errorf("unknown tokens command %q (spoke tokens --help lists them)", args[0]))
}

func (a *admin) owners(ctx context.Context, args []string) error {
	if done, err := group(args, ownersUsage, a.stdout, a.stderr); done {
		return err
	}
	switch args[0] {
	case "create":
		fs := a.flags("owners create")
		var o crm.Owner
		fs.StringVar(&o.Email, "email", "", "`EMAIL` the owner's email address (required)")
		fs.StringVar(&o.FirstName, "first-name", "", "`NAME` first name")
		fs.StringVar(&o.LastName, "last-name", "", "`NAME` last name")
		fs.StringVar(&o.Type, "type", "PERSON", "`PERSON|QUEUE` the owner's type")
		if rest, err := parse(fs, args[1:]); err != nil || len(rest) > 0 {
			return errors.Join(err, extra(rest))
		}
		if strings.TrimSpace(o.Email) == "" {
			return usage(errors.New("--email is required"))
		}
		if _, err := mail.ParseAddress(strings.TrimSpace(o.Email)); err != nil || !strings.Contains(o.Email, "@") {
			return usage(fmt.Errorf("--email %q is not a valid email address", o.Email))
		}
		if o.Type != "PERSON" && o.Type != "QUEUE" {
			return usage(fmt.Errorf("--type must be PERSON or QUEUE, not %q", o.Type))
		}
		return a.withEngine(ctx, func(e *crm.Engine, _ crm.Store) error {
			created, err := e.CreateOwner(ctx, o)
			var ce *crm.Error
			if errors.As(err, &ce) && ce.Kind == crm.KindInvalid {
				return usage(err) // a flag's value breaks a rule the engine checks
			}
			if err != nil {
				return err
			}
			return printJSON(a.stdout, api.NewOwnerJSON(created))
		})
	case "list":
		fs := a.flags("owners list")
		archived := fs.Bool("archived", false, "list archived owners instead")
		if rest, err := parse(fs, args[1:]); err != nil || len(rest) > 0 {
			return errors.Join(err, extra(rest))
		}
		return a.withExisting(ctx, func(e *crm.Engine, _ crm.Store) error {
			w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tUSER ID\tEMAIL\tNAME\tTYPE")
			var after int64
			for {
				page, next, err := e.ListOwners(ctx, crm.OwnerQuery{Archived: *archived, AfterID: after, Limit: 500})
				if err != nil {
					return err
				}
				for _, o := range page {
					fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%s\n", o.ID, o.UserID, o.Email, strings.TrimSpace(o.FirstName+" "+o.LastName), o.Type)
				}
				if next == 0 {
					return w.Flush()
				}
				after = next
			}
		})
	case "archive":
		fs := a.flags("owners archive")
		rest, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(rest) != 1 {
			return usage(errors.New("usage: spoke owners archive [--db PATH|URL] ID"))
		}
		id, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil {
			return usage(fmt.Errorf("owner id %q is not a number", rest[0]))
		}
		return a.withExisting(ctx, func(e *crm.Engine, _ crm.Store) error {
			if err := e.ArchiveOwner(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Archived owner %d\n", id)
			return nil
		})
	}
	return usage(fmt.Errorf("unknown owners command %q (spoke owners --help lists them)", args[0]))
}

func extra(rest []string) error {
	if len(rest) == 0 {
		return nil
	}
	return usage(fmt.Errorf("unexpected arguments: %s", strings.Join(rest, " ")))
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// printTokens writes the token table. Unless wide, it fits an 80-column
// terminal: scopes summarised, names shortened, dates without times.
func printTokens(w io.Writer, list []*crm.Token, wide bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSCOPES\tCREATED\tLAST USED\tREVOKED")
	for _, t := range list {
		if wide {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, strings.Join(t.Scopes, ","),
				when(t.CreatedAt), when(t.LastUsedAt), when(t.RevokedAt))
			continue
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, shorten(t.Name, 14), summariseScopes(t.Scopes, 22),
			day(t.CreatedAt), day(t.LastUsedAt), day(t.RevokedAt))
	}
	return tw.Flush()
}

// summariseScopes names a token's scopes in at most width characters:
// "all" for every scope, else the scopes without their "crm.objects." or
// "crm." prefix, or the first ones and how many more ("contacts.read +3").
func summariseScopes(scopes []string, width int) string {
	if hasAllScopes(scopes) {
		return "all"
	}
	short := make([]string, len(scopes))
	for i, s := range scopes {
		short[i] = strings.TrimPrefix(strings.TrimPrefix(s, "crm.objects."), "crm.")
	}
	if s := strings.Join(short, ","); len(s) <= width {
		return s
	}
	for n := len(short) - 1; n >= 1; n-- {
		s := fmt.Sprintf("%s +%d", strings.Join(short[:n], ","), len(short)-n)
		if len(s) <= width {
			return s
		}
	}
	return shorten(fmt.Sprintf("%d scopes", len(scopes)), width)
}

// describeScopes words a token's scopes for the create message.
func describeScopes(scopes []string) string {
	if hasAllScopes(scopes) {
		return "every scope"
	}
	return "scopes " + strings.Join(scopes, ",")
}

func hasAllScopes(scopes []string) bool {
	for _, s := range crm.AllScopes {
		if !slices.Contains(scopes, s) {
			return false
		}
	}
	return true
}

// shorten cuts s to n characters, marking the cut with "~".
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "~"
}

// day is t's date in UTC, or "-".
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateOnly)
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
