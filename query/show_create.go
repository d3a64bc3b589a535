package query

import (
	"sort"
	"strings"

	"github.com/caudal/caudal/catalog"
)

// showCreateTable answers SHOW CREATE TABLE as Athena does: the table's
// DDL, one line a row in the column createtab_stmt, in Hive's layout
// (ROW FORMAT SERDE … STORED AS INPUTFORMAT … OUTPUTFORMAT …). The text
// runs again as CREATE EXTERNAL TABLE and gives the same table.
func (e *Engine) showCreateTable(p *ddlParser, database string) (*Result, error) {
	t, _, err := e.getTable(p, database)
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	return oneColumn("createtab_stmt", strings.Split(createTableText(&t), "\n")), nil
}

// hiveIdent backquotes a name as Hive writes it (` doubled inside).
func hiveIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func columnList(cols []catalog.Column) string {
	lines := make([]string, len(cols))
	for i, c := range cols {
		lines[i] = "  " + hiveIdent(c.Name) + " " + c.Type
		if c.Comment != "" {
			lines[i] += " COMMENT " + quoteString(c.Comment)
		}
	}
	return strings.Join(lines, ", \n")
}

func propertyList(props map[string]string, skip func(string) bool) string {
	keys := make([]string, 0, len(props))
	for k := range props {
		if !skip(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = "  " + quoteString(k) + "=" + quoteString(props[k])
	}
	return strings.Join(lines, ", \n")
}

// createTableText is t's DDL.
func createTableText(t *catalog.Table) string {
	sd := t.StorageDescriptor
	if sd == nil {
		sd = &catalog.StorageDescriptor{}
	}
	var b strings.Builder
	b.WriteString("CREATE EXTERNAL TABLE " + hiveIdent(t.Name) + "(\n" + columnList(sd.Columns) + ")")
	if t.Description != "" {
		b.WriteString("\nCOMMENT " + quoteString(t.Description))
	}
	if len(t.PartitionKeys) > 0 {
		b.WriteString("\nPARTITIONED BY ( \n" + columnList(t.PartitionKeys) + ")")
	}
	if sd.SerdeInfo != nil && sd.SerdeInfo.SerializationLibrary != "" {
		b.WriteString("\nROW FORMAT SERDE \n  " + quoteString(sd.SerdeInfo.SerializationLibrary) + " ")
		if len(sd.SerdeInfo.Parameters) > 0 {
			b.WriteString("\nWITH SERDEPROPERTIES ( \n" + propertyList(sd.SerdeInfo.Parameters, func(string) bool { return false }) + ") ")
		}
	}
	if sd.InputFormat != "" && sd.OutputFormat != "" {
		b.WriteString("\nSTORED AS INPUTFORMAT \n  " + quoteString(sd.InputFormat) + " \nOUTPUTFORMAT \n  " + quoteString(sd.OutputFormat))
	}
	if sd.Location != "" {
		b.WriteString("\nLOCATION\n  " + quoteString(sd.Location))
	}
	// EXTERNAL is implied by CREATE EXTERNAL TABLE; Hive does not list it.
	props := propertyList(t.Parameters, func(k string) bool { return strings.EqualFold(k, "EXTERNAL") })
	if props != "" {
		b.WriteString("\nTBLPROPERTIES (\n" + props + ")")
	}
	return b.String()
}
