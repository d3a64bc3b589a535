// Package policy parses and evaluates IAM-style JSON policy documents. It has
// no HTTP and no storage: auth stores users, keys and their policies, and
// every wire skin asks Evaluate whether a request may proceed.
//
// # Documents
//
// Parse accepts IAM's identity-policy grammar ("IAM JSON policy elements
// reference"): Version ("2012-10-17", "2008-10-17" or absent, which means the
// legacy language), Id, and Statement as one object or an array. A statement
// has Sid (alphanumeric, unique in the policy), Effect ("Allow" or "Deny",
// exactly so), one of Action/NotAction, one of Resource/NotResource (each a
// string or an array of strings) and an optional Condition. Principal and
// NotPrincipal are refused ("Policy document should not specify a
// principal.") unless Options.ResourcePolicy is set; then they are kept but
// not evaluated. Unknown elements, wrong types and trailing data are refused
// with MalformedPolicyDocument's "Syntax errors in policy."; so are duplicate
// JSON keys — IAM does not document what it does with them, and a policy
// whose meaning depends on which duplicate wins is not one to accept. Other
// mistakes carry IAM's own messages (see MalformedError): a wrong-case Effect
// or an unparsable condition value "failed legacy parsing", an Action needs a
// vendor and one colon, a Resource needs a known partition and a service
// ("arn:aws:s3" is accepted and padded to "arn:aws:s3:*:*:*", as IAM does).
// Options.RequireVersion2012 adds CreatePolicy's rule that managed policies
// name Version 2012-10-17. Size is counted as IAM counts it, in characters
// without whitespace, against Options.MaxSize (default MaxUserInlineSize).
// Service-specific resource checks (an S3 ARN with a region, IAM resource
// paths) are not made.
//
// # Matching
//
// Actions are "service:Operation" globs matched case-insensitively. Resources
// are ARN globs matched case-sensitively against the whole ARN: as the IAM
// Resource reference says, * may expand across ':' and '/' boundaries. * is
// any run of characters, ? exactly one. In Version 2012-10-17 only, Resource
// and condition values may hold policy variables, ${aws:username},
// ${s3:prefix, 'default'} and the escapes ${*}, ${?}, ${$}. A variable whose
// key is absent (and has no default) or has several values matches nothing.
// The matcher is O(len(pattern)·len(text)) and never backtracks
// exponentially; patterns are compiled by Parse.
//
// # Conditions
//
// Supported operators: StringEquals, StringNotEquals, StringEqualsIgnoreCase,
// StringNotEqualsIgnoreCase, StringLike, StringNotLike, the six Numeric and
// six Date operators (ISO 8601 or epoch seconds), Bool, IpAddress and
// NotIpAddress (IPv4 and IPv6 CIDR), ArnEquals, ArnLike, ArnNotEquals,
// ArnNotLike (per ARN component) and Null; each (but Null) with the IfExists
// suffix and the ForAllValues:/ForAnyValue: qualifiers. BinaryEquals is not
// supported. Condition keys are case-insensitive (give Request.Context keys
// in lower case and each lookup is one map access). Values of one key are
// ORed — for a negated operator the key must match none of them — and keys
// and operators are ANDed. A plain operator on a multivalued key holds when
// any request value matches (a negated one when none does); the qualifiers
// ask it of all or any values. A key missing from the request makes the
// condition false, except for negated operators (true), IfExists (true),
// ForAllValues (true) and Null — as the "Condition operators" reference says.
//
// # Evaluation
//
// Evaluate follows the identity-policy part of AWS's "Policy evaluation
// logic": start from an implicit deny; any matching Deny statement in any
// policy is an explicit deny and ends evaluation; otherwise any matching
// Allow allows. Result names the deciding statement for audit logs.
// Evaluate does not allocate.
//
// Not modelled: resource-based policies as a decision input (Principal is
// parsed only), permissions boundaries, service control policies, session
// policies, cross-account rules, tags as variables beyond plain context keys,
// and the root user (callers grant root everything before asking).
package policy
