package spoketest

import "github.com/spoke-crm/spoke/api"

// WithFaults installs fault injection: f's rules run around every API call
// and /_spoke/faults manages them. A nil f gets a new, empty rule set.
func WithFaults(f *api.Faults) Option {
	if f == nil {
		f = api.NewFaults()
	}
	return func(s *Settings) { f.Install(&s.API) }
}
