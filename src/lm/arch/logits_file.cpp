#include "lm/arch/logits_file.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"

namespace oh::lm {

std::string npy_bytes(const LogitsMatrix& logits) {
  static_assert(sizeof(float) == 4, "npy '<f4' needs 4-byte floats");
  const uint16_t probe = 1;
  if (*reinterpret_cast<const uint8_t*>(&probe) != 1) throw std::logic_error("npy writer assumes a little-endian host");
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(logits.positions) + ", " +
                       std::to_string(logits.vocab) + "), }";
  // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64 and
  // ended by '\n', as numpy writes it, so the data starts aligned.
  const size_t preamble = 10;
  header.append((64 - (preamble + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  const size_t data_bytes = logits.values.size() * sizeof(float);
  bytes.resize(bytes.size() + data_bytes);
  std::memcpy(bytes.data() + bytes.size() - data_bytes, logits.values.data(), data_bytes);
  return bytes;
}

void write_logits(const std::string& path, const LogitsMatrix& logits) {
  const bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  if (!json) return write_file_atomically(path, npy_bytes(logits));
  nlohmann::json rows = nlohmann::json::array();
  for (int64_t p = 0; p < logits.positions; ++p) {
    const float* row = logits.values.data() + p * logits.vocab;
    rows.push_back(std::vector<float>(row, row + logits.vocab));
  }
  write_file_atomically(path, rows.dump() + "\n");
}

}  // namespace oh::lm
