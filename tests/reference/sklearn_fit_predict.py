#!/usr/bin/env python3
"""Reference predictions from scikit-learn for the regressor zoo (DESIGN §4.5).

Run with Debian's interpreter (/usr/bin/python3, python3-sklearn 1.2.1). Reads a JSON list of
cases from stdin, each {"method", "random_state", "X_train", "y_train", "X_test"[, "constant"]},
and writes a JSON list of results, each {"prediction": [...]} or {"error": "..."}, to stdout.
Methods without a scikit-learn estimator (hat_matrix, gd_regression, knn_search with p < 1) are
computed here from their definitions with numpy, independently of the C++ code.
"""
import json
import random
import sys
import warnings

import numpy as np

# ConvergenceWarning and friends are expected (the published runs hit max_iter too); keep stderr for errors.
warnings.filterwarnings("ignore")
from sklearn.ensemble import (AdaBoostRegressor, BaggingRegressor, GradientBoostingRegressor,
                              RandomForestRegressor, VotingRegressor)
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import BayesianRidge, Lasso, LinearRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, SplineTransformer, StandardScaler
from sklearn.svm import SVR


def knn_v5(n):
    return KNeighborsRegressor(n_neighbors=1 if n < 3 else 3 if n < 7 else 5, weights="distance")


def mlp(layers, rs):
    return MLPRegressor(hidden_layer_sizes=layers, activation="relu", solver="lbfgs", random_state=rs)


# name -> (random_state, n_train) -> estimator
ESTIMATORS = {
    "linear_regression": lambda rs, n: LinearRegression(),
    "ridge": lambda rs, n: Ridge(random_state=rs),
    "lasso": lambda rs, n: Lasso(random_state=rs),
    "mlp_uat_1": lambda rs, n: mlp((10,), rs),
    "mlp_uat_2": lambda rs, n: mlp((100,), rs),
    "mlp_uat_3": lambda rs, n: mlp((1000,), rs),
    "mlp_deep1": lambda rs, n: mlp((10, 10), rs),
    "mlp_deep2": lambda rs, n: mlp((10, 20, 10), rs),
    "mlp_deep3": lambda rs, n: mlp((10, 20, 30, 20, 10), rs),
    "random_forest": lambda rs, n: RandomForestRegressor(max_depth=3, random_state=rs),
    "bagging": lambda rs, n: BaggingRegressor(random_state=rs),
    "gradient_boosting": lambda rs, n: GradientBoostingRegressor(random_state=rs),
    "adaboost": lambda rs, n: AdaBoostRegressor(n_estimators=100, random_state=rs),
    "voting": lambda rs, n: VotingRegressor([("lr", LinearRegression()),
                                             ("rf", RandomForestRegressor(random_state=rs)),
                                             ("svr", SVR())]),
    "bayesian_regression": lambda rs, n: make_pipeline(PolynomialFeatures(degree=10, include_bias=False),
                                                       StandardScaler(), BayesianRidge()),
    "svm": lambda rs, n: SVR(),
    "svm_w_s": lambda rs, n: make_pipeline(StandardScaler(), SVR()),
    "knn": lambda rs, n: KNeighborsRegressor(),
    "knn_v2": lambda rs, n: KNeighborsRegressor(weights="distance"),
    "knn_v3": lambda rs, n: KNeighborsRegressor(n_neighbors=3, weights="distance"),
    "knn_v4": lambda rs, n: KNeighborsRegressor(n_neighbors=1, weights="distance"),
    "knn_v5_adaptable": lambda rs, n: knn_v5(n),
    "kernel_ridge": lambda rs, n: KernelRidge(),
    "lr_with_polynomial_features": lambda rs, n: make_pipeline(PolynomialFeatures(degree=2), LinearRegression()),
    "spline": lambda rs, n: make_pipeline(SplineTransformer(n_knots=5, degree=3), LinearRegression()),
}

KNN_SEARCH = [(k, w, p) for k in [1, 2, 3, 5, 7, 9, 11] for w in ["uniform", "distance"]
              for p in [0.25, 0.5, 1, 1.5, 2]]


def brute_force_knn(X, y, Xt, k, weights, p):
    """Minkowski kNN from the definition (scikit-learn 1.2.1 rejects p < 1)."""
    if k > len(X):
        raise ValueError(f"n_neighbors={k} > n_samples={len(X)}")
    out = []
    for row in Xt:
        dist = np.sum(np.abs(X - row) ** p, axis=1) ** (1.0 / p)
        order = np.argsort(dist, kind="stable")[:k]
        if weights == "uniform":
            out.append(np.mean(y[order]))
        else:
            d = dist[order]
            if np.any(d == 0):
                w = (d == 0).astype(float)
            else:
                w = 1.0 / d
            out.append(np.sum(w * y[order]) / np.sum(w))
    return np.array(out)


def hat_matrix(X, y, Xt):
    """Least squares with intercept through H = X (X^T X)^+ X^T, applied to the test rows."""
    A = np.hstack([np.ones((len(X), 1)), X])
    At = np.hstack([np.ones((len(Xt), 1)), Xt])
    return At @ np.linalg.pinv(A.T @ A) @ A.T @ y


def gd_regression(X, y, Xt, steps=2, lr=0.01):
    """Full-batch GD on 0.5 * mean squared error with intercept, from zero."""
    w = np.zeros(X.shape[1])
    b = 0.0
    n = len(X)
    for _ in range(steps):
        r = X @ w + b - y
        w = w - lr * (X.T @ r) / n
        b = b - lr * np.sum(r) / n
    return Xt @ w + b


def predict(case):
    name = case["method"]
    rs = case.get("random_state", 0)
    X = np.asarray(case["X_train"], dtype=float)
    y = np.asarray(case["y_train"], dtype=float)
    Xt = np.asarray(case["X_test"], dtype=float)
    if name == "average":
        return np.array([np.mean(y)] * len(Xt))
    if name == "last":
        return np.array([y.tolist()[-1]] * len(Xt))
    if name == "random":
        r = random.Random(rs)
        ys = y.tolist()
        return np.array([r.choice(ys) for _ in Xt])
    if name == "constant":
        return np.array([case["constant"]] * len(Xt))
    if name == "hat_matrix":
        return hat_matrix(X, y, Xt)
    if name == "gd_regression":
        return gd_regression(X, y, Xt, case.get("steps", 2), case.get("lr", 0.01))
    if name.startswith("knn_search_"):
        k, w, p = KNN_SEARCH[int(name[len("knn_search_"):]) - 1]
        if p < 1:
            return brute_force_knn(X, y, Xt, k, w, p)
        model = KNeighborsRegressor(n_neighbors=k, weights=w, p=p)
    else:
        model = ESTIMATORS[name](rs, len(X))
    model.fit(X, y)
    return model.predict(Xt)


def main():
    results = []
    for case in json.load(sys.stdin):
        try:
            results.append({"prediction": [float(v) for v in predict(case)]})
        except Exception as error:  # a method that cannot run is a result, as in the C++ zoo
            results.append({"error": f"{type(error).__name__}: {error}"})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
