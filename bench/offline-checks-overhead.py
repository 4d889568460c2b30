#!/usr/bin/env python3
"""CPU time of `tollgate check LOCKFILE` with the default offline checks vs with every offline
check disabled (and vs only the finding-free checks), interleaved runs, medians and minima.

    bench/offline-checks-overhead.py TOLLGATE LOCKFILE ON.toml OFF.toml [NOFIND.toml] [RUNS] [FORMAT]
"""
import resource, statistics, subprocess, sys

tg, lock, on, off = sys.argv[1:5]
nofind = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] != "-" else None
runs = int(sys.argv[6]) if len(sys.argv) > 6 else 200
fmt = sys.argv[7] if len(sys.argv) > 7 else "json"

def cpu_ms(cfg):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([tg, "check", lock, "--config", cfg, "--format", fmt, "-q"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000

configs = {"on": on, "off": off}
if nofind:
    configs["checks, no findings"] = nofind
times = {k: [] for k in configs}
for _ in range(runs):
    for k, c in configs.items():
        times[k].append(cpu_ms(c))
base_med, base_min = statistics.median(times["off"]), min(times["off"])
for k, v in times.items():
    med, mn = statistics.median(v), min(v)
    print(f"{k:22s} median {med:6.2f} ms ({(med / base_med - 1) * 100:+5.1f} %)   min {mn:6.2f} ms ({(mn / base_min - 1) * 100:+5.1f} %)")
