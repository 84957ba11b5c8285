using Noether.Tensors;

namespace Noether.Data;

/// <summary>Sizes of the redundancy/uniqueness generator (docs/experiments/multimodal-alignment.md#generator; the paper's values are the defaults).</summary>
/// <param name="SharedBits">Bits x_c both modalities see; also F, the number of label-relevant bits (R + U = F).</param>
/// <param name="UniqueBits">Bits x_u1 (x_u2) only modality 1 (2) sees.</param>
/// <param name="Classes">Number of labels C.</param>
/// <param name="Temperature">Softmax temperature T of the label rule.</param>
public sealed record MultimodalRedundancySpec(int SharedBits = 8, int UniqueBits = 4, int Classes = 4, double Temperature = 0.05)
{
    /// <summary>Width of one modality: [x_c, x_u] (12 in the paper).</summary>
    public int ModalityWidth => SharedBits + UniqueBits;

    /// <summary>Bits of the whole latent (x_c, x_u1, x_u2).</summary>
    public int LatentBits => SharedBits + 2 * UniqueBits;
}

/// <summary>Exact information terms of one redundancy level, in nats (docs/experiments/multimodal-alignment.md#generator).</summary>
/// <param name="Joint">I(X1,X2;Y): identical for every R because v is uniform and the label rule is shared.</param>
/// <param name="Modality1">I(X1;Y).</param>
/// <param name="Modality2">I(X2;Y).</param>
public sealed record MultimodalInformation(double Joint, double Modality1, double Modality2);

/// <summary>
/// The synthetic redundancy/uniqueness/heterogeneity generator of Tjandrasuwita et al. (arXiv 2502.16282;
/// docs/experiments/multimodal-alignment.md#generator). Latent bits x_c ∈ {0,1}^S, x_u1, x_u2 ∈ {0,1}^Q are uniform; modality 1 is
/// [x_c, x_u1], modality 2 is [x_c, x_u2] (both always hold every shared bit). At redundancy R the label
/// depends on R shared bits and U = S − R unique ones (<see cref="RelevantBits"/>) through the balanced
/// softmax rule (<see cref="RedundancyLabelRule"/>); modality 2 can be passed through a random tanh map of
/// depth D (<see cref="HeterogeneityMap"/>). Every component has its own child stream of the seed given
/// here ("weights", "features", "transforms", "latent", "labels"), so changing one never shifts another:
/// W and each φ_D are drawn once and reused for every R, as in the paper.
/// </summary>
public sealed class MultimodalRedundancy
{
    private readonly Rng _seed;
    private readonly Dictionary<int, HeterogeneityMap> _maps = new();

    public MultimodalRedundancy(MultimodalRedundancySpec spec, Rng seed)
    {
        if (spec.SharedBits < 1 || spec.UniqueBits < 0 || spec.LatentBits > 24)
            throw new ArgumentException($"MultimodalRedundancy: shared bits {spec.SharedBits}, unique bits {spec.UniqueBits}; expected ≥ 1 shared bit and at most 24 latent bits");
        if (2 * spec.UniqueBits < spec.SharedBits)
            throw new ArgumentException($"MultimodalRedundancy: {spec.SharedBits} label bits need at least {(spec.SharedBits + 1) / 2} unique bits per modality at R = 0, got {spec.UniqueBits}");
        Spec = spec;
        _seed = seed;
        Rule = RedundancyLabelRule.Create(spec.SharedBits, spec.Classes, spec.Temperature, seed.Child("weights"));
    }

    public MultimodalRedundancySpec Spec { get; }

    /// <summary>The label rule q(y|v), shared by every redundancy level.</summary>
    public RedundancyLabelRule Rule { get; }

    /// <summary>The relevant bits at redundancy R (the "features" stream is restarted for every R, as in the repo).</summary>
    public RelevantBits Relevant(int redundancy) => RelevantBits.Draw(redundancy, Spec.SharedBits, Spec.UniqueBits, _seed.Child("features"));

    /// <summary>φ_D for modality 2, drawn once per depth from the "transforms" stream and reused for every R.</summary>
    public HeterogeneityMap Heterogeneity(int depth)
    {
        if (!_maps.TryGetValue(depth, out var map))
            _maps[depth] = map = HeterogeneityMap.Create(Spec.ModalityWidth, depth, _seed.Child("transforms").Child("depth", depth));
        return map;
    }

    /// <summary>n latent patterns, uniform over {0,1}^(S+2Q), packed as shared | unique1 | unique2 (see <see cref="RelevantBits.PatternOf"/>).</summary>
    public int[] SampleLatent(int n)
    {
        var rng = _seed.Child("latent");
        var latent = new int[n];
        for (int i = 0; i < n; i++) latent[i] = rng.NextInt(1 << Spec.LatentBits);
        return latent;
    }

    /// <summary>Labels y ~ q(·|v(latent)) at redundancy R, from the "labels" stream of that R.</summary>
    public int[] SampleLabels(int[] latent, int redundancy)
    {
        var relevant = Relevant(redundancy);
        var rng = _seed.Child("labels", redundancy);
        var labels = new int[latent.Length];
        for (int i = 0; i < latent.Length; i++)
            labels[i] = Rule.SampleLabel(relevant.PatternOf(latent[i], Spec.SharedBits, Spec.UniqueBits), rng);
        return labels;
    }

    /// <summary>
    /// Raw rows of modality 1 ([x_c, x_u1]) or 2 ([x_c, x_u2]) as 0/1 values; modality 2 is passed through
    /// φ_D when <paramref name="heterogeneityDepth"/> is given. Not standardised (the caller fits that on train).
    /// </summary>
    public Dataset Modality(int modality, int[] latent, int[] labels, int? heterogeneityDepth, string name)
    {
        if (modality is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(modality), $"modality must be 1 or 2, got {modality}");
        if (modality == 1 && heterogeneityDepth is not null)
            throw new ArgumentException("MultimodalRedundancy.Modality: the heterogeneity map applies to modality 2 only (setting \"uni\")");
        int s = Spec.SharedBits, q = Spec.UniqueBits, d = Spec.ModalityWidth;
        int uniqueShift = modality == 1 ? s : s + q;
        var x = new Tensor<double>(latent.Length, d);
        for (int i = 0; i < latent.Length; i++)
        {
            var row = x.SliceSpan(i);
            for (int j = 0; j < s; j++) row[j] = latent[i] >> j & 1;
            for (int j = 0; j < q; j++) row[s + j] = latent[i] >> (uniqueShift + j) & 1;
        }
        if (heterogeneityDepth is int depth) Heterogeneity(depth).ApplyRows(x.Span);
        return new Dataset(name, x, labels, Spec.Classes);
    }

    /// <summary>
    /// Exact I(X1,X2;Y), I(X1;Y), I(X2;Y) at redundancy R from the joint tables over all 2^(S+2Q) latent
    /// patterns (each equally likely): I(A;Y) = Σ_a p(a) Σ_y p(y|a) ln[p(y|a)/p(y)] with p(y|x1) the mean of
    /// q(y|v) over x_u2, and p(y|x2) the mean over x_u1.
    /// </summary>
    public MultimodalInformation Information(int redundancy)
    {
        var relevant = Relevant(redundancy);
        int s = Spec.SharedBits, q = Spec.UniqueBits, c = Spec.Classes, total = 1 << Spec.LatentBits;
        int sharedMask = (1 << s) - 1, uniqueMask = (1 << q) - 1;
        var py = new double[c];
        var cond1 = new double[(1 << (s + q)) * c];
        var cond2 = new double[(1 << (s + q)) * c];
        for (int latent = 0; latent < total; latent++)
        {
            var qy = Rule.Given(relevant.PatternOf(latent, s, q));
            int shared = latent & sharedMask, u1 = latent >> s & uniqueMask, u2 = latent >> (s + q) & uniqueMask;
            int x1 = shared | u1 << s, x2 = shared | u2 << s;
            for (int y = 0; y < c; y++)
            {
                py[y] += qy[y];
                cond1[x1 * c + y] += qy[y];
                cond2[x2 * c + y] += qy[y];
            }
        }
        for (int y = 0; y < c; y++) py[y] /= total;
        double joint = 0;
        for (int latent = 0; latent < total; latent++)
            joint += Divergence(Rule.Given(relevant.PatternOf(latent, s, q)), py);
        joint /= total;
        return new MultimodalInformation(joint, Averaged(cond1, py, 1 << q), Averaged(cond2, py, 1 << q));
    }

    /// <summary>Mean over rows of KL(row / <paramref name="rowTotal"/> ‖ p(y)) for a table of summed conditionals.</summary>
    private static double Averaged(double[] summed, double[] py, int rowTotal)
    {
        int c = py.Length, rows = summed.Length / c;
        Span<double> row = stackalloc double[c];
        double sum = 0;
        for (int r = 0; r < rows; r++)
        {
            for (int y = 0; y < c; y++) row[y] = summed[r * c + y] / rowTotal;
            sum += Divergence(row, py);
        }
        return sum / rows;
    }

    /// <summary>KL(p ‖ m) = Σ_y p_y ln(p_y/m_y), with 0·ln 0 = 0.</summary>
    private static double Divergence(ReadOnlySpan<double> p, double[] m)
    {
        double d = 0;
        for (int y = 0; y < p.Length; y++) if (p[y] > 0) d += p[y] * Math.Log(p[y] / m[y]);
        return d;
    }
}
