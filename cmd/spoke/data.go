package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spoke-crm/spoke/crm"
)

// seed loads a fixture file into a database: spoke seed --db PATH FILE.
func (a *admin) seed(ctx context.Context, args []string) error {
	fs := a.flags("seed")
	quiet := fs.Bool("no-webhooks", false, "emit no webhook events for what the fixture writes")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usage(errors.New("usage: spoke seed [--no-webhooks] [--db PATH|URL] FILE"))
	}
	data, err := os.ReadFile(rest[0])
	if err != nil {
		return err
	}
	var f crm.Fixture
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("%s is not a fixture: %v", rest[0], err)
	}
	return a.withEngine(ctx, func(e *crm.Engine, _ crm.Store) error {
		if err := e.LoadSchemas(ctx); err != nil {
			return err
		}
		seedCtx := ctx
		if *quiet {
			seedCtx = crm.WithoutWebhookEvents(ctx)
		}
		if err := e.Seed(seedCtx, &f); err != nil {
			return err
		}
		n := 0
		for _, list := range f.Objects {
			n += len(list)
		}
		fmt.Fprintf(a.stdout, "Loaded %d owners, %d records and %d associations from %s\n", len(f.Owners), n, len(f.Associations), rest[0])
		return nil
	})
}

// export writes the data of a database as a fixture: spoke export --db PATH [FILE].
func (a *admin) export(ctx context.Context, args []string) error {
	fs := a.flags("export")
	secrets := fs.Bool("secrets", false, "add each app's client secret and developer API key hash")
	history := fs.Bool("history", false, "add each record's property history")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return usage(errors.New("usage: spoke export [--secrets] [--history] [--db PATH|URL] [FILE]"))
	}
	return a.withExisting(ctx, func(e *crm.Engine, _ crm.Store) error {
		if err := e.LoadSchemas(ctx); err != nil {
			return err
		}
		f, err := e.ExportWith(ctx, crm.ExportOptions{Secrets: *secrets, History: *history})
		if err != nil {
			return err
		}
		out := a.stdout
		if len(rest) == 1 {
			file, err := os.Create(rest[0])
			if err != nil {
				return err
			}
			defer file.Close()
			out = file
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(f)
	})
}
