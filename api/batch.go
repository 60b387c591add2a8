package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// batchJSON is HubSpot's batch response envelope (BatchResponse...[WithErrors]).
type batchJSON struct {
	Status      string              `json:"status"`
	Results     any                 `json:"results"`
	NumErrors   int                 `json:"numErrors,omitempty"`
	Errors      []standardErrorJSON `json:"errors,omitempty"`
	StartedAt   string              `json:"startedAt"`
	CompletedAt string              `json:"completedAt"`
}

// standardErrorJSON is one item of a batch response's errors.
type standardErrorJSON struct {
	Status      string              `json:"status"`
	Category    string              `json:"category,omitempty"`
	SubCategory string              `json:"subCategory,omitempty"`
	Message     string              `json:"message"`
	Context     map[string][]string `json:"context,omitempty"`
	Errors      []crm.ErrorDetail   `json:"errors,omitempty"`
}

// standardError renders a HubSpot error as an item of a batch response's errors.
func standardError(e *crm.Error) standardErrorJSON {
	return standardErrorJSON{Status: "error", Category: e.Category, SubCategory: e.SubCategory, Message: e.Message, Context: e.Context, Errors: e.Details}
}

// inputError is the item of a batch response's errors for the error one
// input ran into. Only HubSpot's errors are results of an input: anything
// else (a storage failure, a cancelled request) is an internal error, which
// inputError returns for the handler to return, so that the request
// answers 500 and the error is logged with its correlation id, as on every
// other route.
func inputError(err error) (standardErrorJSON, error) {
	var e *crm.Error
	if !errors.As(err, &e) || e.Kind == crm.KindInternal {
		return standardErrorJSON{}, err
	}
	return standardError(e), nil
}

// batchErrors collects the items of a batch response's errors.
type batchErrors []standardErrorJSON

// add records the error of one input, or returns it when it is internal
// (see inputError).
func (b *batchErrors) add(err error) error {
	item, err := inputError(err)
	if err != nil {
		return err
	}
	*b = append(*b, item)
	return nil
}

// writeBatch answers okStatus when there are no errors and 207 otherwise.
func writeBatch(w http.ResponseWriter, okStatus int, started time.Time, results any, errs []standardErrorJSON) {
	status := okStatus
	if len(errs) > 0 {
		status = http.StatusMultiStatus
	}
	writeBatchStatus(w, status, started, results, errs)
}

// writeBatchStatus answers status, whatever the errors.
func writeBatchStatus(w http.ResponseWriter, status int, started time.Time, results any, errs []standardErrorJSON) {
	if writeBatchFast(w, status, started, results, errs) {
		return
	}
	out := batchJSON{Status: "COMPLETE", Results: results, NumErrors: len(errs), Errors: errs,
		StartedAt: crm.FormatTime(started), CompletedAt: crm.FormatTime(time.Now())}
	writeJSON(w, status, out)
}

// The prologue every batch handler shares: readBatch decodes the body,
// checks its inputs against the endpoint's batchRule and returns the
// batchReply (the response envelope) the handler fills and writes.

// Batch input limits beyond the objects API's (crm.MaxBatchInputs, and
// crm.MaxBatchHistoryInputs with property history).
const (
	v4BatchReadMax   = 1000 // association batch reads
	v4BatchCreateMax = 2000 // association batch writes
)

// batchRule is what a batch endpoint accepts before it looks at an input.
type batchRule struct {
	// max is the most inputs a batch may hold.
	max int
	// required makes a body without "inputs" fail JSON binding, as HubSpot's
	// objects API answers; otherwise it is a batch of no inputs.
	required bool
	// empty is the message refusing a batch of no inputs; "" accepts one.
	empty string
}

var (
	objectsBatch           = batchRule{max: crm.MaxBatchInputs, required: true, empty: "At least one input is required in a batch request"}
	propertiesBatch        = batchRule{max: crm.MaxBatchInputs}
	restoreBatch           = batchRule{max: crm.MaxBatchInputs, empty: "At least one input is required"}
	associationsWriteBatch = batchRule{max: v4BatchCreateMax, empty: "At least one input is required"}
	associationsReadBatch  = batchRule{max: v4BatchReadMax, empty: "At least one input is required"}
)

// historyBody is a batch body that can ask for property history, which
// lowers the limit to crm.MaxBatchHistoryInputs.
type historyBody interface {
	withHistory() bool
}

// batchReply is a batch response being built: when the request started and
// the errors of the inputs that failed.
type batchReply struct {
	started time.Time
	errs    batchErrors
	// noMultiStatus answers okStatus even when inputs failed, their errors
	// in the body: for endpoints whose only success status in HubSpot's
	// spec is okStatus (batch associate default), which HubSpot's clients
	// read as a failure when it is anything else, 207 included.
	noMultiStatus bool
}

// write answers okStatus when no input failed and 207 otherwise (okStatus
// always with noMultiStatus).
func (b *batchReply) write(w http.ResponseWriter, okStatus int, results any) {
	if b.noMultiStatus {
		writeBatchStatus(w, okStatus, b.started, results, b.errs)
		return
	}
	writeBatch(w, okStatus, b.started, results, b.errs)
}

// readBatch decodes a batch request body into body and checks inputs, its
// "inputs" field, against rule. It is the one place that knows the limits
// and words their errors. A body without "inputs" (or with null) leaves
// inputs nil; "[]" makes it empty but not nil.
func readBatch[T any](r *http.Request, body any, inputs *[]T, rule batchRule) (*batchReply, error) {
	reply := &batchReply{started: time.Now()}
	if err := decodeBody(r, body); err != nil {
		return nil, err
	}
	n := len(*inputs)
	if *inputs == nil && rule.required {
		return nil, missingFields("inputs")
	}
	if n == 0 && rule.empty != "" {
		return nil, crm.Invalidf("%s", rule.empty)
	}
	if h, ok := body.(historyBody); ok && h.withHistory() && n > crm.MaxBatchHistoryInputs {
		return nil, crm.Invalidf("The maximum number of inputs supported in a batch request for property histories is %d. Please reduce the number of items and try again", crm.MaxBatchHistoryInputs)
	}
	if n > rule.max {
		return nil, crm.Invalidf("The maximum number of inputs supported in a batch is %d. Please reduce the number of items and try again", rule.max)
	}
	return reply, nil
}

// readInputs is readBatch for a body that holds nothing but its inputs.
func readInputs[T any](r *http.Request, rule batchRule) ([]T, *batchReply, error) {
	var body struct {
		Inputs []T `json:"inputs"`
	}
	reply, err := readBatch(r, &body, &body.Inputs, rule)
	return body.Inputs, reply, err
}

// answerEach runs fn on each input in turn and answers with the results
// of all: okStatus, or 207 when some input failed (see noMultiStatus). An
// error HubSpot reports per input joins the reply's errors and the batch
// goes on; any other error ends the batch and is returned (see inputError).
func answerEach[T, R any](w http.ResponseWriter, reply *batchReply, okStatus int, inputs []T, fn func(i int, in T) ([]R, error)) error {
	results := []R{}
	for i, in := range inputs {
		out, err := fn(i, in)
		if err != nil {
			if err := reply.errs.add(err); err != nil {
				return err
			}
			continue
		}
		results = append(results, out...)
	}
	reply.write(w, okStatus, results)
	return nil
}

// nameInput is an input of property batch reads and archives.
type nameInput struct {
	Name string `json:"name"`
}

// nameInputs is the body of property batch reads and archives.
type nameInputs struct {
	Inputs   []nameInput `json:"inputs"`
	Archived bool        `json:"archived"`
}
