using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>
/// Gradient-noise injection (docs/rules.md#noise-injection): adds ξ ~ N(0, σ² I) to every weight's learning signal,
/// per member; part of the signal the observers see.
/// </summary>
public sealed class GradientNoise<T> : LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameter<T>[] _weights;
    private readonly Rng[] _rngs;

    public GradientNoise(Sequential<T> network, MemberStreams streams, double[] sigma)
    {
        _weights = network.Parameters.Where(p => p.Role == ParameterRole.Weight).ToArray();
        Sigma = FeedbackLayers.PerMember(sigma, 0, network.Members, "GradientNoise sigma");
        _rngs = Enumerable.Range(0, network.Members).Select(p => streams(p, "rule.gradient-noise")).ToArray();
    }

    public override string Name => "gradient-noise";
    public double[] Sigma { get; }

    public override void FormSignalMembers(RuleStep<T> step, int first, int last)
    {
        foreach (var w in _weights)
            for (int p = first; p < last; p++)
            {
                if (Sigma[p] == 0) continue;
                var g = w.Grad.SliceSpan(p);
                for (int i = 0; i < g.Length; i++) g[i] += T.CreateChecked(Sigma[p] * _rngs[p].Normal());
            }
    }
}
