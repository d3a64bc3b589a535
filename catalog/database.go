package catalog

import (
	"bytes"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// normName is the stored form of a database or table name.
func normName(s string) string { return strings.ToLower(s) }

// checkName refuses names the catalog cannot key: empty ones and ones
// holding the key separator (Glue's name pattern refuses both anyway).
func checkName(what, name string) error {
	if name == "" {
		return invalidInput("%s name is empty.", what)
	}
	if strings.IndexByte(name, 0) >= 0 {
		return invalidInput("%s name contains a NUL character.", what)
	}
	return nil
}

// CreateDatabase creates db (its name lower-cased); CreateTime is set by
// the catalog. ErrAlreadyExists if the name is taken.
func (c *Catalog) CreateDatabase(db Database) error {
	if err := checkName("Database", db.Name); err != nil {
		return err
	}
	db.Name = normName(db.Name)
	db.CreateTime = c.now().UTC()
	return c.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDatabases)
		if b.Get([]byte(db.Name)) != nil {
			return alreadyExists("Database")
		}
		return putJSON(b, []byte(db.Name), &db)
	})
}

// GetDatabase returns the database called name.
func (c *Catalog) GetDatabase(name string) (Database, error) {
	var db Database
	err := c.view(func(tx *bolt.Tx) error {
		var err error
		db, err = getDatabaseTx(tx, normName(name))
		return err
	})
	return db, err
}

func getDatabaseTx(tx *bolt.Tx, name string) (Database, error) {
	var db Database
	data := tx.Bucket(bucketDatabases).Get([]byte(name))
	if data == nil {
		return db, databaseNotFound(name)
	}
	err := getJSON(data, &db)
	return db, err
}

// ListDatabases returns a page of databases in name order. See Page for
// the paging rules.
func (c *Catalog) ListDatabases(p Page) ([]Database, string, error) {
	after, limit, err := p.decode(defaultPageSize)
	if err != nil {
		return nil, "", err
	}
	var out []Database
	var next string
	err = c.view(func(tx *bolt.Tx) error {
		cur := tx.Bucket(bucketDatabases).Cursor()
		k, v := seekAfter(cur, after)
		for ; k != nil; k, v = cur.Next() {
			if len(out) == limit {
				next = encodeToken(out[len(out)-1].Name)
				return nil
			}
			var db Database
			if err := getJSON(v, &db); err != nil {
				return err
			}
			out = append(out, db)
		}
		return nil
	})
	return out, next, err
}

// UpdateDatabase replaces the definition of database name with db, keeping
// its CreateTime. Renaming is refused (ErrInvalidInput): tables and
// partitions are keyed by the database's name.
func (c *Catalog) UpdateDatabase(name string, db Database) error {
	name = normName(name)
	if db.Name != "" && normName(db.Name) != name {
		return invalidInput("Database rename is not supported (from %s to %s).", name, normName(db.Name))
	}
	db.Name = name
	return c.update(func(tx *bolt.Tx) error {
		old, err := getDatabaseTx(tx, name)
		if err != nil {
			return err
		}
		db.CreateTime = old.CreateTime
		return putJSON(tx.Bucket(bucketDatabases), []byte(name), &db)
	})
}

// DeleteDatabase deletes database name with all its tables and their
// partitions, as Glue does.
func (c *Catalog) DeleteDatabase(name string) error {
	name = normName(name)
	return c.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDatabases)
		if b.Get([]byte(name)) == nil {
			return databaseNotFound(name)
		}
		prefix := append([]byte(name), 0)
		if err := deletePrefix(tx.Bucket(bucketPartitions), prefix); err != nil {
			return err
		}
		if err := deletePrefix(tx.Bucket(bucketTables), prefix); err != nil {
			return err
		}
		return b.Delete([]byte(name))
	})
}

// deletePrefix deletes every key of b that starts with prefix.
func deletePrefix(b *bolt.Bucket, prefix []byte) error {
	cur := b.Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Seek(prefix) {
		if err := cur.Delete(); err != nil {
			return err
		}
	}
	return nil
}
