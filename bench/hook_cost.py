#!/usr/bin/env python3
"""The cost of hooks on the Llama forward pass (DESIGN §6; issue 3 items 6 and 11).

1. No-hook cost: the same random Llama-shaped F32 model (~100M parameters by default) run by two builds
   of bench_llama_hooks, one with -DOH_HOOK_POINTS=ON (points present, nothing attached) and one with
   OFF (points compiled out). The builds alternate, one process each, for --rounds rounds; each process
   reports the median wall time, the fastest wall time and the median process CPU time of --repeats
   forwards after a warm-up. Reported for each of the three: the ratio ON/OFF of their medians over
   rounds (goal <= 1.02). On a loaded machine wall times swing by tens of percent from run to run; the
   fastest runs and CPU times are the steadier estimates; the fastest of all runs of each build is
   printed too. --model-shape 192 4 2000 with --tokens 16 gives a small model whose forward is
   dominated by per-operation overhead, the worst case for hook points.
2. run_with_cache over every hook point against the plain forward, alternated in one process of the
   ON build (goal <= 1.3).

Usage (from the repository root; builds only the bench target in each build directory):
    python3 bench/hook_cost.py [--tokens 128] [--threads 2] [--rounds 8] [--repeats 3]

libtorch's float GEMMs run on oneDNN through src/tensor_runtime's sgemm_ interposer (Debian's libblas
is the slow netlib reference); set OH_FAST_SGEMM=0 to time them on the reference BLAS instead. Use
OMP_WAIT_POLICY=passive on a shared machine: spinning OpenMP threads make timings swing by 10x.
"""
import argparse
import os
import statistics
import subprocess
import sys

from llama_bench_common import ensure_model, run_json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build(directory, hook_points):
    subprocess.run(["cmake", "-S", ROOT, "-B", directory, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                    "-DOH_BUILD_TESTS=ON", "-DOH_BUILD_BENCH=ON", f"-DOH_HOOK_POINTS={'ON' if hook_points else 'OFF'}"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["ninja", "-C", directory, "bench_llama_hooks"], check=True)
    return os.path.join(directory, "bench", "bench_llama_hooks")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--on-build", default=os.path.join(ROOT, "build-hook-cost-on"))
    parser.add_argument("--off-build", default=os.path.join(ROOT, "build-hook-cost-off"))
    parser.add_argument("--model", default="/tmp/oh_hook_cost/llama100m.gguf")
    parser.add_argument("--model-shape", nargs=3, type=int, metavar=("WIDTH", "BLOCKS", "VOCAB"), default=[768, 12, 32000],
                        help="shape of the model written when --model does not exist (default ~100M parameters)")
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
    ensure_model(on, args.model, args.model_shape)

    timed = ["--tokens", str(args.tokens), "--threads", str(args.threads), "--repeats", str(args.repeats)]
    figures = ["plain_s", "plain_fastest_s", "plain_cpu_s"]
    on_runs, off_runs = [], []
    for round_index in range(args.rounds):
        # Alternate which build goes first, so a drift in machine load favours neither.
        order = [(on, on_runs), (off, off_runs)] if round_index % 2 == 0 else [(off, off_runs), (on, on_runs)]
        for binary, runs in order:
            runs.append(run_json([binary, "forward", args.model] + timed, env))
        print(f"round {round_index}: " + ", ".join(
            f"{f} on {on_runs[-1][f]:.4f} off {off_runs[-1][f]:.4f}" for f in figures), flush=True)
    for f in figures:
        on_median = statistics.median(r[f] for r in on_runs)
        off_median = statistics.median(r[f] for r in off_runs)
        print(f"no-hook cost, {f}: ON {on_median:.4f} / OFF {off_median:.4f} = {on_median / off_median:.4f} (goal <= 1.02)")
    on_best = min(r["plain_fastest_s"] for r in on_runs)
    off_best = min(r["plain_fastest_s"] for r in off_runs)
    print(f"no-hook cost, fastest of all runs: ON {on_best:.4f} / OFF {off_best:.4f} = {on_best / off_best:.4f} (goal <= 1.02)")

    cache = run_json([on, "cache", args.model] + timed[:-1] + [str(max(args.repeats, 2 * args.rounds))], env)
    for f in ["", "_fastest", "_cpu"]:
        print(f"run_with_cache (every point) / plain forward, {f or '_wall'}: {cache['cache' + f + '_s']:.4f} / "
              f"{cache['plain' + f + '_s']:.4f} = {cache['cache' + f + '_s'] / cache['plain' + f + '_s']:.4f} (goal <= 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
