#!/usr/bin/env python3
"""One LSA training step of DESIGN §7's default recipe: ours (fused readout and op by op, from
bench_icl_lsa_step) against the same model in Python PyTorch eager, in one run (issue 4, item 11).

The Python step replays the C++ one exactly: the same seeds (derive_seed ported below), the same
torch generator draws for the initial weights and every batch, the same ops (q, k, v, scores, z,
projection as LsaModel's op-by-op path), Adam with the recipe's settings. So the per-step losses are
comparable across the languages, and the script reports their largest relative difference.

usage: icl_lsa_step.py BENCH_BINARY [--threads T] [--steps S] [--rounds R]
"""
import argparse
import json
import statistics
import subprocess
import time

import torch

MASK = (1 << 64) - 1


def derive_seed(seed, stream):
    """src/icl/linear_tasks.cpp's splitmix64 of (seed, stream)."""
    z = (seed * 0x9E3779B97F4A7C15 + (stream + 1) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def generator(seed):
    g = torch.Generator()
    g.manual_seed(seed)
    return g


# TrainConfig's defaults (src/icl/train_config.h).
D_IN, N, BATCH, SEED = 10, 10, 2048, 0
INIT_STD, LR, BETAS, EPS = 0.0135, 1e-3, (0.9, 0.98), 1e-8
D = D_IN + 1


def sample_tokens(step):
    """sample_linear_tasks + make_tokens for training step `step`."""
    g = generator(derive_seed(SEED, step + 1))
    w = torch.normal(0.0, 1.0, (BATCH, 1, D_IN), generator=g)
    inputs = torch.empty(BATCH, N + 1, D_IN).uniform_(-0.5, 0.5, generator=g)
    labels = torch.matmul(inputs, w.transpose(1, 2))
    x, y = inputs[:, :N], labels[:, :N]
    x_test, y_test = inputs[:, N], labels[:, N, 0]
    query = torch.cat([x_test, torch.zeros_like(x_test[:, :1])], 1).unsqueeze(1)
    return torch.cat([torch.cat([x, y], 2), query], 1), y_test


def lsa_forward(e, wq, wk, wv, wp):
    """LsaModel's op-by-op path, 1 layer and 1 head of width D."""
    b, p, n = e.shape[0], e.shape[1], e.shape[1] - 1
    context = e[:, :n]
    q = torch.matmul(e, wq.reshape(D, -1).t()).view(b, p, 1, D)
    k = torch.matmul(context, wk.reshape(D, -1).t()).view(b, n, 1, D)
    v = torch.matmul(context, wv.reshape(D, -1).t()).view(b, n, 1, D)
    scores = torch.matmul(q.permute(0, 2, 1, 3), k.permute(0, 2, 3, 1))
    z = torch.matmul(scores, v.permute(0, 2, 1, 3)).permute(0, 2, 1, 3)
    e = e + torch.matmul(z.reshape(b, p, D), wp.t())
    return -e[:, p - 1, D - 1]


def python_eager(steps, presampled):
    g = generator(derive_seed(SEED, 0))
    params = [torch.normal(0.0, INIT_STD, s, generator=g) for s in [(1, D, D)] * 3 + [(D, D)]]
    for t in params:
        t.requires_grad_(True)
    adam = torch.optim.Adam(params, lr=LR, betas=BETAS, eps=EPS)
    batches = [sample_tokens(s) for s in range(steps)] if presampled else None
    times, losses = [], []
    for s in range(steps):
        start = time.perf_counter()
        tokens, y_test = batches[s] if presampled else sample_tokens(s)
        loss = 0.5 * (lsa_forward(tokens, *params) - y_test).pow(2).mean()
        adam.zero_grad()
        loss.backward()
        adam.step()
        times.append((time.perf_counter() - start) * 1e3)
        losses.append(loss.item())
    return {"median_ms": statistics.median(times), "fastest_ms": min(times), "losses": losses}


def worst_relative(a, b):
    return max(abs(x - y) / abs(y) for x, y in zip(a, b))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bench_binary")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="alternate C++ and Python this many times; medians over rounds")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    rounds = {}
    for _ in range(args.rounds):
        ours = json.loads(subprocess.run([args.bench_binary, "--threads", str(args.threads), "--steps", str(args.steps)],
                                         check=True, capture_output=True, text=True).stdout)
        for presampled, suffix in ((False, "_step"), (True, "_model_only")):
            python = python_eager(args.steps, presampled)
            for name, result in (("fused", ours["fused" + suffix]), ("ops", ours["ops" + suffix]), ("python", python)):
                rounds.setdefault(name + suffix, []).append(result)

    print(f"torch (python) {torch.__version__}; threads {args.threads}; batch {BATCH}; {args.steps} steps x {args.rounds} rounds")
    print(f"{'mode':24s} {'median ms':>10s} {'fastest ms':>11s} {'python/this':>12s} {'worst rel. loss diff vs python':>31s}")
    for suffix, label in (("_step", "full step"), ("_model_only", "model only (presampled)")):
        med = {name: statistics.median(r["median_ms"] for r in rounds[name + suffix]) for name in ("fused", "ops", "python")}
        fast = {name: min(r["fastest_ms"] for r in rounds[name + suffix]) for name in ("fused", "ops", "python")}
        python_losses = rounds["python" + suffix][0]["losses"]
        for name in ("fused", "ops", "python"):
            diff = worst_relative(rounds[name + suffix][0]["losses"], python_losses)
            print(f"{label + ' ' + name:24s} {med[name]:10.3f} {fast[name]:11.3f} {med['python'] / med[name]:12.2f} {diff:31.3g}")


if __name__ == "__main__":
    main()
