#!/usr/bin/env python3
"""Runs one `compare` sweep in optim-hunter and the same sweep in scikit-learn (bench/sklearn_compare.py),
in one run, and reports (1) agreement per method by its DESIGN §4.5 class and (2) wall-time ratios.

  /usr/bin/python3 bench/compare_vs_sklearn.py --bin build/apps/optim-hunter/optim-hunter \
      --dataset friedman2 --protocol optim_hunter --batches 100 --regressors all [--threads 1,2] [--sklearn-jobs 1,2]

Agreement: exact/brute-force/trees: every prediction within 1e-9·max(1,|ref|) and the same status;
mlp: the fraction of seeds matching to 1e-6, and the median per-seed squared-error ratio
(ours/scikit-learn) within [0.5, 2]. Exit status 1 if any method misses its criterion."""
import argparse
import collections
import csv
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def read_predictions(path):
    table = collections.defaultdict(dict)  # method -> seed -> (status, [(pred, gold)])
    with (gzip.open(path, "rt") if path.endswith(".gz") else open(path)) as f:
        for row in csv.DictReader(f):
            entry = table[row["method"]].setdefault(int(row["seed"]), [row["status"], []])
            pred = float(row["prediction"]) if row["prediction"] else None
            entry[1].append((pred, float(row["gold"])))
    return table


def seed_mse(pairs):
    return sum((p - g) ** 2 for p, g in pairs) / len(pairs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--dataset", default="friedman2")
    parser.add_argument("--protocol", default="optim_hunter")
    parser.add_argument("--seq-len", type=int, default=25)
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--n-test", type=int, default=1)
    parser.add_argument("--regressors", default="all")
    parser.add_argument("--threads", default="1,2", help="optim-hunter thread counts to time")
    parser.add_argument("--sklearn-jobs", default="1", help="scikit-learn process counts to time")
    parser.add_argument("--exclude-class", default="", help="agreement classes to leave out, e.g. mlp")
    parser.add_argument("--reference", help="a stored scikit-learn results CSV (a fixture made by "
                        "scripts/make_reference_fixtures.sh, plain or .gz) instead of a live run")
    args = parser.parse_args()

    specs = json.loads(subprocess.check_output([args.bin, "regressors", "--json"]))
    agreement = {s["name"]: s["agreement"] for s in specs}
    names = [s["name"] for s in specs if s["in_all"]] if args.regressors == "all" else args.regressors.split(",")
    names = [n for n in names if agreement[n] not in args.exclude_class.split(",")]
    common = ["--dataset", args.dataset, "--protocol", args.protocol, "--seq-len", str(args.seq_len),
              "--batches", str(args.batches), "--n-test", str(args.n_test)]
    work = tempfile.mkdtemp(prefix="oh_bench_")
    timings = {}
    ours_csv = None
    for threads in args.threads.split(","):
        out = os.path.join(work, f"ours_t{threads}")
        start = time.perf_counter()
        subprocess.check_call([args.bin, "compare", *common, "--regressors", ",".join(names), "--threads", threads,
                               "--out", out], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        timings[f"optim-hunter, {threads} thread(s)"] = time.perf_counter() - start
        ours_csv = os.path.join(out, "results.csv")
    ref_csv = args.reference
    for jobs in [] if args.reference else args.sklearn_jobs.split(","):
        ref_csv = os.path.join(work, f"sklearn_j{jobs}.csv")
        start = time.perf_counter()
        subprocess.check_call(["/usr/bin/python3", os.path.join(HERE, "sklearn_compare.py"), *common,
                               "--regressors", ",".join(names), "--jobs", jobs, "--out", ref_csv],
                              stderr=subprocess.DEVNULL)
        timings[f"scikit-learn, {jobs} process(es)"] = time.perf_counter() - start

    ours, ref = read_predictions(ours_csv), read_predictions(ref_csv)
    failures = 0
    print(f"{'method':<28} {'class':<12} {'seeds':>5} {'match':>7} {'max rel diff':>13}  note")
    for name in names:
        cls = agreement[name]
        seeds = sorted(ref[name])
        if not seeds or set(seeds) != set(ours[name]):
            print(f"{name:<28} {cls:<12} seeds differ between the runs: reference {len(seeds)}, ours {len(ours[name])}")
            failures += 1
            continue
        matched, max_rel, ratios, status_mismatch, no_reference = 0, 0.0, [], 0, 0
        tol = 1e-6 if cls == "mlp" else 1e-9
        for s in seeds:
            (st_o, pairs_o), (st_r, pairs_r) = ours[name][s], ref[name][s]
            if st_r == "failed:MemoryError" and st_o == "ok":
                # scikit-learn 1.2.1's BayesianRidge builds an n_features² covariance it never uses
                # (254 GiB on 184 755 polynomial columns): there is nothing to compare with.
                no_reference += 1
                continue
            if (st_o == "ok") != (st_r == "ok"):
                status_mismatch += 1
                continue
            if st_o != "ok":
                matched += 1
                continue
            rel = max(abs(po - pr) / max(1.0, abs(pr)) for (po, _), (pr, _) in zip(pairs_o, pairs_r))
            max_rel = max(max_rel, rel)
            matched += rel <= tol
            mse_r = seed_mse(pairs_r)
            if mse_r > 0:
                ratios.append(seed_mse(pairs_o) / mse_r)
        note = f"{status_mismatch} status mismatches " if status_mismatch else ""
        note += f"{no_reference} seeds without a reference (MemoryError) " if no_reference else ""
        seeds = [s for s in seeds if not (ref[name][s][0] == "failed:MemoryError" and ours[name][s][0] == "ok")]
        if cls == "mlp":
            median_ratio = statistics.median(ratios) if ratios else float("nan")
            ok = status_mismatch == 0 and 0.5 <= median_ratio <= 2.0
            note += f" median SE ratio {median_ratio:.3f} (criterion [0.5, 2])"
        else:
            ok = matched == len(seeds) and status_mismatch == 0
        failures += not ok
        print(f"{name:<28} {cls:<12} {len(seeds):>5} {matched / max(1, len(seeds)):>7.1%} {max_rel:>13.3e}  "
              f"{'' if ok else 'MISSES CRITERION '}{note}")
    print("\nworkload: compare " + " ".join(common) + f" --regressors {args.regressors} ({len(names)} methods)")
    sklearn_times = [v for k, v in timings.items() if k.startswith("scikit-learn")]
    for k, v in timings.items():
        ratio = f"   {min(sklearn_times) / v:7.1f}x vs fastest scikit-learn" if sklearn_times else ""
        print(f"{k:<32} {v:9.2f} s{ratio}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
