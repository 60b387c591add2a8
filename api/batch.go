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
	out := batchJSON{Status: "COMPLETE", Results: results, NumErrors: len(errs), Errors: errs,
		StartedAt: crm.FormatTime(started), CompletedAt: crm.FormatTime(time.Now())}
	status := okStatus
	if len(errs) > 0 {
		status = http.StatusMultiStatus
	}
	writeJSON(w, status, out)
}

// nameInputs is the {"inputs":[{"name":...}]} body of property batch reads and archives.
type nameInputs struct {
	Inputs []struct {
		Name string `json:"name"`
	} `json:"inputs"`
	Archived bool `json:"archived"`
}

// maxBatchInputs is HubSpot's batch size limit.
const maxBatchInputs = 100

func checkBatchSize(n int) error {
	if n > maxBatchInputs {
		return crm.Invalidf("The maximum number of inputs supported in a batch is %d. Please reduce the number of items and try again", maxBatchInputs)
	}
	return nil
}
