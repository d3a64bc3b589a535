package columnar

// The Parquet schema for a Hive table, as Hive's ParquetHiveSerDe (and so
// Firehose) lays it out and Athena reads it:
//
//	string, varchar, char  BYTE_ARRAY (UTF8/STRING)
//	boolean                BOOLEAN
//	tinyint, smallint      INT32 (INT_8 / INT_16)
//	int / bigint           INT32 / INT64
//	float / double         FLOAT / DOUBLE
//	decimal(p,s)           FIXED_LEN_BYTE_ARRAY, minimal width (DECIMAL(p,s))
//	date                   INT32 (DATE)
//	timestamp              INT96 (Hive/Impala nanosecond timestamp, UTC)
//	binary                 BYTE_ARRAY
//	array<T>               optional group (LIST) { repeated group list { optional T element } }
//	map<K,V>               optional group (MAP) { repeated group key_value { required K key; optional V value } }
//	struct<...>            optional group { optional fields }
//
// Every column is optional (Hive columns are nullable). Lists and maps use
// the three-level layout of the Parquet spec's backward-compatibility
// rules, which Athena, Trino, Spark and DuckDB all read.

const (
	ctNone        = -1
	ctUTF8        = 0
	ctMap         = 1
	ctList        = 3
	ctDecimal     = 5
	ctDate        = 6
	ctInt8        = 15
	ctInt16       = 16
	logicalNone   = 0
	logicalString = 1
	logicalMap    = 2
	logicalList   = 3
	logicalDec    = 5
	logicalDate   = 6
	logicalInt    = 10
)

type schemaElement struct {
	name        string
	phys        int32 // -1 for a group
	typeLen     int32
	rep         int32 // -1 for the root
	numChildren int32
	converted   int32
	scale       int32
	precision   int32
	logical     int
	intBits     int8
}

func (e *schemaElement) write(w *thriftWriter) {
	w.beginStruct()
	if e.phys >= 0 {
		w.i32(1, e.phys)
	}
	if e.typeLen > 0 {
		w.i32(2, e.typeLen)
	}
	if e.rep >= 0 {
		w.i32(3, e.rep)
	}
	w.str(4, e.name)
	if e.phys < 0 {
		w.i32(5, e.numChildren)
	}
	if e.converted != ctNone {
		w.i32(6, e.converted)
	}
	if e.converted == ctDecimal {
		w.i32(7, e.scale)
		w.i32(8, e.precision)
	}
	if e.logical != logicalNone {
		w.structField(10)
		w.structField(int16(e.logical))
		switch e.logical {
		case logicalDec:
			w.i32(1, e.scale)
			w.i32(2, e.precision)
		case logicalInt:
			w.i8(1, e.intBits)
			w.boolean(2, true)
		}
		w.endStruct()
		w.endStruct()
	}
	w.endStruct()
}

// pnode is a node of the schema tree that shredding walks. def is the
// definition level of the node when it is present; rep the repetition
// level a new entry of the nearest repeated ancestor (or self) starts at.
type pnode struct {
	name     string
	typ      *hiveType
	def, rep uint8
	required bool // a map's key
	children []*pnode
	leaf     *leafCol   // primitives
	leaves   []*leafCol // every leaf at or under this node, for nulls
	// structs: JSON key (case-normalized) → child index; with
	// ConvertDotsInJsonKeysToUnderscores, field name → child index for
	// keys that match only once their dots are underscores; per-object
	// slots.
	keys    map[string]int
	dotKeys map[string]int
	slots   []int32
}

// schema is a table's Parquet schema with the per-call column buffers.
type schema struct {
	root     *pnode
	elements []schemaElement
	leaves   []*leafCol
}

func decimalWidth(precision int) int32 {
	// Smallest n with 2^(8n-1) > 10^precision.
	n := int32(1)
	for {
		if float64(precision) < float64(8*n-1)*0.3010299956639812 {
			return n
		}
		n++
	}
}

// buildSchema lays out the Parquet schema of columns. keyOf gives the JSON
// key a struct field is read from (case-normalized); dots enables the
// dots-to-underscores fallback match; dict says whether BYTE_ARRAY leaves
// use dictionary encoding.
func buildSchema(cols []Column, types []*hiveType, keyOf func(string) string, dots, dict bool) *schema {
	s := &schema{}
	s.elements = append(s.elements, schemaElement{name: "hive_schema", phys: -1, rep: -1, numChildren: int32(len(cols)), converted: ctNone})
	root := &pnode{typ: &hiveType{kind: kStruct}, keys: map[string]int{}}
	for i, c := range cols {
		root.typ.fields = append(root.typ.fields, field{name: c.Name, typ: types[i]})
	}
	var build func(name string, t *hiveType, rep int32, def, lvl uint8, path []string) *pnode
	build = func(name string, t *hiveType, rep int32, def, lvl uint8, path []string) *pnode {
		n := &pnode{name: name, typ: t, def: def, rep: lvl, required: rep == repRequired}
		path = append(path[:len(path):len(path)], name)
		e := schemaElement{name: name, phys: -1, rep: rep, converted: ctNone}
		switch t.kind {
		case kStruct:
			e.numChildren = int32(len(t.fields))
			s.elements = append(s.elements, e)
			n.keys = map[string]int{}
			if dots {
				n.dotKeys = map[string]int{}
			}
			for i, f := range t.fields {
				n.children = append(n.children, build(f.name, f.typ, repOptional, def+1, lvl, path))
				n.keys[keyOf(f.name)] = i
				if dots {
					n.dotKeys[f.name] = i
				}
			}
			n.slots = make([]int32, len(t.fields))
		case kArray:
			e.numChildren, e.converted, e.logical = 1, ctList, logicalList
			s.elements = append(s.elements, e)
			s.elements = append(s.elements, schemaElement{name: "list", phys: -1, rep: repRepeated, numChildren: 1, converted: ctNone})
			g := &pnode{name: "list", def: def + 1, rep: lvl + 1}
			g.children = []*pnode{build("element", t.elem, repOptional, def+2, lvl+1, append(path[:len(path):len(path)], "list"))}
			n.children = []*pnode{g}
		case kMap:
			e.numChildren, e.converted, e.logical = 1, ctMap, logicalMap
			s.elements = append(s.elements, e)
			s.elements = append(s.elements, schemaElement{name: "key_value", phys: -1, rep: repRepeated, numChildren: 2, converted: ctNone})
			g := &pnode{name: "key_value", def: def + 1, rep: lvl + 1}
			kvPath := append(path[:len(path):len(path)], "key_value")
			g.children = []*pnode{
				build("key", t.key, repRequired, def+1, lvl+1, kvPath),
				build("value", t.elem, repOptional, def+2, lvl+1, kvPath),
			}
			n.children = []*pnode{g}
		default:
			l := &leafCol{path: path, maxDef: def, maxRep: lvl}
			switch t.kind {
			case kString:
				e.phys, e.converted, e.logical = ptBytes, ctUTF8, logicalString
			case kBinary:
				e.phys = ptBytes
			case kBoolean:
				e.phys = ptBoolean
			case kTinyint:
				e.phys, e.converted, e.logical, e.intBits = ptInt32, ctInt8, logicalInt, 8
			case kSmallint:
				e.phys, e.converted, e.logical, e.intBits = ptInt32, ctInt16, logicalInt, 16
			case kInt:
				e.phys = ptInt32
			case kBigint:
				e.phys = ptInt64
			case kFloat:
				e.phys = ptFloat
			case kDouble:
				e.phys = ptDouble
			case kDecimal:
				e.phys, e.converted, e.logical = ptFixed, ctDecimal, logicalDec
				e.typeLen = decimalWidth(t.precision)
				e.scale, e.precision = int32(t.scale), int32(t.precision)
			case kDate:
				e.phys, e.converted, e.logical = ptInt32, ctDate, logicalDate
			case kTimestamp:
				e.phys = ptInt96
			}
			l.phys, l.typeLen = e.phys, e.typeLen
			if dict && e.phys == ptBytes {
				l.dict = &dictionary{index: map[string]uint32{}}
			}
			s.elements = append(s.elements, e)
			s.leaves = append(s.leaves, l)
			n.leaf = l
		}
		return n
	}
	for i, c := range cols {
		child := build(c.Name, types[i], repOptional, 1, 0, nil)
		root.children = append(root.children, child)
		root.keys[keyOf(c.Name)] = i
		if dots {
			if root.dotKeys == nil {
				root.dotKeys = map[string]int{}
			}
			root.dotKeys[c.Name] = i
		}
	}
	root.slots = make([]int32, len(cols))
	var collect func(n *pnode) []*leafCol
	collect = func(n *pnode) []*leafCol {
		if n.leaf != nil {
			n.leaves = []*leafCol{n.leaf}
			return n.leaves
		}
		for _, c := range n.children {
			n.leaves = append(n.leaves, collect(c)...)
		}
		return n.leaves
	}
	collect(root)
	s.root = root
	return s
}

// lowerASCII lower-cases ASCII letters, as Glue stores column names and
// as JSON keys are folded when matching (normKey).
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
