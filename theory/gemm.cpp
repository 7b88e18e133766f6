#include "theory/gemm.hpp"

#include <cblas.h>

#include <mutex>
#include <stdexcept>

namespace siv {
namespace {

// OpenBLAS would otherwise start its own thread pool inside every call of every worker.
void single_threaded() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

blasint extent(Eigen::Index v) { return static_cast<blasint>(v); }

}  // namespace

void gemm_tn(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& x,
             Eigen::Ref<Eigen::MatrixXd> c) {
  if (a.rows() != x.rows() || c.rows() != a.cols() || c.cols() != x.cols())
    throw std::invalid_argument("gemm_tn: shapes do not match");
  single_threaded();
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, extent(a.cols()), extent(x.cols()), extent(a.rows()),
              1.0, a.data(), extent(a.outerStride()), x.data(), extent(x.outerStride()), 0.0, c.data(),
              extent(c.outerStride()));
}

void gemm_nn(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& w,
             Eigen::Ref<Eigen::MatrixXd> c) {
  if (a.cols() != w.rows() || c.rows() != a.rows() || c.cols() != w.cols())
    throw std::invalid_argument("gemm_nn: shapes do not match");
  single_threaded();
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, extent(a.rows()), extent(w.cols()), extent(a.cols()),
              1.0, a.data(), extent(a.outerStride()), w.data(), extent(w.outerStride()), 0.0, c.data(),
              extent(c.outerStride()));
}

}  // namespace siv
