"""Resharding while producers write (argv[2] "quotas": the server enforces
the per-shard quotas, so some records are refused with
ProvisionedThroughputExceededException and none of those may be stored): two producer threads keep calling
PutRecords and PutRecord while the main thread splits, merges and rescales the
stream. Afterwards every shard is read from TRIM_HORIZON following lineage
(ChildShards), and every acknowledged record must be read exactly once, in
strictly increasing sequence order within its shard, on the shard whose hash
range held its key when it was written."""

import sys
import threading
import time

from common import (all_shards, check, client, create, eq, md5_hash, read_lineage, run, unique, wait_exists, Fail)


def main():
    quotas = len(sys.argv) > 2 and sys.argv[2] == "quotas"
    c = client(retries=0)
    name = unique("e2e-reshard")
    create(c, name, shards=2)
    acked = {}      # payload -> (shard, seq)
    attempted = set()
    throttled = set()
    errors = []
    stop = threading.Event()
    lock = threading.Lock()

    def producer(pid):
        pc = client(retries=0)
        n = 0
        while not stop.is_set():
            batch = []
            # With quotas on, ~1 MiB per call (250 x 4 KiB) so that even a slow
            # machine exceeds a shard's 1 MiB/s and sees throttling.
            for _ in range(250 if quotas else 25):
                payload = "p%d-%06d" % (pid, n)
                n += 1
                batch.append({"Data": payload.encode().ljust(4096, b".") if quotas else payload.encode(),
                              "PartitionKey": "k-%d-%d" % (pid, n % 97)})
            with lock:
                attempted.update(b["Data"].decode().rstrip(".") for b in batch)
            try:
                if n % 100 == 0 and not quotas:
                    b = batch[0]
                    r = pc.put_record(StreamName=name, Data=b["Data"], PartitionKey=b["PartitionKey"])
                    with lock:
                        acked[b["Data"].decode()] = (r["ShardId"], r["SequenceNumber"])
                    continue
                r = pc.put_records(StreamName=name, Records=batch)
            except Exception as e:  # noqa: BLE001 — record it; the main thread fails the run
                with lock:
                    errors.append("producer %d: %s" % (pid, e))
                time.sleep(0.05)
                continue
            with lock:
                if len(r["Records"]) != len(batch):
                    errors.append("PutRecords answered %d results for %d records" % (len(r["Records"]), len(batch)))
                    continue
                for req, got in zip(batch, r["Records"]):
                    if "SequenceNumber" in got:
                        acked[req["Data"].decode().rstrip(".")] = (got["ShardId"], got["SequenceNumber"])
                    elif quotas and got.get("ErrorCode") == "ProvisionedThroughputExceededException":
                        throttled.add(req["Data"].decode().rstrip("."))
                    else:
                        errors.append("record failed: %r" % got)

    threads = [threading.Thread(target=producer, args=(i,), daemon=True) for i in range(2)]
    for t in threads:
        t.start()
    steps = []
    try:
        time.sleep(0.5)
        c.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**126))
        wait_exists(c, name)
        steps.append("split 0")
        time.sleep(0.5)
        c.merge_shards(StreamName=name, ShardToMerge="shardId-000000000002", AdjacentShardToMerge="shardId-000000000003")
        wait_exists(c, name)
        steps.append("merge 2+3")
        time.sleep(0.5)
        c.update_shard_count(StreamName=name, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
        wait_exists(c, name)
        steps.append("scale to 4")
        time.sleep(0.5)
        c.update_shard_count(StreamName=name, TargetShardCount=3, ScalingType="UNIFORM_SCALING")
        wait_exists(c, name)
        steps.append("scale to 3")
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    check(not any(t.is_alive() for t in threads), "producer threads did not stop")
    # Errors during resharding are tolerated only if they are AWS-shaped retryable ones;
    # the records of such calls are simply not acknowledged. Anything else is a failure.
    hard = [e for e in errors if "ResourceInUseException" not in e and "LimitExceeded" not in e and
            not (quotas and "ProvisionedThroughputExceededException" in e)]
    check(not hard, "producer errors: %r", hard[:5])
    check(len(acked) >= 200, "only %d records acknowledged", len(acked))

    got, order = read_lineage(c, name)
    seen = {}
    for sid, recs in got.items():
        seqs = [int(r["SequenceNumber"]) for r in recs]
        check(seqs == sorted(seqs) and len(set(seqs)) == len(seqs), "shard %s not strictly increasing", sid)
        for r in recs:
            p = r["Data"].decode().rstrip(".")
            check(p not in seen, "record %s read twice (%s and %s)", p, seen.get(p), sid)
            seen[p] = (sid, r["SequenceNumber"])
    # Per partition key, records come out in the order they were written,
    # across the lineage too (parents are read before their children and each
    # producer thread writes one call at a time).
    last_n = {}
    for sid in order:
        for r in got[sid]:
            pid, n = r["Data"].decode().rstrip(".")[1:].split("-")
            k = r["PartitionKey"]
            check(int(n) > last_n.get(k, -1), "key %s: record %s read after %s (shard %s)", k, n, last_n.get(k), sid)
            last_n[k] = int(n)
    missing = [p for p in acked if p not in seen]
    check(not missing, "%d acknowledged records never read, e.g. %r", len(missing), missing[:5])
    for p, (sid, seq) in acked.items():
        check(seen[p] == (sid, seq), "record %s acknowledged as %r, read as %r", p, (sid, seq), seen[p])
    extra = [p for p in seen if p not in acked]
    stored_refused = [p for p in extra if p in throttled]
    check(not stored_refused, "%d records refused with ProvisionedThroughputExceededException were stored, e.g. %r",
          len(stored_refused), stored_refused[:3])
    if quotas:
        check(throttled, "quotas on, yet no record was throttled")
    check(all(p in attempted for p in extra), "records read that nobody wrote: %r", [p for p in extra if p not in attempted][:5])
    # Sequence numbers are unique across the stream too.
    allseq = [v[1] for v in seen.values()]
    eq(len(set(allseq)), len(allseq), "unique sequence numbers in the stream")
    c.delete_stream(StreamName=name)
    return {"acked": len(acked), "read": len(seen), "unacked_but_read": len(extra), "shards": len(order),
            "lineage_order": order, "steps": steps, "soft_errors": len(errors),
            "throttled": len(throttled)}


if __name__ == "__main__":
    run(main)
