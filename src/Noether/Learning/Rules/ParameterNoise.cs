using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>
/// Parameter-noise injection (docs/rules.md#noise-injection): each step the forward and backward passes run at
/// w = v + ε, ε ~ N(0, σ² I) per weight entry (σ a standard deviation, per member), and the update is
/// applied to the clean v (the noise is removed before decay and the optimiser step). With weight decay
/// this turns the Hebbian signature anti-Hebbian beyond σ*² = γ‖v*‖²/(d(1+γ)²).
/// Weights only (biases are left clean).
/// </summary>
public sealed class ParameterNoise<T> : LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameter<T>[] _weights;
    private readonly Tensor<T>[] _clean;
    private readonly Rng[] _rngs;

    public ParameterNoise(Sequential<T> network, MemberStreams streams, double[] sigma)
    {
        _weights = network.Parameters.Where(p => p.Role == ParameterRole.Weight).ToArray();
        _clean = _weights.Select(w => new Tensor<T>(w.Value.Shape)).ToArray();
        Sigma = FeedbackLayers.PerMember(sigma, 0, network.Members, "ParameterNoise sigma");
        _rngs = Enumerable.Range(0, network.Members).Select(p => streams(p, "rule.parameter-noise")).ToArray();
    }

    public override string Name => "parameter-noise";
    /// <summary>σ per member.</summary>
    public double[] Sigma { get; }

    /// <summary>Keeps members [first, last)'s clean weights and adds their noise (each member's stream draws weight by weight).</summary>
    public override void BeforeForwardMembers(RuleStep<T> step, int first, int last)
    {
        for (int k = 0; k < _weights.Length; k++)
            for (int p = first; p < last; p++)
            {
                var w = _weights[k].Value.SliceSpan(p);
                w.CopyTo(_clean[k].SliceSpan(p));
                if (Sigma[p] == 0) continue;
                for (int i = 0; i < w.Length; i++) w[i] += T.CreateChecked(Sigma[p] * _rngs[p].Normal());
            }
    }

    /// <summary>Restores members [first, last)'s clean weights (before decay is computed and the optimiser steps).</summary>
    public override void BeforeStepMembers(RuleStep<T> step, int first, int last)
    {
        for (int k = 0; k < _weights.Length; k++)
            for (int p = first; p < last; p++) _clean[k].SliceSpan(p).CopyTo(_weights[k].Value.SliceSpan(p));
    }
}
