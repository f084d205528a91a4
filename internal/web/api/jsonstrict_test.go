package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// TestStrictJSON sends registrations whose JSON encoding/json would
// accept with a silent change: each is refused naming its field, and
// nobody is registered.
func TestStrictJSON(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	village := ts.Login("village", "village1234")
	id := webtest.PersonID("1962-03-01", true, 31)
	rest := `"sex":"M","birth":"1962-03-01","region":"` + webtest.HomeVillage + `","hukou_type":"rural"`
	tests := []struct {
		name, body string
		field      string
	}{
		{"invalid UTF-8 in a value", `{"id_number":"` + id + `","name":"张\xff三",` + rest + `}`, "name"},
		{"a GBK name", "{\"id_number\":\"" + id + "\",\"name\":\"\xd5\xc5\xc8\xfd\"," + rest + "}", "name"},
		{"an unpaired surrogate", `{"id_number":"` + id + `","name":"张\ud800三",` + rest + `}`, "name"},
		{"a repeated name", `{"id_number":"` + id + `","name":"张三","name":"李四",` + rest + `}`, "name"},
		{"trailing garbage", `{"id_number":"` + id + `","name":"张三",` + rest + `}{"x":1}`, "body"},
		{"trailing text", `{"id_number":"` + id + `","name":"张三",` + rest + `} garbage`, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", ts.URL+"/api/v1/persons", bytes.NewReader([]byte(tt.body)))
			req.Header.Set("Content-Type", "application/json")
			resp, err := village.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var out map[string]map[string]any
			json.Unmarshal(b, &out)
			if resp.StatusCode != 400 || out["error"]["field"] != tt.field {
				t.Errorf("answered %d %s, want 400 on the field %s", resp.StatusCode, b, tt.field)
			}
		})
	}
	if n := ts.PersonCount(); n != 0 {
		t.Errorf("%d persons registered", n)
	}
	// A case file or a rule layer is checked the same way.
	for body, field := range map[string]string{"{\"persons\":[{\"ref\":\"a\",\"name\":\"张\xff\"}]}": "persons[0].name", `{"year":2024,"year":2025}`: "year"} {
		code, _, out := ts.Raw(village, "POST", "/api/v1/policy/check", "application/json", []byte(body))
		var e map[string]map[string]any
		json.Unmarshal(out, &e)
		if code != 400 || e["error"]["field"] != field {
			t.Errorf("policy check of %q: %d %s, want 400 on %s", body, code, out, field)
		}
	}
	// The same registration, well formed, goes through.
	if code, body := ts.Call(village, "POST", "/api/v1/persons", json.RawMessage(`{"id_number":"`+id+`","name":"张三",`+rest+`}`)); code != 201 {
		t.Errorf("a good registration: %d %v", code, body)
	}
}
