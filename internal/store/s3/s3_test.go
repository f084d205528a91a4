package s3_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/store/s3"
)

// TestSignV4KnownAnswer: the example of AWS's Signature Version 4
// documentation (GET Object with a Range header) gives its published
// canonical request, string to sign and signature.
func TestSignV4KnownAnswer(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	req.Header.Set("Range", "bytes=0-9")
	at := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	s3.SignV4(req, nil, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "s3", at)
	want := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
		"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
	if got := req.Header.Get("Authorization"); got != want {
		t.Errorf("Authorization:\n %s\nwant\n %s", got, want)
	}
	canonical, _ := s3.CanonicalRequestV4(req, req.Header.Get("X-Amz-Content-Sha256"))
	sts := s3.StringToSignV4("20130524T000000Z", "20130524/us-east-1/s3/aws4_request", canonical)
	if !strings.HasSuffix(sts, "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972") {
		t.Errorf("string to sign:\n%s", sts)
	}
}

// fakeS3 is an S3 endpoint in memory that, like a real one, refuses a
// request whose signature (recomputed from what arrived on the wire with
// the secret it knows), payload digest or date does not hold.
type fakeS3 struct {
	t       *testing.T
	access  string
	secret  string
	region  string
	now     time.Time
	mu      sync.Mutex
	objects map[string][]byte
	refused int
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if code := f.verify(r, body); code != "" {
		f.mu.Lock()
		f.refused++
		f.mu.Unlock()
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "<Error><Code>"+code+"</Code></Error>")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	key := r.URL.Path
	switch r.Method {
	case http.MethodPut:
		f.objects[key] = body
	case http.MethodGet:
		data, ok := f.objects[key]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "<Error><Code>NoSuchKey</Code></Error>")
			return
		}
		w.Write(data)
	case http.MethodDelete:
		delete(f.objects, key)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (f *fakeS3) verify(r *http.Request, body []byte) string {
	auth := r.Header.Get("Authorization")
	const pre = "AWS4-HMAC-SHA256 Credential="
	if !strings.HasPrefix(auth, pre) {
		return "AccessDenied"
	}
	parts := strings.Split(strings.TrimPrefix(auth, pre), ", ")
	if len(parts) != 3 || !strings.HasPrefix(parts[1], "SignedHeaders=") || !strings.HasPrefix(parts[2], "Signature=") {
		return "AuthorizationHeaderMalformed"
	}
	cred := strings.SplitN(parts[0], "/", 2)
	if cred[0] != f.access {
		return "InvalidAccessKeyId"
	}
	stamp := r.Header.Get("X-Amz-Date")
	at, err := time.Parse("20060102T150405Z", stamp)
	if err != nil || at.Sub(f.now).Abs() > 15*time.Minute {
		return "RequestTimeTooSkewed"
	}
	sum := sha256.Sum256(body)
	if r.Header.Get("X-Amz-Content-Sha256") != hex.EncodeToString(sum[:]) {
		return "XAmzContentSHA256Mismatch"
	}
	scope := at.Format("20060102") + "/" + f.region + "/s3/aws4_request"
	if cred[1] != scope {
		return "AuthorizationHeaderMalformed"
	}
	// The canonical request as the server sees it: the method, the path,
	// the host and the headers the client says it signed.
	var ch strings.Builder
	for _, n := range strings.Split(strings.TrimPrefix(parts[1], "SignedHeaders="), ";") {
		v := r.Header.Get(n)
		if n == "host" {
			v = r.Host
		}
		ch.WriteString(n + ":" + strings.TrimSpace(v) + "\n")
	}
	canonical := r.Method + "\n" + r.URL.EscapedPath() + "\n" + r.URL.RawQuery + "\n" + ch.String() + "\n" +
		strings.TrimPrefix(parts[1], "SignedHeaders=") + "\n" + r.Header.Get("X-Amz-Content-Sha256")
	ch2 := sha256.Sum256([]byte(canonical))
	sts := "AWS4-HMAC-SHA256\n" + stamp + "\n" + scope + "\n" + hex.EncodeToString(ch2[:])
	k := []byte("AWS4" + f.secret)
	for _, s := range []string{at.Format("20060102"), f.region, "s3", "aws4_request"} {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(s))
		k = m.Sum(nil)
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte(sts))
	if !hmac.Equal([]byte(hex.EncodeToString(m.Sum(nil))), []byte(strings.TrimPrefix(parts[2], "Signature="))) {
		return "SignatureDoesNotMatch"
	}
	return ""
}

// newFakeS3 starts a fake store and returns it with a client configured
// for it.
func newFakeS3(t *testing.T) (*fakeS3, s3.Store) {
	now := time.Date(2024, 6, 1, 2, 3, 4, 0, time.UTC)
	f := &fakeS3{t: t, access: "jiahe", secret: "s3cr3t/key+1", region: "cn-north-1", now: now, objects: map[string][]byte{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, s3.Store{Endpoint: srv.URL, Bucket: "case-files", Region: f.region, AccessKey: f.access, SecretKey: f.secret,
		Client: srv.Client(), Now: func() time.Time { return now }}
}

// TestS3Store: a file put is read back from the object the county, id
// and digest name and deleted; a missing object is an error; a wrong
// secret, a skewed clock or an incomplete configuration is refused.
func TestS3Store(t *testing.T) {
	f, s := newFakeS3(t)
	ctx := context.Background()
	data := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte("照片"), 1000)...)
	sum := attach.Sum(data)
	if err := s.Put(ctx, "341523", 7, sum, data); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.objects["/case-files/341523/7-"+sum]; !ok {
		t.Errorf("objects: %v", f.objects)
	}
	got, err := s.Get(ctx, "341523", 7, sum)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("get: %d bytes, %v", len(got), err)
	}
	if err := s.Delete(ctx, "341523", 7, sum); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "341523", 7, sum); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("a deleted object: %v", err)
	}
	if err := s.Delete(ctx, "341523", 7, sum); err != nil {
		t.Errorf("deleting it again: %v", err)
	}
	if f.refused != 0 {
		t.Errorf("%d requests refused", f.refused)
	}
	for name, bad := range map[string]func(*s3.Store){
		"wrong secret": func(s *s3.Store) { s.SecretKey = "guess" },
		"wrong key id": func(s *s3.Store) { s.AccessKey = "other" },
		"skewed clock": func(s *s3.Store) { s.Now = func() time.Time { return f.now.Add(time.Hour) } },
		"wrong region": func(s *s3.Store) { s.Region = "us-east-1" },
	} {
		b := s
		bad(&b)
		if err := b.Put(ctx, "341523", 8, sum, data); err == nil || !strings.Contains(err.Error(), "403") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if f.refused != 4 {
		t.Errorf("%d requests refused, want 4", f.refused)
	}
	for _, bad := range []s3.Store{{Endpoint: s.Endpoint}, {Endpoint: "minio:9000", Bucket: "b", Region: "r", AccessKey: "a", SecretKey: "s"}} {
		if err := bad.Put(ctx, "341523", 9, sum, data); err == nil {
			t.Errorf("%+v is accepted", bad)
		}
	}
	if err := s.Put(ctx, "../etc", 9, sum, data); err == nil {
		t.Error("a bad county is accepted")
	}
}
