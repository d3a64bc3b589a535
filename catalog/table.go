package catalog

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

func tableKey(db, table string) []byte {
	k := make([]byte, 0, len(db)+1+len(table))
	k = append(k, db...)
	k = append(k, 0)
	return append(k, table...)
}

// CreateTable creates table t in database db (both names lower-cased).
// The catalog sets DatabaseName, CreateTime, UpdateTime and VersionID "0".
// ErrDatabaseNotFound, ErrAlreadyExists, ErrInvalidInput.
func (c *Catalog) CreateTable(db string, t Table) error {
	db = normName(db)
	if err := checkTable(&t); err != nil {
		return err
	}
	now := c.now().UTC()
	t.DatabaseName = db
	t.CreateTime, t.UpdateTime = now, now
	t.VersionID = "0"
	return c.update(func(tx *bolt.Tx) error {
		if _, err := getDatabaseTx(tx, db); err != nil {
			return err
		}
		b := tx.Bucket(bucketTables)
		key := tableKey(db, t.Name)
		if b.Get(key) != nil {
			return alreadyExists("Table")
		}
		return putJSON(b, key, &t)
	})
}

// checkTable lower-cases t's name and its top-level column and partition
// key names (on copies: the caller's slices are not touched), and refuses
// definitions the catalog cannot serve: partition keys without a name or
// named twice (an expression could not tell them apart).
//
// Glue folds top-level column names to lower case when it stores them,
// but not the field names inside struct types (awslabs/
// aws-athena-query-federation issue #245; Terraform configurations with
// camelCase columns show a perpetual diff against Glue, nasa/cumulus
// PR #3953), so Type strings are kept as given.
func checkTable(t *Table) error {
	if err := checkName("Table", t.Name); err != nil {
		return err
	}
	t.Name = normName(t.Name)
	t.StorageDescriptor = t.StorageDescriptor.Clone()
	t.StorageDescriptor.lowerColumnNames()
	t.PartitionKeys = cloneColumns(t.PartitionKeys)
	lowerNames(t.PartitionKeys)
	seen := make(map[string]bool, len(t.PartitionKeys))
	for _, k := range t.PartitionKeys {
		if k.Name == "" {
			return invalidInput("A partition key has no name.")
		}
		n := k.Name
		if seen[n] {
			return invalidInput("Partition key %s is declared twice.", k.Name)
		}
		seen[n] = true
	}
	return nil
}

// GetTable returns table name of database db.
func (c *Catalog) GetTable(db, name string) (Table, error) {
	var t Table
	err := c.view(func(tx *bolt.Tx) error {
		var err error
		t, err = getTableTx(tx, normName(db), normName(name))
		return err
	})
	return t, err
}

// getTableTx reads a table, telling a missing database from a missing
// table as Glue does.
func getTableTx(tx *bolt.Tx, db, name string) (Table, error) {
	var t Table
	data := tx.Bucket(bucketTables).Get(tableKey(db, name))
	if data == nil {
		if tx.Bucket(bucketDatabases).Get([]byte(db)) == nil {
			return t, databaseNotFound(db)
		}
		return t, tableNotFound(name)
	}
	err := getJSON(data, &t)
	return t, err
}

// ListTables returns a page of the tables of database db, in name order,
// whose names match pattern ("" matches every name). The pattern has the
// meaning of Glue's GetTables Expression (Hive's table pattern): a regular
// expression matched against the whole name, case-insensitively, in which
// a "*" not preceded by "." stands for any characters ("sales*" is
// "sales.*") and "|" separates alternatives.
func (c *Catalog) ListTables(db, pattern string, p Page) ([]Table, string, error) {
	db = normName(db)
	match, err := compileTablePattern(pattern)
	if err != nil {
		return nil, "", err
	}
	after, limit, err := p.decode(defaultPageSize)
	if err != nil {
		return nil, "", err
	}
	prefix := append([]byte(db), 0)
	var out []Table
	var next string
	err = c.view(func(tx *bolt.Tx) error {
		if _, err := getDatabaseTx(tx, db); err != nil {
			return err
		}
		cur := tx.Bucket(bucketTables).Cursor()
		start := prefix
		if after != nil {
			start = tableKey(db, string(after))
		}
		k, v := cur.Seek(start)
		if after != nil && bytes.Equal(k, start) {
			k, v = cur.Next()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			name := string(k[len(prefix):])
			if match != nil && !match(name) {
				continue
			}
			if len(out) == limit {
				next = encodeToken(out[len(out)-1].Name)
				return nil
			}
			var t Table
			if err := getJSON(v, &t); err != nil {
				return err
			}
			out = append(out, t)
		}
		return nil
	})
	return out, next, err
}

// compileTablePattern turns a GetTables Expression into a matcher; nil
// matches everything.
func compileTablePattern(pattern string) (func(string) bool, error) {
	if pattern == "" || pattern == "*" {
		return nil, nil
	}
	var b strings.Builder
	b.WriteString(`(?i)^(?:`)
	for i := 0; i < len(pattern); i++ {
		ch := pattern[i]
		if ch == '*' && (i == 0 || pattern[i-1] != '.') {
			b.WriteString(".*")
			continue
		}
		b.WriteByte(ch)
	}
	b.WriteString(`)$`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, invalidInput("Invalid table name pattern %q: %s.", pattern, err.Error())
	}
	return re.MatchString, nil
}

// UpdateTable replaces the definition of table t.Name in database db,
// keeping its CreateTime and counting one more version.
func (c *Catalog) UpdateTable(db string, t Table) error {
	db = normName(db)
	if err := checkTable(&t); err != nil {
		return err
	}
	return c.update(func(tx *bolt.Tx) error {
		old, err := getTableTx(tx, db, t.Name)
		if err != nil {
			return err
		}
		v, _ := strconv.ParseInt(old.VersionID, 10, 64)
		t.DatabaseName = db
		t.CreateTime = old.CreateTime
		t.UpdateTime = c.now().UTC()
		t.VersionID = strconv.FormatInt(v+1, 10)
		return putJSON(tx.Bucket(bucketTables), tableKey(db, t.Name), &t)
	})
}

// DeleteTable deletes table name of database db and all its partitions.
func (c *Catalog) DeleteTable(db, name string) error {
	db, name = normName(db), normName(name)
	return c.update(func(tx *bolt.Tx) error {
		if _, err := getTableTx(tx, db, name); err != nil {
			return err
		}
		key := tableKey(db, name)
		if err := deletePrefix(tx.Bucket(bucketPartitions), append(key, 0)); err != nil {
			return err
		}
		return tx.Bucket(bucketTables).Delete(key)
	})
}
