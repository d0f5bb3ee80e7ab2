// The csv dataset: parsing, target selection and every kind of bad input (one clear error each).
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "data/dataset.h"

namespace {

std::string write_file(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << content;
  return path;
}

std::string error_of(const std::string& path, const std::string& target = "") {
  try {
    oh::data::read_csv_table(path, target, nullptr);
  } catch (const oh::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(CsvTable, ReadsFeaturesAndTarget) {
  const auto path = write_file("ok.csv", "a,price,b\n1,10,2\n3,30,4\n\"5\",50,6\n");
  std::vector<std::string> names;
  const auto t = oh::data::read_csv_table(path, "price", &names);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(t.X.rows(), 3);
  EXPECT_EQ(t.X(2, 0), 5);
  EXPECT_EQ(t.X(2, 1), 6);
  EXPECT_EQ(t.y(1), 30);
  const auto last = oh::data::read_csv_table(path, "", nullptr);
  EXPECT_EQ(last.y(0), 2);  // default target: the last column
}

TEST(CsvTable, BadInputNamesTheProblem) {
  EXPECT_NE(error_of("/nonexistent/file.csv").find("cannot read"), std::string::npos);
  EXPECT_NE(error_of(write_file("nan.csv", "a,y\n1,2\nnan,3\n")).find("non-finite"), std::string::npos);
  EXPECT_NE(error_of(write_file("inf.csv", "a,y\n1,2\n2,inf\n")).find("non-finite"), std::string::npos);
  EXPECT_NE(error_of(write_file("ragged.csv", "a,y\n1,2\n3\n")).find(":3: 1 cells"), std::string::npos);
  EXPECT_NE(error_of(write_file("text.csv", "a,y\n1,2\nx,3\n")).find("not a number: 'x'"), std::string::npos);
  EXPECT_NE(error_of(write_file("target.csv", "a,y\n1,2\n3,4\n"), "price").find("no target column named 'price'"),
            std::string::npos);
  EXPECT_NE(error_of(write_file("empty.csv", "")).find("empty file"), std::string::npos);
  EXPECT_NE(error_of(write_file("one.csv", "a,y\n1,2\n")).find("at least 2 data rows"), std::string::npos);
}
