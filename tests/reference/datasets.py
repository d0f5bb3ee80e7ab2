#!/usr/bin/env python3
"""Reference tables for tests/data: the datasets generated as the published code generates them
(scikit-learn's make_friedman1/2/3 and make_regression; the llm4regression 'original' functions
evaluated per row on numpy scalars), plus scikit-learn's train_test_split.

stdin: JSON list of {"dataset", "seed", "n", "n_features", "decimals"}; stdout: JSON list of
{"X", "y", "y_unrounded", "train_index", "test_index"} (split with test_size=1 when absent)."""
import json
import sys

import numpy as np
from scipy.special import softmax
from sklearn.datasets import make_friedman1, make_friedman2, make_friedman3, make_regression
from sklearn.model_selection import train_test_split

ORIGINAL = {
    "original1": (lambda g, n: g.uniform(size=(n, 1), low=0, high=100),
                  lambda x: x[0] + 10 * np.sin(x[0] / 100 * np.pi * 5) + 10 * np.cos(x[0] / 100 * np.pi * 6)),
    "original2": (None, lambda x: (x[0] ** 4 + (x[1] * x[2] - 2 / (np.sqrt(x[1]) * np.sqrt(x[3]))) ** 2) ** 0.75),
    "original3": (None, lambda x: np.e ** x[0] + (x[1] * x[2]) / np.sqrt(x[3]) + ((x[3] * x[0]) ** 1.5)),
    "original4": (None, lambda x: (x[1] / 10) * np.sin(x[0]) + (x[0] / 10) * np.cos(x[1])
                  + (np.sqrt(x[0]) * np.log(x[1])) / (np.sqrt(x[1]) * np.log(x[0]))),
    "original5": (None, lambda x: 100 * softmax(x / 10, axis=-1).max(axis=-1)),
}
REGRESSION = {"regression_ni11": 1, "regression_ni12": 1, "regression_ni13": 1, "regression_ni22": 2,
              "regression_ni23": 2, "regression_ni33": 3}


def original_inputs(name, g, n):
    if name == "original1":
        return g.uniform(size=(n, 1), low=0, high=100)
    if name == "original2":
        x = g.uniform(size=(n, 4))
        x[:, 0] *= 3; x[:, 1] *= 52 * np.pi; x[:, 1] += 4 * np.pi; x[:, 2] *= 2; x[:, 3] *= 10; x[:, 3] += 1
        return x
    if name == "original3":
        x = g.uniform(size=(n, 4))
        x[:, 0] *= 2; x[:, 0] += 1; x[:, 1] *= 9; x[:, 1] += 1; x[:, 2] *= 10; x[:, 3] *= 19; x[:, 3] += 1
        return x
    if name == "original4":
        x = g.uniform(size=(n, 2)); x *= 98; x += 2
        return x
    x = g.uniform(size=(n, 3)); x *= 50; x -= 25
    return x


def table(case):
    name, seed, n, d, dec = case["dataset"], case["seed"], case["n"], case["n_features"], case["decimals"]
    if name in ORIGINAL:
        x = original_inputs(name, np.random.RandomState(seed), n)
        f = ORIGINAL[name][1]
        if dec >= 0:
            x = np.round(x, dec)
        y_raw = np.array([f(p) for p in x])
        y = np.round(y_raw, dec) if dec >= 0 else y_raw
        return x, y, y_raw
    if name == "friedman1":
        x, y_raw = make_friedman1(n_samples=n, n_features=d, noise=0, random_state=seed)
    elif name == "friedman2":
        x, y_raw = make_friedman2(n_samples=n, noise=0, random_state=seed)
    elif name == "friedman3":
        x, y_raw = make_friedman3(n_samples=n, noise=0, random_state=seed)
    else:
        x, y_raw = make_regression(n_samples=n, n_features=d, n_informative=REGRESSION[name], noise=0,
                                   random_state=seed)
    if dec >= 0:
        return np.round(x, dec), np.round(y_raw, dec), y_raw
    return x, y_raw, y_raw


def main():
    out = []
    for case in json.load(sys.stdin):
        x, y, y_raw = table(case)
        idx_train, idx_test = train_test_split(np.arange(len(y)), test_size=case.get("test_size", 1),
                                               random_state=case["seed"])
        out.append({"X": x.tolist(), "y": y.tolist(), "y_unrounded": y_raw.tolist(),
                    "train_index": idx_train.tolist(), "test_index": idx_test.tolist()})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
