#!/usr/bin/env python3
"""Train a small denoiser on n Fashion-MNIST images and export it for `siverify verify --model`.

    /usr/bin/python3 examples/export_model.py --n 100 --steps 2000 --out net.pt --data train100.npy
    build/siverify verify --data train100.npy --model net.pt --model-output denoiser --out diag

The training set is the first n images of Debian's dataset-fashion-mnist training file, scaled to
[0, 1] (siverify's --scale auto), written to --data as float64 NPY so that siverify reads exactly
the points the network saw. The network m(x, t) predicts E[x_data | x_t] on siverify's linear
schedule (data at t = 0: x_t = (1 - t) x_data + t z) and is trained on the interpolant loss
kappa(t)^2 |m(x_t, t) - x_data|^2 with kappa = -1/t (= |b(x_t, t) - x_t'|^2 for the velocity built
from m), t log-uniform on [t_min, 1]. Needs python3-torch and python3-numpy (Debian), CPU only.
"""
import argparse
import gzip
import math

import numpy as np
import torch

FASHION = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"


def load_images(n):
    with gzip.open(FASHION, "rb") as f:
        raw = f.read()
    count = int.from_bytes(raw[4:8], "big")
    rows, cols = int.from_bytes(raw[8:12], "big"), int.from_bytes(raw[12:16], "big")
    images = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, rows * cols)
    return images[:n].astype(np.float64) / 255.0


class Denoiser(torch.nn.Module):
    def __init__(self, d, width, t_min):
        super().__init__()
        self.t_min = t_min
        self.register_buffer("frequencies", torch.arange(1, 5, dtype=torch.float32))
        self.net = torch.nn.Sequential(
            torch.nn.Linear(d + 2 + 8, width), torch.nn.SiLU(),
            torch.nn.Linear(width, width), torch.nn.SiLU(),
            torch.nn.Linear(width, d))

    def forward(self, x, t):
        tau = torch.clamp(t, min=self.t_min).unsqueeze(1)
        angles = math.pi * tau * self.frequencies
        features = torch.cat([x, tau, torch.log(tau), torch.sin(angles), torch.cos(angles)], 1)
        return self.net(features)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--t-min", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="net.pt")
    p.add_argument("--data", default="train100.npy")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(1)
    y64 = load_images(a.n)
    np.save(a.data, y64)
    y = torch.tensor(y64, dtype=torch.float32)
    model = Denoiser(y.shape[1], a.width, a.t_min)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    log_range = math.log(1 / a.t_min)
    for step in range(a.steps):
        t = a.t_min * torch.exp(log_range * torch.rand(a.batch))
        k = torch.randint(0, a.n, (a.batch,))
        x = (1 - t).unsqueeze(1) * y[k] + t.unsqueeze(1) * torch.randn(a.batch, y.shape[1])
        weight = (1 / t) ** 2 * t * log_range  # kappa^2, times the log-uniform density's inverse
        loss = (weight * ((model(x, t) - y[k]) ** 2).sum(1)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % max(1, a.steps // 10) == 0:
            print(f"step {step}: loss {loss.item():.4g}")
    torch.jit.script(model.eval()).save(a.out)
    print(f"wrote {a.out} and {a.data} (n = {a.n}, d = {y.shape[1]})")


if __name__ == "__main__":
    main()
