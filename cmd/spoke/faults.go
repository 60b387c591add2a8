package main

import (
	"flag"

	"github.com/spoke-crm/spoke/faults"
)

// faultsFlag registers --faults (SPOKE_FAULTS).
func (m *Main) faultsFlag(fs *flag.FlagSet) {
	fs.StringVar(&m.Faults, "faults", m.Faults, "`FILE` JSON fault-injection rules to load at start (the format of POST /_spoke/faults)")
}

// loadFaults reads and checks the rules of --faults, before anything else
// starts. It returns nil when there are neither rules nor test controls to
// add them.
func (m *Main) loadFaults() (*faults.Set, error) {
	f := faults.New()
	if m.Faults != "" {
		cfg, err := faults.ReadFile(m.Faults)
		if err != nil {
			return nil, err
		}
		if err := f.Add(cfg); err != nil {
			return nil, err
		}
		m.logger.Info("fault rules loaded", "file", m.Faults, "rules", len(cfg.Rules))
	} else if m.NoAdmin {
		return nil, nil
	}
	return f, nil
}
