#!/usr/bin/env python3
"""The ICL training step with libtorch's float GEMMs on oneDNN (src/tensor_runtime, the default)
against the reference BLAS (OH_FAST_SGEMM=0 in the environment: the same binary hands every
sgemm_/sgemv_ to Debian's libblas.so.3). Runs bench_icl_lsa_step (DESIGN §7's default recipe, one
step = what `icl train` does: sample, forward, loss, backward, Adam) once per setting per round,
alternating the order, and reports per setting the median of the per-process median step times,
the fastest step, and the median process CPU time (all four modes of the benchmark together).

Usage (from the repository root, after `ninja -C build-perf bench_icl_lsa_step`):
    python3 bench/engine_icl_step.py [--build build-perf] [--steps 50] [--threads 2] [--rounds 3]
On a machine shared with other work, OMP_WAIT_POLICY=passive in the environment keeps libgomp's
spinning threads from dominating the figures.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODES = ("fused_step", "ops_step")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build-perf"))
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    bench = os.path.join(args.build, "bench", "bench_icl_lsa_step")

    runs = {"oneDNN": [], "reference": []}
    for round_index in range(args.rounds):
        order = ["oneDNN", "reference"] if round_index % 2 == 0 else ["reference", "oneDNN"]
        for setting in order:
            env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
            env.pop("OH_FAST_SGEMM", None)
            if setting == "reference":
                env["OH_FAST_SGEMM"] = "0"
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            output = subprocess.run([bench, "--steps", str(args.steps), "--threads", str(args.threads)], env=env,
                                    capture_output=True, text=True, check=True).stdout
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            result = json.loads(output)
            run = {m: (result[m]["median_ms"], result[m]["fastest_ms"]) for m in MODES}
            run["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            runs[setting].append(run)
            print(f"round {round_index} {setting}: " + ", ".join(f"{m} median {run[m][0]:.2f} ms fastest {run[m][1]:.2f} ms"
                                                             for m in MODES) + f", process cpu {run['cpu_s']:.2f} s", flush=True)

    summary = {s: {**{m: statistics.median(r[m][0] for r in rs) for m in MODES},
                   **{m + "_fastest": min(r[m][1] for r in rs) for m in MODES},
                   "cpu_s": statistics.median(r["cpu_s"] for r in rs)} for s, rs in runs.items()}
    print(f"\nICL LSA training step, {args.steps} steps, {args.threads} threads, {args.rounds} rounds:")
    for s, v in summary.items():
        print(f"  {s:9s} " + ", ".join(f"{m} {v[m]:.2f} ms (fastest {v[m + '_fastest']:.2f})" for m in MODES) +
              f", process cpu {v['cpu_s']:.2f} s")
    fast, slow = summary["oneDNN"], summary["reference"]
    print("  reference / oneDNN: " + ", ".join(f"{m} {slow[m] / fast[m]:.2f}×" for m in MODES) +
          f", process cpu {slow['cpu_s'] / fast['cpu_s']:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
