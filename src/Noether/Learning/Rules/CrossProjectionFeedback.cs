using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>
/// PROJECT HYPOTHESIS, not the paper's circuit (docs/rules.md#cross-projection-feedback, the paper's "four plastic synapses"; the
/// equations of Liao, Ziyin, Gan, Cheung, Harnett, Poggio, arXiv 2412.20018, were not readable).
/// Per pair of adjacent levels four plastic synapses: ascending W_l, descending B_l (stored in W's shape,
/// F = B_lᵀ), a cross-projection P_l that relays the ascending activity h_{l−1} to B's site and a
/// cross-projection Q_l that relays the descending error δ_l to W's site:
/// <code>
/// ΔW_l = −η (Q_l δ_l h_{l−1}ᵀ + λ W_l)          (the optimiser step, after Grad ← Q_l·Grad)
/// ΔF_l = −η (δ_l (P_l h_{l−1})ᵀ + λ_F F_l)       (Kolen–Pollack through the relay P_l)
/// ΔP_l =  η ((h − P_l h) hᵀ − λ_R P_l),  h = h_{l−1}   (each relay learns to copy its source: a delta rule)
/// ΔQ_l =  η ((δ − Q_l δ) δᵀ − λ_R Q_l),  δ = per-sample δ_l
/// </code>
/// Batch means throughout. With P = Q = I and λ_R = 0 this is Kolen–Pollack exactly. P and Q start random
/// (N(0, 1/n), independent of I), so "self-assembly" here also asks whether the routing converges to I.
/// Q acts on every layer (each W learns from the descending stream); P and F on the layers above the first.
/// <para>With <c>normalised</c> the relays learn from the trace-normalised covariance n·C/tr C instead of C (a batch form of
/// normalised LMS): the rate along a direction is η·n times its share of the signal's power, whatever the signal's size,
/// so small hidden errors are routed as fast as large activities. Either way a relay learns only the directions its
/// signal visits; <see cref="RoutingUp"/> and <see cref="RoutingDown"/> measure the routing where it matters,
/// cos(P H, H) and cos(Q Δ, Δ) on the step's batch (Frobenius cosines over the per-sample vectors).</para>
/// </summary>
public sealed class CrossProjectionFeedback<T> : LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Linear<T>[] _layers;
    private readonly Tensor<T>?[] _relayUp;   // P_l [P, in, in], null for the first layer
    private readonly Tensor<T>[] _relayDown;  // Q_l [P, out, out]
    private readonly int _signalLength, _scratchLength, _covLength; // work buffer sizes for the largest layer
    // Work buffers of the thread running a member range (member ranges may run on several threads at once).
    [ThreadStatic] private static T[]? t_signal, t_scratch, t_cov;

    public CrossProjectionFeedback(Sequential<T> network, MemberStreams streams, double[] decay, double[] relayDecay, double std = 0, bool normalised = false, bool plastic = true)
    {
        Normalised = normalised;
        Plastic = plastic;
        _layers = network.Linears.ToArray();
        if (_layers.Length < 2) throw new ArgumentException("the four-synapse circuit needs at least two dense layers");
        Decay = FeedbackLayers.PerMember(decay, 0, network.Members, "CrossProjectionFeedback decay");
        RelayDecay = FeedbackLayers.PerMember(relayDecay, 0, network.Members, "CrossProjectionFeedback relay decay");
        for (int k = 1; k < _layers.Length; k++) _layers[k].Feedback = FeedbackLayers.Random(_layers[k], streams, std);
        _relayUp = _layers.Select((l, k) => k == 0 ? null : Random(network.Members, l.In, streams, "rule.relay-up." + l.LayerName)).ToArray();
        _relayDown = _layers.Select(l => Random(network.Members, l.Out, streams, "rule.relay-down." + l.LayerName)).ToArray();
        RoutingUp = _layers.Select(l => new double[network.Members]).ToArray();
        RoutingDown = _layers.Select(l => new double[network.Members]).ToArray();
        int io = _layers.Max(l => l.Out * l.In), square = _layers.Max(l => Math.Max(l.In * l.In, l.Out * l.Out));
        (_signalLength, _scratchLength, _covLength) = (io, Math.Max(io, square), square);
    }

    /// <summary>True when the relays learn from n·C/tr C (normalised LMS) rather than C.</summary>
    public bool Normalised { get; }
    /// <summary>False freezes P and Q at their random initial values (a control: routing never assembles).</summary>
    public bool Plastic { get; }
    /// <summary>cos(P_l H, H) per dense layer and member on the last step's batch (NaN-free; 0 for the first layer, which has no P).</summary>
    public double[][] RoutingUp { get; }
    /// <summary>cos(Q_l Δ, Δ) per dense layer and member on the last step's batch, before Q learned from it.</summary>
    public double[][] RoutingDown { get; }

    public override string Name => "four-synapse";
    /// <summary>λ (the feedback decay, equal to W's for the Kolen–Pollack identity) per member.</summary>
    public double[] Decay { get; }
    /// <summary>λ_R of the relays per member.</summary>
    public double[] RelayDecay { get; }
    /// <summary>P_l per dense layer (null for the first), [P, in, in].</summary>
    public IReadOnlyList<Tensor<T>?> RelayUp => _relayUp;
    /// <summary>Q_l per dense layer, [P, out, out].</summary>
    public IReadOnlyList<Tensor<T>> RelayDown => _relayDown;

    public override void FormSignalMembers(RuleStep<T> step, int first, int last)
    {
        var trace = step.Network.Trace;
        // This thread's work buffers, made once per thread (and again only for a larger network).
        if (t_signal is null || t_signal.Length < _signalLength) t_signal = new T[_signalLength];
        if (t_scratch is null || t_scratch.Length < _scratchLength) t_scratch = new T[_scratchLength];
        if (t_cov is null || t_cov.Length < _covLength) t_cov = new T[_covLength];
        var scratch = t_scratch;
        var cov = t_cov;
        for (int k = 0; k < _layers.Length; k++)
        {
            var layer = _layers[k];
            var t = trace[k];
            int o = layer.Out, i = layer.In, b = t.Input.Shape[1];
            var g = t_signal.AsSpan(0, o * i);
            for (int p = first; p < last; p++)
            {
                double lr = step.LearningRate(p);
                if (lr == 0)
                {
                    // A member that does not learn (learning rate 0, as after divergence) has no routing this step.
                    if (_relayUp[k] is not null) RoutingUp[k][p] = double.NaN;
                    RoutingDown[k][p] = double.NaN;
                    continue;
                }
                T eta = T.CreateChecked(lr);
                var grad = layer.Weight.Grad.SliceSpan(p);
                grad.CopyTo(g);
                var h = t.Input.SliceSpan(p);
                if (_relayUp[k] is { } up)
                {
                    var pm = up.SliceSpan(p);
                    // F −= η(G·Pᵀ + λF): δ paired with the relayed activity P h.
                    Gemm.Multiply(false, true, o, i, i, g, pm, scratch.AsSpan(0, o * i));
                    var f = layer.Feedback!.SliceSpan(p);
                    T lf = T.CreateChecked(Decay[p]);
                    for (int j = 0; j < f.Length; j++) f[j] -= eta * (scratch[j] + lf * f[j]);
                    // P += η(C − P C − λ_R P), C = hᵀh/B. With C symmetric, tr(P C) = ⟨PH, H⟩ and tr(P C Pᵀ) = ‖PH‖².
                    Gemm.Multiply(true, false, i, i, b, h, h, cov.AsSpan(0, i * i));
                    RoutingUp[k][p] = Routing(pm, cov.AsSpan(0, i * i), scratch.AsSpan(0, i * i), i);
                    Relay(pm, cov.AsSpan(0, i * i), scratch.AsSpan(0, i * i), i, Scale(cov.AsSpan(0, i * i), i, T.One / T.CreateChecked(b)), eta, T.CreateChecked(RelayDecay[p]));
                }
                var qm = _relayDown[k].SliceSpan(p);
                // W's signal through the relay: Grad ← Q·G.
                Gemm.Multiply(false, false, o, i, o, qm, g, grad);
                // Q += η(D − Q D − λ_R Q), D = mean of per-sample δδᵀ = B·gᵀg (the batch mean 1/B sits in each g).
                var d = t.GradPreActivation.SliceSpan(p);
                Gemm.Multiply(true, false, o, o, b, d, d, cov.AsSpan(0, o * o));
                RoutingDown[k][p] = Routing(qm, cov.AsSpan(0, o * o), scratch.AsSpan(0, o * o), o);
                Relay(qm, cov.AsSpan(0, o * o), scratch.AsSpan(0, o * o), o, Scale(cov.AsSpan(0, o * o), o, T.CreateChecked(b)), eta, T.CreateChecked(RelayDecay[p]));
            }
        }
    }

    /// <summary>The covariance's scale s: <paramref name="plain"/> for the delta rule, n/tr C when normalised (mean eigenvalue 1; 0 for a zero C).</summary>
    private T Scale(ReadOnlySpan<T> c, int n, T plain)
    {
        if (!Plastic) return T.Zero;
        if (!Normalised) return plain;
        T trace = T.Zero;
        for (int j = 0; j < n; j++) trace += c[j * n + j];
        return trace > T.Zero ? T.CreateChecked(n) / trace : T.Zero;
    }

    /// <summary>cos(R X, X) over the batch from the unscaled covariance C = XᵀX: tr(R C) / √(tr(R C Rᵀ)·tr C).</summary>
    private static double Routing(ReadOnlySpan<T> r, ReadOnlySpan<T> c, Span<T> scratch, int n)
    {
        Gemm.Multiply(false, false, n, n, n, r, c, scratch); // R C
        double cross = 0, trace = 0, image = 0;
        for (int j = 0; j < n; j++)
        {
            cross += double.CreateChecked(scratch[j * n + j]);
            trace += double.CreateChecked(c[j * n + j]);
            for (int l = 0; l < n; l++) image += double.CreateChecked(scratch[j * n + l] * r[j * n + l]); // tr((R C) Rᵀ)
        }
        return Tensors.Normalised.OverRoot(cross, Math.Max(image, 0.0) * Math.Max(trace, 0.0));
    }

    /// <summary>R += η(sC − R·(sC) − λR) in place, with C unscaled and s its scale.</summary>
    private void Relay(Span<T> r, Span<T> c, Span<T> scratch, int n, T scale, T eta, T decay)
    {
        if (!Plastic) return;
        for (int j = 0; j < c.Length; j++) c[j] *= scale;
        Gemm.Multiply(false, false, n, n, n, r, c, scratch);
        for (int j = 0; j < r.Length; j++) r[j] += eta * (c[j] - scratch[j] - decay * r[j]);
    }

    private static Tensor<T> Random(int members, int n, MemberStreams streams, string name)
    {
        var m = new Tensor<T>(members, n, n);
        for (int p = 0; p < members; p++) streams(p, name).FillNormal(m.SliceSpan(p), 0, 1 / Math.Sqrt(n));
        return m;
    }
}
