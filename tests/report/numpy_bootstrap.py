"""Reference for src/report/bootstrap: the percentile bootstrap of a mean, done with numpy.

stdin: JSON list of {"values": [...], "resamples": int, "seed": int, "percents": [lo, hi]}.
stdout: JSON list of {"mean": values.mean(), "interval": [lo, hi]}.
"""
import json
import sys

import numpy as np

results = []
for case in json.load(sys.stdin):
    values = np.asarray(case["values"], dtype=np.float64)
    rng = np.random.RandomState(case["seed"])
    n = len(values)
    means = [values[rng.randint(0, n, size=n)].mean() for _ in range(case["resamples"])]
    interval = np.percentile(means, case["percents"])
    results.append({"mean": float(values.mean()), "interval": [float(x) for x in interval]})
json.dump(results, sys.stdout)
