using System.Numerics;
using Noether.Tensors;

namespace Noether.Nn;

/// <summary>Changes the per-sample shape without touching values (Flatten is Reshape to one axis).</summary>
public sealed class Reshape<T>(int members, int[] sampleShape) : Layer<T>(members) where T : unmanaged, IFloatingPointIeee754<T>
{
    public int[] TargetShape { get; } = (int[])sampleShape.Clone();

    public static Reshape<T> Flatten(int members, int[] inputSampleShape) =>
        new(members, [inputSampleShape.Aggregate(1, (a, b) => a * b)]);

    public override int[] OutputShape(int[] inShape)
    {
        int a = inShape.Aggregate(1, (x, y) => x * y), b = TargetShape.Aggregate(1, (x, y) => x * y);
        if (a != b) Shapes.Fail(Name, $"{b} elements per sample (to reshape into [{string.Join(",", TargetShape)}])", inShape);
        return (int[])TargetShape.Clone();
    }

    public override void Forward(Tensor<T> x, Tensor<T> y, Compute compute)
    {
        if (x.Length != y.Length) Shapes.RequireSameLength($"{Name}.Forward", x, y);
        x.ReadOnlySpan.CopyTo(y.Span);
    }

    public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute)
    {
        if (dx is not null) dy.ReadOnlySpan.CopyTo(dx.Span);
    }
}
