// The two matrix products of the batched field, on the optimised BLAS (OpenBLAS, one thread per
// call: the caller's threads split the batch).
#pragma once

#include <Eigen/Dense>

namespace siv {

// c (n x b) = a^T (n x d) x (d x b), a given as d x n.
void gemm_tn(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& x,
             Eigen::Ref<Eigen::MatrixXd> c);
// c (d x b) = a (d x n) w (n x b).
void gemm_nn(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& w,
             Eigen::Ref<Eigen::MatrixXd> c);

}  // namespace siv
