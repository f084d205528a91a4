package app

import (
	"cmp"

	"github.com/jiahe-project/jiahe/internal/store/s3"
)

// S3Config reads the S3-compatible store of attachments from the
// environment: JIAHE_S3_ENDPOINT (e.g. http://127.0.0.1:9000), _BUCKET,
// _ACCESS_KEY, _SECRET_KEY and _REGION (us-east-1 when unset). Without an
// endpoint there is none; with one, every other setting must be there.
func S3Config(env func(string) string) (*s3.Store, error) {
	s := s3.Store{Endpoint: env("JIAHE_S3_ENDPOINT"), Bucket: env("JIAHE_S3_BUCKET"), AccessKey: env("JIAHE_S3_ACCESS_KEY"),
		SecretKey: env("JIAHE_S3_SECRET_KEY"), Region: cmp.Or(env("JIAHE_S3_REGION"), "us-east-1")}
	if s.Endpoint == "" {
		return nil, nil
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return &s, nil
}
