package attach

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestCheck: a file is accepted by its first bytes, whatever its name.
func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"a.txt", []byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2}, "image/jpeg"},
		{"scan", []byte("%PDF-1.7\n..."), "application/pdf"},
		{"p.png", []byte("\x89PNG\r\n\x1a\n...."), "image/png"},
		{"w", []byte("RIFF\x00\x00\x00\x00WEBPVP8 "), "image/webp"},
		{"photo.jpg", []byte("MZ\x90\x00"), ""},
		{"photo.jpg", []byte("<html><script>"), ""},
		{"empty.pdf", nil, ""},
	}
	for _, tt := range tests {
		ct, err := Check(File{Name: tt.name, Kind: KindScan, Data: tt.data})
		if ct != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("%s %q: %q, %v; want %q", tt.name, tt.data, ct, err, tt.want)
		}
	}
	if _, err := Check(File{Name: "a.pdf", Kind: "bogus", Data: []byte("%PDF-")}); err == nil {
		t.Error("an unknown kind was accepted")
	}
}

// TestDisk: the disk store writes a file whole and reads it back; a bad
// key writes nothing outside the directory.
func TestDisk(t *testing.T) {
	d := Disk{Dir: t.TempDir()}
	data := []byte("%PDF-1.4 disk")
	sum := Sum(data)
	if err := d.Put(context.Background(), "341523", 7, sum, data); err != nil {
		t.Fatal(err)
	}
	got, err := d.Get(context.Background(), "341523", 7, sum)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %q, %v", got, err)
	}
	if err := d.Put(context.Background(), "../../x", 7, sum, data); err == nil {
		t.Error("a county that climbs out of the directory was accepted")
	}
	ents, _ := os.ReadDir(filepath.Join(d.Dir, "341523"))
	if len(ents) != 1 {
		t.Errorf("%d files in the county's directory, want 1 (no temporary file left)", len(ents))
	}
}

// FuzzCheck: checking any bytes never panics, accepts only a known type
// within the size, and agrees with Sniff.
func FuzzCheck(f *testing.F) {
	f.Add([]byte("%PDF-1.4"), "a.pdf")
	f.Add([]byte{0xFF, 0xD8, 0xFF}, "a.jpg")
	f.Add([]byte("RIFF1234WEBP"), "")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		ct, err := Check(File{Name: name, Kind: KindPhoto, Data: data})
		if err == nil && (ct == "" || ct != Sniff(data) || len(data) > MaxSize || len(data) == 0) {
			t.Errorf("accepted %q as %q", data, ct)
		}
	})
}
