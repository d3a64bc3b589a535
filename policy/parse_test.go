package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestParseForms(t *testing.T) {
	p, err := Parse([]byte(`{"Version":"2012-10-17","Id":"p1","Statement":{"Sid":"One","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != Version2012 || p.ID != "p1" || len(p.Statement) != 1 {
		t.Fatalf("parsed %+v", p)
	}
	st := p.Statement[0]
	if st.Sid != "One" || st.Effect != EffectAllow || st.Action[0] != "s3:GetObject" || st.Resource[0] != "arn:aws:s3:::b/*" {
		t.Fatalf("statement %+v", st)
	}
	// Version may be absent (legacy language); conditions take numbers and booleans.
	p, err = Parse([]byte(`{"Statement":[{"Effect":"Deny","NotAction":["s3:*","kinesis:*"],"NotResource":"*",
		"Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":[10,"20"]}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	st = p.Statement[0]
	if len(st.NotAction) != 2 || len(st.Condition) != 2 || st.Condition[0].Values[0] != "false" || st.Condition[1].Values[0] != "10" {
		t.Fatalf("statement %+v", st)
	}
}

// Malformed documents and the MalformedPolicyDocument message IAM gives for
// each (messages as seen in IAM answers quoted in public issue trackers).
func TestParseMalformed(t *testing.T) {
	const stmt = `"Effect":"Allow","Action":"s3:*","Resource":"*"`
	tests := []struct {
		name, doc, message string
	}{
		{"not json", `{`, msgSyntax},
		{"trailing data", `{"Statement":{` + stmt + `}} {}`, msgSyntax},
		{"array document", `[]`, msgSyntax},
		{"no statement", `{"Version":"2012-10-17"}`, msgSyntax},
		{"empty statement list", `{"Statement":[]}`, msgSyntax},
		{"statement is a string", `{"Statement":"x"}`, msgSyntax},
		{"unknown top-level element", `{"Statement":{` + stmt + `},"Extra":1}`, msgSyntax},
		{"unknown statement element", `{"Statement":{` + stmt + `,"Foo":"x"}}`, msgSyntax},
		{"duplicate key", `{"Statement":{` + stmt + `,"Effect":"Deny"}}`, msgSyntax},
		{"bad version", `{"Version":"2013-10-17","Statement":{` + stmt + `}}`, msgSyntax},
		{"version not a string", `{"Version":2012,"Statement":{` + stmt + `}}`, msgSyntax},
		{"effect in the wrong case", `{"Statement":{"Effect":"denY","Action":"s3:*","Resource":"*"}}`, msgLegacy},
		{"effect unknown", `{"Statement":{"Effect":"invalid","Action":"s3:*","Resource":"*"}}`, msgSyntax},
		{"no effect", `{"Statement":{"Action":"s3:*","Resource":"*"}}`, msgSyntax},
		{"principal", `{"Statement":{` + stmt + `,"Principal":"*"}}`, msgPrincipal},
		{"not principal", `{"Statement":{` + stmt + `,"NotPrincipal":{"AWS":"*"}}}`, msgPrincipal},
		{"no resource", `{"Statement":{"Effect":"Allow","Action":"s3:*"}}`, msgNoResources},
		{"empty resource list", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":[]}}`, msgNoResources},
		{"no action", `{"Statement":{"Effect":"Allow","Resource":"*"}}`, msgNoActions},
		{"action and notaction", `{"Statement":{` + stmt + `,"NotAction":"s3:Get*"}}`, msgSyntax},
		{"resource and notresource", `{"Statement":{` + stmt + `,"NotResource":"*"}}`, msgSyntax},
		{"action without vendor", `{"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`, msgVendor},
		{"action not a string", `{"Statement":{"Effect":"Allow","Action":["s3:*",1],"Resource":"*"}}`, msgSyntax},
		{"resource not an arn", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}}`, `Resource bucket must be in ARN format or "*".`},
		{"resource colon only in a variable", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"${aws:username}"}}`, `Resource ${aws:username} must be in ARN format or "*".`},
		{"resource with an unclosed variable", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"${:"}}`, `Partition "" is not valid for resource "arn::*:*:*:*".`},
		{"resource empty", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":""}}`, `Resource  must be in ARN format or "*".`},
		{"resource bad partition", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:error:s3:::b"}}`, `Partition "error" is not valid for resource "arn:error:s3:::b".`},
		{"resource without arn prefix", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"aws:s3:::example_bucket"}}`, `Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".`},
		{"resource short, bad partition", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"a:bsdfdsafsad"}}`, `Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".`},
		{"resource without vendor", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws"}}`, msgVendor2},
		{"resource with five components", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3::example_bucket"}}`, msgLegacy},
		{"resource with empty service", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws::::example_bucket"}}`, msgLegacy},
		{"action with two colons", `{"Statement":{"Effect":"Allow","Action":"s3:List:Bucket","Resource":"*"}}`, msgOneColon},
		{"action vendor with a space", `{"Statement":{"Effect":"Allow","Action":"a a:ListBucket","Resource":"*"}}`, "Vendor a a is not valid"},
		{"empty NotAction", `{"Statement":{"Effect":"Allow","NotAction":"","Resource":"*"}}`, msgVendor},
		{"id not a string", `{"Id":{},"Statement":{` + stmt + `}}`, msgSyntax},
		{"sid not a string", `{"Statement":{"Sid":[],` + stmt + `}}`, msgSyntax},
		{"sid not alphanumeric", `{"Statement":{"Sid":"a-b",` + stmt + `}}`, msgSidShape},
		{"sid repeated", `{"Statement":[{"Sid":"A",` + stmt + `},{"Sid":"A",` + stmt + `}]}`, msgSidUnique},
		{"unknown operator", `{"Statement":{` + stmt + `,"Condition":{"StringEqualz":{"aws:username":"a"}}}}`, msgSyntax},
		{"condition value object", `{"Statement":{` + stmt + `,"Condition":{"StringEquals":{"aws:username":{}}}}}`, msgSyntax},
		{"condition is an array", `{"Statement":{` + stmt + `,"Condition":[{"StringEquals":{"aws:username":"a"}}]}}`, msgSyntax},
		{"condition operator not an object", `{"Statement":{` + stmt + `,"Condition":{"DateGreaterThan":"b"}}}`, msgSyntax},
		{"qualifier with two colons", `{"Statement":{` + stmt + `,"Condition":{"ForAnyValue::StringEqualsIfExists":{"a":"asf"}}}}`, msgSyntax},
		{"numeric not a number", `{"Statement":{` + stmt + `,"Condition":{"NumericEquals":{"s3:max-keys":"ten"}}}}`, msgLegacy},
		{"date not a date", `{"Statement":{` + stmt + `,"Condition":{"DateLessThan":{"aws:CurrentTime":"234-13"}}}}`, msgLegacy},
		{"ip not an ip", `{"Statement":{` + stmt + `,"Condition":{"IpAddress":{"aws:SourceIp":"300.1.1.1/8"}}}}`, msgLegacy},
		{"null not boolean", `{"Statement":{` + stmt + `,"Condition":{"Null":{"aws:username":"maybe"}}}}`, msgLegacy},
		{"NullIfExists", `{"Statement":{` + stmt + `,"Condition":{"NullIfExists":{"aws:username":"true"}}}}`, msgSyntax},
		{"too deep", `{"Statement":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, msgSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			var me *MalformedError
			if !errors.As(err, &me) || !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, want a MalformedError", err)
			}
			if me.Message != tt.message {
				t.Errorf("message %q, want %q", me.Message, tt.message)
			}
		})
	}
}

// Documents IAM accepts (from moto's IAM validator tests, which mirror IAM),
// however odd.
func TestParseAcceptsWhatIAMAccepts(t *testing.T) {
	const head = `{"Version":"2012-10-17","Statement":{"Effect":"Allow",`
	docs := []string{
		head + `"Action":"iam: asdf safdsf af ","Resource":"arn:aws:s3:::example_bucket"}}`,
		head + `"Action":"s3.s:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`,
		head + `"Action":"s3:ListBucket","Resource":["arn:aws:s3:::example_bucket","*"]}}`,
		head + `"Action":"s3:ListBucket","Resource":"arn:aws:fdsasf"}}`,
		head + `"Action":"s3:ListBucket","Resource":"arn:aws:invalid-service:us-east-1::example_bucket"}}`,
		head + `"Action":"s3:ListBucket","Resource":"*","Condition":{}}}`,
		head + `"Action":"s3:ListBucket","Resource":"*","Condition":{"DateGreaterThan":{}}}}`,
		head + `"Action":"s3:ListBucket","Resource":"*","Condition":{"DateGreaterThan":{"a":[]}}}}`,
		head + `"Action":"s3:ListBucket","Resource":"*","Condition":{"x":{},"y":{}}}}`,
		head + `"Action":"s3:ListBucket","Resource":"*","Condition":{"StringEqualsIfExists":{"a":"asf"}}}}`,
		head + `"Action":"s3:ListBucket","Resource":"*","Condition":{"ForAnyValue:StringEqualsIfExists":{"a":"asf"}}}}`,
		head + `"Action":"s3:ListBucket","Resource":"*","Condition":{"DateLessThanEquals":{"a":"2016-12-13T21:20:37.593194+00:00"}}}}`,
		head + `"Action":"s3:ListBucket","Resource":"*","Condition":{"DateLessThan":{"a":"-292275054"}}}}`,
		head + `"NotAction":"s3:ListBucket","NotResource":"*"}}`,
		head + `"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-name/cognito/application-name/${cognito-identity.amazonaws.com:sub}/*"}}`,
	}
	for _, doc := range docs {
		if _, err := Parse([]byte(doc)); err != nil {
			t.Errorf("%s: %v", doc, err)
		}
	}
	// The three-component form is padded: arn:aws:fdsasf is arn:aws:fdsasf:*:*:*.
	p, _ := Parse([]byte(head + `"Action":"s3:ListBucket","Resource":"arn:aws:fdsasf"}}`))
	if r := Evaluate([]*Policy{p}, Request{Action: "s3:ListBucket", Resource: "arn:aws:fdsasf:r:1:x"}); r.Decision != Allow {
		t.Errorf("padded resource: %v", r.Decision)
	}
	// Managed policies must name the current version.
	if _, err := ParseWith([]byte(`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`), Options{RequireVersion2012: true}); err == nil || err.(*MalformedError).Message != msgVersion {
		t.Errorf("RequireVersion2012: %v", err)
	}
}

func TestParseResourcePolicy(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::000000000000:user/a"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
		{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`
	p, err := ParseWith([]byte(doc), Options{ResourcePolicy: true})
	if err != nil {
		t.Fatal(err)
	}
	if pr := p.Statement[0].Principal; pr == nil || pr.Types[0].Type != "AWS" || pr.Types[0].IDs[0] != "arn:aws:iam::000000000000:user/a" {
		t.Fatalf("principal %+v", pr)
	}
	if !p.Statement[1].Principal.Any {
		t.Fatal("Principal * lost")
	}
	if _, err := ParseWith([]byte(`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`), Options{ResourcePolicy: true}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("resource policy without Principal: %v", err)
	}
}

func TestParseSize(t *testing.T) {
	// Whitespace does not count (IAM quotas).
	pad := strings.Repeat(" \n\t", 3000)
	doc := `{` + pad + `"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	if _, err := Parse([]byte(doc)); err != nil {
		t.Fatalf("whitespace counted: %v", err)
	}
	long := `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::` + strings.Repeat("x", 2100) + `"}}`
	_, err := Parse([]byte(long))
	var se *SizeError
	if !errors.As(err, &se) || !errors.Is(err, ErrTooLarge) || se.Limit != MaxUserInlineSize {
		t.Fatalf("err = %v, want SizeError", err)
	}
	if se.Error() != "Cannot exceed quota for PolicySize: 2048" {
		t.Errorf("message %q", se.Error())
	}
	// Characters, not bytes: 2,000 two-byte characters fit in 2,048.
	wide := `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::` + strings.Repeat("é", 1950) + `"}}`
	if n := Size([]byte(wide)); n != len(wide)-1950 {
		t.Fatalf("Size = %d", n)
	}
	if _, err := Parse([]byte(wide)); err != nil {
		t.Fatalf("multi-byte characters counted as bytes: %v", err)
	}
	if _, err := ParseWith([]byte(long), Options{MaxSize: MaxManagedSize}); err != nil {
		t.Fatalf("managed size: %v", err)
	}
	if _, err := ParseWith([]byte(strings.Repeat(" ", MaxDocumentBytes+1)), Options{MaxSize: MaxRoleInlineSize}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("huge raw document: %v", err)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	doc := `{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:Get*","Resource":["arn:aws:s3:::b/${aws:username}/*"],
		"Condition":{"StringLike":{"s3:prefix":["a/*","b/*"]},"Bool":{"aws:SecureTransport":true},"StringLike ":{"aws:userid":"x"}}}]}`
	if _, err := Parse([]byte(doc)); err == nil {
		t.Fatal("operator with a trailing space accepted")
	}
	doc = strings.Replace(doc, `,"StringLike ":{"aws:userid":"x"}`, "", 1)
	p, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	out := p.String()
	want := `{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:Get*"],"Resource":["arn:aws:s3:::b/${aws:username}/*"],"Condition":{"StringLike":{"s3:prefix":["a/*","b/*"]},"Bool":{"aws:SecureTransport":["true"]}}}]}`
	if out != want {
		t.Fatalf("marshal\n got %s\nwant %s", out, want)
	}
	q, err := Parse([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if q.String() != out {
		t.Fatalf("not a fixed point: %s", q.String())
	}
}
