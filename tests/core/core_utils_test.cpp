// Small core utilities: CSV quoting and content hashes.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/csv_writer.h"
#include "core/error.h"
#include "core/hash.h"

TEST(CsvWriter, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(oh::CsvWriter::quote("plain"), "plain");
  EXPECT_EQ(oh::CsvWriter::quote("a,b"), "\"a,b\"");
  EXPECT_EQ(oh::CsvWriter::quote("say \"hi\""), "\"say \"\"hi\"\"\"");
}

TEST(CsvWriter, WritesHeaderAndRows) {
  const std::string path = ::testing::TempDir() + "/oh_csv_test.csv";
  oh::CsvWriter csv(path, {"a", "b"});
  csv.write_row({"1", "x,y"});
  csv.close();
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), "a,b\n1,\"x,y\"\n");
}

TEST(CsvWriter, UnwritablePathIsAnInputError) {
  EXPECT_THROW(oh::CsvWriter("/nonexistent-dir/x.csv", {"a"}), oh::InputError);
}

TEST(ContentHash, IsStableAndSensitive) {
  EXPECT_EQ(oh::content_hash(""), "cbf29ce484222325");  // FNV-1a 64 offset basis
  std::string a = "key", b = "key";
  oh::append_bits(a, 0.1);
  oh::append_bits(b, 0.1);
  EXPECT_EQ(oh::content_hash(a), oh::content_hash(b));
  oh::append_bits(b, 1.0);
  EXPECT_NE(oh::content_hash(a), oh::content_hash(b));
}
