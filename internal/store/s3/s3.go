// Package s3 keeps the bytes of attachments in an S3-compatible object
// store (MinIO, a cloud's object storage): the third backend of
// attach.Blobs, beside the database's and a directory's. It speaks HTTP,
// so it lives among the adapters, not in the domain package attach.
package s3

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/attach"
)

// Store keeps the bytes of attachments in an S3-compatible object store
// (MinIO, a cloud's object storage) where a deployment has one: one object
// per attachment, named like Disk's files (county/id-digest), in Bucket,
// addressed path-style at Endpoint (http://minio:9000/bucket/county/...).
// Requests are signed with AWS Signature Version 4 by the standard library
// alone. As with attach.Disk, an object written by a transaction that then rolls
// back is named by no record and never read.
type Store struct {
	Endpoint  string // scheme and host, e.g. https://s3.example.cn or http://127.0.0.1:9000
	Bucket    string
	Region    string // e.g. us-east-1 (MinIO's default) or cn-north-1
	AccessKey string
	SecretKey string
	// Client sends the requests; nil uses a client with a 30-second
	// timeout.
	Client *http.Client
	// Now is the clock of the signatures; nil uses time.Now.
	Now func() time.Time
}

// Kind is "s3".
func (Store) Kind() string { return "s3" }

// Check reports what is missing from the configuration.
func (s Store) Check() error {
	var miss []string
	for _, f := range []struct{ name, v string }{{"endpoint", s.Endpoint}, {"bucket", s.Bucket}, {"access key", s.AccessKey},
		{"secret key", s.SecretKey}, {"region", s.Region}} {
		if strings.TrimSpace(f.v) == "" {
			miss = append(miss, f.name)
		}
	}
	if len(miss) > 0 {
		return fmt.Errorf("s3: the S3 store needs its %s", strings.Join(miss, ", "))
	}
	u, err := url.Parse(s.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return fmt.Errorf("s3: the S3 endpoint %q must be like https://host[:port]", s.Endpoint)
	}
	return nil
}

// Put writes the object of attachment id.
func (s Store) Put(ctx context.Context, county string, id int64, sum string, data []byte) error {
	_, err := s.do(ctx, http.MethodPut, county, id, sum, data)
	return err
}

// Get reads the object of attachment id.
func (s Store) Get(ctx context.Context, county string, id int64, sum string) ([]byte, error) {
	return s.do(ctx, http.MethodGet, county, id, sum, nil)
}

// Delete removes the object of attachment id (an attachment past its
// retention); removing one that is not there is no error.
func (s Store) Delete(ctx context.Context, county string, id int64, sum string) error {
	_, err := s.do(ctx, http.MethodDelete, county, id, sum, nil)
	return err
}

var (
	countyRE = regexp.MustCompile(`^[0-9]{6}$`)
	sumRE    = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// maxObject bounds what Get reads: an attachment and a margin.
const maxObject = attach.MaxSize + 1<<20

func (s Store) do(ctx context.Context, method, county string, id int64, sum string, body []byte) ([]byte, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	if !countyRE.MatchString(county) || !sumRE.MatchString(sum) {
		return nil, fmt.Errorf("s3: bad key %q/%d", county, id)
	}
	key := county + "/" + strconv.FormatInt(id, 10) + "-" + sum
	u := strings.TrimSuffix(s.Endpoint, "/") + "/" + s.Bucket + "/" + key
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	} else {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	SignV4(req, body, s.AccessKey, s.SecretKey, s.Region, "s3", now())
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("s3: S3 %s %s: %w", method, key, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxObject))
	if err != nil {
		return nil, fmt.Errorf("s3: S3 %s %s: %w", method, key, err)
	}
	switch {
	case res.StatusCode/100 == 2:
		return data, nil
	case method == http.MethodDelete && res.StatusCode == http.StatusNotFound:
		return nil, nil
	case res.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("attachment %s/%d: its object is missing from the S3 store", county, id)
	}
	return nil, fmt.Errorf("s3: S3 %s %s: %s: %s", method, key, res.Status, s3Code(data))
}

// s3Code is the <Code> of an S3 error document, or its first bytes.
func s3Code(body []byte) string {
	if i := bytes.Index(body, []byte("<Code>")); i >= 0 {
		rest := body[i+6:]
		if j := bytes.Index(rest, []byte("</Code>")); j >= 0 {
			return string(rest[:j])
		}
	}
	if len(body) > 200 {
		body = body[:200]
	}
	return string(body)
}

// SignV4 signs req for service in region with AWS Signature Version 4 at
// t: it sets X-Amz-Date, X-Amz-Content-Sha256 (the digest of payload)
// and Authorization, signing the host and every header already set
// whose name starts with x-amz- or is content-type or range.
func SignV4(req *http.Request, payload []byte, accessKey, secretKey, region, service string, t time.Time) {
	t = t.UTC()
	stamp := t.Format("20060102T150405Z")
	day := t.Format("20060102")
	ph := sha256.Sum256(payload)
	payloadHash := hex.EncodeToString(ph[:])
	req.Header.Set("X-Amz-Date", stamp)
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	scope := day + "/" + region + "/" + service + "/aws4_request"
	canonical, signed := CanonicalRequestV4(req, payloadHash)
	sts := StringToSignV4(stamp, scope, canonical)
	sig := hex.EncodeToString(hmacSHA256(SigningKeyV4(secretKey, day, region, service), sts))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+accessKey+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
}

// CanonicalRequestV4 returns the canonical request of req (Signature
// Version 4) and its signed headers' names.
func CanonicalRequestV4(req *http.Request, payloadHash string) (canonical, signed string) {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	hs := map[string]string{"host": host}
	for name, vs := range req.Header {
		n := strings.ToLower(name)
		if strings.HasPrefix(n, "x-amz-") || n == "content-type" || n == "range" || n == "content-md5" {
			trimmed := make([]string, len(vs))
			for i, v := range vs {
				trimmed[i] = strings.Join(strings.Fields(v), " ")
			}
			hs[n] = strings.Join(trimmed, ",")
		}
	}
	names := make([]string, 0, len(hs))
	for n := range hs {
		names = append(names, n)
	}
	sort.Strings(names)
	var ch strings.Builder
	for _, n := range names {
		ch.WriteString(n + ":" + hs[n] + "\n")
	}
	signed = strings.Join(names, ";")
	path := req.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	return req.Method + "\n" + uriEncodePath(path) + "\n" + canonicalQuery(req.URL.Query()) + "\n" + ch.String() + "\n" + signed + "\n" + payloadHash, signed
}

// StringToSignV4 is the string a Signature Version 4 signs.
func StringToSignV4(stamp, scope, canonical string) string {
	h := sha256.Sum256([]byte(canonical))
	return "AWS4-HMAC-SHA256\n" + stamp + "\n" + scope + "\n" + hex.EncodeToString(h[:])
}

// SigningKeyV4 derives the signing key of a day, region and service.
func SigningKeyV4(secretKey, day, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secretKey), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// uriEncodePath encodes an escaped path as Signature Version 4 wants:
// each byte but the unreserved ones and "/" as %XX, upper-case, once.
func uriEncodePath(escaped string) string {
	p, err := url.PathUnescape(escaped)
	if err != nil {
		p = escaped
	}
	return uriEncode(p, false)
}

func uriEncode(s string, slash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && !slash:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func canonicalQuery(q url.Values) string {
	type kv struct{ k, v string }
	var all []kv
	for k, vs := range q {
		for _, v := range vs {
			all = append(all, kv{uriEncode(k, true), uriEncode(v, true)})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].k != all[j].k {
			return all[i].k < all[j].k
		}
		return all[i].v < all[j].v
	})
	parts := make([]string, len(all))
	for i, x := range all {
		parts[i] = x.k + "=" + x.v
	}
	return strings.Join(parts, "&")
}
