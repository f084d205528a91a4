package attach

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

// Disk keeps the bytes of attachments as files in a directory (for an
// SQLite deployment, one beside the database file): Dir/county/id-digest.
// A file is written whole under a temporary name and then renamed, so a
// reader never sees half of one; a transaction that rolls back after the
// write leaves a file that no record names, which nothing reads.
type Disk struct{ Dir string }

// Kind is "disk".
func (Disk) Kind() string { return "disk" }

var countyRE = regexp.MustCompile(`^[0-9]{6}$`)

func (d Disk) path(county string, id int64, sum string) (string, error) {
	if !countyRE.MatchString(county) || len(sum) != 64 {
		return "", fmt.Errorf("attach: bad key %q/%d", county, id)
	}
	return filepath.Join(d.Dir, county, strconv.FormatInt(id, 10)+"-"+sum), nil
}

// Put writes the file of attachment id.
func (d Disk) Put(ctx context.Context, county string, id int64, sum string, data []byte) error {
	p, err := d.path(county, id, sum)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".part-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// Get reads the file of attachment id.
func (d Disk) Get(ctx context.Context, county string, id int64, sum string) ([]byte, error) {
	p, err := d.path(county, id, sum)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}
