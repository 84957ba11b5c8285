using System.Numerics;
using Noether.Tensors;

namespace Noether.Nn;

/// <summary>
/// Linear map through the direction of each weight row only: h_b = (v/‖v‖)·h_a, per output unit.
/// The loss is invariant to v → c·v (scale symmetry, generator A = I; docs/experiments/noise-equilibrium.md#charge-identity, the H-b model),
/// so per-sample gradients are orthogonal to v and SGD can only grow ‖v‖.
/// </summary>
public sealed class ScaleInvariantLinear<T> : Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor<T> _direction;
    private readonly T[] _norms;

    public ScaleInvariantLinear(int members, int inFeatures, int outFeatures, string name = "scale_invariant") : base(members)
    {
        In = inFeatures; Out = outFeatures;
        Weight = new Parameter<T>(name + ".weight", [members, outFeatures, inFeatures], ParameterRole.Weight, inFeatures, outFeatures);
        _direction = new Tensor<T>(members, outFeatures, inFeatures);
        _norms = new T[members * outFeatures];
    }

    public int In { get; }
    public int Out { get; }
    public Parameter<T> Weight { get; }
    public override IReadOnlyList<Parameter<T>> Parameters => [Weight];

    public override int[] OutputShape(int[] sampleShape)
    {
        if (!(sampleShape.Length == 1 && sampleShape[0] == In)) Shapes.Fail(Name, $"[{In}] per sample", sampleShape);
        return [Out];
    }

    public override void Forward(Tensor<T> x, Tensor<T> y, Compute compute)
    {
        if (x.Rank != 3 || x.Shape[0] != Members || x.Shape[2] != In) FailInput(x, [In]);
        var v = Weight.Value.ReadOnlySpan;
        var d = _direction.Span;
        for (int r = 0; r < Members * Out; r++)
        {
            var row = v.Slice(r * In, In);
            T norm = T.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(row, row));
            _norms[r] = norm;
            System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, d.Slice(r * In, In));
        }
        int b = x.Shape[1];
        Gemm.MultiplyBatched(Members, false, true, b, Out, In, x.ReadOnlySpan, b * In, _direction.ReadOnlySpan, Out * In, y.Span, b * Out, false, compute.Threads);
    }

    public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute)
    {
        int b = x.Shape[1];
        // Gradient w.r.t. the direction u, then project out u and divide by ‖v‖: ∂ℓ/∂v = (I − uuᵀ)∂ℓ/∂u / ‖v‖.
        Gemm.MultiplyBatched(Members, true, false, Out, In, b, dy.ReadOnlySpan, b * Out, x.ReadOnlySpan, b * In, Weight.Grad.Span, Out * In, false, compute.Threads);
        var g = Weight.Grad.Span;
        var u = _direction.ReadOnlySpan;
        for (int r = 0; r < Members * Out; r++)
        {
            var gr = g.Slice(r * In, In);
            var ur = u.Slice(r * In, In);
            T proj = System.Numerics.Tensors.TensorPrimitives.Dot<T>(gr, ur);
            for (int i = 0; i < In; i++) gr[i] = (gr[i] - proj * ur[i]) / _norms[r];
        }
        if (dx is not null)
            Gemm.MultiplyBatched(Members, false, false, b, In, Out, dy.ReadOnlySpan, b * Out, _direction.ReadOnlySpan, Out * In, dx.Span, b * In, false, compute.Threads);
    }
}
