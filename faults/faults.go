// Package faults injects failures into API calls so that clients can prove
// their retry and timeout handling: added latency, HubSpot's error statuses,
// and dropped connections. It is a test control, not part of HubSpot's API:
// the api package runs a Set's Intercept around every API call and serves
// its rules at /_spoke/faults.
package faults

import (
	"bytes"
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

// Set is a list of fault rules. Rules come from a JSON file at start (spoke
// serve --faults) and from the /_spoke/faults test control. The zero value
// is not usable, use New.
type Set struct {
	mu     sync.Mutex
	rules  []*liveRule
	nextID int
	// startup and startNext are the rules and next id of KeepAsStartup:
	// what a reset restores.
	startup   []Rule
	startNext int
	// active mirrors len(rules) so calls skip the lock when there are none.
	active atomic.Int32
	// metrics counts firings (SetMetrics).
	metrics Metrics
}

// Metrics counts the faults that fire, by action ("drop", "latency" or the
// status code).
type Metrics interface {
	FaultFired(action string)
}

// SetMetrics has the set count its firings in m.
func (f *Set) SetMetrics(m Metrics) {
	f.mu.Lock()
	f.metrics = m
	f.mu.Unlock()
}

// New returns an empty rule set.
func New() *Set { return &Set{nextID: 1} }

// Config is the JSON read from a --faults file and sent to
// POST /_spoke/faults.
type Config struct {
	// Seed seeds every rule without its own: rule i (from 0) of Rules gets Seed+i.
	Seed  *int64 `json:"seed,omitempty"`
	Rules []Rule `json:"rules"`
}

// When a fault fires relative to the handler.
const (
	// Before fires before the handler runs: nothing is written.
	Before = "before"
	// After lets the handler run and complete its write, then replaces
	// its response (which is buffered, so none of it reaches the client).
	After = "after"
)

// Rule is one rule: what it matches, what it does, and how often.
type Rule struct {
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

	// When is Before (the default) or After.
	When string `json:"when,omitempty"`

	// Actions. Latency alone delays the call; with LatencyMax it is drawn
	// from [Latency, LatencyMax].
	Latency    Duration `json:"latency,omitempty"`
	LatencyMax Duration `json:"latencyMax,omitempty"`
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

// Duration is a duration written in JSON as a Go duration string
// ("250ms", "1.5s") or a number of milliseconds.
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("latency %q: a duration such as \"250ms\" or \"2s\" is expected", s)
		}
		*d = Duration(v)
		return nil
	}
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return errors.New("latency: a duration string or a number of milliseconds is expected")
	}
	*d = Duration(time.Duration(ms * float64(time.Millisecond)))
	return nil
}

// liveRule is a live rule with its random source.
type liveRule struct {
	Rule
	segments []string
	rng      *rand.Rand
}

// Parse reads a Config, refusing unknown fields so that a
// misspelt rule does not silently match everything. A JSON array is read as
// the rules alone.
func Parse(data []byte) (Config, error) {
	var cfg Config
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

// ReadFile parses the fault rules in a file.
func ReadFile(name string) (Config, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return Config{}, err
	}
	cfg, err := Parse(data)
	if err != nil {
		return cfg, fmt.Errorf("%s: %w", name, err)
	}
	return cfg, nil
}

var statuses = map[int]bool{429: true, 477: true, 500: true, 502: true, 503: true, 504: true}

// check validates a rule and compiles its path.
func (r *liveRule) check() error {
	r.Method = strings.ToUpper(r.Method)
	switch r.When {
	case "":
		r.When = Before
	case Before, After:
	default:
		return fmt.Errorf("when must be %q or %q, not %q", Before, After, r.When)
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
	if r.Status != 0 && !statuses[r.Status] {
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
func (f *Set) Add(cfg Config) error {
	rules := make([]*liveRule, len(cfg.Rules))
	for i, in := range cfg.Rules {
		r := &liveRule{Rule: in}
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
func (f *Set) Rules() []Rule {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Rule, len(f.rules))
	for i, r := range f.rules {
		out[i] = r.Rule
	}
	return out
}

// Clear removes every rule.
func (f *Set) Clear() {
	f.mu.Lock()
	f.rules = nil
	f.active.Store(0)
	f.mu.Unlock()
}

// KeepAsStartup records the rules the set holds now (those of spoke serve
// --faults) as the ones Restore puts back.
func (f *Set) KeepAsStartup() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.startup = make([]Rule, len(f.rules))
	for i, r := range f.rules {
		f.startup[i] = r.Rule
		f.startup[i].Matched, f.startup[i].Fired = 0, 0
	}
	f.startNext = f.nextID
}

// Restore puts back the rules of KeepAsStartup, with their ids and seeds and
// their counts at zero, and removes every other: the rules of a fresh start.
func (f *Set) Restore() {
	f.mu.Lock()
	defer f.mu.Unlock()
	rules := make([]*liveRule, len(f.startup))
	for i, in := range f.startup {
		r := &liveRule{Rule: in}
		r.check() // it passed when it was added
		r.rng = rand.New(rand.NewPCG(uint64(*r.Seed), 0))
		rules[i] = r
	}
	f.rules, f.nextID = rules, f.startNext
	f.active.Store(int32(len(rules)))
}

// Remove removes one rule and reports whether it existed.
func (f *Set) Remove(id int) bool {
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

// Call is what rules match of an API call beyond its request: its object
// type (nil for routes without one) and the calling token.
type Call struct {
	Type      *crm.ObjectType
	Principal *crm.Principal
}

func (r *liveRule) matches(req *http.Request, c Call) bool {
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
func (r *liveRule) action() string {
	switch {
	case r.Drop:
		return "drop"
	case r.Status != 0:
		return strconv.Itoa(r.Status)
	}
	return "latency"
}

// plan is what the rules decided for one call.
type plan struct {
	fired         []string // ids of the rules that fired
	actions       []string // their actions, as metrics label them
	before, after time.Duration
	// answer is the firing rule with a status or a drop, if any; rules after
	// it are not consulted.
	answer *Rule
}

// decide runs the rules in order over a call, counting matches and
// firings, and returns the plan with the metrics to count it in.
func (f *Set) decide(req *http.Request, c Call) (plan, Metrics) {
	var p plan
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
		if r.When == After {
			p.after += d
		} else {
			p.before += d
		}
		if r.Status != 0 || r.Drop {
			answer := r.Rule
			p.answer = &answer
			break
		}
	}
	return p, f.metrics
}

// Intercept applies the rules around next, the API call. A fault never
// leaves a half-applied write: "before" faults answer without running the
// handler, "after" faults let it finish and then replace its buffered
// response. A status is returned as an error: crm.RateLimited's for 429, a
// *Failure for the others.
func (f *Set) Intercept(w http.ResponseWriter, r *http.Request, c Call, next func(http.ResponseWriter, *http.Request) error) error {
	if f.active.Load() == 0 {
		return next(w, r)
	}
	p, metrics := f.decide(r, c)
	if len(p.fired) == 0 {
		return next(w, r)
	}
	if metrics != nil {
		for _, a := range p.actions {
			metrics.FaultFired(a)
		}
	}
	w.Header().Set("X-Spoke-Fault", strings.Join(p.fired, ","))
	if p.answer != nil && p.answer.When == Before {
		pause(r, p.before+p.after)
		return answer(w, p.answer)
	}
	pause(r, p.before)
	if p.answer == nil && p.after == 0 {
		return next(w, r)
	}
	buf := &bufferedResponse{header: http.Header{}}
	err := next(buf, r)
	pause(r, p.after)
	if p.answer != nil {
		return answer(w, p.answer)
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

// answer drops the connection or returns the rule's HubSpot error.
func answer(w http.ResponseWriter, rule *Rule) error {
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
	return &Failure{Status: rule.Status, Message: orDefault(rule.Message, messages[rule.Status])}
}

// Failure is the answer of a rule with a status other than 429: HubSpot's
// error body with that status and message.
type Failure struct {
	Status  int
	Message string
}

func (e *Failure) Error() string { return e.Message }

// messages are the default messages of the statuses a rule can answer.
var messages = map[int]string{
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
