package delivery

import (
	"errors"
	"strings"

	"github.com/caudal/caudal/catalog"
)

// Beyond AWS: a delivery stream tagged
//
//	caudal:catalog-table = <database>.<table>
//
// registers in the catalog, as its objects land, every partition of that
// table the object keys reveal: a key whose directories hold
// "<key>=<value>" segments for each of the table's partition keys (as
// Hive-style prefixes such as "year=!{timestamp:yyyy}/" or
// "customer=!{partitionKeyFromQuery:customer}/" produce) makes partition
// (<values>) with the location up to the last such segment. Queries then
// see fresh data without MSCK REPAIR TABLE. Registration is best effort
// and after the objects are durable: a failure is logged and counted,
// never fails or repeats the delivery.

// CatalogTableTag is the tag key that turns partition registration on.
const CatalogTableTag = "caudal:catalog-table"

func (ds *dstream) catalogTable() (db, table string, ok bool) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	for _, t := range ds.meta.Tags {
		if t.Key == CatalogTableTag && t.Value != nil {
			db, table, ok = strings.Cut(*t.Value, ".")
			return db, table, ok && db != "" && table != ""
		}
	}
	return "", "", false
}

// registerPartitions registers the partitions the data objects' keys name.
func (ds *dstream) registerPartitions(bucket string, objs []object) {
	if ds.e.cfg.Catalog == nil {
		return
	}
	db, name, ok := ds.catalogTable()
	if !ok {
		return
	}
	t, err := ds.e.cfg.Catalog.GetTable(db, name)
	if err != nil || len(t.PartitionKeys) == 0 {
		return
	}
	if ds.registered == nil {
		ds.registered = map[string]bool{}
	}
	for _, o := range objs {
		if !o.data {
			continue
		}
		values, loc, ok := partitionOf(o.key, t.PartitionKeys)
		if !ok || ds.registered[loc] {
			continue
		}
		p := catalog.Partition{Values: values}
		if sd := t.StorageDescriptor.Clone(); sd != nil {
			sd.Location = "s3://" + bucket + "/" + loc
			p.StorageDescriptor = sd
		} else {
			p.StorageDescriptor = &catalog.StorageDescriptor{Location: "s3://" + bucket + "/" + loc}
		}
		err := ds.e.cfg.Catalog.CreatePartition(db, name, p)
		if err != nil && !errors.Is(err, catalog.ErrAlreadyExists) {
			ds.e.cfg.Log.Warn("delivery: register partition", "deliveryStream", ds.meta.Name, "table", db+"."+name, "location", loc, "err", err)
			continue
		}
		ds.registered[loc] = true
	}
}

// partitionOf finds "<key>=<value>" directory segments for every
// partition key (names compared case-insensitively) and returns the values
// in key order and the key's prefix through the last of them, ending "/".
func partitionOf(key string, keys []catalog.Column) ([]string, string, bool) {
	dirs := strings.Split(key, "/")
	dirs = dirs[:len(dirs)-1]
	values := make([]string, len(keys))
	found, last := 0, -1
	for i, seg := range dirs {
		k, v, ok := strings.Cut(seg, "=")
		if !ok {
			continue
		}
		for j, pk := range keys {
			if values[j] == "" && strings.EqualFold(pk.Name, k) && v != "" {
				values[j] = v
				found++
				last = i
				break
			}
		}
	}
	if found != len(keys) {
		return nil, "", false
	}
	return values, strings.Join(dirs[:last+1], "/") + "/", true
}
