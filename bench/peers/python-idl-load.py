#!/usr/bin/python3
"""Peer for bench/cache-load: the OVS python IDL (python3-openvswitch, with its C JSON parser) loading one
table of a database into its replica (rows as ovs.db.data.Datum, converted to python values on access).
Prints one JSON line:
  {"seconds": wall time, connect -> initial dump applied,
   "cpu_seconds": user + system CPU time of this process over the same span,
   "rows": rows in the table,
   "rss_before_kb" / "rss_after_kb": resident set size before connecting and after the load (after a
       gc.collect(), the IDL still alive), "max_rss_kb": peak resident set size}
Usage: python-idl-load.py REMOTE SCHEMA_FILE TABLE
The timer starts after the imports and the schema file are loaded (the node side also parses its schema
before its timer starts).
"""
import gc
import json
import os
import resource
import sys
import time

import ovs.db.idl
import ovs.poller

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE_KB


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


remote, schema_file, table = sys.argv[1], sys.argv[2], sys.argv[3]
helper = ovs.db.idl.SchemaHelper(schema_file)
helper.register_table(table)
gc.collect()
rss_before = rss_kb()
c0 = cpu_seconds()
t0 = time.monotonic()
idl = ovs.db.idl.Idl(remote, helper)
seqno = idl.change_seqno
while True:
    idl.run()
    if idl.change_seqno != seqno and idl.has_ever_connected():
        break
    poller = ovs.poller.Poller()
    idl.wait(poller)
    poller.block()
seconds = time.monotonic() - t0
cpu = cpu_seconds() - c0
rows = len(idl.tables[table].rows)
gc.collect()
rss_after = rss_kb()
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "rows": rows, "rss_before_kb": rss_before,
                  "rss_after_kb": rss_after,
                  "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
idl.close()
