package app

import "context"

// Request describes where a call came from, for the audit entry of a
// refusal: the door ("api", "ui" or "cli") and, for HTTP, the method and
// the route pattern.
type Request struct {
	Door   string
	Method string
	Route  string
}

type requestKey struct{}

// WithRequest returns ctx carrying r.
func WithRequest(ctx context.Context, r Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFrom returns the Request in ctx (zero when there is none).
func RequestFrom(ctx context.Context) Request {
	r, _ := ctx.Value(requestKey{}).(Request)
	return r
}
