package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/spoke-crm/spoke/crm"
)

const appsUsage = `usage: spoke apps <command> [flags]

commands:
  create   create a developer app: --name NAME; prints {"appId", "clientSecret", "developerApiKey"} once
  list     list the apps (ids, names, creation times; never secrets)
  delete   delete an app by id, with its webhook settings, subscriptions and events

An app's developer API key authenticates HubSpot's webhooks API (/webhooks/v3/{appId}/...,
sent as ?hapikey=); its client secret signs the webhook requests Spoke sends. The key is
stored hashed; the secret is stored as it is, since every signature needs it.
Every command takes --db PATH|URL: a SQLite file (default spoke.db) or a postgres:// URL.
`

// webhookStore is the webhook store of an opened database.
func webhookStore(store crm.Store) (crm.WebhookStore, error) {
	ws, ok := store.(crm.WebhookStorer)
	if !ok {
		return nil, errors.New("this database keeps no webhooks")
	}
	return ws.Webhooks(), nil
}

func (a *admin) apps(ctx context.Context, args []string) error {
	if done, err := group(args, appsUsage, a.stdout, a.stderr); done {
		return err
	}
	switch args[0] {
	case "create":
		fs := a.flags("apps create")
		name := fs.String("name", "", "`NAME` the app's name (required)")
		if rest, err := parse(fs, args[1:]); err != nil || len(rest) > 0 {
			return errors.Join(err, extra(rest))
		}
		if *name == "" {
			return usage(errors.New("--name is required"))
		}
		return a.withEngine(ctx, func(_ *crm.Engine, store crm.Store) error {
			ws, err := webhookStore(store)
			if err != nil {
				return err
			}
			key := crm.NewAppSecret()
			app := &crm.App{Name: *name, ClientSecret: crm.NewAppSecret(), KeyHash: crm.HashToken(key), CreatedAt: a.now().UTC()}
			if err := ws.CreateApp(ctx, app); err != nil {
				return err
			}
			return printJSON(a.stdout, map[string]any{"appId": app.ID, "name": app.Name, "clientSecret": app.ClientSecret, "developerApiKey": key})
		})
	case "list":
		fs := a.flags("apps list")
		if rest, err := parse(fs, args[1:]); err != nil || len(rest) > 0 {
			return errors.Join(err, extra(rest))
		}
		return a.withExisting(ctx, func(_ *crm.Engine, store crm.Store) error {
			ws, err := webhookStore(store)
			if err != nil {
				return err
			}
			list, err := ws.ListApps(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%-8s %-20s %s\n", "ID", "CREATED", "NAME")
			for _, app := range list {
				fmt.Fprintf(a.stdout, "%-8d %-20s %s\n", app.ID, when(app.CreatedAt), app.Name)
			}
			return nil
		})
	case "delete":
		fs := a.flags("apps delete")
		rest, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(rest) != 1 {
			return usage(errors.New("usage: spoke apps delete [--db PATH|URL] ID"))
		}
		id, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil {
			return usage(fmt.Errorf("app id %q is not a number", rest[0]))
		}
		return a.withExisting(ctx, func(_ *crm.Engine, store crm.Store) error {
			ws, err := webhookStore(store)
			if err != nil {
				return err
			}
			if err := ws.DeleteApp(ctx, id); errors.Is(err, crm.ErrNotFound) {
				return fmt.Errorf("no app with id %d", id)
			} else if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Deleted app %d\n", id)
			return nil
		})
	}
	return usage(fmt.Errorf("unknown apps command %q (spoke apps --help lists them)", args[0]))
}
