package audit

import (
	"strings"
	"time"

	"github.com/caudal/caudal/catalog"
)

// Where SQL finds the trail.
const (
	Database  = "caudal_audit"
	TableName = "cloudtrail"
)

// Table is the catalog table over a region's trail in bucket: the
// CloudTrail table of the Athena user guide ("Creating the table for
// CloudTrail logs in Athena using partition projection"), read with the
// Hive JSON SerDe, partitioned by the date path with projection so no
// partition ever has to be registered. since is the first day projected
// (the day the trail started); queries that filter on timestamp
// ('2026/11/26') read that day's objects only.
func Table(bucket, account, region string, since time.Time) catalog.Table {
	location := "s3://" + bucket + "/" + Prefix(account, region)
	str := func(name string) catalog.Column { return catalog.Column{Name: name, Type: "string"} }
	return catalog.Table{
		Name:        TableName,
		Description: "caudal's audit trail: one CloudTrail-shaped record per API call",
		TableType:   catalog.TableTypeExternal,
		Parameters: map[string]string{
			"classification":                     "cloudtrail",
			"EXTERNAL":                           "TRUE",
			"projection.enabled":                 "true",
			"projection.timestamp.type":          "date",
			"projection.timestamp.format":        "yyyy/MM/dd",
			"projection.timestamp.range":         since.UTC().Format("2006/01/02") + ",NOW",
			"projection.timestamp.interval":      "1",
			"projection.timestamp.interval.unit": "DAYS",
			"storage.location.template":          location + "${timestamp}",
		},
		PartitionKeys: []catalog.Column{str("timestamp")},
		StorageDescriptor: &catalog.StorageDescriptor{
			Location:     location,
			InputFormat:  "org.apache.hadoop.mapred.TextInputFormat",
			OutputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
			SerdeInfo: &catalog.SerDeInfo{
				SerializationLibrary: "org.openx.data.jsonserde.JsonSerDe",
				Parameters:           mappings(),
			},
			Columns: []catalog.Column{
				str("eventversion"),
				{Name: "useridentity", Type: "struct<type:string,`principalId`:string,arn:string,`accountId`:string,`accessKeyId`:string,`userName`:string>"},
				str("eventtime"),
				str("eventsource"),
				str("eventname"),
				str("awsregion"),
				str("sourceipaddress"),
				str("useragent"),
				str("errorcode"),
				str("errormessage"),
				str("requestid"),
				str("eventid"),
				{Name: "readonly", Type: "string"},
				{Name: "resources", Type: "array<struct<`ARN`:string,`accountId`:string,type:string>>"},
				str("eventtype"),
				{Name: "managementevent", Type: "boolean"},
				str("recipientaccountid"),
				str("eventcategory"),
				{Name: "tlsdetails", Type: "struct<`tlsVersion`:string,`cipherSuite`:string,`clientProvidedHostHeader`:string>"},
				{Name: "httpstatus", Type: "int"},
			},
		},
	}
}

// mappings are the OpenX JSON SerDe's column-to-key mappings: the table's
// columns are lower case (as Glue stores them) and the records' keys are
// CloudTrail's camel case. Struct field names in the column types keep
// the camel case (quoted, so the type parser keeps it) for the same
// reason; SQL matches field names case-insensitively.
func mappings() map[string]string {
	keys := []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName",
		"awsRegion", "sourceIPAddress", "userAgent", "errorCode", "errorMessage", "requestID",
		"eventID", "readOnly", "resources", "eventType", "managementEvent", "recipientAccountId",
		"eventCategory", "tlsDetails", "httpStatus"}
	m := make(map[string]string, len(keys))
	for _, k := range keys {
		m["mapping."+strings.ToLower(k)] = k
	}
	return m
}
