#pragma once
// Seeded synthetic datasets of DESIGN §4.2, generated exactly as numpy/scikit-learn generate them
// so that published tables are reproduced row for row.
#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace oh::data {

using Matrix = Eigen::MatrixXd;  // rows are samples
using Vector = Eigen::VectorXd;

/// A generated table: n_samples rows of features and their target, in generation order.
struct Table {
  Matrix X;
  Vector y;
};

/// How a dataset's rows are rounded (DESIGN §4.2: "data rounding"); decimals < 0 keeps full precision.
struct GenerateOptions {
  int n_samples = 0;
  int n_features = 0;   // only for datasets whose width is a parameter (friedman1, linear)
  int decimals = -1;
};

struct DatasetSpec {
  std::string name;
  std::string formula;          // for listings and run.json
  int default_features;         // width when the preset does not override it
  /// friedman*/regression_*: y from unrounded x, then both rounded. original*: x rounded, then
  /// y = round(f(x)). The generator applies the rule that belongs to the dataset.
  std::function<Table(uint32_t seed, const GenerateOptions&)> generate;
};

/// Every synthetic dataset in listing order (`csv` is separate: it reads a file).
const std::vector<DatasetSpec>& all_datasets();

/// Looks a name up; throws InputError listing the valid names when unknown.
const DatasetSpec& find_dataset(const std::string& name);

/// Reads a user's CSV (header row; target = `target` or the last column). Throws InputError
/// naming the file, line and column on ragged rows, non-numeric, NaN or infinite cells, or a
/// missing target column.
Table read_csv_table(const std::string& path, const std::string& target, std::vector<std::string>* feature_names);

}  // namespace oh::data
