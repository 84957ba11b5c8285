using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning;

/// <summary>
/// syre, "symmetry removal" (Ziyin, Xu, Chuang, arXiv 2408.15495; docs/experiments/syre.md#how-syre-is-implemented): train
/// ℓ_r(θ) = ℓ(θ + θ₀) + γ‖θ‖²_D with a random offset θ₀ ~ N(0, σ₀²I) drawn once and frozen, and
/// (advanced removal, Eq. 4) a random positive diagonal D. With probability 1 over θ₀ the regularised
/// loss has no reflection symmetry, so symmetric states (identical or dead neurons, low rank) stop
/// being stationary: at a symmetric point the symmetry-breaking gradient is Ω(γσ₀) (Thm 3).
/// <para>
/// The network's parameters hold the effective weights w = θ + θ₀, so forward and backward passes are
/// unchanged; the regulariser only adds ∂/∂w of γ(w − θ₀)ᵀD(w − θ₀), i.e. 2γD(w − θ₀), to each
/// gradient: weight decay pulls w toward θ₀ instead of 0. Call <see cref="AddGradient()"/> after the
/// backward pass and before the optimiser step (a Trainer AfterBackward hook). With σ₀ = 0 and
/// σ_D = 0 it is plain L2 γ‖w‖², computed with the same arithmetic as SGD's coupled decay (g + 2γ·w),
/// so it reproduces an optimiser with weight decay 2γ bit for bit.
/// </para>
/// γ, σ₀ and σ_D are per population member (a sweep is one population); θ₀ and D of member m are drawn
/// from that member's own stream, parameter by parameter in order (D from its child stream "decay-scale",
/// so turning σ_D on does not change θ₀).
/// </summary>
public sealed class SyreRegularizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor<T>[] _offsets;
    private readonly Tensor<T>?[] _decayScales;

    /// <param name="parameters">the parameters syre acts on (all [P, ...] with the same P).</param>
    /// <param name="gamma">per-member γ of the penalty γ‖θ‖²_D (0 leaves that member untouched).</param>
    /// <param name="sigma0">per-member std σ₀ of the offset θ₀.</param>
    /// <param name="sigmaD">per-member spread of D: D_ii = 1 + σ_D|ξ_i|, ξ ~ N(0,1) (the paper's experiments use σ_D = 0, i.e. D = I;
    /// the distribution of D is not stated in the accessible sources, this form is an assumption).</param>
    /// <param name="memberStreams">one stream per member, used only here (e.g. ctx.SeedStream(m, "syre")).</param>
    public SyreRegularizer(IReadOnlyList<Parameter<T>> parameters, double[] gamma, double[] sigma0, double[] sigmaD, IReadOnlyList<Rng> memberStreams)
    {
        if (parameters.Count == 0) throw new ArgumentException("SyreRegularizer: no parameters to act on");
        int p = parameters[0].Members;
        if (parameters.Any(q => q.Members != p))
            throw new ArgumentException($"SyreRegularizer: parameters have different population sizes ({string.Join(", ", parameters.Select(q => $"{q.Name}: {q.Members}"))})");
        foreach (var (name, v) in new[] { ("gamma", gamma), ("sigma0", sigma0), ("sigmaD", sigmaD) })
        {
            if (v.Length != p) throw new ArgumentException($"SyreRegularizer: {name} has {v.Length} entries for {p} members");
            if (v.Any(x => !(x >= 0) || double.IsInfinity(x))) throw new ArgumentException($"SyreRegularizer: {name} must be finite and non-negative, got [{string.Join(", ", v)}]");
        }
        if (memberStreams.Count != p) throw new ArgumentException($"SyreRegularizer: {memberStreams.Count} streams for {p} members");
        Parameters = parameters.ToArray();
        Gamma = (double[])gamma.Clone(); Sigma0 = (double[])sigma0.Clone(); SigmaD = (double[])sigmaD.Clone();
        _offsets = Parameters.Select(q => new Tensor<T>(q.Value.Shape)).ToArray();
        _decayScales = Parameters.Select(q => sigmaD.Any(s => s > 0) ? new Tensor<T>(q.Value.Shape) : null).ToArray();
        for (int m = 0; m < p; m++)
        {
            var offsetStream = memberStreams[m];
            var scaleStream = memberStreams[m].Child("decay-scale");
            for (int i = 0; i < Parameters.Count; i++)
            {
                if (Sigma0[m] > 0) offsetStream.FillNormal(_offsets[i].SliceSpan(m), 0, Sigma0[m]);
                if (_decayScales[i] is { } d)
                {
                    var ds = d.SliceSpan(m);
                    for (int j = 0; j < ds.Length; j++) ds[j] = T.CreateChecked(1 + SigmaD[m] * Math.Abs(scaleStream.Normal()));
                }
            }
        }
    }

    public IReadOnlyList<Parameter<T>> Parameters { get; }
    public int Members => Gamma.Count;
    /// <summary>Per-member γ (read-only copy of the constructor's values).</summary>
    public IReadOnlyList<double> Gamma { get; }
    public IReadOnlyList<double> Sigma0 { get; }
    public IReadOnlyList<double> SigmaD { get; }

    /// <summary>The frozen offset θ₀ of parameter <paramref name="index"/> (shape of the parameter, [P, ...]).</summary>
    public Tensor<T> Offset(int index) => _offsets[index];

    /// <summary>The diagonal of D for parameter <paramref name="index"/>, or null when D = I for every member.</summary>
    public Tensor<T>? DecayScale(int index) => _decayScales[index];

    /// <summary>g ← g + 2γD(w − θ₀) for every parameter and every member with γ &gt; 0.</summary>
    public void AddGradient() => AddGradient(0, Members);

    /// <summary><see cref="AddGradient()"/> for members [first, last) alone.</summary>
    public void AddGradient(int first, int last)
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            var prm = Parameters[i];
            for (int m = first; m < last; m++)
            {
                if (Gamma[m] == 0) continue;
                T c = T.CreateChecked(2 * Gamma[m]);
                var w = prm.Value.SliceSpan(m);
                var g = prm.Grad.SliceSpan(m);
                var w0 = _offsets[i].SliceSpan(m);
                if (_decayScales[i] is { } d)
                {
                    var ds = d.SliceSpan(m);
                    for (int j = 0; j < g.Length; j++) g[j] += c * ds[j] * (w[j] - w0[j]);
                }
                else
                {
                    // Same expression as SGD's coupled decay g + wd·θ: with θ₀ = 0, w − θ₀ is w exactly.
                    for (int j = 0; j < g.Length; j++) g[j] += c * (w[j] - w0[j]);
                }
            }
        }
    }

    /// <summary>The penalty γ(w − θ₀)ᵀD(w − θ₀) of one member, in float64 (for logging; not part of the data loss).</summary>
    public double Penalty(int member)
    {
        double total = 0;
        for (int i = 0; i < Parameters.Count; i++)
        {
            var w = Parameters[i].Value.SliceSpan(member);
            var w0 = _offsets[i].SliceSpan(member);
            var ds = _decayScales[i] is { } d ? d.SliceSpan(member) : default;
            for (int j = 0; j < w.Length; j++)
            {
                double r = double.CreateChecked(w[j] - w0[j]);
                total += (ds.IsEmpty ? 1.0 : double.CreateChecked(ds[j])) * r * r;
            }
        }
        return Gamma[member] * total;
    }
}
