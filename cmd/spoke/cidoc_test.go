package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docBlocks returns the fenced code blocks of a language in docs/ci.md.
func docBlocks(t *testing.T, lang string) []string {
	t.Helper()
	data, err := os.ReadFile("../../docs/ci.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile("(?s)```"+lang+"\n(.*?)```").FindAllStringSubmatch(string(data), -1) {
		out = append(out, m[1])
	}
	return out
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The "reset between tests" examples of docs/ci.md work against a real
// server: with them, two tests that create the same contact both pass
// (without the reset, the second would get a 409), and each starts from
// the fixture.
func TestCIRecipeResetExamples(t *testing.T) {
	t.Parallel()
	fixture, err := os.ReadFile("../../fixtures/example.json")
	if err != nil {
		t.Fatal(err)
	}
	p := serve(t, ":memory:", "SPOKE_ACCESS_TOKEN=ci-token")
	env := append(os.Environ(), "SPOKE_URL="+p.url, "SPOKE_ACCESS_TOKEN=ci-token")

	// The subtests share the server, so they run one after the other.
	t.Run("go", func(t *testing.T) {
		blocks := docBlocks(t, "go")
		if len(blocks) != 1 {
			t.Fatalf("docs/ci.md has %d Go examples, want 1", len(blocks))
		}
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{
			"go.mod":            "module crmsync\n\ngo 1.22\n",
			"testdata/crm.json": string(fixture),
			"sync_test.go":      blocks[0],
			"twice_test.go": `package crmsync_test

import (
	"net/http"
	"os"
	"strings"
	"testing"
)

func TestSameContactTwice(t *testing.T) {
	for i := 0; i < 2; i++ {
		resetSpoke(t)
		req, _ := http.NewRequest("POST", os.Getenv("SPOKE_URL")+"/crm/v3/objects/contacts", strings.NewReader(` + "`" + `{"properties":{"email":"twice@example.com"}}` + "`" + `))
		req.Header.Set("Authorization", "Bearer "+os.Getenv("SPOKE_ACCESS_TOKEN"))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 201 {
			t.Fatalf("create %d: %s", i, resp.Status)
		}
	}
}
`,
		})
		cmd := exec.Command("go", "test", "-count=1", ".")
		cmd.Dir = dir
		cmd.Env = append(env, "GOWORK=off", "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go test of the Go example: %v\n%s", err, out)
		}
	})

	t.Run("node", func(t *testing.T) {
		blocks := docBlocks(t, "js")
		if len(blocks) == 0 || !strings.Contains(blocks[0], "from 'vitest'") {
			t.Fatal("docs/ci.md: the first JavaScript example is not the Vitest setup file")
		}
		// node:test has the same beforeEach: the setup file runs as it is.
		setup := strings.Replace(blocks[0], "from 'vitest'", "from 'node:test'", 1)
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{
			"package.json":           `{"type": "module"}`,
			"test/fixtures/crm.json": string(fixture),
			"test/spoke.setup.mjs":   setup,
			"test/twice.test.mjs": `import './spoke.setup.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const headers = { Authorization: 'Bearer ' + process.env.SPOKE_ACCESS_TOKEN, 'Content-Type': 'application/json' };
for (const n of [1, 2]) {
  test('create the same contact, time ' + n, async () => {
    const res = await fetch(process.env.SPOKE_URL + '/crm/v3/objects/contacts', {
      method: 'POST', headers, body: JSON.stringify({ properties: { email: 'twice@example.com' } }),
    });
    assert.equal(res.status, 201, await res.text());
    const list = await (await fetch(process.env.SPOKE_URL + '/crm/v3/objects/contacts?limit=100', { headers })).json();
    assert.equal(list.results.length, 31); // the fixture's 30 and this one
  });
}
`,
		})
		cmd := exec.Command("node", "--test", "test/twice.test.mjs")
		cmd.Dir = dir
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("node --test of the Node example: %v\n%s", err, out)
		}
	})
}
