package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// Faults injects failures into API calls so that clients can prove their
// retry and timeout handling: added latency, HubSpot's error statuses, and
// dropped connections. Rules come from a JSON file at start (spoke serve
// --faults) and from the /_spoke/faults test control. Install Intercept as an
// interceptor and mount Controls; the zero value is not usable, use NewFaults.
type Faults struct {
	mu     sync.Mutex
	rules  []*faultRule
	nextID int
	// startup and startNext are the rules and next id at Install: what a
	// reset restores.
	startup   []FaultRule
	startNext int
	// active mirrors len(rules) so calls skip the lock when there are none.
	active atomic.Int32
	// metrics counts firings; Install takes the Options' metrics.
	metrics *Metrics
}

// NewFaults returns an empty rule set.
func NewFaults() *Faults { return &Faults{nextID: 1} }

// FaultConfig is the JSON read from a --faults file and sent to
// POST /_spoke/faults.
type FaultConfig struct {
	// Seed seeds every rule without its own: rule i (from 0) of Rules gets Seed+i.
	Seed  *int64      `json:"seed,omitempty"`
	Rules []FaultRule `json:"rules"`
}

// When a fault fires relative to the handler.
const (
	// FaultBefore fires before the handler runs: nothing is written.
	FaultBefore = "before"
	// FaultAfter lets the handler run and complete its write, then replaces
	// its response (which is buffered, so none of it reaches the client).
	FaultAfter = "after"
)

// FaultRule is one rule: what it matches, what it does, and how often.
type FaultRule struct {
	// ID is assigned when the rule is added; ignored on input.
	ID int `json:"id"`

	// Matching; an empty field matches everything.
	Method string `json:"method,omitempty"`
	// Path is matched against the request path segment by segment: each
	// segment is a path.Match glob (*, ?, [a-z]); a "**" segment matches any
	// number of segments; ServeMux wildcards {name} and {name...} are the same
	// as * and **, so route patterns can be copied as they are.
	Path string `json:"path,omitempty"`
	// ObjectType is the call's resolved object type by id ("0-18"), plural or
	// singular name; calls without a type (owners) never match it.
	ObjectType string `json:"objectType,omitempty"`
	// Token is the calling token's name or numeric id (SPOKE_ACCESS_TOKEN's
	// name is "SPOKE_ACCESS_TOKEN", its id 0).
	Token string `json:"token,omitempty"`

	// When is FaultBefore (the default) or FaultAfter.
	When string `json:"when,omitempty"`

	// Actions. Latency alone delays the call; with LatencyMax it is drawn
	// from [Latency, LatencyMax].
	Latency    FaultDuration `json:"latency,omitempty"`
	LatencyMax FaultDuration `json:"latencyMax,omitempty"`
	// Status answers with HubSpot's error body: 429, 477, 500, 502, 503 or 504.
	Status int `json:"status,omitempty"`
	// PolicyName picks the 429 body: TEN_SECONDLY_ROLLING (default), DAILY,
	// or SECONDLY (search's limit).
	PolicyName string `json:"policyName,omitempty"`
	// RetryAfter is the Retry-After header in seconds; 477 sends 1 by default.
	RetryAfter int `json:"retryAfter,omitempty"`
	// Message replaces the body's default message.
	Message string `json:"message,omitempty"`
	// Drop closes the connection without any response.
	Drop bool `json:"drop,omitempty"`

	// Frequency: Times > 0 fires for the next Times matching calls only;
	// Probability in (0, 1] fires each matching call with that chance
	// (omitted: every time). With both, each draw counts until Times fired.
	Times       int     `json:"times,omitempty"`
	Probability float64 `json:"probability,omitempty"`
	// Seed seeds the rule's draws (probability and latency range); shown
	// with the seed in use when none was given, so a run can be replayed.
	Seed *int64 `json:"seed,omitempty"`

	// Matched and Fired count calls the rule matched and fired on (output only).
	Matched int `json:"matched"`
	Fired   int `json:"fired"`
}

// FaultDuration is a duration written in JSON as a Go duration string
// ("250ms", "1.5s") or a number of milliseconds.
type FaultDuration time.Duration

func (d FaultDuration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

func (d *FaultDuration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("latency %q: a duration such as \"250ms\" or \"2s\" is expected", s)
		}
		*d = FaultDuration(v)
		return nil
	}
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return errors.New("latency: a duration string or a number of milliseconds is expected")
	}
	*d = FaultDuration(time.Duration(ms * float64(time.Millisecond)))
	return nil
}

// faultRule is a live rule with its random source.
type faultRule struct {
	FaultRule
	segments []string
	rng      *rand.Rand
}

// ParseFaults reads a FaultConfig, refusing unknown fields so that a
// misspelt rule does not silently match everything. A JSON array is read as
// the rules alone.
func ParseFaults(data []byte) (FaultConfig, error) {
	var cfg FaultConfig
	trimmed := bytes.TrimSpace(data)
	target := any(&cfg)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		target = &cfg.Rules
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(target); err != nil {
		return cfg, fmt.Errorf("fault rules: %w", err)
	}
	if dec.More() {
		return cfg, errors.New("fault rules: unexpected data after the JSON value")
	}
	return cfg, nil
}

// ReadFaultsFile parses the fault rules in a file.
func ReadFaultsFile(name string) (FaultConfig, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return FaultConfig{}, err
	}
	cfg, err := ParseFaults(data)
	if err != nil {
		return cfg, fmt.Errorf("%s: %w", name, err)
	}
	return cfg, nil
}

var faultStatuses = map[int]bool{429: true, 477: true, 500: true, 502: true, 503: true, 504: true}

// check validates a rule and compiles its path.
func (r *faultRule) check() error {
	r.Method = strings.ToUpper(r.Method)
	switch r.When {
	case "":
		r.When = FaultBefore
	case FaultBefore, FaultAfter:
	default:
		return fmt.Errorf("when must be %q or %q, not %q", FaultBefore, FaultAfter, r.When)
	}
	if r.Path != "" {
		if !strings.HasPrefix(r.Path, "/") {
			return fmt.Errorf("path %q must start with /", r.Path)
		}
		r.segments = strings.Split(r.Path[1:], "/")
		for _, seg := range r.segments {
			if _, err := path.Match(seg, ""); err != nil {
				return fmt.Errorf("path %q: bad pattern segment %q", r.Path, seg)
			}
		}
	}
	if r.Status != 0 && !faultStatuses[r.Status] {
		return fmt.Errorf("status %d: one of 429, 477, 500, 502, 503 or 504 is expected", r.Status)
	}
	if r.Status != 0 && r.Drop {
		return errors.New("a rule answers with a status or drops the connection, not both")
	}
	if r.PolicyName != "" {
		if r.Status != http.StatusTooManyRequests {
			return errors.New("policyName applies to status 429 only")
		}
		if _, ok := crm.RatePolicyNamed(r.PolicyName); !ok {
			return fmt.Errorf("policyName %q: TEN_SECONDLY_ROLLING, DAILY or SECONDLY is expected", r.PolicyName)
		}
	}
	if r.Latency < 0 || r.LatencyMax < 0 || r.RetryAfter < 0 || r.Times < 0 {
		return errors.New("latency, latencyMax, retryAfter and times may not be negative")
	}
	if r.LatencyMax != 0 && r.LatencyMax < r.Latency {
		return errors.New("latencyMax must not be below latency")
	}
	if r.Status == 0 && !r.Drop && r.Latency == 0 && r.LatencyMax == 0 {
		return errors.New("a rule needs an action: latency, status or drop")
	}
	if r.Probability < 0 || r.Probability > 1 {
		return fmt.Errorf("probability %v must be between 0 and 1", r.Probability)
	}
	return nil
}

// Add validates and appends rules; none is added if one is invalid.
func (f *Faults) Add(cfg FaultConfig) error {
	rules := make([]*faultRule, len(cfg.Rules))
	for i, in := range cfg.Rules {
		r := &faultRule{FaultRule: in}
		r.Matched, r.Fired = 0, 0
		if err := r.check(); err != nil {
			return fmt.Errorf("rule %d: %w", i, err)
		}
		if r.Seed == nil {
			seed := rand.Int64()
			if cfg.Seed != nil {
				seed = *cfg.Seed + int64(i)
			}
			r.Seed = &seed
		}
		r.rng = rand.New(rand.NewPCG(uint64(*r.Seed), 0))
		rules[i] = r
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range rules {
		r.ID = f.nextID
		f.nextID++
	}
	f.rules = append(f.rules, rules...)
	f.active.Store(int32(len(f.rules)))
	return nil
}

// Rules returns the rules with their counts.
func (f *Faults) Rules() []FaultRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FaultRule, len(f.rules))
	for i, r := range f.rules {
		out[i] = r.FaultRule
	}
	return out
}

// Clear removes every rule.
func (f *Faults) Clear() {
	f.mu.Lock()
	f.rules = nil
	f.active.Store(0)
	f.mu.Unlock()
}

// Restore puts back the rules the set held when it was installed (those of
// spoke serve --faults), with their ids and seeds and their counts at zero,
// and removes every other: the rules of a fresh start.
func (f *Faults) Restore() {
	f.mu.Lock()
	defer f.mu.Unlock()
	rules := make([]*faultRule, len(f.startup))
	for i, in := range f.startup {
		r := &faultRule{FaultRule: in}
		r.check() // it passed when it was added
		r.rng = rand.New(rand.NewPCG(uint64(*r.Seed), 0))
		rules[i] = r
	}
	f.rules, f.nextID = rules, f.startNext
	f.active.Store(int32(len(rules)))
}

// Remove removes one rule and reports whether it existed.
func (f *Faults) Remove(id int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if r.ID == id {
			f.rules = append(f.rules[:i], f.rules[i+1:]...)
			f.active.Store(int32(len(f.rules)))
			return true
		}
	}
	return false
}

func (r *faultRule) matches(req *http.Request, c *Call) bool {
	if r.Method != "" && r.Method != req.Method {
		return false
	}
	if r.segments != nil && !matchSegments(r.segments, strings.Split(req.URL.Path[1:], "/")) {
		return false
	}
	if r.ObjectType != "" {
		t := c.Type
		if t == nil || !(strings.EqualFold(r.ObjectType, t.ID) || strings.EqualFold(r.ObjectType, t.Name) || strings.EqualFold(r.ObjectType, t.Singular)) {
			return false
		}
	}
	if r.Token != "" {
		p := c.Principal
		if p == nil || (r.Token != p.Name && r.Token != strconv.FormatInt(p.TokenID, 10)) {
			return false
		}
	}
	return true
}

// matchSegments matches path segments against glob segments, "**" (or
// {name...}) standing for any number of segments.
func matchSegments(pattern, segs []string) bool {
	if len(pattern) == 0 {
		return len(segs) == 0
	}
	p := pattern[0]
	if p == "**" || (strings.HasPrefix(p, "{") && strings.HasSuffix(p, "...}")) {
		for i := 0; i <= len(segs); i++ {
			if matchSegments(pattern[1:], segs[i:]) {
				return true
			}
		}
		return false
	}
	if len(segs) == 0 {
		return false
	}
	switch {
	case p == "{$}":
		if segs[0] != "" {
			return false
		}
	case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
		if segs[0] == "" {
			return false
		}
	default:
		if ok, _ := path.Match(p, segs[0]); !ok {
			return false
		}
	}
	return matchSegments(pattern[1:], segs[1:])
}

// action names what a rule does for metrics: "drop", the status, or "latency".
func (r *faultRule) action() string {
	switch {
	case r.Drop:
		return "drop"
	case r.Status != 0:
		return strconv.Itoa(r.Status)
	}
	return "latency"
}

// faultPlan is what the rules decided for one call.
type faultPlan struct {
	fired         []string // ids of the rules that fired
	actions       []string // their actions, as metrics label them
	before, after time.Duration
	// answer is the firing rule with a status or a drop, if any; rules after
	// it are not consulted.
	answer *FaultRule
}

// plan runs the rules in order over a call, counting matches and firings.
func (f *Faults) plan(req *http.Request, c *Call) faultPlan {
	var p faultPlan
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rules {
		if !r.matches(req, c) {
			continue
		}
		r.Matched++
		if r.Times > 0 && r.Fired >= r.Times {
			continue
		}
		if r.Probability > 0 && r.Probability < 1 && r.rng.Float64() >= r.Probability {
			continue
		}
		r.Fired++
		p.fired = append(p.fired, strconv.Itoa(r.ID))
		p.actions = append(p.actions, r.action())
		d := time.Duration(r.Latency)
		if span := time.Duration(r.LatencyMax) - d; span > 0 {
			d += time.Duration(r.rng.Int64N(int64(span) + 1))
		}
		if r.When == FaultAfter {
			p.after += d
		} else {
			p.before += d
		}
		if r.Status != 0 || r.Drop {
			answer := r.FaultRule
			p.answer = &answer
			break
		}
	}
	return p
}

// Intercept is the Interceptor that applies the rules. A fault never leaves
// a half-applied write: "before" faults answer without running the handler,
// "after" faults let it finish and then replace its buffered response.
func (f *Faults) Intercept(w http.ResponseWriter, r *http.Request, c *Call, next func(http.ResponseWriter, *http.Request) error) error {
	if f.active.Load() == 0 {
		return next(w, r)
	}
	p := f.plan(r, c)
	if len(p.fired) == 0 {
		return next(w, r)
	}
	for _, a := range p.actions {
		f.metrics.FaultFired(a)
	}
	w.Header().Set("X-Spoke-Fault", strings.Join(p.fired, ","))
	if p.answer != nil && p.answer.When == FaultBefore {
		pause(r, p.before+p.after)
		return faultAnswer(w, p.answer)
	}
	pause(r, p.before)
	if p.answer == nil && p.after == 0 {
		return next(w, r)
	}
	buf := &bufferedResponse{header: http.Header{}}
	err := next(buf, r)
	pause(r, p.after)
	if p.answer != nil {
		return faultAnswer(w, p.answer)
	}
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	if err != nil {
		return err
	}
	if buf.status == 0 {
		buf.status = http.StatusOK
	}
	w.WriteHeader(buf.status)
	_, err = w.Write(buf.body.Bytes())
	return err
}

// pause waits d, or drops the connection if the client gives up first.
func pause(r *http.Request, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		panic(http.ErrAbortHandler)
	}
}

// faultAnswer drops the connection or returns the rule's HubSpot error.
func faultAnswer(w http.ResponseWriter, rule *FaultRule) error {
	if rule.Drop {
		// net/http closes the connection without a response and without logging.
		panic(http.ErrAbortHandler)
	}
	retryAfter := rule.RetryAfter
	if retryAfter == 0 && rule.Status == 477 {
		retryAfter = 1
	}
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	if rule.Status == http.StatusTooManyRequests {
		// The same bodies as the rate-limit emulation's.
		policy, _ := crm.RatePolicyNamed(rule.PolicyName)
		limited := crm.RateLimited(policy)
		limited.Message = orDefault(rule.Message, limited.Message)
		return limited
	}
	return &httpError{status: rule.Status, message: orDefault(rule.Message, faultMessages[rule.Status])}
}

// faultMessages are the default messages of the statuses a rule can answer.
var faultMessages = map[int]string{
	477:                            "Migration in progress: this account is being moved between data hosting locations. Retry after the number of seconds in the Retry-After header.",
	http.StatusInternalServerError: "internal error",
	http.StatusBadGateway:          "Bad Gateway: the request timed out. Pause your requests for a few seconds, then retry.",
	http.StatusServiceUnavailable:  "Service temporarily unavailable. Pause your requests for a few seconds, then retry.",
	http.StatusGatewayTimeout:      "Gateway Timeout: the request timed out. Pause your requests for a few seconds, then retry.",
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// bufferedResponse holds a handler's response until an "after" fault has
// decided whether the client gets it.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// Install adds the rules' interceptor and test controls to o. Install it
// after the rate limiter: faults stand for the backend behind HubSpot's edge.
// The rules added before Install are the start-up rules that
// POST /_spoke/reset restores (see Restore).
func (f *Faults) Install(o *Options) {
	if f.metrics == nil {
		f.metrics = o.Metrics
	}
	f.mu.Lock()
	f.startup = make([]FaultRule, len(f.rules))
	for i, r := range f.rules {
		f.startup[i] = r.FaultRule
		f.startup[i].Matched, f.startup[i].Fired = 0, 0
	}
	f.startNext = f.nextID
	f.mu.Unlock()
	o.Interceptors = append(o.Interceptors, f.Intercept)
	o.Controls = append(o.Controls, f.Controls()...)
	o.ResetHooks = append(o.ResetHooks, ResetHook{Part: ResetFaults, Reset: func(context.Context) error {
		f.Restore()
		return nil
	}})
}

// Controls are the test controls for the rules:
//
//	GET    /_spoke/faults       the rules with their counts
//	POST   /_spoke/faults       add rules (a FaultConfig)
//	DELETE /_spoke/faults       remove every rule
//	DELETE /_spoke/faults/{id}  remove one rule
func (f *Faults) Controls() []Control {
	return []Control{
		{"GET /_spoke/faults", f.list},
		{"POST /_spoke/faults", f.add},
		{"DELETE /_spoke/faults", func(w http.ResponseWriter, r *http.Request) error {
			f.Clear()
			w.WriteHeader(http.StatusNoContent)
			return nil
		}},
		{"DELETE /_spoke/faults/{id}", func(w http.ResponseWriter, r *http.Request) error {
			id, err := strconv.Atoi(r.PathValue("id"))
			if err != nil || !f.Remove(id) {
				return &crm.Error{Kind: crm.KindNotFound, Category: crm.CategoryNotFound,
					Message: fmt.Sprintf("No fault rule with id %s", r.PathValue("id"))}
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		}},
	}
}

type faultList struct {
	Rules []FaultRule `json:"rules"`
}

func (f *Faults) list(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, faultList{Rules: f.Rules()})
	return nil
}

func (f *Faults) add(w http.ResponseWriter, r *http.Request) error {
	var raw json.RawMessage
	if err := decodeBody(r, &raw); err != nil {
		return err
	}
	cfg, err := ParseFaults(raw)
	if err == nil {
		err = f.Add(cfg)
	}
	if err != nil {
		return crm.Invalidf("%s", err.Error())
	}
	return f.list(w, r)
}
