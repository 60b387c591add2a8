package main

import (
	"flag"

	"github.com/spoke-crm/spoke/api"
)

// faultsFlag registers --faults (SPOKE_FAULTS).
func (m *Main) faultsFlag(fs *flag.FlagSet) {
	fs.StringVar(&m.Faults, "faults", m.Faults, "`FILE` JSON fault-injection rules to load at start (the format of POST /_spoke/faults)")
}

// installFaults adds fault injection to o with the rules of --faults. It is
// left out only when there are neither rules nor test controls to add them.
func (m *Main) installFaults(o *api.Options) error {
	f := api.NewFaults()
	if m.Faults != "" {
		cfg, err := api.ReadFaultsFile(m.Faults)
		if err != nil {
			return err
		}
		if err := f.Add(cfg); err != nil {
			return err
		}
		m.logger.Info("fault rules loaded", "file", m.Faults, "rules", len(cfg.Rules))
	} else if m.NoAdmin {
		return nil
	}
	f.Install(o)
	return nil
}
