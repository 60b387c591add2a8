package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/postgres"
)

// admin runs the commands that manage a database directly: tokens and owners.
type admin struct {
	stdout, stderr io.Writer
	db             string
	now            func() time.Time
}

// flags returns a flag set with the shared --db flag.
func (a *admin) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.StringVar(&a.db, "db", DefaultDB, "database: a SQLite file path")
	return fs
}

// parse parses args, allowing flags after positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// withEngine opens the database and runs fn with an engine on it.
func (a *admin) withEngine(ctx context.Context, fn func(*crm.Engine, crm.Store) error) error {
	store, err := openStore(ctx, a.db, postgres.PoolOptions{MaxConns: 2})
	if err != nil {
		return err
	}
	defer store.Close()
	engine := crm.NewEngine(store, a.now, DefaultPortalID)
	return fn(engine, store)
}

func (a *admin) tokens(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: spoke tokens create|list|revoke [flags]")
	}
	switch args[0] {
	case "create":
		fs := a.flags("tokens create")
		scopes := fs.String("scopes", "", "comma-separated scopes, e.g. crm.objects.contacts.read,crm.objects.contacts.write")
		name := fs.String("name", "token", "a name to recognise the token by")
		if rest, err := parse(fs, args[1:]); err != nil || len(rest) > 0 {
			return errors.Join(err, extra(rest))
		}
		list := splitComma(*scopes)
		if len(list) == 0 {
			return fmt.Errorf("--scopes is required; known scopes: %s", strings.Join(crm.AllScopes, ", "))
		}
		for _, s := range list {
			if !slices.Contains(crm.AllScopes, s) {
				return fmt.Errorf("unknown scope %q; known scopes: %s", s, strings.Join(crm.AllScopes, ", "))
			}
		}
		return a.withEngine(ctx, func(_ *crm.Engine, store crm.Store) error {
			secret := crm.NewTokenSecret()
			t := &crm.Token{Name: *name, Hash: crm.HashToken(secret), Scopes: list, CreatedAt: a.now()}
			if err := store.Tokens().CreateToken(ctx, t); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Created token %d %q with scopes %s. The token is shown only this once:\n%s\n",
				t.ID, t.Name, strings.Join(t.Scopes, ","), secret)
			return nil
		})
	case "list":
		fs := a.flags("tokens list")
		if rest, err := parse(fs, args[1:]); err != nil || len(rest) > 0 {
			return errors.Join(err, extra(rest))
		}
		return a.withEngine(ctx, func(_ *crm.Engine, store crm.Store) error {
			list, err := store.Tokens().ListTokens(ctx)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tNAME\tSCOPES\tCREATED\tLAST USED\tREVOKED")
			for _, t := range list {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, strings.Join(t.Scopes, ","),
					when(t.CreatedAt), when(t.LastUsedAt), when(t.RevokedAt))
			}
			return w.Flush()
		})
	case "revoke":
		fs := a.flags("tokens revoke")
		rest, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(rest) != 1 {
			return errors.New("usage: spoke tokens revoke [--db PATH] ID")
		}
		id, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil {
			return fmt.Errorf("token id %q is not a number", rest[0])
		}
		return a.withEngine(ctx, func(_ *crm.Engine, store crm.Store) error {
			if err := store.Tokens().RevokeToken(ctx, id, a.now()); errors.Is(err, crm.ErrNotFound) {
				return fmt.Errorf("no live token with id %d", id)
			} else if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Revoked token %d\n", id)
			return nil
		})
	}
	return fmt.Errorf("unknown tokens command %q", args[0])
}

func (a *admin) owners(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: spoke owners create|list|archive [flags]")
	}
	switch args[0] {
	case "create":
		fs := a.flags("owners create")
		var o crm.Owner
		fs.StringVar(&o.Email, "email", "", "the owner's email address (required)")
		fs.StringVar(&o.FirstName, "first-name", "", "first name")
		fs.StringVar(&o.LastName, "last-name", "", "last name")
		fs.StringVar(&o.Type, "type", "PERSON", "PERSON or QUEUE")
		if rest, err := parse(fs, args[1:]); err != nil || len(rest) > 0 {
			return errors.Join(err, extra(rest))
		}
		return a.withEngine(ctx, func(e *crm.Engine, _ crm.Store) error {
			created, err := e.CreateOwner(ctx, o)
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
		return a.withEngine(ctx, func(e *crm.Engine, _ crm.Store) error {
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
			return errors.New("usage: spoke owners archive [--db PATH] ID")
		}
		id, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil {
			return fmt.Errorf("owner id %q is not a number", rest[0])
		}
		return a.withEngine(ctx, func(e *crm.Engine, _ crm.Store) error {
			if err := e.ArchiveOwner(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Archived owner %d\n", id)
			return nil
		})
	}
	return fmt.Errorf("unknown owners command %q", args[0])
}

func extra(rest []string) error {
	if len(rest) == 0 {
		return nil
	}
	return fmt.Errorf("unexpected arguments: %s", strings.Join(rest, " "))
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
