package web

import "github.com/spoke-crm/spoke/crm"

// labelled is t with the options of its pipeline and stage properties read
// from the stored pipelines, archived ones included, so that pages show a
// deal's or ticket's pipeline and stage by label whichever node made them.
// Types without pipelines come back as they are.
func (h *Handler) labelled(c *call, t *crm.ObjectType) (*crm.ObjectType, error) {
	return h.engine.WithPipelineOptions(ctxOf(c), t, true)
}
