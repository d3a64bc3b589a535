package iam

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/caudal/caudal/auth"
)

// FuzzForm drives the form parsing, parameter validation and actions with
// arbitrary bodies, past authentication (as root). Properties: no panic,
// never a 500, and the answer is well-formed XML.
func FuzzForm(f *testing.F) {
	for _, s := range []string{
		"Action=CreateUser&Version=2010-05-08&UserName=a&Path=/x/",
		"Action=ListUsers&Version=2010-05-08&MaxItems=1&Marker=YQ",
		"Action=PutUserPolicy&Version=2010-05-08&UserName=a&PolicyName=p&PolicyDocument=%7B%22Statement%22%3A%5B%5D%7D",
		"Action=UpdateAccessKey&Version=2010-05-08&UserName=a&AccessKeyId=AKIAAAAAAAAAAAAAAAAA&Status=Inactive",
		"Action=GetUserPolicy&UserName=a&PolicyName=p",
		"Action=DeleteUser&UserName=a%00b",
		"Action=ListAccessKeys&MaxItems=99999999999999999999",
		"Action=CreateAccessKey&UserName=a",
		"%zz",
		"",
	} {
		f.Add([]byte(s))
	}
	store, err := auth.OpenStore(auth.StoreConfig{Dir: f.TempDir(), Account: "123456789012", Root: rootKey, NoSync: true})
	if err != nil {
		f.Fatal(err)
	}
	defer store.Close()
	root, _ := store.Principal(rootKey.AccessKeyID)
	h := &Handler{cfg: Config{Store: store}, asPrincipal: root}
	h.cfg.Now = time.Now
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
		dec := xml.NewDecoder(w.Body)
		for {
			if _, err := dec.Token(); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Fatalf("answer is not XML (%v): %s", err, w.Body)
				}
				break
			}
		}
	})
}
