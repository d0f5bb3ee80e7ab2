#!/usr/bin/env python3
"""The `compare` sweep run entirely in Python with scikit-learn: the reference that optim-hunter's
predictions are checked against and timed against (bench/compare_vs_sklearn.py).

The protocol presets are re-implemented here from DESIGN §4.3 on top of the published generators
(tests/reference/datasets.py) and scikit-learn's estimators (tests/reference/sklearn_fit_predict.py).
Writes a CSV `seed,method,test_index,prediction,gold,status` and prints the wall time on stderr.
Run with Debian's /usr/bin/python3 (python3-sklearn 1.2.1)."""
import argparse
import csv
import multiprocessing
import os
import sys
import warnings
import time

import numpy as np

# ConvergenceWarning and friends are expected (the published runs hit max_iter too); keep stderr for errors.
warnings.filterwarnings("ignore")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "reference"))
from datasets import table  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn_fit_predict import predict  # noqa: E402

DEFAULT_FEATURES = {"friedman1": 10, "friedman2": 4, "friedman3": 4, "original1": 1, "original2": 4,
                    "original3": 4, "original4": 2, "original5": 3, "regression_ni11": 1, "regression_ni12": 2,
                    "regression_ni13": 3, "regression_ni22": 2, "regression_ni23": 3, "regression_ni33": 3}


def episode(args, seed):
    """(X_fit, y_fit, X_score, y_score, random_state) for one seed under the preset."""
    d = DEFAULT_FEATURES[args.dataset]
    head = args.dataset == "original2" and args.protocol in ("fair", "optim_hunter")
    if args.protocol == "fair":
        decimals, n_train, n_test = 3, 50, args.n_test
    elif args.protocol == "optim_hunter":
        decimals, n_train, n_test = (-1 if args.dataset == "original2" else 2), 50, 1
    else:
        decimals, n_train, n_test = 2, args.seq_len, args.n_test
        d = {"friedman1": 5, "regression_ni33": 2}.get(args.dataset, d)
    if head:
        n_train, n_test = 64, 32
    x, y, _ = table({"dataset": args.dataset, "seed": seed, "n": n_train + n_test, "n_features": d,
                     "decimals": decimals})
    if head:
        x_tr, y_tr, x_te, y_te = x[:64], y[:64], x[64:96], y[64:96]
    else:
        x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=n_test, random_state=seed)
    if args.protocol == "fair":
        return x_tr[:args.seq_len], y_tr[:args.seq_len], x_te[:args.n_test], y_te[:args.n_test], seed
    if args.protocol == "optim_hunter":
        return x_tr, y_tr, x_te, y_te, seed
    return x_tr, y_tr, x_te, y_te, 1


def run_seed(job):
    args, seed = job
    x_fit, y_fit, x_score, y_score, rs = episode(args, seed)
    rows = []
    for method in args.regressors:
        case = {"method": method, "random_state": rs, "X_train": x_fit, "y_train": y_fit, "X_test": x_score}
        try:
            pred = predict(case)
            status = "ok"
        except Exception as error:  # recorded like optim-hunter's failed:<reason>
            pred, status = [None] * len(y_score), f"failed:{type(error).__name__}"
        for i, gold in enumerate(y_score):
            rows.append([seed, method, i, "" if pred[i] is None else repr(float(pred[i])), repr(float(gold)), status])
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", default="friedman2")
    parser.add_argument("--protocol", default="fair", choices=["fair", "optim_hunter", "llm4regression"])
    parser.add_argument("--seq-len", type=int, default=25)
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--n-test", type=int, default=1)
    parser.add_argument("--regressors", required=True, help="comma-separated names")
    parser.add_argument("--jobs", type=int, default=1, help="processes over seeds")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    args.regressors = args.regressors.split(",")
    first = 1 if args.protocol == "llm4regression" else 0
    seeds = list(range(first, first + args.batches))
    start = time.perf_counter()
    jobs = [(args, s) for s in seeds]
    if args.jobs > 1:
        with multiprocessing.Pool(args.jobs) as pool:
            results = pool.map(run_seed, jobs, chunksize=1)
    else:
        results = [run_seed(j) for j in jobs]
    elapsed = time.perf_counter() - start
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["seed", "method", "test_index", "prediction", "gold", "status"])
        for rows in results:
            w.writerows(rows)
    print(f"{elapsed:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
