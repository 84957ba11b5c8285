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

    public override void BeforeForward(RuleStep<T> step)
    {
        for (int k = 0; k < _weights.Length; k++)
        {
            _clean[k].CopyFrom(_weights[k].Value);
            for (int p = 0; p < Sigma.Length; p++)
            {
                if (Sigma[p] == 0) continue;
                var w = _weights[k].Value.SliceSpan(p);
                for (int i = 0; i < w.Length; i++) w[i] += T.CreateChecked(Sigma[p] * _rngs[p].Normal());
            }
        }
    }

    /// <summary>Restores the clean weights (before decay is computed and the optimiser steps).</summary>
    public override void BeforeStep(RuleStep<T> step)
    {
        for (int k = 0; k < _weights.Length; k++) _weights[k].Value.CopyFrom(_clean[k]);
    }
}
