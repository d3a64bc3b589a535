package glue

import (
	"strconv"
	"time"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/protocol"
)

// Shapes shared by several actions. StorageDescriptor, Column, SerDeInfo,
// Order and SkewedInfo are the catalog's own types: their JSON form is
// Glue's, member for member (see catalog/model.go). The shapes here are
// the ones whose wire form differs from the engine's (timestamps are
// epoch seconds on the wire, CatalogId is added).

type databaseInput struct {
	Name        *string           `json:"Name,omitempty"`
	Description *string           `json:"Description,omitempty"`
	LocationUri *string           `json:"LocationUri,omitempty"`
	Parameters  map[string]string `json:"Parameters,omitempty"`
}

func (v *checker) databaseInput(path string, in *databaseInput) {
	if !v.required(path, in != nil) {
		return
	}
	v.strReq(path+".name", in.Name, specName)
	v.str(path+".description", in.Description, specDescription)
	v.str(path+".locationUri", in.LocationUri, specURI)
	v.params(path+".parameters", in.Parameters)
}

func (in *databaseInput) toCatalog() catalog.Database {
	return catalog.Database{
		Name:        deref(in.Name),
		Description: deref(in.Description),
		LocationURI: deref(in.LocationUri),
		Parameters:  in.Parameters,
	}
}

type database struct {
	Name                          string                 `json:"Name"`
	Description                   string                 `json:"Description,omitempty"`
	LocationUri                   string                 `json:"LocationUri,omitempty"`
	Parameters                    map[string]string      `json:"Parameters"`
	CreateTime                    protocol.Timestamp     `json:"CreateTime"`
	CreateTableDefaultPermissions []principalPermissions `json:"CreateTableDefaultPermissions"`
	CatalogId                     string                 `json:"CatalogId"`
}

type principalPermissions struct {
	Principal   dataLakePrincipal `json:"Principal"`
	Permissions []string          `json:"Permissions"`
}

type dataLakePrincipal struct {
	DataLakePrincipalIdentifier string `json:"DataLakePrincipalIdentifier"`
}

// defaultPermissions is what Glue reports for a database created without
// Lake Formation permissions: everyone IAM allows has ALL.
var defaultPermissions = []principalPermissions{{
	Principal:   dataLakePrincipal{DataLakePrincipalIdentifier: "IAM_ALLOWED_PRINCIPALS"},
	Permissions: []string{"ALL"},
}}

func (s *service) database(db *catalog.Database) database {
	params := db.Parameters
	if params == nil {
		params = map[string]string{}
	}
	return database{
		Name:                          db.Name,
		Description:                   db.Description,
		LocationUri:                   db.LocationURI,
		Parameters:                    params,
		CreateTime:                    protocol.NewTimestamp(db.CreateTime),
		CreateTableDefaultPermissions: defaultPermissions,
		CatalogId:                     s.accountID,
	}
}

type tableInput struct {
	Name              *string                    `json:"Name,omitempty"`
	Description       *string                    `json:"Description,omitempty"`
	Owner             *string                    `json:"Owner,omitempty"`
	LastAccessTime    *protocol.Timestamp        `json:"LastAccessTime,omitempty"`
	LastAnalyzedTime  *protocol.Timestamp        `json:"LastAnalyzedTime,omitempty"`
	Retention         *int64                     `json:"Retention,omitempty"`
	StorageDescriptor *catalog.StorageDescriptor `json:"StorageDescriptor,omitempty"`
	PartitionKeys     []catalog.Column           `json:"PartitionKeys,omitempty"`
	ViewOriginalText  *string                    `json:"ViewOriginalText,omitempty"`
	ViewExpandedText  *string                    `json:"ViewExpandedText,omitempty"`
	TableType         *string                    `json:"TableType,omitempty"`
	Parameters        map[string]string          `json:"Parameters,omitempty"`
}

// tableInputPath is the root of TableInput's violation paths (see
// validate.go for why it is not 'tableInput').
const tableInputPath = "table"

func (v *checker) tableInput(path string, in *tableInput) {
	if !v.required(path, in != nil) {
		return
	}
	v.strReq(path+".name", in.Name, specName)
	v.str(path+".description", in.Description, specDescription)
	v.str(path+".owner", in.Owner, specName)
	v.intRange(path+".retention", in.Retention, 0, -1)
	v.storage(path+".storageDescriptor", in.StorageDescriptor)
	v.columns(path+".partitionKeys", in.PartitionKeys)
	v.str(path+".viewOriginalText", in.ViewOriginalText, specViewText)
	v.str(path+".viewExpandedText", in.ViewExpandedText, specViewText)
	v.str(path+".tableType", in.TableType, specTableType)
	v.params(path+".parameters", in.Parameters)
}

func (in *tableInput) toCatalog() catalog.Table {
	t := catalog.Table{
		Name:              deref(in.Name),
		Description:       deref(in.Description),
		Owner:             deref(in.Owner),
		StorageDescriptor: in.StorageDescriptor,
		PartitionKeys:     in.PartitionKeys,
		ViewOriginalText:  deref(in.ViewOriginalText),
		ViewExpandedText:  deref(in.ViewExpandedText),
		TableType:         deref(in.TableType),
		Parameters:        in.Parameters,
	}
	if in.Retention != nil {
		t.Retention = *in.Retention
	}
	if in.LastAccessTime != nil {
		t.LastAccessTime = in.LastAccessTime.Time()
	}
	if in.LastAnalyzedTime != nil {
		t.LastAnalyzedTime = in.LastAnalyzedTime.Time()
	}
	return t
}

type table struct {
	Name                          string                     `json:"Name"`
	DatabaseName                  string                     `json:"DatabaseName"`
	Description                   string                     `json:"Description,omitempty"`
	Owner                         string                     `json:"Owner,omitempty"`
	CreateTime                    protocol.Timestamp         `json:"CreateTime"`
	UpdateTime                    protocol.Timestamp         `json:"UpdateTime"`
	LastAccessTime                *protocol.Timestamp        `json:"LastAccessTime,omitempty"`
	LastAnalyzedTime              *protocol.Timestamp        `json:"LastAnalyzedTime,omitempty"`
	Retention                     int64                      `json:"Retention"`
	StorageDescriptor             *catalog.StorageDescriptor `json:"StorageDescriptor,omitempty"`
	PartitionKeys                 []catalog.Column           `json:"PartitionKeys"`
	ViewOriginalText              string                     `json:"ViewOriginalText,omitempty"`
	ViewExpandedText              string                     `json:"ViewExpandedText,omitempty"`
	TableType                     string                     `json:"TableType,omitempty"`
	Parameters                    map[string]string          `json:"Parameters,omitempty"`
	IsRegisteredWithLakeFormation bool                       `json:"IsRegisteredWithLakeFormation"`
	CatalogId                     string                     `json:"CatalogId"`
	VersionId                     string                     `json:"VersionId,omitempty"`
}

func (s *service) table(t *catalog.Table) table {
	keys := t.PartitionKeys
	if keys == nil {
		keys = []catalog.Column{}
	}
	return table{
		Name:              t.Name,
		DatabaseName:      t.DatabaseName,
		Description:       t.Description,
		Owner:             t.Owner,
		CreateTime:        protocol.NewTimestamp(t.CreateTime),
		UpdateTime:        protocol.NewTimestamp(t.UpdateTime),
		LastAccessTime:    tsPtr(t.LastAccessTime),
		LastAnalyzedTime:  tsPtr(t.LastAnalyzedTime),
		Retention:         t.Retention,
		StorageDescriptor: t.StorageDescriptor,
		PartitionKeys:     keys,
		ViewOriginalText:  t.ViewOriginalText,
		ViewExpandedText:  t.ViewExpandedText,
		TableType:         t.TableType,
		Parameters:        t.Parameters,
		CatalogId:         s.accountID,
		VersionId:         t.VersionID,
	}
}

type partitionInput struct {
	Values            []string                   `json:"Values,omitempty"`
	LastAccessTime    *protocol.Timestamp        `json:"LastAccessTime,omitempty"`
	StorageDescriptor *catalog.StorageDescriptor `json:"StorageDescriptor,omitempty"`
	Parameters        map[string]string          `json:"Parameters,omitempty"`
	LastAnalyzedTime  *protocol.Timestamp        `json:"LastAnalyzedTime,omitempty"`
}

func (v *checker) partitionInput(path string, in *partitionInput) {
	if !v.required(path, in != nil) {
		return
	}
	v.values(path+".values", in.Values)
	v.storage(path+".storageDescriptor", in.StorageDescriptor)
	v.params(path+".parameters", in.Parameters)
}

func (in *partitionInput) toCatalog() catalog.Partition {
	p := catalog.Partition{
		Values:            in.Values,
		StorageDescriptor: in.StorageDescriptor,
		Parameters:        in.Parameters,
	}
	if in.LastAccessTime != nil {
		p.LastAccessTime = in.LastAccessTime.Time()
	}
	if in.LastAnalyzedTime != nil {
		p.LastAnalyzedTime = in.LastAnalyzedTime.Time()
	}
	return p
}

type partition struct {
	Values            []string                   `json:"Values"`
	DatabaseName      string                     `json:"DatabaseName"`
	TableName         string                     `json:"TableName"`
	CreationTime      protocol.Timestamp         `json:"CreationTime"`
	LastAccessTime    *protocol.Timestamp        `json:"LastAccessTime,omitempty"`
	StorageDescriptor *catalog.StorageDescriptor `json:"StorageDescriptor,omitempty"`
	Parameters        map[string]string          `json:"Parameters,omitempty"`
	LastAnalyzedTime  *protocol.Timestamp        `json:"LastAnalyzedTime,omitempty"`
	CatalogId         string                     `json:"CatalogId"`
}

func (s *service) partition(p *catalog.Partition) partition {
	return partition{
		Values:            p.Values,
		DatabaseName:      p.DatabaseName,
		TableName:         p.TableName,
		CreationTime:      protocol.NewTimestamp(p.CreationTime),
		LastAccessTime:    tsPtr(p.LastAccessTime),
		StorageDescriptor: p.StorageDescriptor,
		Parameters:        p.Parameters,
		LastAnalyzedTime:  tsPtr(p.LastAnalyzedTime),
		CatalogId:         s.accountID,
	}
}

func (s *service) partitions(ps []catalog.Partition) []partition {
	out := make([]partition, len(ps))
	for i := range ps {
		out[i] = s.partition(&ps[i])
	}
	return out
}

// partitionValueList is the model's PartitionValueList.
type partitionValueList struct {
	Values []string `json:"Values"`
}

// valueLists checks a list of PartitionValueList.
func (v *checker) valueLists(path string, l []partitionValueList, present bool, max int) {
	if !v.required(path, present) {
		return
	}
	v.listLen(path, len(l), 0, max)
	for i := range l {
		v.values(path+"."+strconv.Itoa(i+1)+".member.values", l[i].Values)
	}
}

type errorDetail struct {
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

type partitionError struct {
	PartitionValues []string     `json:"PartitionValues"`
	ErrorDetail     *errorDetail `json:"ErrorDetail"`
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func tsPtr(t time.Time) *protocol.Timestamp {
	if t.IsZero() {
		return nil
	}
	ts := protocol.NewTimestamp(t)
	return &ts
}
