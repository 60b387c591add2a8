package spoketest

import "github.com/spoke-crm/spoke/faults"

// WithFaults installs fault injection: f's rules run around every API call
// and /_spoke/faults manages them. A nil f gets a new, empty rule set.
func WithFaults(f *faults.Set) Option {
	if f == nil {
		f = faults.New()
	}
	return func(s *Settings) { s.API.AddFaults(f) }
}
