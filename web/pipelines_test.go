package web_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// Deal and ticket pages, lists and associated lists show the pipeline and
// stage by label, for HubSpot's default pipelines and for pipelines made
// since, through this node or another sharing the database.
func TestPipelineAndStageLabels(t *testing.T) {
	t.Parallel()
	nodes := twoNodesWeb(t)
	s, other := nodes[0], nodes[1]
	f := fixture{t, s}
	ctx := context.Background()
	one, two := 1, 2
	lead, won := "Lead", "Won & signed"
	p, err := other.Engine.CreatePipeline(ctx, f.typ("deals"), crm.PipelineInput{Label: ptr("Partners <EU>"), DisplayOrder: &one, Stages: []crm.StageInput{
		{Label: &lead, DisplayOrder: &one, Metadata: map[string]string{"probability": "0.1"}},
		{Label: &won, DisplayOrder: &two, Metadata: map[string]string{"probability": "1.0"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	wonID := p.LiveStages()[1].ID
	d := f.create("deals", map[string]string{"dealname": "Partner deal", "pipeline": p.ID, "dealstage": wonID})
	def := f.create("deals", map[string]string{"dealname": "Default deal", "dealstage": "decisionmakerboughtin"})
	tk := f.create("tickets", map[string]string{"subject": "Waiting", "hs_pipeline_stage": "2"})
	co := f.create("companies", map[string]string{"name": "Acme"})
	f.associate("deals", d, "companies", co)
	b := signIn(t, s, spoketest.Token)

	b.get("/ui/deals/"+d).want(t, 200, "<dt>Pipeline</dt><dd>Partners &lt;EU&gt;</dd>", "<dt>Deal Stage</dt><dd>Won &amp; signed</dd>").
		lacks(t, "<dd>"+p.ID+"</dd>", "<dd>"+wonID+"</dd>")
	b.get("/ui/deals/"+def).want(t, 200, "<dt>Pipeline</dt><dd>Sales Pipeline</dd>", "<dt>Deal Stage</dt><dd>Decision maker bought-in</dd>")
	b.get("/ui/tickets/"+tk).want(t, 200, "<dt>Pipeline</dt><dd>Support Pipeline</dd>", "<dt>Ticket status</dt><dd>Waiting on contact</dd>")
	b.get("/ui/deals").want(t, 200, "Won &amp; signed", "Decision maker bought-in").lacks(t, ">"+wonID+"<")
	b.get("/ui/companies/"+co+"/associated/deals").want(t, 200, "Won &amp; signed")

	// A stage renamed through the other node shows its new label at once.
	renamed := "Signed"
	if _, err := other.Engine.UpdateStage(ctx, f.typ("deals"), p.ID, wonID, crm.StageInput{Label: &renamed}); err != nil {
		t.Fatal(err)
	}
	b.get("/ui/deals/"+d).want(t, 200, "<dt>Deal Stage</dt><dd>Signed</dd>")
}

func ptr(s string) *string { return &s }

// twoNodesWeb starts two servers on one store, as behind a load balancer.
func twoNodesWeb(t *testing.T) [2]*spoketest.Server {
	t.Helper()
	path := filepath.Join(t.TempDir(), "spoke.db")
	return [2]*spoketest.Server{spoketest.OpenPath(t, path), spoketest.OpenPath(t, path)}
}
