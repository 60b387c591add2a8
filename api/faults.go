package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/faults"
)

// AddFaults installs fault injection (package faults) in o: f's rules run
// around every API call, /_spoke/faults manages them, and a reset restores
// the rules f holds now (those of spoke serve --faults). f counts its
// firings in o's metrics. Add it after the rate limiter: faults stand for
// the backend behind HubSpot's edge.
//
//	GET    /_spoke/faults       the rules with their counts
//	POST   /_spoke/faults       add rules (a faults.Config)
//	DELETE /_spoke/faults       remove every rule
//	DELETE /_spoke/faults/{id}  remove one rule
func (o *Options) AddFaults(f *faults.Set) {
	f.SetMetrics(o.Metrics)
	f.KeepAsStartup()
	o.Interceptors = append(o.Interceptors, func(w http.ResponseWriter, r *http.Request, c *Call, next func(http.ResponseWriter, *http.Request) error) error {
		err := f.Intercept(w, r, faults.Call{Type: c.Type, Principal: c.Principal}, next)
		if fail := (*faults.Failure)(nil); errors.As(err, &fail) {
			return &httpError{status: fail.Status, message: fail.Message}
		}
		return err
	})
	list := func(w http.ResponseWriter, r *http.Request) error {
		writeJSON(w, http.StatusOK, faultList{Rules: f.Rules()})
		return nil
	}
	o.Controls = append(o.Controls,
		Control{"GET /_spoke/faults", list},
		Control{"POST /_spoke/faults", func(w http.ResponseWriter, r *http.Request) error {
			var raw json.RawMessage
			if err := decodeBody(r, &raw); err != nil {
				return err
			}
			cfg, err := faults.Parse(raw)
			if err == nil {
				err = f.Add(cfg)
			}
			if err != nil {
				return crm.Invalidf("%s", err.Error())
			}
			return list(w, r)
		}},
		Control{"DELETE /_spoke/faults", func(w http.ResponseWriter, r *http.Request) error {
			f.Clear()
			w.WriteHeader(http.StatusNoContent)
			return nil
		}},
		Control{"DELETE /_spoke/faults/{id}", func(w http.ResponseWriter, r *http.Request) error {
			id, err := strconv.Atoi(r.PathValue("id"))
			if err != nil || !f.Remove(id) {
				return &crm.Error{Kind: crm.KindNotFound, Category: crm.CategoryNotFound,
					Message: fmt.Sprintf("No fault rule with id %s", r.PathValue("id"))}
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		}})
	o.ResetHooks = append(o.ResetHooks, ResetHook{Part: ResetFaults, Reset: func(context.Context) error {
		f.Restore()
		return nil
	}})
}

type faultList struct {
	Rules []faults.Rule `json:"rules"`
}
