using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>Shared helpers of the rules that replace Wᵀ in the backward pass.</summary>
internal static class FeedbackLayers
{
    /// <summary>
    /// The dense layers whose backward pass sends an error further down: every Linear but the first
    /// (the first one's input error is never used for learning).
    /// </summary>
    public static Linear<T>[] Of<T>(Sequential<T> network) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layers = network.Linears.Skip(1).ToArray();
        if (layers.Length == 0)
            throw new ArgumentException("a feedback rule needs at least two dense layers (a single layer has no error to send down)");
        return layers;
    }

    /// <summary>Default law of a feedback matrix shaped like W [out, in]: N(0, 1/in), the law of W itself (as in docs/rules.md#feedback-alignment).</summary>
    public static double DefaultStd(int fanIn, double std) => std > 0 ? std : 1 / Math.Sqrt(fanIn);

    /// <summary>A random matrix shaped like the layer's W, member p drawn from its stream "rule.feedback.{layer}".</summary>
    public static Tensor<T> Random<T>(Linear<T> layer, MemberStreams streams, double std) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var b = new Tensor<T>(layer.Weight.Value.Shape);
        double s = DefaultStd(layer.In, std);
        for (int p = 0; p < layer.Members; p++)
            streams(p, "rule.feedback." + layer.LayerName).FillNormal(b.SliceSpan(p), 0, s);
        return b;
    }

    /// <summary>A per-member vector: the given values (checked for length) or the scalar repeated.</summary>
    public static double[] PerMember(double[]? values, double scalar, int members, string what)
    {
        if (values is null) return Enumerable.Repeat(scalar, members).ToArray();
        if (values.Length != members) throw new ArgumentException($"{what}: {values.Length} per-member values for {members} members");
        return (double[])values.Clone();
    }
}
