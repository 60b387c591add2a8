package api

import (
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

func standardError(err error) standardErrorJSON {
	e := crm.AsError(err)
	return standardErrorJSON{Status: "error", Category: e.Category, SubCategory: e.SubCategory, Message: e.Message, Context: e.Context, Errors: e.Details}
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
