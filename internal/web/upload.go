package web

import (
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/sheet"
)

// Uploads. Every file sent to the server — a roster, a bank's return
// file, through a page or the API — is read here, within MaxUpload bytes,
// streamed part by part without ParseMultipartForm (which keeps up to its
// bound in memory and the rest in temporary files); package sheet then
// bounds its rows and, for a workbook, its size uncompressed. The whole
// request body is bounded too (MaxRequestBody, in Observe), so that no
// form anywhere is a way to fill the disk.

// MaxUpload bounds an uploaded file, as sheet.Open bounds what it reads.
var MaxUpload = sheet.UploadLimits.Bytes

// MaxRequestBody bounds any request body: an upload with its form, or a
// page's confirmation that carries the file back base64-encoded.
var MaxRequestBody = base64.StdEncoding.EncodedLen(int(MaxUpload)) + 1<<20

// maxFormField bounds a form field other than the file and its
// base64-encoded copy.
const maxFormField = 64 << 10

// Upload is a file sent to the server with the fields of its form.
type Upload struct {
	File   []byte     // the part named "file", or the whole body of a request that is not a form
	Name   string     // the file name the part "file" gave, if any
	Fields url.Values // the other fields of a multipart form
}

// errTooLarge is the answer to a file over MaxUpload.
func errTooLarge() error {
	p := sheet.TooLarge(MaxUpload)
	return &apperr.Error{Kind: apperr.Invalid, Field: "file", ZH: p.ZH, EN: p.EN}
}

var errBadForm = apperr.Invalidf("file", "上传的表单无效", "the uploaded form is not valid")

// ReadUpload reads the file of request r: the part named "file" of a
// multipart form, whose other fields it keeps (the field "content", a
// file sent back base64-encoded, up to the size of an encoded file), or
// else the whole body. A file over MaxUpload is refused as soon as its
// bytes pass the bound. The file may be empty: the caller decides.
func ReadUpload(w http.ResponseWriter, r *http.Request) (*Upload, error) {
	body := http.MaxBytesReader(w, r.Body, int64(MaxRequestBody))
	up := &Upload{Fields: url.Values{}}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		data, err := readBounded(body, MaxUpload)
		up.File = data
		return up, err
	}
	r.Body = body
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errBadForm
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return up, nil
		}
		if err != nil {
			return nil, tooLargeOr(err, errBadForm)
		}
		name := part.FormName()
		switch {
		case name == "file":
			if up.File, err = readBounded(part, MaxUpload); err != nil {
				return nil, err
			}
			up.Name = part.FileName()
		case name == "content":
			b, err := readBounded(part, int64(base64.StdEncoding.EncodedLen(int(MaxUpload))))
			if err != nil {
				return nil, err
			}
			up.Fields.Set(name, string(b))
		case name != "":
			b, err := readBounded(part, maxFormField)
			if err != nil {
				return nil, tooLargeOr(err, errBadForm)
			}
			up.Fields.Add(name, string(b))
		}
		part.Close()
	}
}

// readBounded reads r to its end, refusing more than limit bytes.
func readBounded(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, tooLargeOr(err, errBadForm)
	}
	if int64(len(data)) > limit {
		return nil, errTooLarge()
	}
	return data, nil
}

// tooLargeOr returns errTooLarge for a body cut short by its bound, and
// otherwise or.
func tooLargeOr(err, or error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge()
	}
	return or
}

// ReadDocument reads the photo or scan a citizen (or staff) uploads with
// an application: the part named "file" of a multipart form, with its
// file name, at most limit bytes (a larger file is refused as soon as its
// bytes pass the bound), and the form's other fields.
func ReadDocument(w http.ResponseWriter, r *http.Request, limit int64) (name string, data []byte, fields url.Values, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, nil, errBadForm
	}
	fields = url.Values{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return name, data, fields, nil
		}
		if err != nil {
			return "", nil, nil, tooLargeOr(err, errBadForm)
		}
		switch part.FormName() {
		case "file":
			name = part.FileName()
			if data, err = io.ReadAll(io.LimitReader(part, limit+1)); err != nil {
				return "", nil, nil, tooLargeOr(err, errBadForm)
			}
			if int64(len(data)) > limit {
				return "", nil, nil, apperr.Invalidf("file", "文件超过%dMB，请压缩后重新上传", "the file exceeds %d MB: make it smaller", limit>>20)
			}
		case "":
		default:
			b, err := readBounded(part, maxFormField)
			if err != nil {
				return "", nil, nil, tooLargeOr(err, errBadForm)
			}
			fields.Add(part.FormName(), string(b))
		}
		part.Close()
	}
}
