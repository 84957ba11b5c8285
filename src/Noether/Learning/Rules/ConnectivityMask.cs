using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>
/// Sparse, fixed connectivity (docs/experiments/heterosynaptic.md#b-e4-setting): each connection is kept once, at random, with the
/// member's density. The feedback mask applies to every layer's feedback matrix (so this rule must come
/// after the routing rule in the stack); the forward mask to the weights of every hidden dense layer (all
/// but the output layer). Masked entries are zero from the start and stay zero: feedback is re-masked before
/// use and after updates, forward gradients are masked before the optimiser step. Density 1 keeps everything.
/// </summary>
public sealed class ConnectivityMask<T> : LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly (Linear<T> Layer, Tensor<T> Mask)[] _feedback;
    private readonly (Linear<T> Layer, Tensor<T> Mask)[] _forward;

    /// <param name="network">The network whose connections are masked.</param>
    /// <param name="streams">Member streams; masks come from "rule.mask.feedback.{layer}" and "rule.mask.forward.{layer}".</param>
    /// <param name="feedbackDensity">Per member, the kept fraction of feedback connections.</param>
    /// <param name="forwardDensity">Per member, the kept fraction of hidden forward connections (null: no forward mask).</param>
    public ConnectivityMask(Sequential<T> network, MemberStreams streams, double[] feedbackDensity, double[]? forwardDensity = null)
    {
        FeedbackDensity = Check(feedbackDensity, network.Members, "feedback");
        ForwardDensity = forwardDensity is null ? Enumerable.Repeat(1.0, network.Members).ToArray() : Check(forwardDensity, network.Members, "forward");
        var linears = network.Linears.ToArray();
        _feedback = FeedbackDensity.Any(d => d < 1)
            ? linears.Where(l => l.Feedback is not null).Select(l => (l, Draw(l, streams, "rule.mask.feedback." + l.LayerName, FeedbackDensity))).ToArray()
            : [];
        if (FeedbackDensity.Any(d => d < 1) && _feedback.Length == 0)
            throw new ArgumentException("ConnectivityMask: no layer has a feedback matrix to mask; put the mask after a feedback rule (fa, sign, kp, dendritic)");
        _forward = ForwardDensity.Any(d => d < 1)
            ? linears[..^1].Select(l => (l, Draw(l, streams, "rule.mask.forward." + l.LayerName, ForwardDensity))).ToArray()
            : [];
        MaskFeedback(0, network.Members);
        foreach (var (l, m) in _forward) Multiply(l.Weight.Value, m, 0, network.Members);
    }

    public override string Name => "mask";
    public double[] FeedbackDensity { get; }
    public double[] ForwardDensity { get; }

    public override void BeforeForwardMembers(RuleStep<T> step, int first, int last) => MaskFeedback(first, last);

    public override void BeforeStepMembers(RuleStep<T> step, int first, int last)
    {
        foreach (var (l, m) in _forward) Multiply(l.Weight.Grad, m, first, last);
    }

    public override void AfterUpdateMembers(RuleStep<T> step, int first, int last)
    {
        MaskFeedback(first, last);
        foreach (var (l, m) in _forward) Multiply(l.Weight.Value, m, first, last);
    }

    private void MaskFeedback(int first, int last)
    {
        foreach (var (l, m) in _feedback) Multiply(l.Feedback!, m, first, last);
    }

    private static double[] Check(double[] density, int members, string what)
    {
        if (density.Length != members) throw new ArgumentException($"ConnectivityMask: {density.Length} {what} densities for {members} members");
        foreach (var d in density)
            if (!(d > 0 && d <= 1)) throw new ArgumentOutOfRangeException(nameof(density), $"ConnectivityMask: {what} density must be in (0, 1], got {d}");
        return (double[])density.Clone();
    }

    private static Tensor<T> Draw(Linear<T> layer, MemberStreams streams, string name, double[] density)
    {
        var m = new Tensor<T>(layer.Weight.Value.Shape);
        for (int p = 0; p < layer.Members; p++)
        {
            var s = m.SliceSpan(p);
            if (density[p] >= 1) { s.Fill(T.One); continue; }
            var rng = streams(p, name);
            for (int i = 0; i < s.Length; i++) s[i] = rng.NextDouble() < density[p] ? T.One : T.Zero;
        }
        return m;
    }

    /// <summary>x ⊙= mask on members [first, last) (each product exact, so the split changes no value).</summary>
    private static void Multiply(Tensor<T> x, Tensor<T> mask, int first, int last) =>
        System.Numerics.Tensors.TensorPrimitives.Multiply(x.SliceSpan(first, last), mask.SliceSpan(first, last), x.SliceSpan(first, last));
}
