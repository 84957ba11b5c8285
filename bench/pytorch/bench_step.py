#!/usr/bin/python3
"""Time one PyTorch training step for the Noether benchmark workloads.

A step is forward + backward + plain SGD update (no momentum, no decay).

Workloads (see issue 2, section "Benchmark"):
  a  32-64-64-1 tanh MLP, batch 32, MSE loss
  b  784-512-512-10 ReLU MLP, batch 128, softmax cross-entropy
  c  population of P=32 independent copies of (a), each with its own batch,
     MSE loss per member (the summed loss, so each member receives exactly the
     gradient it would get alone)

(a) and (b) use idiomatic eager PyTorch: nn.Sequential of nn.Linear layers,
autograd, torch.optim.SGD.

(c) has two implementations, chosen with --variant:
  manual    (default, the faster one on our machine) parameters stored as
            [P, in, out] tensors, forward with torch.baddbmm, backward written
            out by hand with torch.bmm into preallocated buffers, and the weight
            update fused into the gradient product
            (W.baddbmm_(h^T, delta, alpha=-lr)); no autograd, no allocation
            of parameter-sized temporaries in the step.
  autograd  the same batched-matmul forward over a leading member dimension,
            gradients from autograd, update with torch.optim.SGD.

Usage:
  /usr/bin/python3 bench_step.py WORKLOAD THREADS WARMUP STEPS [--variant manual|autograd]

Prints exactly one JSON line on stdout:
  {"impl":"pytorch","workload":..,"threads":..,"median_us":..,"p10_us":..,
   "p90_us":..,"peak_rss_mb":..,"torch":..,"blas":..,...}
"""

import argparse
import ctypes
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

LR = 0.01
N_BATCHES = 8  # distinct pre-generated batches, cycled through during timing
POP = 32


def blas_description():
    """Name the BLAS library torch calls, and the OpenBLAS kernel set if any."""
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        config = lib.openblas_get_config().decode()
        core = lib.openblas_get_corename().decode()
        version = config.split()[1] if config.startswith("OpenBLAS") else "?"
        threading = "openmp" if "USE_OPENMP" in config else "pthreads"
        return f"OpenBLAS {version} ({threading}, core={core})"
    except OSError:
        # Fall back to what torch reports about its build.
        for part in torch.__config__.show().replace("\n", ",").split(","):
            if "BLAS_INFO" in part:
                return part.strip()
        return "unknown"


# ---------------------------------------------------------------- (a) and (b)

def make_mlp(sizes, act):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


def setup_single(workload, gen):
    if workload == "a":
        model = make_mlp([32, 64, 64, 1], nn.Tanh)
        batch, n_in = 32, 32
        xs = [torch.randn(batch, n_in, generator=gen) for _ in range(N_BATCHES)]
        ts = [torch.randn(batch, 1, generator=gen) for _ in range(N_BATCHES)]
        loss_fn = F.mse_loss
    else:
        model = make_mlp([784, 512, 512, 10], nn.ReLU)
        batch, n_in = 128, 784
        xs = [torch.randn(batch, n_in, generator=gen) for _ in range(N_BATCHES)]
        ts = [torch.randint(0, 10, (batch,), generator=gen) for _ in range(N_BATCHES)]
        loss_fn = F.cross_entropy
    opt = torch.optim.SGD(model.parameters(), lr=LR)

    def step(i):
        x, t = xs[i % N_BATCHES], ts[i % N_BATCHES]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), t)
        loss.backward()
        opt.step()

    return step, "eager nn.Sequential + autograd + optim.SGD"


# ------------------------------------------------------------------------ (c)

def pop_params(gen, sizes):
    """PyTorch-default init, uniform(+-1/sqrt(fan_in)), for every member."""
    ws, bs = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / n_in ** 0.5
        ws.append((torch.rand(POP, n_in, n_out, generator=gen) * 2 - 1) * bound)
        bs.append((torch.rand(POP, 1, n_out, generator=gen) * 2 - 1) * bound)
    return ws, bs


def pop_data(gen, batch=32, n_in=32):
    xs = [torch.randn(POP, batch, n_in, generator=gen) for _ in range(N_BATCHES)]
    ts = [torch.randn(POP, batch, 1, generator=gen) for _ in range(N_BATCHES)]
    return xs, ts


def setup_pop_autograd(gen):
    ws, bs = pop_params(gen, [32, 64, 64, 1])
    params = []
    for w, b in zip(ws, bs):
        w.requires_grad_(True)
        b.requires_grad_(True)
        params += [w, b]
    xs, ts = pop_data(gen)
    opt = torch.optim.SGD(params, lr=LR)
    w1, w2, w3 = ws
    b1, b2, b3 = bs
    batch = xs[0].shape[1]

    def step(i):
        x, t = xs[i % N_BATCHES], ts[i % N_BATCHES]
        opt.zero_grad(set_to_none=True)
        h1 = torch.tanh(torch.baddbmm(b1, x, w1))
        h2 = torch.tanh(torch.baddbmm(b2, h1, w2))
        y = torch.baddbmm(b3, h2, w3)
        # sum over members of each member's mean squared error
        loss = (y - t).square().sum() / batch
        loss.backward()
        opt.step()

    return step, "batched matmul (torch.baddbmm, [P,in,out] params) + autograd + optim.SGD"


def setup_pop_manual(gen):
    ws, bs = pop_params(gen, [32, 64, 64, 1])
    w1, w2, w3 = ws
    b1, b2, b3 = bs
    xs, ts = pop_data(gen)
    batch = xs[0].shape[1]
    # preallocated activations and deltas
    h1 = torch.empty(POP, batch, 64)
    h2 = torch.empty(POP, batch, 64)
    y = torch.empty(POP, batch, 1)
    d3 = torch.empty(POP, batch, 1)
    d2 = torch.empty(POP, batch, 64)
    d1 = torch.empty(POP, batch, 64)
    tmp = torch.empty(POP, batch, 64)
    db3 = torch.empty(POP, 1, 1)
    db = torch.empty(POP, 1, 64)

    def step(i):
        x, t = xs[i % N_BATCHES], ts[i % N_BATCHES]
        # forward
        torch.baddbmm(b1, x, w1, out=h1)
        h1.tanh_()
        torch.baddbmm(b2, h1, w2, out=h2)
        h2.tanh_()
        torch.baddbmm(b3, h2, w3, out=y)
        # dL/dy for L_member = mean over batch of (y - t)^2
        torch.sub(y, t, out=d3)
        d3.mul_(2.0 / batch)
        # layer 3: delta into h2 (uses W3 before its update), then update W3, b3
        torch.bmm(d3, w3.transpose(1, 2), out=d2)
        w3.baddbmm_(h2.transpose(1, 2), d3, alpha=-LR)
        torch.sum(d3, dim=1, keepdim=True, out=db3)
        b3.sub_(db3, alpha=LR)
        # through tanh: d2 *= 1 - h2^2
        torch.mul(h2, h2, out=tmp)
        tmp.neg_().add_(1.0)
        d2.mul_(tmp)
        # layer 2
        torch.bmm(d2, w2.transpose(1, 2), out=d1)
        w2.baddbmm_(h1.transpose(1, 2), d2, alpha=-LR)
        torch.sum(d2, dim=1, keepdim=True, out=db)
        b2.sub_(db, alpha=LR)
        torch.mul(h1, h1, out=tmp)
        tmp.neg_().add_(1.0)
        d1.mul_(tmp)
        # layer 1 (no delta into the input needed)
        w1.baddbmm_(x.transpose(1, 2), d1, alpha=-LR)
        torch.sum(d1, dim=1, keepdim=True, out=db)
        b1.sub_(db, alpha=LR)

    return step, "batched matmul (torch.baddbmm/bmm, [P,in,out] params), manual backward, fused in-place SGD"


def check_pop_variants():
    """The manual and autograd population steps must give the same parameters."""
    results = []
    for setup in (setup_pop_manual, setup_pop_autograd):
        gen = torch.Generator().manual_seed(1)
        step, _ = setup(gen)
        for i in range(5):
            step(i)
        # parameters live in the closure; pull them out through the cells
        cells = {name: c.cell_contents for name, c in
                 zip(step.__code__.co_freevars, step.__closure__)}
        results.append([cells[k].detach().clone() for k in ("w1", "b1", "w2", "b2", "w3", "b3")])
    worst = max((a - b).abs().max().item() for a, b in zip(*results))
    return worst


# -------------------------------------------------------------------- driver

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workload", choices=["a", "b", "c"])
    ap.add_argument("threads", type=int)
    ap.add_argument("warmup", type=int)
    ap.add_argument("steps", type=int)
    ap.add_argument("--variant", choices=["manual", "autograd"], default="manual",
                    help="implementation of workload c (ignored for a and b)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--check", action="store_true",
                    help="check that both (c) variants agree, print the max difference, exit")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    if args.check:
        print(json.dumps({"check": "c manual vs autograd", "max_abs_diff": check_pop_variants()}))
        return

    gen = torch.Generator().manual_seed(args.seed)
    torch.manual_seed(args.seed)  # nn.Linear default init
    if args.workload in ("a", "b"):
        step, how = setup_single(args.workload, gen)
        variant = "eager"
    elif args.variant == "manual":
        step, how = setup_pop_manual(gen)
        variant = "manual"
    else:
        step, how = setup_pop_autograd(gen)
        variant = "autograd"

    for i in range(args.warmup):
        step(i)

    times = []
    clock = time.perf_counter_ns
    for i in range(args.warmup, args.warmup + args.steps):
        t0 = clock()
        step(i)
        times.append(clock() - t0)

    times_us = sorted(t / 1000.0 for t in times)
    n = len(times_us)
    deciles = statistics.quantiles(times_us, n=10, method="inclusive") if n >= 2 else times_us * 9
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux

    print(json.dumps({
        "impl": "pytorch",
        "workload": args.workload,
        "threads": args.threads,
        "median_us": round(statistics.median(times_us), 2),
        "p10_us": round(deciles[0], 2),
        "p90_us": round(deciles[8], 2),
        "peak_rss_mb": round(rss_kb / 1024.0, 1),
        "torch": torch.__version__,
        "blas": blas_description(),
        "variant": variant,
        "how": how,
        "torch_threads": torch.get_num_threads(),
        "warmup": args.warmup,
        "steps": args.steps,
        "openblas_coretype_env": os.environ.get("OPENBLAS_CORETYPE"),
    }))


if __name__ == "__main__":
    sys.exit(main())
