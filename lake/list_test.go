package lake

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// modelEntry is one entry of a listing: a key or a common prefix.
type modelEntry struct {
	name   string
	prefix bool
}

// modelList is the brute-force listing over sorted keys that List must
// match: walk every key, roll up common prefixes, skip what is at or
// before StartAfter (a common prefix holding StartAfter included), cut at
// MaxKeys.
func modelList(sorted []string, o ListOptions) (page []modelEntry, truncated bool) {
	var all []modelEntry
	for _, k := range sorted {
		if !strings.HasPrefix(k, o.Prefix) {
			continue
		}
		if o.Delimiter != "" {
			if i := strings.Index(k[len(o.Prefix):], o.Delimiter); i >= 0 {
				cp := k[:len(o.Prefix)+i+len(o.Delimiter)]
				if cp <= o.StartAfter || (len(all) > 0 && all[len(all)-1].name == cp) {
					continue
				}
				all = append(all, modelEntry{cp, true})
				continue
			}
		}
		if k > o.StartAfter {
			all = append(all, modelEntry{k, false})
		}
	}
	if o.MaxKeys <= 0 {
		return nil, false
	}
	if len(all) > o.MaxKeys {
		return all[:o.MaxKeys], true
	}
	return all, false
}

func entriesOf(res ListResult) []modelEntry {
	// Merge keys and prefixes back into one ordered sequence.
	var out []modelEntry
	for _, o := range res.Objects {
		out = append(out, modelEntry{o.Key, false})
	}
	for _, p := range res.CommonPrefixes {
		out = append(out, modelEntry{p, true})
	}
	slices.SortFunc(out, func(a, b modelEntry) int { return strings.Compare(a.name, b.name) })
	return out
}

func TestListMatchesModel(t *testing.T) {
	l, _ := newTestLake(t)
	mustBucket(t, l, "lst")
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "/", "-", "é", "~"}
	randStr := func(maxLen int) string {
		var b strings.Builder
		for range rng.IntN(maxLen + 1) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	keySet := map[string]bool{}
	for len(keySet) < 300 {
		if k := randStr(6); k != "" {
			keySet[k] = true
		}
	}
	var keys []string
	for k := range keySet {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	// Index entries only: List never opens data files, and 300 real puts
	// would dominate the test's time.
	if err := l.impl.db.Update(func(tx *bolt.Tx) error {
		ob := tx.Bucket(objectsBucket).Bucket([]byte("lst"))
		for _, k := range keys {
			if err := putObjectRecord(ob, []byte(k), &objectRecord{Path: objectRelPath("lst", k, "0000000000000001"), ETag: md5hex(nil)}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	delims := []string{"", "/", "a", "b/", "é", "//"}
	for i := range 2000 {
		o := ListOptions{Prefix: randStr(2), Delimiter: delims[rng.IntN(len(delims))], MaxKeys: rng.IntN(6)}
		switch rng.IntN(4) {
		case 0:
			o.StartAfter = keys[rng.IntN(len(keys))]
		case 1:
			o.StartAfter = randStr(4)
		case 2:
			o.MaxKeys = 1000
		}
		res, err := l.List("lst", o)
		if err != nil {
			t.Fatal(err)
		}
		want, wantTrunc := modelList(keys, o)
		got := entriesOf(res)
		if fmt.Sprint(got) != fmt.Sprint(want) || res.IsTruncated != wantTrunc {
			t.Fatalf("case %d %+v:\n got %v truncated %v\nwant %v truncated %v", i, o, got, res.IsTruncated, want, wantTrunc)
		}
		if len(got) > 0 && res.Next != got[len(got)-1].name {
			t.Fatalf("case %d %+v: Next %q, last entry %q", i, o, res.Next, got[len(got)-1].name)
		}
		// Paginating with Next visits exactly the full listing.
		if i%10 == 0 && o.MaxKeys > 0 {
			full, _ := modelList(keys, ListOptions{Prefix: o.Prefix, Delimiter: o.Delimiter, StartAfter: o.StartAfter, MaxKeys: 1 << 30})
			var all []modelEntry
			p := o
			for {
				r, err := l.List("lst", p)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, entriesOf(r)...)
				if !r.IsTruncated {
					break
				}
				p.StartAfter = r.Next
			}
			if fmt.Sprint(all) != fmt.Sprint(full) {
				t.Fatalf("case %d %+v: paginated\n got %v\nwant %v", i, o, all, full)
			}
		}
	}
}

func TestListBasics(t *testing.T) {
	l, _ := newTestLake(t)
	mustBucket(t, l, "lst")
	for _, k := range []string{"photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "readme", "zeta"} {
		put(t, l, "lst", k, []byte(k))
	}
	res, err := l.List("lst", ListOptions{Delimiter: "/", MaxKeys: 1000})
	if err != nil || len(res.CommonPrefixes) != 1 || res.CommonPrefixes[0] != "photos/" || len(res.Objects) != 2 || res.IsTruncated {
		t.Fatalf("root listing = %+v, %v", res, err)
	}
	if res.Objects[0].Size != int64(len("readme")) || res.Objects[0].ETag != md5hex([]byte("readme")) {
		t.Fatalf("listed object info = %+v", res.Objects[0])
	}
	res, err = l.List("lst", ListOptions{Prefix: "photos/", Delimiter: "/", MaxKeys: 1})
	if err != nil || len(res.CommonPrefixes) != 1 || res.CommonPrefixes[0] != "photos/2024/" || !res.IsTruncated || res.Next != "photos/2024/" {
		t.Fatalf("page 1 = %+v, %v", res, err)
	}
	res, err = l.List("lst", ListOptions{Prefix: "photos/", Delimiter: "/", MaxKeys: 1, StartAfter: res.Next})
	if err != nil || len(res.CommonPrefixes) != 1 || res.CommonPrefixes[0] != "photos/2025/" || res.IsTruncated {
		t.Fatalf("page 2 = %+v, %v", res, err)
	}
	res, err = l.List("lst", ListOptions{MaxKeys: 0})
	if err != nil || len(res.Objects) != 0 || res.IsTruncated {
		t.Fatalf("MaxKeys 0 = %+v, %v", res, err)
	}
	if _, err := l.List("nope", ListOptions{MaxKeys: 1}); err == nil {
		t.Fatal("List of a missing bucket succeeded")
	}
}
