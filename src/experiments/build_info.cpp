#include "experiments/build_info.h"

#include <libsvm/svm.h>
#include <sqlite3.h>

#include <Eigen/Core>
#include <string>

#ifndef OH_VERSION
#define OH_VERSION "unknown"
#endif
#ifndef OH_GIT_COMMIT
#define OH_GIT_COMMIT "unknown"
#endif

namespace oh::experiments {

nlohmann::json build_info() {
  return {{"optim_hunter", OH_VERSION},
          {"git_commit", OH_GIT_COMMIT},
          {"compiler", std::string("gcc ") + __VERSION__},
          {"eigen", std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                        std::to_string(EIGEN_MINOR_VERSION)},
          {"libsvm", libsvm_version},
          {"sqlite", sqlite3_libversion()}};
}

}  // namespace oh::experiments
