using System.Numerics;
using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>Input-noise injection (docs/rules.md#noise-injection): x ← x + ξ, ξ ~ N(0, σ² I) per member, before every forward pass.</summary>
public sealed class InputNoise<T> : LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Rng[] _rngs;

    public InputNoise(int members, MemberStreams streams, double[] sigma)
    {
        Sigma = FeedbackLayers.PerMember(sigma, 0, members, "InputNoise sigma");
        _rngs = Enumerable.Range(0, members).Select(p => streams(p, "rule.input-noise")).ToArray();
    }

    public override string Name => "input-noise";
    public double[] Sigma { get; }

    public override void BeforeForwardMembers(RuleStep<T> step, int first, int last)
    {
        for (int p = first; p < last; p++)
        {
            if (Sigma[p] == 0) continue;
            var x = step.Inputs.SliceSpan(p);
            for (int i = 0; i < x.Length; i++) x[i] += T.CreateChecked(Sigma[p] * _rngs[p].Normal());
        }
    }
}
