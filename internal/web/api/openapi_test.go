package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/web/server"
)

// openAPIDoc reads the document the API serves.
func openAPIDoc(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenAPIStructure(t *testing.T) {
	openAPIDoc := openAPIDoc(t)
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Title   string `json:"title"`
			Version string `json:"version"`
		} `json:"info"`
		Paths map[string]map[string]struct {
			Summary   string                     `json:"summary"`
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas         map[string]json.RawMessage `json:"schemas"`
			SecuritySchemes map[string]json.RawMessage `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Info.Title == "" || doc.Info.Version == "" {
		t.Errorf("openapi = %q, info = %+v; want 3.1.0 with a title and a version", doc.OpenAPI, doc.Info)
	}
	if doc.Components.Schemas["Error"] == nil || doc.Components.SecuritySchemes["session"] == nil {
		t.Error("components lack the Error schema or the session security scheme")
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if op.Summary == "" || len(op.Responses) == 0 {
				t.Errorf("%s %s: want a summary and at least one response", method, path)
			}
		}
	}
	// Every $ref points at something defined.
	var refs []string
	collectRefs(t, openAPIDoc, &refs)
	var all map[string]any
	json.Unmarshal(openAPIDoc, &all)
	for _, ref := range refs {
		node := any(all)
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, ok := node.(map[string]any)
			if !ok || m[part] == nil {
				t.Errorf("dangling $ref %s", ref)
				break
			}
			node = m[part]
		}
	}
}

func collectRefs(t *testing.T, b []byte, out *[]string) {
	t.Helper()
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "$ref" {
					*out = append(*out, s)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	walk(v)
}

// TestOpenAPICoversRoutes fails when a route of the API's table (or of the
// server's own: /healthz, /metrics) is missing from openapi.json, or the
// document describes a route that is not served.
func TestOpenAPICoversRoutes(t *testing.T) {
	openAPIDoc := openAPIDoc(t)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "post", "put", "patch", "delete":
				documented = append(documented, strings.ToUpper(method)+" "+path)
			}
		}
	}
	// The route tables need no database.
	s, err := server.New(app.New(nil, app.DefaultConfig(), nil), slog.New(slog.NewTextHandler(io.Discard, nil)), web.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var served []string
	for _, rt := range append(s.Routes(), s.Doors()["api"]...) {
		served = append(served, rt.Pattern)
	}
	slices.Sort(documented)
	slices.Sort(served)
	for _, p := range served {
		if !slices.Contains(documented, p) {
			t.Errorf("route %q is served but missing from openapi.json", p)
		}
	}
	for _, p := range documented {
		if !slices.Contains(served, p) {
			t.Errorf("openapi.json describes %q, which neither the API's table nor the server's serves", p)
		}
	}
	if len(served) < 20 {
		t.Errorf("only %d routes: the route table looks truncated", len(served))
	}
}
