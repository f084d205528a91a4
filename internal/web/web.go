// Package web is the HTTP core that Jiahe's two doors share: the JSON API
// (package web/api) and the staff pages (package web/ui), which the server
// (package web/server) mounts side by side. It holds what is HTTP's and the
// same for both: the route type, the mapping of error kinds to statuses and
// the JSON error body, strict JSON decoding, uploads, the request's actor
// and session cookie, request logging and metrics, the language of the
// answer, and the parsing of paths, sorting and paging. It calls only the
// use-case layer (internal/app) and the domain's types; it declares no
// domain list and serves no route of its own.
package web

import (
	"github.com/jiahe-project/jiahe/internal/web/oidc"

	"net/http"
	"time"
)

// Config is the HTTP configuration: what is HTTP's. Passwords and
// sessions are the use-case layer's (app.Config).
type Config struct {
	// SecureCookies marks the session cookie Secure even when the request
	// did not arrive over TLS (behind a TLS-terminating proxy).
	SecureCookies bool
	// ShutdownTimeout is how long the server waits for requests in flight.
	ShutdownTimeout time.Duration
	// OIDC is the province's unified identity service citizens may sign
	// in with, beside their passwords; zero when there is none.
	OIDC oidc.Config
}

// DefaultConfig is the production configuration.
func DefaultConfig() Config {
	return Config{ShutdownTimeout: 10 * time.Second}
}

// Access says who may call a route.
type Access int

const (
	// AccessPublic routes are open to anyone.
	AccessPublic Access = iota
	// AccessSignedIn routes need a valid session; the actor is in the
	// context.
	AccessSignedIn
)

// HandlerFunc is a route's handler: it returns an error, which the door
// serves in its own way (a JSON body, or a page).
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Route is one entry of a door's route table: a ServeMux pattern with its
// method, who may call it, and its handler.
type Route struct {
	Pattern string
	Access  Access
	Fn      HandlerFunc
}

// Public is a route open to anyone.
func Public(pattern string, fn HandlerFunc) Route {
	return Route{Pattern: pattern, Access: AccessPublic, Fn: fn}
}

// SignedIn is a route for a signed-in user.
func SignedIn(pattern string, fn HandlerFunc) Route {
	return Route{Pattern: pattern, Access: AccessSignedIn, Fn: fn}
}
