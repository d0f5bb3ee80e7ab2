#!/usr/bin/env python3
"""scikit-learn 1.2.1 for the exact set where it cannot run as is (DESIGN §4.5).

Same stdin/stdout JSON as sklearn_fit_predict.py. Run with /usr/bin/python3. The one difference:
bayesian_regression is scikit-learn's own BayesianRidge, except that the p x p posterior
covariance (sigma_, 254 GiB at 184 755 columns, only used for return_std) is not formed, so the
fit on 10 features runs. Every other method is delegated to sklearn_fit_predict.py.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sklearn_fit_predict as reference  # noqa: E402
import sklearn.linear_model._bayes as bayes  # noqa: E402


class _NumpyWithoutHugeDots:
    """numpy for sklearn's _bayes module, except that a dot product with a result above 1e8
    entries (only the posterior covariance) returns an empty array."""

    def __getattr__(self, name):
        return getattr(np, name)

    @staticmethod
    def dot(a, b, *args, **kwargs):
        if np.ndim(a) == 2 and np.ndim(b) == 2 and a.shape[0] * b.shape[1] > 1e8:
            return np.empty((0, 0))
        return np.dot(a, b, *args, **kwargs)


bayes.np = _NumpyWithoutHugeDots()


def main():
    results = []
    for case in json.load(sys.stdin):
        try:
            results.append({"prediction": [float(v) for v in reference.predict(case)]})
        except Exception as error:
            results.append({"error": f"{type(error).__name__}: {error}"})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
