using System.Numerics;
using Noether.Learning;
using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Experiments;

/// <summary>
/// The `syre.*` config section (docs/experiments/syre.md), one of the training sections every trained experiment
/// has (<see cref="TrainedConfig"/>): `--set syre.gamma=1e-3 --set syre.sigma0=0.01` switches symmetry removal on,
/// as the decay phase of the experiment's rule stack. Off by default (γ = 0). syre's decay is added to whatever weight decay the experiment's
/// optimiser already applies; set the experiment's own decay to 0 for the paper's ℓ(θ + θ₀) + γ‖θ‖².
/// </summary>
public sealed class SyreConfig : IValidatedConfig
{
    [Param("syre weight decay γ of γ‖θ‖², θ = w − θ₀ (0 switches syre off)", Min = 0, Max = 100)] public double Gamma { get; set; }
    [Param("std σ₀ of the frozen random offset θ₀ (the paper recommends 0.01/√d; 0 gives plain L2 γ‖w‖²)", Min = 0, Max = 100)] public double Sigma0 { get; set; }
    [Param("spread σ_D of the random diagonal D in γ‖θ‖²_D, D_ii = 1 + σ_D|ξ| (advanced removal; the paper uses 0)", Min = 0, Max = 100)] public double SigmaD { get; set; }
    [Param("parameters that get an offset and the decay: all of them (the paper) or weights only", OneOf = ["all", "weights"])] public string Scope { get; set; } = "all";

    /// <summary>Whether syre acts at all (it needs γ &gt; 0: without decay the offset is a pure reparametrisation).</summary>
    public bool Enabled => Gamma > 0;

    public void Validate()
    {
        if (!Enabled && (Sigma0 > 0 || SigmaD > 0))
            throw new ConfigException($"syre.sigma0={Sigma0}, syre.sigma_d={SigmaD} with syre.gamma=0: syre needs syre.gamma > 0 (without weight decay the offset θ₀ is a pure reparametrisation and changes nothing)");
    }

    /// <summary>The parameters of <paramref name="network"/> this section's scope selects.</summary>
    public IReadOnlyList<Parameter<T>> SelectParameters<T>(Sequential<T> network) where T : unmanaged, IFloatingPointIeee754<T> =>
        Scope == "weights" ? network.Parameters.Where(p => p.Role == ParameterRole.Weight).ToArray() : network.Parameters;

    /// <summary>
    /// syre with this section's γ, σ₀, σ_D for every member of <paramref name="network"/>, as the decay phase
    /// of a rule stack (<see cref="SyreDecay{T}"/>); null when syre is off. Member m draws θ₀ and D from
    /// <c>streams(m, "syre")</c>.
    /// </summary>
    public SyreDecay<T>? Rule<T>(Sequential<T> network, MemberStreams streams) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Enabled) return null;
        int p = network.Members;
        return new SyreDecay<T>(new SyreRegularizer<T>(SelectParameters(network),
            Enumerable.Repeat(Gamma, p).ToArray(), Enumerable.Repeat(Sigma0, p).ToArray(), Enumerable.Repeat(SigmaD, p).ToArray(),
            Enumerable.Range(0, p).Select(m => streams(m, "syre")).ToArray()));
    }

}
