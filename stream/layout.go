package stream

// On-disk layout under Config.Dir. It must not change silently: bump
// metaVersion and keep reading the previous version when it does.
//
//	<Dir>/iterator.key                   32 random bytes (0600): the HMAC key of
//	                                     shard iterators, so tokens survive restarts
//	<Dir>/regions/<region>/streams/<id>/ one stream incarnation; <id> is 32 hex
//	                                     digits chosen at CreateStream, never reused
//	    meta.json                        the stream's metadata (streamMeta, JSON,
//	                                     "version": 1), replaced atomically: written
//	                                     to meta.json.tmp, fsynced, renamed, and the
//	                                     directory fsynced
//	    shards/shardId-000000000000/     that shard's shardlog directory
//	<Dir>/regions/<region>/trash/<id>/   a deleted incarnation, removed in the
//	                                     background and again at Open
//
// <region> is the region name when it matches [a-z0-9-]{1,64}, otherwise
// "x-" followed by its hex encoding, so no region string can escape Dir.
//
// Crash rules:
//   - CreateStream makes the shard logs first and writes meta.json last; a
//     stream directory without meta.json is an unfinished create and Open
//     removes it.
//   - Resharding creates the children's logs, then writes meta.json with the
//     parents closed and the children added. A shard directory that meta.json
//     does not name is an unfinished reshard (or a finished expiry) and Open
//     removes it.
//   - DeleteStream renames the stream directory into trash/ (atomic, then the
//     parent directory is fsynced): from then on the stream is gone, whatever
//     happens to the removal of its files.

const (
	metaVersion  = 1
	metaFile     = "meta.json"
	keyFile      = "iterator.key"
	regionsDir   = "regions"
	streamsDir   = "streams"
	trashDir     = "trash"
	shardsSubdir = "shards"
)
