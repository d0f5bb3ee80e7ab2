#include "store/run_store.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace oh::store {
namespace {

/// Finalises a prepared statement on every path out of a scope.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql, const std::string& path) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw InputError("run store " + path + ": " + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  sqlite3_stmt* get() { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

std::string column_text(sqlite3_stmt* stmt, int column) {
  const auto* text = sqlite3_column_text(stmt, column);
  return text ? reinterpret_cast<const char*>(text) : "";
}

}  // namespace

RunStore::RunStore(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw InputError("cannot open run store " + path + ": " + message);
  }
  sqlite3_busy_timeout(db_, 10000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");
  exec("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, seed INTEGER NOT NULL, method TEXT NOT NULL, "
       "status TEXT NOT NULL, predictions TEXT NOT NULL, seconds REAL NOT NULL)");
}

RunStore::~RunStore() { sqlite3_close(db_); }

void RunStore::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw InputError("run store " + path_ + ": " + message + " (" + sql + ")");
  }
}

std::optional<MethodRecord> RunStore::find(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement stmt(db_, "SELECT seed, method, status, predictions, seconds FROM results WHERE key = ?", path_);
  sqlite3_bind_text(stmt.get(), 1, key.c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) throw InputError("run store " + path_ + ": " + sqlite3_errmsg(db_));
  MethodRecord r;
  r.key = key;
  r.seed = static_cast<uint32_t>(sqlite3_column_int64(stmt.get(), 0));
  r.method = column_text(stmt.get(), 1);
  r.status = column_text(stmt.get(), 2);
  r.predictions = nlohmann::json::parse(column_text(stmt.get(), 3)).get<std::vector<double>>();
  r.seconds = sqlite3_column_double(stmt.get(), 4);
  return r;
}

void RunStore::put(const MethodRecord& r) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement stmt(db_,
                 "INSERT OR REPLACE INTO results (key, seed, method, status, predictions, seconds) "
                 "VALUES (?, ?, ?, ?, ?, ?)",
                 path_);
  const std::string predictions = nlohmann::json(r.predictions).dump();  // shortest round-trip digits
  sqlite3_bind_text(stmt.get(), 1, r.key.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(stmt.get(), 2, r.seed);
  sqlite3_bind_text(stmt.get(), 3, r.method.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt.get(), 4, r.status.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt.get(), 5, predictions.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(stmt.get(), 6, r.seconds);
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) throw InputError("run store " + path_ + ": " + sqlite3_errmsg(db_));
}

int64_t RunStore::size() {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement stmt(db_, "SELECT COUNT(*) FROM results", path_);
  sqlite3_step(stmt.get());
  return sqlite3_column_int64(stmt.get(), 0);
}

}  // namespace oh::store
