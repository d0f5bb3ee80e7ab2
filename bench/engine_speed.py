#!/usr/bin/env python3
"""The engine's speed on Llama prompt processing (issue 3 item 11): our F32 forward with libtorch's
float GEMMs on oneDNN (src/tensor_runtime, the default), the same binary with OH_FAST_SGEMM=0 in the
environment (every sgemm_ handed to Debian's reference BLAS, as before the interposer), and llama.cpp
(node-llama-cpp, bench/engine_llamacpp_prompt.mjs) on the same GGUF and tokens. One process per
measurement, alternated over --rounds rounds so that a drift in machine load favours nobody; each
reports the median wall time, the fastest wall time and the median process CPU time of --repeats
evaluations after a warm-up (model load outside the clock). Ratios are taken from one run.

Our forward computes the logits of every position; llama.cpp is timed both ways (last position
only, its usual prompt processing, and every position).

Usage (from the repository root, after `ninja -C build-perf bench_llama_hooks`):
    python3 bench/engine_speed.py [--build build-perf] [--model /tmp/oh_perf/llama100m.gguf]
        [--tokens 512] [--threads 2] [--rounds 3] [--repeats 3] [--reference-rounds 1]
The model is written when missing (--model-shape WIDTH BLOCKS VOCAB, default 768 12 32000 ≈ 110M
parameters: 12/4 heads, MLP 2048).
"""
import argparse
import os
import statistics
import subprocess
import sys

from llama_bench_common import ensure_model, run_json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build-perf"))
    parser.add_argument("--model", default="/tmp/oh_perf/llama100m.gguf")
    parser.add_argument("--model-shape", nargs=3, type=int, metavar=("WIDTH", "BLOCKS", "VOCAB"), default=[768, 12, 32000])
    parser.add_argument("--js-dir", default=os.path.join(ROOT, "third_party", "js"))
    parser.add_argument("--tokens", type=int, default=512)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--reference-rounds", type=int, default=1,
                        help="rounds that also time the reference-BLAS path (one evaluation each: it is slow)")
    args = parser.parse_args()

    bench = os.path.join(args.build, "bench", "bench_llama_hooks")
    base_env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), NODE_LLAMA_CPP_SKIP_DOWNLOAD="true")
    base_env.pop("OH_FAST_SGEMM", None)
    ensure_model(bench, args.model, args.model_shape)

    def ours(repeats, fast):
        env = dict(base_env) if fast else dict(base_env, OH_FAST_SGEMM="0")
        r = run_json([bench, "forward", args.model, "--tokens", str(args.tokens), "--threads", str(args.threads),
                      "--repeats", str(repeats)], env)
        return {"median_s": r["plain_s"], "fastest_s": r["plain_fastest_s"], "cpu_s": r["plain_cpu_s"]}

    def llama_cpp(all_logits):
        command = ["node", os.path.join(ROOT, "bench", "engine_llamacpp_prompt.mjs"), args.js_dir, args.model,
                   str(args.tokens), str(args.threads), str(args.repeats)] + (["all"] if all_logits else [])
        return run_json(command, base_env)

    runs = {"ours (oneDNN sgemm)": [], "ours (reference BLAS)": [], "llama.cpp (last logits)": [],
            "llama.cpp (all logits)": []}
    for round_index in range(args.rounds):
        steps = [("ours (oneDNN sgemm)", lambda: ours(args.repeats, True)),
                 ("llama.cpp (last logits)", lambda: llama_cpp(False)),
                 ("llama.cpp (all logits)", lambda: llama_cpp(True))]
        if round_index < args.reference_rounds:
            steps.append(("ours (reference BLAS)", lambda: ours(1, False)))
        if round_index % 2 == 1:
            steps.reverse()
        for name, step in steps:
            runs[name].append(step())
            r = runs[name][-1]
            print(f"round {round_index} {name}: median {r['median_s']:.3f} s, fastest {r['fastest_s']:.3f} s, "
                  f"cpu {r['cpu_s']:.3f} s", flush=True)

    summary = {name: {f: statistics.median(r[f] for r in rs) for f in ("median_s", "fastest_s", "cpu_s")}
               for name, rs in runs.items() if rs}
    print(f"\n{args.tokens}-token prompt, {args.threads} threads, {args.rounds} rounds × {args.repeats} repeats "
          f"({args.model}):")
    for name, s in summary.items():
        print(f"  {name:26s} median {s['median_s']:8.3f} s   fastest {s['fastest_s']:8.3f} s   cpu {s['cpu_s']:8.3f} s   "
              f"{args.tokens / s['median_s']:8.1f} tokens/s")
    fast = summary["ours (oneDNN sgemm)"]
    for name, s in summary.items():
        if name == "ours (oneDNN sgemm)":
            continue
        print(f"  {name} / ours (oneDNN sgemm): median {s['median_s'] / fast['median_s']:.2f}×, "
              f"fastest {s['fastest_s'] / fast['fastest_s']:.2f}×, cpu {s['cpu_s'] / fast['cpu_s']:.2f}× "
              f"(> 1: ours faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
