package kinesis

// ListShards: a stream's shards in creation order, by StreamName or
// StreamARN, paged by MaxResults (1..10,000; default and per-page cap 1,000,
// as AWS documents) and NextToken (opaque, expires after 300 s with
// ExpiredNextTokenException; it cannot be combined with StreamName,
// StreamARN, ExclusiveStartShardId, StreamCreationTimestamp or ShardFilter).
// ExclusiveStartShardId skips shards up to and including that ID;
// StreamCreationTimestamp must match the stream's (else the stream is not
// found, as for a deleted and re-created one). ShardFilter:
//
//	AFTER_SHARD_ID     shards after ShardId (required)
//	AT_TRIM_HORIZON    shards open at the trim horizon: those with no retained parent
//	FROM_TRIM_HORIZON  every retained shard
//	AT_LATEST          open shards
//	AT_TIMESTAMP       shards open at Timestamp (required)
//	FROM_TIMESTAMP     shards open at Timestamp or created after it (required)
//
// A shard's close time is its children's creation time, which the engine
// reports; a timestamp before the stream existed reads as the trim horizon.

import (
	"context"
	"strconv"
	"time"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

type listShardsInput struct {
	StreamName              *string             `json:"StreamName,omitempty"`
	NextToken               *string             `json:"NextToken,omitempty"`
	ExclusiveStartShardId   *string             `json:"ExclusiveStartShardId,omitempty"`
	MaxResults              *int64              `json:"MaxResults,omitempty"`
	StreamCreationTimestamp *protocol.Timestamp `json:"StreamCreationTimestamp,omitempty"`
	ShardFilter             *shardFilterIn      `json:"ShardFilter,omitempty"`
	StreamARN               *string             `json:"StreamARN,omitempty"`
	StreamId                *string             `json:"StreamId,omitempty"`
}

type shardFilterIn struct {
	Type      *string             `json:"Type,omitempty"`
	ShardId   *string             `json:"ShardId,omitempty"`
	Timestamp *protocol.Timestamp `json:"Timestamp,omitempty"`
}

type listShardsOutput struct {
	Shards    []shardOut `json:"Shards"`
	NextToken string     `json:"NextToken,omitempty"`
}

const (
	defaultListShards = 1000
	tokenListShards   = "SH"
)

// shardQuery is what a ListShards page selects; a NextToken carries it.
type shardQuery struct {
	region, name string
	created      int64 // stream creation, unix ns: a re-created stream is another stream
	after        string
	filter       string
	filterShard  string
	filterTime   int64 // unix ns; 0 when the filter has none
}

func (q shardQuery) token() string {
	return encodeToken(tokenListShards, q.region, q.name, strconv.FormatInt(q.created, 10), q.after,
		q.filter, q.filterShard, strconv.FormatInt(q.filterTime, 10))
}

func parseShardToken(tok string) (shardQuery, error) {
	f, err := decodeToken(tok, tokenListShards, 7)
	if err != nil {
		return shardQuery{}, err
	}
	created, err1 := strconv.ParseInt(f[2], 10, 64)
	ft, err2 := strconv.ParseInt(f[6], 10, 64)
	if err1 != nil || err2 != nil {
		return shardQuery{}, invalidNextToken()
	}
	return shardQuery{region: f[0], name: f[1], created: created, after: f[3], filter: f[4], filterShard: f[5], filterTime: ft}, nil
}

func (s *service) listShards(ctx context.Context, c *protocol.Call) (any, error) {
	var in listShardsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("streamName", in.StreamName, specStreamName)
	v.str("nextToken", in.NextToken, specNextToken)
	v.str("exclusiveStartShardId", in.ExclusiveStartShardId, specShardID)
	v.intRange("maxResults", in.MaxResults, 1, 10000)
	if in.ShardFilter != nil {
		v.enumReq("shardFilter.type", in.ShardFilter.Type, enumShardFilterType)
		v.str("shardFilter.shardId", in.ShardFilter.ShardId, specShardID)
	}
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	q, st, err := s.shardQuery(ctx, c, &in)
	if err != nil {
		return nil, err
	}
	shards := filterShards(&st, q)
	shards = shardsAfter(shards, q.after)
	limit := defaultListShards
	if in.MaxResults != nil {
		limit = min(int(*in.MaxResults), defaultListShards)
	}
	out := &listShardsOutput{}
	if len(shards) > limit {
		shards = shards[:limit]
		q.after = shards[len(shards)-1].ID
		out.NextToken = q.token()
	}
	out.Shards = toShards(shards)
	return out, nil
}

// shardQuery works out which page is asked for, from a NextToken or from
// the request's own members, and describes the stream.
func (s *service) shardQuery(ctx context.Context, c *protocol.Call, in *listShardsInput) (shardQuery, stream.Stream, error) {
	reg := region(c)
	if in.NextToken != nil {
		for _, other := range []struct {
			set  bool
			name string
		}{
			{in.StreamName != nil, "StreamName"},
			{in.StreamARN != nil, "StreamARN"},
			{in.ExclusiveStartShardId != nil, "ExclusiveStartShardId"},
			{in.StreamCreationTimestamp != nil, "StreamCreationTimestamp"},
			{in.ShardFilter != nil, "ShardFilter"},
		} {
			if other.set {
				return shardQuery{}, stream.Stream{}, invalidArgument("NextToken and %s cannot be provided together.", other.name)
			}
		}
		q, err := parseShardToken(*in.NextToken)
		if err != nil {
			return shardQuery{}, stream.Stream{}, err
		}
		if q.region != reg {
			return shardQuery{}, stream.Stream{}, invalidNextToken()
		}
		if err := s.authorize(ctx, c, s.streamARN(reg, q.name)); err != nil {
			return shardQuery{}, stream.Stream{}, err
		}
		st, err := s.e.Describe(reg, q.name)
		if err != nil {
			return shardQuery{}, stream.Stream{}, s.wireError(c, err)
		}
		if st.CreatedAt.UnixNano() != q.created {
			return shardQuery{}, stream.Stream{}, s.streamNotFound(q.name)
		}
		return q, st, nil
	}
	if in.StreamName == nil && in.StreamARN == nil {
		return shardQuery{}, stream.Stream{}, invalidArgument("Either NextToken or StreamName should be provided.")
	}
	_, name, err := s.resolve(ctx, c, in.StreamName, in.StreamARN)
	if err != nil {
		return shardQuery{}, stream.Stream{}, err
	}
	q := shardQuery{region: reg, name: name, after: deref(in.ExclusiveStartShardId)}
	if f := in.ShardFilter; f != nil {
		q.filter = *f.Type
		switch q.filter {
		case "AFTER_SHARD_ID":
			if f.ShardId == nil {
				return shardQuery{}, stream.Stream{}, invalidArgument("ShardFilter of type AFTER_SHARD_ID requires a ShardId.")
			}
			q.filterShard = *f.ShardId
		case "AT_TIMESTAMP", "FROM_TIMESTAMP":
			if f.Timestamp == nil {
				return shardQuery{}, stream.Stream{}, invalidArgument("ShardFilter of type %s requires a Timestamp.", q.filter)
			}
			q.filterTime = time.Time(*f.Timestamp).UnixNano()
		}
	}
	st, err := s.e.Describe(reg, name)
	if err != nil {
		return shardQuery{}, stream.Stream{}, s.wireError(c, err)
	}
	if in.StreamCreationTimestamp != nil && !sameInstant(time.Time(*in.StreamCreationTimestamp), st.CreatedAt) {
		return shardQuery{}, stream.Stream{}, s.streamNotFound(name)
	}
	q.created = st.CreatedAt.UnixNano()
	return q, st, nil
}

// sameInstant compares a client's timestamp with the stream's at the
// precision the client could have learnt it: milliseconds from the SDKs,
// whole seconds from a CLI user.
func sameInstant(given, actual time.Time) bool {
	if given.UnixMilli() == actual.UnixMilli() {
		return true
	}
	return given.UnixMilli()%1000 == 0 && given.Unix() == actual.Unix()
}

// filterShards applies a ShardFilter.
func filterShards(st *stream.Stream, q shardQuery) []stream.Shard {
	if q.filter == "" || q.filter == "FROM_TRIM_HORIZON" {
		return st.Shards
	}
	// closed[id] is when a shard was closed: when its children appeared.
	closed := make(map[string]time.Time)
	known := make(map[string]bool, len(st.Shards))
	for _, sh := range st.Shards {
		known[sh.ID] = true
		for _, p := range []string{sh.ParentShardID, sh.AdjacentParentShardID} {
			if p == "" {
				continue
			}
			if t, ok := closed[p]; !ok || sh.CreatedAt.Before(t) {
				closed[p] = sh.CreatedAt
			}
		}
	}
	openAt := func(sh stream.Shard, t time.Time) bool {
		end, ok := closed[sh.ID]
		return !sh.CreatedAt.After(t) && (!ok || end.After(t))
	}
	isRoot := func(sh stream.Shard) bool {
		return (sh.ParentShardID == "" || !known[sh.ParentShardID]) &&
			(sh.AdjacentParentShardID == "" || !known[sh.AdjacentParentShardID])
	}
	t := time.Unix(0, q.filterTime)
	beforeStream := t.Before(st.CreatedAt)
	var out []stream.Shard
	for _, sh := range st.Shards {
		var keep bool
		switch q.filter {
		case "AFTER_SHARD_ID":
			keep = sh.ID > q.filterShard
		case "AT_TRIM_HORIZON":
			keep = isRoot(sh)
		case "AT_LATEST":
			keep = sh.Open()
		case "AT_TIMESTAMP":
			keep = (beforeStream && isRoot(sh)) || (!beforeStream && openAt(sh, t))
		case "FROM_TIMESTAMP":
			end, ok := closed[sh.ID]
			keep = beforeStream || !ok || end.After(t)
		}
		if keep {
			out = append(out, sh)
		}
	}
	return out
}
