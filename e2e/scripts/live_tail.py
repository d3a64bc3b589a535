"""Live tailing: one consumer per shard polls GetRecords from a LATEST
iterator taken before four producer threads start. Every record a producer
got acknowledged must reach the consumer exactly once and in strictly
increasing sequence order, even though records of concurrent PutRecords calls
share group commits. AT_TIMESTAMP at a record's own (millisecond)
ApproximateArrivalTimestamp must include that record. Finally the stream is
deleted under the producers' feet: they must see ResourceNotFoundException
(or ResourceInUseException while DELETING), never a 5xx."""

import threading
import time

from botocore.exceptions import ClientError

from common import check, client, create, eq, run, unique


def main():
    c = client()
    name = unique("e2e-tail")
    create(c, name, shards=2)
    shard_ids = [s["ShardId"] for s in c.list_shards(StreamName=name)["Shards"]]
    iters = {sid: c.get_shard_iterator(StreamName=name, ShardId=sid, ShardIteratorType="LATEST")["ShardIterator"]
             for sid in shard_ids}
    lock = threading.Lock()
    acked = {}
    got = {sid: [] for sid in shard_ids}
    stamps = {sid: [] for sid in shard_ids}
    problems = []
    producing = threading.Event()
    producing.set()
    consuming = threading.Event()
    consuming.set()

    def producer(pid):
        pc = client()
        n = 0
        while producing.is_set():
            batch = [{"Data": b"t%d-%d" % (pid, n + i), "PartitionKey": "p%d-%d" % (pid, (n + i) % 31)} for i in range(20)]
            n += 20
            try:
                r = pc.put_records(StreamName=name, Records=batch)
            except ClientError as e:
                with lock:
                    problems.append("producer: %s" % e)
                return
            with lock:
                for req, res in zip(batch, r["Records"]):
                    if "SequenceNumber" in res:
                        acked[req["Data"]] = (res["ShardId"], res["SequenceNumber"])

    def consumer(sid):
        cc = client()
        it = iters[sid]
        idle = 0
        while True:
            try:
                g = cc.get_records(ShardIterator=it)
            except ClientError as e:
                with lock:
                    problems.append("consumer %s: %s" % (sid, e))
                return
            got[sid].extend((r["Data"], r["SequenceNumber"]) for r in g["Records"])
            stamps[sid].extend(r["ApproximateArrivalTimestamp"] for r in g["Records"])
            it = g["NextShardIterator"]
            if not consuming.is_set():
                idle = idle + 1 if not g["Records"] else 0
                if idle >= 3:
                    return
            if not g["Records"]:
                time.sleep(0.02)

    cons = [threading.Thread(target=consumer, args=(sid,), daemon=True) for sid in shard_ids]
    prods = [threading.Thread(target=producer, args=(i,), daemon=True) for i in range(4)]
    for t in cons + prods:
        t.start()
    time.sleep(3)
    producing.clear()
    for t in prods:
        t.join(timeout=30)
    consuming.clear()
    for t in cons:
        t.join(timeout=60)
    check(not any(t.is_alive() for t in cons + prods), "threads did not finish")
    check(not problems, "errors: %r", problems[:5])
    seen = {}
    for sid, recs in got.items():
        seqs = [int(s) for _, s in recs]
        check(seqs == sorted(seqs) and len(set(seqs)) == len(seqs),
              "consumer of %s saw sequence numbers out of order or twice", sid)
        ts = stamps[sid]
        check(all(a <= b for a, b in zip(ts, ts[1:])), "ApproximateArrivalTimestamp goes backwards on %s", sid)
        for data, seq in recs:
            check(data not in seen, "record %r delivered twice", data)
            seen[data] = (sid, seq)
    missing = [d for d in acked if d not in seen]
    check(not missing, "%d acknowledged records never reached the live consumer, e.g. %r", len(missing), missing[:3])
    for d, v in acked.items():
        eq(seen[d], v, "record %r position" % d)
    check(len(acked) >= 100, "only %d records acknowledged", len(acked))
    n_acked = len(acked)

    # AT_TIMESTAMP at a record's own arrival timestamp includes it.
    sid = shard_ids[0]
    th = c.get_shard_iterator(StreamName=name, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    recs = c.get_records(ShardIterator=th, Limit=200)["Records"]
    checked = 0
    for r in recs[::20]:
        it = c.get_shard_iterator(StreamName=name, ShardId=sid, ShardIteratorType="AT_TIMESTAMP",
                                  Timestamp=r["ApproximateArrivalTimestamp"])["ShardIterator"]
        # botocore sends whole seconds, so the iterator may start up to a
        # second earlier; page until reaching the record's sequence number.
        found, start = None, None
        for _ in range(50):
            g = c.get_records(ShardIterator=it)
            if start is None and g["Records"]:
                start = g["Records"][0]
            hit = [x for x in g["Records"] if int(x["SequenceNumber"]) >= int(r["SequenceNumber"])]
            if hit:
                found = hit[0]
                break
            it = g["NextShardIterator"]
        check(found is not None and found["SequenceNumber"] == r["SequenceNumber"],
              "AT_TIMESTAMP %s skipped the record that arrived then (%s)", r["ApproximateArrivalTimestamp"], r["SequenceNumber"])
        check(start["ApproximateArrivalTimestamp"] <= r["ApproximateArrivalTimestamp"], "AT_TIMESTAMP started after the timestamp")
        checked += 1

    # Delete under the producers' feet.
    producing.set()
    prods = [threading.Thread(target=producer, args=(10 + i,), daemon=True) for i in range(2)]
    problems.clear()
    for t in prods:
        t.start()
    time.sleep(0.3)
    c.delete_stream(StreamName=name)
    c.get_waiter("stream_not_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    time.sleep(0.3)
    producing.clear()
    for t in prods:
        t.join(timeout=30)
    bad = [p for p in problems if "ResourceNotFoundException" not in p and "ResourceInUseException" not in p]
    check(not bad, "producers writing into a deleted stream got: %r", bad[:3])
    check(len(problems) == 2, "both producers should have stopped on an error after the delete: %r", problems)
    return {"acked": n_acked, "delivered": len(seen), "at_timestamp_checked": checked, "delete_errors": problems}


if __name__ == "__main__":
    run(main)
