#pragma once
// The run store (DESIGN §3): one SQLite file per run directory recording each (seed, method)
// result as it completes, keyed by a content hash so that a rerun skips what is done and
// recomputes what changed. One process writes it; writes are serialised internally.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace oh::store {

struct MethodRecord {
  std::string key;       // resume key: hash of config, data content, method, hyperparameters, numerics
  uint32_t seed = 0;
  std::string method;
  std::string status;    // "ok", "failed:<reason>", "parse_error"
  std::vector<double> predictions;  // one per scored test row when ok
  double seconds = 0.0;
};

class RunStore {
 public:
  /// Opens or creates the store (WAL mode). Throws InputError naming the path on failure.
  explicit RunStore(const std::string& path);
  ~RunStore();
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  /// The record stored under `key`, if any.
  std::optional<MethodRecord> find(const std::string& key);
  /// Inserts or replaces a record; durable when it returns (its own transaction).
  void put(const MethodRecord& record);
  /// Number of stored records (all keys, including those of earlier configurations).
  int64_t size();

 private:
  void exec(const char* sql);
  std::string path_;
  sqlite3* db_ = nullptr;
  std::mutex mutex_;
};

}  // namespace oh::store
