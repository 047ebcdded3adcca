"""Stand-in child-process targets for the harness's crash-containment tests (``fp8blk.bench.contained``)."""
import json
import os
import time


def worker(units, journal, options):
    """Writes a record per unit (then waits options["pause_s"]); on the unit named in options["crash"] it kills its
    own process mid-unit, on options["hang"] it stops answering."""
    with open(journal, "a") as out:
        for unit in units:
            out.write(json.dumps({"start": list(unit)}) + "\n")
            out.flush()
            if list(unit) == options.get("crash"):
                os._exit(3)  # as a CUDA fault would: no clean-up, no record
            if list(unit) == options.get("hang"):
                time.sleep(60)
            n, k, m, impl = unit
            out.write(json.dumps({"N": n, "K": k, "M": m, "impl": impl, "median_us": float(m), "rel_err": 1e-3,
                                  "pid": os.getpid()}) + "\n")
            out.flush()
            time.sleep(options.get("pause_s", 0))  # a slow unit: the parent sees the records before the child ends
