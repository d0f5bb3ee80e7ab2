#!/usr/bin/env python3
"""scikit-learn's own view of an MLPRegressor(solver='lbfgs') fit, for the C++ conformance tests.

Run with Debian's interpreter (/usr/bin/python3, python3-sklearn 1.2.1). Reads a JSON list of cases
from stdin, each {"hidden", "random_state", "X_train", "y_train", "X_test", "fit"}, and writes one
JSON object per case to stdout:
  initial:    the packed start vector scikit-learn hands to scipy (coefs then intercepts),
  loss, gradient: scikit-learn's _loss_grad_lbfgs at that start,
and, when "fit" is true,
  prediction: MLPRegressor.predict(X_test); n_iter, nfev, final_loss: scipy's record of the run;
  fit_seconds: the wall time of MLPRegressor.fit (for speed comparisons).
The start is captured by wrapping scipy.optimize.minimize, which MLPRegressor._fit_lbfgs calls
with its own objective, so every number comes from scikit-learn's code, not from a re-derivation.
"""
import json
import sys
import time
import warnings

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

_real_minimize = scipy.optimize.minimize


class _StartCapture(Exception):
    """Raised by the wrapper to end a fit once the start has been recorded."""


def run_case(case):
    record = {}

    def capturing_minimize(fun, x0, args=(), **kwargs):
        loss, grad = fun(np.copy(x0), *args)
        record.update(initial=x0.tolist(), loss=float(loss), gradient=grad.tolist())
        if not case.get("fit", True):
            raise _StartCapture()
        result = _real_minimize(fun, x0, args=args, **kwargs)
        record.update(n_iter=int(result.nit), nfev=int(result.nfev), final_loss=float(result.fun))
        return result

    model = MLPRegressor(hidden_layer_sizes=tuple(case["hidden"]), activation="relu", solver="lbfgs",
                         random_state=case["random_state"])
    X = np.asarray(case["X_train"], dtype=float)
    y = np.asarray(case["y_train"], dtype=float)
    scipy.optimize.minimize = capturing_minimize
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X, y)
            record["fit_seconds"] = time.perf_counter() - start
        record["prediction"] = model.predict(np.asarray(case["X_test"], dtype=float)).tolist()
    except _StartCapture:
        pass
    finally:
        scipy.optimize.minimize = _real_minimize
    return record


def main():
    json.dump([run_case(case) for case in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
