package server_test

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// testServer is the whole server over a fresh database (webtest.Server),
// with this package's own fixtures as its methods.
type testServer struct{ *webtest.Server }

func newTestServer(t *testing.T, engine store.Engine) *testServer {
	t.Helper()
	return &testServer{webtest.New(t, engine)}
}
