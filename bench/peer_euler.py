#!/usr/bin/env python3
"""Peer of BM_Euler (bench/field_bench.cpp): the oracle-field Euler loop in PyTorch float64 with
GEMM distances, linear schedule (alpha = 1 - t, sigma = t), N steps from t = 1 to 0.

usage: peer_euler.py DIR N M STEPS THREADS
Reads DIR/data.f64 (N x 784) and DIR/z1.f64 (M x 784), raw float64 row-major; writes DIR/z0.f64
and prints the loop's wall and process CPU time in seconds (data loading excluded)."""
import os
import sys
import time

# Equal thread counts: torch.set_num_threads does not bound the BLAS that Debian's torch calls,
# which otherwise starts a pool of its own (the loop then used 1.35 cores at THREADS = 1).
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = sys.argv[5] if len(sys.argv) > 5 else "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402


def main():
    folder, n, m, steps, threads = sys.argv[1], *map(int, sys.argv[2:6])
    torch.set_num_threads(threads)
    d = 784
    y = torch.from_numpy(np.fromfile(f"{folder}/data.f64").reshape(n, d))
    z = torch.from_numpy(np.fromfile(f"{folder}/z1.f64").reshape(m, d)).clone()
    y_sq = (y * y).sum(1)
    h = 1.0 / steps
    start, start_cpu = time.perf_counter(), time.process_time()
    for j in range(steps, 0, -1):
        t = j / steps
        alpha, sigma = 1.0 - t, t
        dist = (z * z).sum(1, keepdim=True) - 2 * alpha * (z @ y.T) + alpha * alpha * y_sq
        w = torch.softmax(-dist / (2 * sigma * sigma), dim=1)
        mean = w @ y
        b = -mean + (z - alpha * mean) / sigma  # alpha' m + (sigma'/sigma)(z - alpha m)
        z = z - h * b
    elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    z.numpy().tofile(f"{folder}/z0.f64")
    print(elapsed, elapsed_cpu)


if __name__ == "__main__":
    main()
