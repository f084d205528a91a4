package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestTransfersCommand generates a small synthetic county, whose hukou
// moves to other counties are handed over, and lists its transfers.
func TestTransfersCommand(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			url := keyedURL(t, engine)
			jiahe := func(args ...string) (string, error) {
				var out, errb bytes.Buffer
				err := run(t.Context(), append([]string{"--db", url}, args...), strings.NewReader(""), &out, &errb)
				return out.String() + errb.String(), err
			}
			if out, err := jiahe("migrate"); err != nil {
				t.Fatal(err, out)
			}
			if out, err := jiahe("gen", "--county", "341523", "--persons", "8000", "--seed", "7", "--transfers"); err != nil {
				t.Fatal(err, out)
			}
			out, err := jiahe("transfers", "--county", "341523")
			if err != nil {
				t.Fatal(err, out)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) < 5 || !strings.HasPrefix(lines[0], "id\tstate") || !strings.Contains(out, "\taccepted\t") {
				t.Errorf("transfers:\n%s", out)
			}
			if _, err := jiahe("transfers", "--county", "341523", "--side", "sideways"); err != errUsage {
				t.Errorf("a bad side: %v", err)
			}
		})
	}
}
