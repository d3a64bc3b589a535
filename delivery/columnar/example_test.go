package columnar_test

import (
	"bytes"
	"fmt"

	"github.com/caudal/caudal/delivery/columnar"
)

func Example() {
	c, err := columnar.New(columnar.Options{
		Columns: []columnar.Column{
			{Name: "ticker", Type: "string"},
			{Name: "price", Type: "double"},
			{Name: "ts", Type: "timestamp"},
		},
		Deserializer: columnar.Deserializer{ColumnToJSONKeyMappings: map[string]string{"ts": "time"}},
	})
	if err != nil {
		panic(err)
	}
	var file bytes.Buffer
	written, failed, err := c.Convert([][]byte{
		[]byte(`{"Ticker": "AAA", "price": "1.5", "time": "2026-09-07T12:00:00Z"}` + "\n"),
		[]byte(`{"ticker": "BAD", "price": "oops"}`),
		[]byte(`this is not json at all`),
	}, &file)
	if err != nil {
		panic(err)
	}
	fmt.Println("written:", written, "parquet:", bytes.HasPrefix(file.Bytes(), []byte("PAR1")))
	for _, f := range failed {
		fmt.Println(f.Index, f.Code)
	}
	// Output:
	// written: 1 parquet: true
	// 1 DataFormatConversion.MalformedData
	// 2 DataFormatConversion.ParseError
}
