#!/usr/bin/env python3
"""Reference data for the CART tests, from Debian's scikit-learn 1.2.1 and numpy.

Reads a JSON list of requests from stdin and writes a JSON list of answers:
  {"kind": "tree", "X", "y", "sample_weight" (or null), "random_state", "max_depth" (or null),
   "criterion"} -> the fitted DecisionTreeRegressor's tree_ arrays;
  {"kind": "forest", "X_train", "y_train", "X_test", "random_state"} -> predictions of
   RandomForestRegressor(random_state) with its defaults (the voting ensemble's forest);
  {"kind": "argsort", "values"} -> np.argsort(values) (default kind);
  {"kind": "rand_r", "seed", "count"} -> scikit-learn's xorshift sequence, written out here in
   Python from its definition in sklearn/tree/_utils.pxd.
"""
import json
import sys

import numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.tree import DecisionTreeRegressor


def tree(request):
    model = DecisionTreeRegressor(criterion=request["criterion"], max_depth=request["max_depth"],
                                  random_state=request["random_state"])
    weight = request["sample_weight"]
    model.fit(np.asarray(request["X"], dtype=float), np.asarray(request["y"], dtype=float),
              sample_weight=None if weight is None else np.asarray(weight, dtype=float))
    t = model.tree_
    return {"children_left": t.children_left.tolist(), "children_right": t.children_right.tolist(),
            "feature": t.feature.tolist(), "threshold": t.threshold.tolist(),
            "impurity": t.impurity.tolist(), "n_node_samples": t.n_node_samples.tolist(),
            "weighted_n_node_samples": t.weighted_n_node_samples.tolist(),
            "value": t.value[:, 0, 0].tolist()}


def forest(request):
    model = RandomForestRegressor(random_state=request["random_state"])
    model.fit(np.asarray(request["X_train"], dtype=float), np.asarray(request["y_train"], dtype=float))
    return model.predict(np.asarray(request["X_test"], dtype=float)).tolist()


def rand_r(request):
    state = request["seed"] or 1
    out = []
    for _ in range(request["count"]):
        if state == 0:
            state = 1
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        out.append(state % 0x80000000)
    return out


def main():
    answers = []
    for request in json.load(sys.stdin):
        kind = request["kind"]
        if kind == "tree":
            answers.append(tree(request))
        elif kind == "forest":
            answers.append(forest(request))
        elif kind == "argsort":
            answers.append(np.argsort(np.asarray(request["values"], dtype=float)).tolist())
        elif kind == "rand_r":
            answers.append(rand_r(request))
        else:
            raise ValueError(f"unknown request kind {kind!r}")
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
