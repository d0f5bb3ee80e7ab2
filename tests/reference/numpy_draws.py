#!/usr/bin/env python3
"""Reference draws from numpy's legacy RandomState and Python's random.Random, plus np.round and
repr of floats, for tests/core (run with Debian's /usr/bin/python3). Prints one JSON document."""
import json
import random
import sys

import numpy as np

SEEDS = [0, 1, 42, 1000, 2**32 - 1]
out = {"random_state": [], "python_choice": [], "repr": [], "np_round": []}
for seed in SEEDS:
    rs = np.random.RandomState(seed)
    draws = {"seed": seed}
    draws["random_sample"] = rs.random_sample(5).tolist()
    draws["uniform"] = rs.uniform(3.0, 7.0, size=4).tolist()
    # One normal, then other draws: the cached second value must survive them.
    draws["normal_then_sample"] = [rs.standard_normal(), rs.random_sample(), rs.standard_normal(),
                                   rs.standard_normal()]
    draws["permutation"] = rs.permutation(10).tolist()
    draws["randint"] = rs.randint(0, 100, size=5).tolist()
    draws["randint_int32max"] = int(rs.randint(np.iinfo(np.int32).max))
    draws["randint_wide"] = rs.randint(0, 2**40, size=3).tolist()
    draws["choice_p"] = rs.choice(5, size=8, p=[0.1, 0.2, 0.3, 0.15, 0.25]).tolist()
    shuffled = list(range(7))
    rs.shuffle(shuffled)
    draws["shuffle"] = shuffled
    out["random_state"].append(draws)
    for n in [1, 3, 25, 100]:
        r = random.Random(seed)
        out["python_choice"].append({"seed": seed, "n": n, "picks": [r.choice(range(n)) for _ in range(6)]})

values = [0.0, -0.0, 1.0, 1144.0, 0.1, 0.3, 1e-05, 0.0001, 1.5e16, 1e16, 9999999999999998.0, 123456789.125,
          -2.5e-7, 1 / 3, 2 / 3 * 1e-4, 5e-324, 1.7976931348623157e308, 689.01, 39.68, 423.53]
out["repr"] = [[v, repr(v)] for v in values]
rng = np.random.RandomState(7)
for v in [0.125, 0.375, 2.675, 1.005, -0.5, 0.5, 1.5, 2.5, 1e-3 * 5] + rng.uniform(-1000, 1000, 20).tolist():
    for d in [0, 1, 2, 3]:
        out["np_round"].append([v, d, float(np.round(v, d))])
json.dump(out, sys.stdout)
