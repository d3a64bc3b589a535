package lake

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestReservedBucketRefusesWrites: after Reserve, every write path but
// PutReservedObject answers ErrReservedBucket and changes nothing; reads
// still work.
func TestReservedBucketRefusesWrites(t *testing.T) {
	l, err := Open(Config{Dir: filepath.Join(t.TempDir(), "lake"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	for _, b := range []string{"trail", "other"} {
		if err := l.CreateBucket(b, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.PutObject(ctx, "other", "src", strings.NewReader("x"), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	l.Reserve("trail")
	if _, err := l.PutReservedObject(ctx, "trail", "log.json", strings.NewReader("{}\n"), PutOptions{}); err != nil {
		t.Fatalf("PutReservedObject: %v", err)
	}
	checks := map[string]error{}
	_, checks["PutObject"] = l.PutObject(ctx, "trail", "forged", strings.NewReader("x"), PutOptions{})
	_, checks["CopyObject into"] = l.CopyObject(ctx, "other", "src", "trail", "copy", nil, PutOptions{})
	checks["DeleteObject"] = l.DeleteObject("trail", "log.json")
	checks["SetTags"] = l.SetTags("trail", "log.json", map[string]string{"a": "b"})
	_, checks["CreateUpload"] = l.CreateUpload("trail", "mp", Metadata{}, "", "")
	_, checks["CreateUploadWith"] = l.CreateUploadWith("trail", "mp", Metadata{}, "", "", nil)
	checks["DeleteBucket"] = l.DeleteBucket("trail")
	for what, err := range checks {
		if !errors.Is(err, ErrReservedBucket) {
			t.Errorf("%s on a reserved bucket: %v, want ErrReservedBucket", what, err)
		}
	}
	o, err := l.GetObject("trail", "log.json")
	if err != nil {
		t.Fatalf("reading the reserved bucket: %v", err)
	}
	b, _ := io.ReadAll(o.Body)
	o.Close()
	if string(b) != "{}\n" {
		t.Errorf("object = %q", b)
	}
	res, err := l.List("trail", ListOptions{MaxKeys: 10})
	if err != nil || len(res.Objects) != 1 {
		t.Errorf("List = %+v, %v; want the one object", res.Objects, err)
	}
	// Copying out of it is a read of it.
	if _, err := l.CopyObject(ctx, "trail", "log.json", "other", "copied", nil, PutOptions{}); err != nil {
		t.Errorf("CopyObject out of a reserved bucket: %v", err)
	}
}
