using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Noether.Tensors;

namespace Noether.Nn;

/// <summary>An activation applied elementwise; the per-sample shape is unchanged.</summary>
public abstract class Activation<T>(int members) : Layer<T>(members) where T : unmanaged, IFloatingPointIeee754<T>
{
    public override int[] OutputShape(int[] sampleShape) => (int[])sampleShape.Clone();

    private RangeJob? _job;
    private ElementJob? _elements;

    public override bool RunsByMember => true;

    public override void Forward(Tensor<T> x, Tensor<T> y, Compute compute)
    {
        if (!x.SameShape(y)) Shapes.RequireSameShape($"{Name}.Forward", x, y);
        if (MemberRangeJob.Worth(compute, x.Shape[0], (long)x.Stride0 * Unsafe.SizeOf<T>()))
            (_job ??= new RangeJob(this)).Run(x, y, null, null, compute.Threads);
        else if (ElementJob.Worth(compute, x.Length)) (_elements ??= new ElementJob(this)).Run(x, y, null, null, compute.Threads);
        else Apply(x.ReadOnlySpan, y.Span);
    }

    public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute)
    {
        if (dx is null) return;
        if (MemberRangeJob.Worth(compute, x.Shape[0], (long)x.Stride0 * Unsafe.SizeOf<T>()))
            (_job ??= new RangeJob(this)).Run(x, y, dy, dx, compute.Threads);
        else if (ElementJob.Worth(compute, x.Length)) (_elements ??= new ElementJob(this)).Run(x, y, dy, dx, compute.Threads);
        else Derivative(x.ReadOnlySpan, y.ReadOnlySpan, dy.ReadOnlySpan, dx.Span);
    }

    public override void ForwardMembers(Tensor<T> x, Tensor<T> y, int first, int last) => Apply(x.SliceSpan(first, last), y.SliceSpan(first, last));

    public override void BackwardMembers(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, int first, int last)
    {
        if (dx is not null) Derivative(x.SliceSpan(first, last), y.SliceSpan(first, last), dy.SliceSpan(first, last), dx.SliceSpan(first, last));
    }

    /// <summary>Forward (dy null) or backward over a range of members.</summary>
    private sealed class RangeJob(Activation<T> layer) : MemberRangeJob
    {
        private Tensor<T>? _x, _y, _dy, _dx;

        public void Run(Tensor<T> x, Tensor<T> y, Tensor<T>? dy, Tensor<T>? dx, int threads)
        {
            (_x, _y, _dy, _dx) = (x, y, dy, dx);
            try { Run(x.Shape[0], threads); }
            finally { (_x, _y, _dy, _dx) = (null, null, null, null); }
        }

        protected override void RunRange(int first, int last)
        {
            if (_dy is null) layer.ForwardMembers(_x!, _y!, first, last);
            else layer.BackwardMembers(_x!, _y!, _dy, _dx, first, last);
        }
    }

    /// <summary>
    /// Forward (dy null) or backward over contiguous element ranges, one per thread, for a population too small to split
    /// by member (a single network). Each range starts on a 64-element boundary and holds at least 64 KB, so every
    /// element goes through the same vector code as in one call over the whole tensor and gets the same value.
    /// </summary>
    private sealed class ElementJob(Activation<T> layer) : ParallelJob
    {
        private Tensor<T>? _x, _y, _dy, _dx;
        private int _parts;

        public static bool Worth(Compute compute, int length) => compute.Threads > 1 && (long)length * Unsafe.SizeOf<T>() >= 2 * 64 * 1024;

        public void Run(Tensor<T> x, Tensor<T> y, Tensor<T>? dy, Tensor<T>? dx, int threads)
        {
            (_x, _y, _dy, _dx, _parts) = (x, y, dy, dx, threads);
            try { WorkerPool.Run(this, threads, threads); }
            finally { (_x, _y, _dy, _dx) = (null, null, null, null); }
        }

        public override bool KeepsBlocksOnThreads => true;

        public override void RunPart(int part)
        {
            int n = _x!.Length;
            var (start, end) = AlignedRange(n, part, _parts);
            if (end <= start) return;
            if (_dy is null) layer.Apply(_x.ReadOnlySpan[start..end], _y!.Span[start..end]);
            else layer.Derivative(_x.ReadOnlySpan[start..end], _y!.ReadOnlySpan[start..end], _dy.ReadOnlySpan[start..end], _dx!.Span[start..end]);
        }
    }

    /// <summary>y = σ(x).</summary>
    public abstract void Apply(ReadOnlySpan<T> x, Span<T> y);

    /// <summary>dx = σ'(x) ⊙ dy (given both x and y = σ(x)).</summary>
    public abstract void Derivative(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx);
}

public sealed class Identity<T>(int members) : Activation<T>(members) where T : unmanaged, IFloatingPointIeee754<T>
{
    public override void Apply(ReadOnlySpan<T> x, Span<T> y) => x.CopyTo(y);
    public override void Derivative(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) => dy.CopyTo(dx);
}

public sealed class Tanh<T>(int members) : Activation<T>(members) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Doubles go through <see cref="DoubleTanh"/>, about four times as fast as the library's double tanh.</summary>
    public override void Apply(ReadOnlySpan<T> x, Span<T> y)
    {
        if (typeof(T) == typeof(double)) DoubleTanh.Apply(MemoryMarshal.Cast<T, double>(x), MemoryMarshal.Cast<T, double>(y));
        else TensorPrimitives.Tanh(x, y);
    }

    public override void Derivative(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx)
    {
        // σ' = 1 − y²; dx = (1 − y·y)·dy, one pass (same three roundings per element as three passes would give).
        int i = 0;
        if (Vector256.IsHardwareAccelerated && dx.Length >= Vector256<T>.Count)
        {
            ref T y0 = ref MemoryMarshal.GetReference(y), dy0 = ref MemoryMarshal.GetReference(dy), dx0 = ref MemoryMarshal.GetReference(dx);
            for (; i <= dx.Length - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                var v = Vector256.LoadUnsafe(ref y0, (nuint)i);
                ((Vector256<T>.One - v * v) * Vector256.LoadUnsafe(ref dy0, (nuint)i)).StoreUnsafe(ref dx0, (nuint)i);
            }
        }
        for (; i < dx.Length; i++) dx[i] = (T.One - y[i] * y[i]) * dy[i];
    }
}

public sealed class Sigmoid<T>(int members) : Activation<T>(members) where T : unmanaged, IFloatingPointIeee754<T>
{
    public override void Apply(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Sigmoid(x, y);

    public override void Derivative(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx)
    {
        // σ' = y(1 − y)
        TensorPrimitives.Subtract(T.One, y, dx);
        TensorPrimitives.Multiply(dx, y, dx);
        TensorPrimitives.Multiply(dx, dy, dx);
    }
}

public sealed class Relu<T>(int members) : Activation<T>(members) where T : unmanaged, IFloatingPointIeee754<T>
{
    public override void Apply(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Max(x, T.Zero, y);

    public override void Derivative(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && dx.Length >= Vector256<T>.Count)
        {
            ref T x0 = ref MemoryMarshal.GetReference(x), dy0 = ref MemoryMarshal.GetReference(dy), dx0 = ref MemoryMarshal.GetReference(dx);
            for (; i <= dx.Length - Vector256<T>.Count; i += Vector256<T>.Count)
                Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref x0, (nuint)i), Vector256<T>.Zero),
                    Vector256.LoadUnsafe(ref dy0, (nuint)i), Vector256<T>.Zero).StoreUnsafe(ref dx0, (nuint)i);
        }
        for (; i < dx.Length; i++) dx[i] = x[i] > T.Zero ? dy[i] : T.Zero;
    }
}

/// <summary>LeakyReLU: x for x &gt; 0, slope·x otherwise.</summary>
public sealed class LeakyRelu<T>(int members, double slope) : Activation<T>(members) where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _slope = T.CreateChecked(slope);
    public double Slope => slope;

    public override void Apply(ReadOnlySpan<T> x, Span<T> y) => Select(x, x, y);

    public override void Derivative(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) => Select(x, dy, dx);

    /// <summary>into[i] = x[i] &gt; 0 ? v[i] : slope·v[i].</summary>
    private void Select(ReadOnlySpan<T> x, ReadOnlySpan<T> v, Span<T> into)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && into.Length >= Vector256<T>.Count)
        {
            ref T x0 = ref MemoryMarshal.GetReference(x), v0 = ref MemoryMarshal.GetReference(v), o0 = ref MemoryMarshal.GetReference(into);
            var slope = Vector256.Create(_slope);
            for (; i <= into.Length - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                var vi = Vector256.LoadUnsafe(ref v0, (nuint)i);
                Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref x0, (nuint)i), Vector256<T>.Zero), vi, slope * vi)
                    .StoreUnsafe(ref o0, (nuint)i);
            }
        }
        for (; i < into.Length; i++) into[i] = x[i] > T.Zero ? v[i] : _slope * v[i];
    }
}

/// <summary>
/// PReLU with one learnable negative slope per channel (the first per-sample axis: a feature of
/// an MLP, a channel of an image), stored [P, channels].
/// </summary>
public sealed class PRelu<T> : Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public PRelu(int members, int channels, double initialSlope = 0.25, string name = "prelu") : base(members)
    {
        Channels = channels;
        Slope = new Parameter<T>(name + ".slope", [members, channels], ParameterRole.Other, 1, 1);
        Slope.Value.Fill(T.CreateChecked(initialSlope));
    }

    public int Channels { get; }
    public Parameter<T> Slope { get; }
    public override IReadOnlyList<Parameter<T>> Parameters => [Slope];

    public override int[] OutputShape(int[] sampleShape)
    {
        if (!(sampleShape.Length >= 1 && sampleShape[0] == Channels)) Shapes.Fail(Name, $"[{Channels},...] per sample", sampleShape);
        return (int[])sampleShape.Clone();
    }

    public override bool RunsByMember => true;

    public override void Forward(Tensor<T> x, Tensor<T> y, Compute compute) => ForwardMembers(x, y, 0, Members);

    public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute) => BackwardMembers(x, y, dy, dx, 0, Members);

    public override void ForwardMembers(Tensor<T> x, Tensor<T> y, int first, int last)
    {
        if (!x.SameShape(y)) Shapes.RequireSameShape($"{Name}.Forward", x, y);
        int b = x.Shape[1], per = x.Stride0 / Math.Max(1, b), inner = per / Channels;
        for (int p = first; p < last; p++)
        {
            var a = Slope.Value.SliceSpan(p);
            var xs = x.SliceSpan(p); var ys = y.SliceSpan(p);
            for (int i = 0; i < xs.Length; i++)
            {
                int c = i % per / inner;
                ys[i] = xs[i] > T.Zero ? xs[i] : a[c] * xs[i];
            }
        }
    }

    public override void BackwardMembers(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, int first, int last)
    {
        int b = x.Shape[1], per = x.Stride0 / Math.Max(1, b), inner = per / Channels;
        for (int p = first; p < last; p++)
        {
            var a = Slope.Value.SliceSpan(p);
            var ga = Slope.Grad.SliceSpan(p);
            ga.Clear();
            var xs = x.SliceSpan(p); var gys = dy.SliceSpan(p);
            var gxs = dx is null ? Span<T>.Empty : dx.SliceSpan(p);
            for (int i = 0; i < xs.Length; i++)
            {
                int c = i % per / inner;
                if (xs[i] > T.Zero) { if (dx is not null) gxs[i] = gys[i]; }
                else
                {
                    ga[c] += xs[i] * gys[i];
                    if (dx is not null) gxs[i] = a[c] * gys[i];
                }
            }
        }
    }
}

/// <summary>The activations a config can ask for: the <see cref="ActivationDefinition"/>s (src/Noether/Nn/ActivationDefinitions.cs).</summary>
public static class Activations
{
    /// <summary>Every accepted activation name (aliases included).</summary>
    public static IEnumerable<string> Names => Definitions<ActivationDefinition>.Names;

    public static Layer<T> Create<T>(string name, int members, int features, double leakySlope = 0.01) where T : unmanaged, IFloatingPointIeee754<T> =>
        Definitions<ActivationDefinition>.Get(name, "activation").Create<T>(members, features, leakySlope);
}
