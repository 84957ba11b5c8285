using BenchmarkDotNet.Attributes;
using Noether.Learning;
using Noether.Nn;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Bench;

/// <summary>
/// The three benchmark workloads of the engine issue: (a) 32-64-64-1 tanh MLP, batch 32, MSE;
/// (b) 784-512-512-10 ReLU MLP, batch 128, softmax cross-entropy; (c) P = 32 copies of (a), each
/// with its own batch. One step = forward + loss + backward + SGD update, on a fixed batch.
/// </summary>
public sealed class StepWorkload
{
    private readonly Sequential<float> _net;
    private readonly Loss<float> _loss;
    private readonly Sgd<float> _opt;
    private readonly Tensor<float> _x, _y;
    private readonly double[] _lossValues;
    private readonly PopulationStep<float> _step;
    private readonly bool _fused, _fuseSgd;

    private StepWorkload(int members, int[] widths, string activation, int batch, bool classification, int threads, bool keepGradients)
    {
        var compute = new Compute(threads);
        _net = Mlp.Build<float>(members, widths, activation, compute: compute);
        _net.Initialize(InitScheme.TorchDefault, Enumerable.Range(0, members).Select(m => new Rng(m).Child("init")).ToArray());
        var rng = new Rng(99);
        _x = Tensor<float>.Aligned(members, batch, widths[0]);
        _y = Tensor<float>.Aligned(members, batch, widths[^1]);
        rng.FillNormal(_x.Span, 0, 1);
        if (classification)
            for (int m = 0; m < members; m++) for (int i = 0; i < batch; i++) _y[m, i, rng.NextInt(widths[^1])] = 1;
        else rng.FillNormal(_y.Span, 0, 1);
        _loss = classification ? new SoftmaxCrossEntropyLoss<float>() : new MseLoss<float>(half: false, meanOverOutputs: true);
        // Each workload stores its gradients as its PyTorch counterpart does: autograd keeps them for (a) and (b), the
        // hand-written batched step of (c) adds the products into the weights without forming them.
        // NOETHER_KEEP_GRADS=1 or 0 overrides that for every workload.
        keepGradients = Environment.GetEnvironmentVariable("NOETHER_KEEP_GRADS") switch { "1" => true, "0" => false, _ => keepGradients };
        _opt = new Sgd<float>(members, 0.01) { Threads = threads, KeepGradients = keepGradients };
        _lossValues = new double[members];
        _fuseSgd = Environment.GetEnvironmentVariable("NOETHER_FUSED_SGD") != "0";
        _step = new PopulationStep<float>(_net, _loss, _opt) { FuseSgd = _fuseSgd };
        _fused = _step.Applies(batch) && Environment.GetEnvironmentVariable("NOETHER_FUSED") != "0";
    }

    public static StepWorkload Create(string name, int threads) => name switch
    {
        "a" => new StepWorkload(1, [32, 64, 64, 1], "tanh", 32, false, threads, keepGradients: true),
        "b" => new StepWorkload(1, [784, 512, 512, 10], "relu", 128, true, threads, keepGradients: true),
        "c" => new StepWorkload(32, [32, 64, 64, 1], "tanh", 32, false, threads, keepGradients: false),
        _ => throw new ArgumentException($"workload '{name}': expected a, b or c"),
    };

    /// <summary>
    /// Bytes allocated per step by each phase, on every thread (the worker pool's included), and their sum. Each phase
    /// runs 10 times first, since the warm-up steps take other paths (the fused step) and a path's first call may size
    /// its buffers; then two windows of 100 calls, and the smaller is reported: an allocation in every call shows in
    /// both, a one-off does not. (CI once saw 61 B per call in (c)'s unfused backward with one thread, in one window;
    /// 6 local reruns and the earlier CI runs saw 0 B.)
    /// </summary>
    public (string Report, long Total) PhaseAllocations()
    {
        static long Window(Action a) { long b = GC.GetTotalAllocatedBytes(precise: true); for (int i = 0; i < 100; i++) a(); return (GC.GetTotalAllocatedBytes(precise: true) - b) / 100; }
        static long Bytes(Action a)
        {
            for (int i = 0; i < 10; i++) a();
            return Math.Min(Window(a), Window(a));
        }
        Tensor<float>? output = null;
        var f = Bytes(() => output = _net.Forward(_x));
        var grad = _net.OutputGradientBuffer(_x.Shape[1]);
        var l = Bytes(() => _loss.Evaluate(output!, _y, _lossValues, grad));
        var b = Bytes(() => _net.Backward(grad));
        var u = Bytes(() => _opt.Step(_net.Parameters));
        var bu = _fuseSgd ? Bytes(() => { _net.Backward(grad, _opt); _opt.Step(_net.Parameters, _net.SgdFusedMask); }) : 0;
        u += bu;
        if (!_fused) return ($"forward {f} B, loss {l} B, backward {b} B, update {u} B (the backward pass with SGD fused and the rest of the update: {bu} B)", f + l + b + u);
        var s = Bytes(() => _step.Run(_x, _y, _lossValues));
        return ($"forward {f} B, loss {l} B, backward {b} B, update {u} B; whole step in one hand-off {s} B", f + l + b + u + s);
    }

    /// <summary>Whether the fused weight steps store their gradients (<see cref="Optimizer{T}.KeepGradients"/>).</summary>
    public bool KeepsGradients => _opt.KeepGradients;

    public void Step()
    {
        if (_fused) { _step.Run(_x, _y, _lossValues); return; }
        var output = _net.Forward(_x);
        var grad = _net.OutputGradientBuffer(_x.Shape[1]);
        _loss.Evaluate(output, _y, _lossValues, grad);
        // As the trainer steps with no hook: plain SGD's weight steps inside the weight-gradient products.
        if (_fuseSgd) { _net.Backward(grad, _opt); _opt.Step(_net.Parameters, _net.SgdFusedMask); return; }
        _net.Backward(grad);
        _opt.Step(_net.Parameters);
    }
}

/// <summary>BenchmarkDotNet micro-benchmarks of the GEMM kernel against its scalar reference and of whole steps.</summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    [Params(64, 256)] public int N;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(1);
        _a = new float[N * N]; _b = new float[N * N]; _c = new float[N * N];
        rng.FillNormal<float>(_a, 0, 1); rng.FillNormal<float>(_b, 0, 1);
    }

    [Benchmark(Baseline = true)] public void GemmReference() => Gemm.Reference<float>(false, false, N, N, N, _a, _b, _c);
    [Benchmark] public void GemmVectorised() => Gemm.Multiply<float>(false, false, N, N, N, _a, _b, _c);
    [Benchmark] public void GemmVectorisedTransposedB() => Gemm.Multiply<float>(false, true, N, N, N, _a, _b, _c);
}

/// <summary>Bytes allocated by each phase of a step (forward, loss, backward, update), to keep the hot path allocation-free.</summary>
public static class AllocationProbe
{
    public static (string Report, long Total) Measure(string workload, int threads)
    {
        var w = StepWorkload.Create(workload, threads);
        for (int i = 0; i < 50; i++) w.Step();
        return w.PhaseAllocations();
    }
}
