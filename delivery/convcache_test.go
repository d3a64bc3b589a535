package delivery

import (
	"io"
	"testing"

	"github.com/caudal/caudal/catalog"
)

// TestConverterFollowsTableVersion checks the cached Parquet converter:
// reused while the table is unchanged, rebuilt after UpdateTable and after
// the table is dropped and created again (VersionId back to "0").
func TestConverterFollowsTableVersion(t *testing.T) {
	h := newHarness(t)
	h.cat.CreateDatabase(catalog.Database{Name: "db"})
	cols := func(typ string) *catalog.StorageDescriptor {
		return &catalog.StorageDescriptor{Columns: []catalog.Column{{Name: "id", Type: typ}}}
	}
	if err := h.cat.CreateTable("db", catalog.Table{Name: "t", StorageDescriptor: cols("int")}); err != nil {
		t.Fatal(err)
	}
	d := dest(64, 900)
	d.DataFormatConversionConfiguration = &DataFormatConversionConfiguration{
		SchemaConfiguration:       &SchemaConfiguration{DatabaseName: "db", TableName: "t"},
		InputFormatConfiguration:  &InputFormatConfiguration{Deserializer: &Deserializer{OpenXJsonSerDe: &OpenXJsonSerDe{}}},
		OutputFormatConfiguration: &OutputFormatConfiguration{Serializer: &Serializer{ParquetSerDe: &ParquetSerDe{}}},
	}
	h.create("c", d)
	ds, _ := h.e.lookup(testRegion, "c")
	p := ds.currentPlan()
	// fails says whether {"id":"x"} fails conversion with the converter
	// the delivery stream uses now.
	fails := func() bool {
		t.Helper()
		conv, err := ds.converter(p.convert)
		if err != nil {
			t.Fatal(err)
		}
		_, f, err := conv.Convert([][]byte{[]byte(`{"id":"x"}`)}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		return len(f) > 0
	}
	c1, _ := ds.converter(p.convert)
	c2, _ := ds.converter(p.convert)
	if c1 != c2 {
		t.Fatal("converter rebuilt for an unchanged table")
	}
	if !fails() {
		t.Fatal(`{"id":"x"} converted into an int column`)
	}
	if err := h.cat.UpdateTable("db", catalog.Table{Name: "t", StorageDescriptor: cols("string")}); err != nil {
		t.Fatal(err)
	}
	if fails() {
		t.Fatal("converter not rebuilt after UpdateTable")
	}
	if err := h.cat.DeleteTable("db", "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := ds.converter(p.convert); err == nil {
		t.Fatal("converter for a deleted table")
	}
	if err := h.cat.CreateTable("db", catalog.Table{Name: "t", StorageDescriptor: cols("int")}); err != nil {
		t.Fatal(err)
	}
	if !fails() {
		t.Fatal("converter not rebuilt after the table was created again")
	}
}
