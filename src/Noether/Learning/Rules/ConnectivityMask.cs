using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>
/// Sparse, fixed connectivity (bio.md §2.6 B-E4): each kept connection is drawn once with probability
/// <see cref="Density"/>. The feedback mask applies to every layer's feedback matrix (so it must come after
/// the routing rule in the stack); the forward mask, when asked, to the weights of every hidden dense layer
/// (all but the output layer). Masked entries are zero at the start and stay zero: feedback is re-masked
/// before use and after updates, forward gradients are masked before the optimiser step.
/// </summary>
public sealed class ConnectivityMask<T> : LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly (Linear<T> Layer, Tensor<T> Mask)[] _feedback;
    private readonly (Linear<T> Layer, Tensor<T> Mask)[] _forward;

    public ConnectivityMask(Sequential<T> network, MemberStreams streams, double density, bool maskFeedback = true, bool maskForward = false)
    {
        if (!(density > 0 && density <= 1)) throw new ArgumentOutOfRangeException(nameof(density), $"ConnectivityMask: density must be in (0, 1], got {density}");
        Density = density;
        var linears = network.Linears.ToArray();
        _feedback = maskFeedback
            ? linears.Where(l => l.Feedback is not null).Select(l => (l, Draw(l, streams, "rule.mask.feedback." + l.LayerName))).ToArray()
            : [];
        if (maskFeedback && _feedback.Length == 0)
            throw new ArgumentException("ConnectivityMask: no layer has a feedback matrix to mask; put the mask after a feedback rule (fa, sign, kp, dendritic)");
        _forward = maskForward
            ? linears[..^1].Select(l => (l, Draw(l, streams, "rule.mask.forward." + l.LayerName))).ToArray()
            : [];
        MaskFeedback();
        foreach (var (l, m) in _forward) Multiply(l.Weight.Value, m);
    }

    public override string Name => "mask";
    public double Density { get; }

    public override void BeforeForward(RuleStep<T> step) => MaskFeedback();

    public override void BeforeStep(RuleStep<T> step)
    {
        foreach (var (l, m) in _forward) Multiply(l.Weight.Grad, m);
    }

    public override void AfterUpdate(RuleStep<T> step)
    {
        MaskFeedback();
        foreach (var (l, m) in _forward) Multiply(l.Weight.Value, m);
    }

    private void MaskFeedback()
    {
        foreach (var (l, m) in _feedback) Multiply(l.Feedback!, m);
    }

    private Tensor<T> Draw(Linear<T> layer, MemberStreams streams, string name)
    {
        var m = new Tensor<T>(layer.Weight.Value.Shape);
        for (int p = 0; p < layer.Members; p++)
        {
            var rng = streams(p, name);
            var s = m.SliceSpan(p);
            for (int i = 0; i < s.Length; i++) s[i] = rng.NextDouble() < Density ? T.One : T.Zero;
        }
        return m;
    }

    private static void Multiply(Tensor<T> x, Tensor<T> mask) =>
        System.Numerics.Tensors.TensorPrimitives.Multiply(x.ReadOnlySpan, mask.ReadOnlySpan, x.Span);
}
