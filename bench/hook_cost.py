#!/usr/bin/env python3
"""The cost of hooks on the Llama forward pass (DESIGN §6; issue 3 items 6 and 11).

1. No-hook cost: the same random Llama-shaped F32 model (~100M parameters by default) run by two builds
   of bench_llama_hooks, one with -DOH_HOOK_POINTS=ON (points present, nothing attached) and one with
   OFF (points compiled out). The builds alternate, one process each, for --rounds rounds; each process
   reports the median of --repeats forwards after a warm-up. Reported: the ratio of the medians over
   rounds, ON/OFF (goal <= 1.02), and the median of the per-round ratios.
2. run_with_cache over every hook point against the plain forward, alternated in one process of the
   ON build (goal <= 1.3).

Usage (from the repository root; builds only the bench target in each build directory):
    python3 bench/hook_cost.py [--tokens 128] [--threads 2] [--rounds 8] [--repeats 3]

Debian's default libblas is the netlib reference implementation, an order of magnitude slower than
an optimised BLAS; the figures in the report were taken with OpenBLAS as the BLAS (the
libopenblas0-pthread package as the libblas.so.3 alternative, or its openblas-pthread directory on
LD_LIBRARY_PATH). The script prints which libblas the benchmark binary resolves.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build(directory, hook_points):
    subprocess.run(["cmake", "-S", ROOT, "-B", directory, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                    "-DOH_BUILD_TESTS=ON", "-DOH_BUILD_BENCH=ON", f"-DOH_HOOK_POINTS={'ON' if hook_points else 'OFF'}"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["ninja", "-C", directory, "bench_llama_hooks"], check=True)
    return os.path.join(directory, "bench", "bench_llama_hooks")


def run_json(command, env):
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--on-build", default=os.path.join(ROOT, "build-hook-cost-on"))
    parser.add_argument("--off-build", default=os.path.join(ROOT, "build-hook-cost-off"))
    parser.add_argument("--model", default="/tmp/oh_hook_cost/llama100m.gguf")
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    on, off = build(args.on_build, True), build(args.off_build, False)
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
    blas = [line.strip() for line in subprocess.run(["ldd", on], capture_output=True, text=True).stdout.splitlines()
            if "libblas" in line]
    print("libblas:", blas[0] if blas else "(not linked)", flush=True)
    if not os.path.exists(args.model):
        os.makedirs(os.path.dirname(args.model), exist_ok=True)
        subprocess.run([on, "write-model", args.model], check=True)

    timed = ["--tokens", str(args.tokens), "--threads", str(args.threads), "--repeats", str(args.repeats)]
    on_times, off_times = [], []
    for round_index in range(args.rounds):
        # Alternate which build goes first, so a drift in machine load favours neither.
        order = [(on, on_times), (off, off_times)] if round_index % 2 == 0 else [(off, off_times), (on, on_times)]
        for binary, times in order:
            times.append(run_json([binary, "forward", args.model] + timed, env)["plain_s"])
        print(f"round {round_index}: on {on_times[-1]:.4f} s, off {off_times[-1]:.4f} s", flush=True)
    ratio = statistics.median(on_times) / statistics.median(off_times)
    paired = statistics.median(a / b for a, b in zip(on_times, off_times))
    print(f"no-hook cost: median ON {statistics.median(on_times):.4f} s / median OFF {statistics.median(off_times):.4f} s "
          f"= {ratio:.4f} (median per-round ratio {paired:.4f}; goal <= 1.02)")

    cache = run_json([on, "cache", args.model] + timed[:-1] + [str(max(args.repeats, 2 * args.rounds))], env)
    print(f"run_with_cache (every point) {cache['cache_s']:.4f} s / plain {cache['plain_s']:.4f} s = "
          f"{cache['ratio']:.4f} (goal <= 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
