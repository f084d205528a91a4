package app_test

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
)

// TestS3Config: no endpoint, no store; an endpoint with every setting
// gives the store (region us-east-1 by default); one without its bucket
// or keys, or with a bad endpoint, is refused.
func TestS3Config(t *testing.T) {
	full := map[string]string{"JIAHE_S3_ENDPOINT": "http://127.0.0.1:9000", "JIAHE_S3_BUCKET": "jiahe", "JIAHE_S3_ACCESS_KEY": "k",
		"JIAHE_S3_SECRET_KEY": "s"}
	without := func(name string, set map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range set {
			if k != name {
				m[k] = v
			}
		}
		return m
	}
	tests := []struct {
		name   string
		env    map[string]string
		none   bool
		failed bool
	}{
		{"nothing", map[string]string{}, true, false},
		{"everything", full, false, false},
		{"no bucket", without("JIAHE_S3_BUCKET", full), false, true},
		{"no secret", without("JIAHE_S3_SECRET_KEY", full), false, true},
		{"bad endpoint", map[string]string{"JIAHE_S3_ENDPOINT": "minio:9000", "JIAHE_S3_BUCKET": "b", "JIAHE_S3_ACCESS_KEY": "k", "JIAHE_S3_SECRET_KEY": "s"}, false, true},
	}
	for _, tt := range tests {
		s, err := app.S3Config(func(k string) string { return tt.env[k] })
		switch {
		case tt.failed && err == nil, !tt.failed && err != nil:
			t.Errorf("%s: %+v, %v", tt.name, s, err)
		case tt.none && s != nil:
			t.Errorf("%s: a store %+v", tt.name, s)
		case !tt.none && !tt.failed && (s == nil || s.Region != "us-east-1" || s.Bucket != "jiahe"):
			t.Errorf("%s: %+v", tt.name, s)
		}
	}
}
