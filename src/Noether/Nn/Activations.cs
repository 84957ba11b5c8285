using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Noether.Tensors;

namespace Noether.Nn;

/// <summary>An activation applied elementwise; the per-sample shape is unchanged.</summary>
public abstract class Activation<T>(int members) : Layer<T>(members) where T : unmanaged, IFloatingPointIeee754<T>
{
    public override int[] OutputShape(int[] sampleShape) => (int[])sampleShape.Clone();

    public override void Forward(Tensor<T> x, Tensor<T> y, Compute compute)
    {
        if (!x.SameShape(y)) Shapes.RequireSameShape($"{Name}.Forward", x, y);
        Apply(x.ReadOnlySpan, y.Span);
    }

    public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute)
    {
        if (dx is null) return;
        Derivative(x.ReadOnlySpan, y.ReadOnlySpan, dy.ReadOnlySpan, dx.Span);
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
    public override void Apply(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Tanh(x, y);

    public override void Derivative(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx)
    {
        // σ' = 1 − y²; dx = dy − dy·y·y
        TensorPrimitives.Multiply(y, y, dx);
        TensorPrimitives.Subtract(T.One, dx, dx);
        TensorPrimitives.Multiply(dx, dy, dx);
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
        for (int i = 0; i < dx.Length; i++) dx[i] = x[i] > T.Zero ? dy[i] : T.Zero;
    }
}

/// <summary>LeakyReLU: x for x &gt; 0, slope·x otherwise.</summary>
public sealed class LeakyRelu<T>(int members, double slope) : Activation<T>(members) where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _slope = T.CreateChecked(slope);
    public double Slope => slope;

    public override void Apply(ReadOnlySpan<T> x, Span<T> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = x[i] > T.Zero ? x[i] : _slope * x[i];
    }

    public override void Derivative(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx)
    {
        for (int i = 0; i < dx.Length; i++) dx[i] = x[i] > T.Zero ? dy[i] : _slope * dy[i];
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

    public override void Forward(Tensor<T> x, Tensor<T> y, Compute compute)
    {
        if (!x.SameShape(y)) Shapes.RequireSameShape($"{Name}.Forward", x, y);
        int b = x.Shape[1], per = x.Stride0 / Math.Max(1, b), inner = per / Channels;
        for (int p = 0; p < Members; p++)
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

    public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute)
    {
        int b = x.Shape[1], per = x.Stride0 / Math.Max(1, b), inner = per / Channels;
        for (int p = 0; p < Members; p++)
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
