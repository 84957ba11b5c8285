using Noether.Learning;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// Ziyin, Chuang, Galanti, Poggio — "Formation of Representations in Neural Networks" (arXiv 2410.03006;
/// docs/experiments/crh.md). Canonical Representation Hypothesis: where SGD noise balances weight
/// decay, a layer h_b = W h_a aligns its representations H = E[hhᵀ], gradients G = E[ggᵀ] and weights Z
/// (WᵀW on the input side a, WWᵀ on the output side b) — six relations, measured by the entrywise Pearson α
/// of normalised, centred statistics and compared with a spectrum-preserving orthogonal null.
/// Setting (docs/experiments/crh.md#protocol): a tanh MLP 16-32-32-4 learns a noisy tanh teacher by SGD with L2 added as wd·θ to the
/// gradient; the probed layer is the 32×32 middle W₂. α grows with wd. Where CRH breaks the matrices are
/// expected to follow power laws (PAH); their exponents and R² are reported as extra numbers, not claims.
/// The population is seeds × wd trained in lockstep; seed s (run seed + i) fixes teacher, data, init and batches.
/// </summary>
public sealed partial class CanonicalRepresentation : Experiment<CanonicalRepresentation.Config>
{
    public override string Id => "crh";
    public override string Title => "Canonical representations: weight decay aligns representations, gradients and weights";
    public override Paper Paper => new("Formation of Representations in Neural Networks",
        "Liu Ziyin, Isaac Chuang, Tomer Galanti, Tomaso Poggio", "2410.03006");
    public override string Summary => "F: mean of the six CRH alignments ≥ 0.8 at the largest wd and ≥ 0.2 above wd = 0; both gradient–weight alignments ≥ 0.9; every GW/RW alignment ≥ 0.3 above its orthogonal null; PAH exponents reported";
    public override string[] ExportKinds => ["features", "weights"];

    /// <summary>The six relations in the order of <see cref="CrhAlignments"/>.</summary>
    private static readonly string[] Relations = ["a-RG", "a-RW", "a-GW", "b-RG", "b-RW", "b-GW"];

    public sealed class Config : TrainedConfig, IValidatedConfig
    {
        [Param("input width d", Min = 1, Max = 4096)] public int InputDim { get; set; } = 16;
        [Param("teacher hidden width (y = T₂ tanh(T₁x) + noise)", Min = 1, Max = 4096)] public int TeacherHidden { get; set; } = 8;
        [Param("output width", Min = 1, Max = 4096)] public int OutputDim { get; set; } = 4;
        [Param("teacher T₁ std × √d", Min = 0)] public double TeacherScale { get; set; } = 1.5;
        [Param("label-noise std", Min = 0)] public double LabelNoise { get; set; } = 0.3;
        [Param("training samples N", Min = 2)] public int Samples { get; set; } = 2000;
        [Param("fresh probe inputs (fresh label noise) on which H, G are measured", Min = 2)] public int ProbeSamples { get; set; } = 1000;
        [Param("student hidden width; the probed layer W₂ is width × width", Min = 2, Max = 4096)] public int Width { get; set; } = 32;
        [Param("SGD batch size", Min = 1)] public int Batch { get; set; } = 16;
        [Param("SGD learning rate", Min = 0, Max = 10)] public double Lr { get; set; } = 0.05;
        [Param("SGD steps", Min = 1)] public int Steps { get; set; } = 30000;
        [Param("weight decays wd: wd·θ added to the gradient of every weight (the paper's γ; docs/training.md); must include 0", Min = 0, Max = 10)] public double[] WeightDecays { get; set; } = [0, 1e-3, 5e-3, 2e-2];
        [Param("Haar-random rotations Q averaged in the orthogonal null α(X, QZQᵀ)", Min = 1, Max = 10000)] public int NullSamples { get; set; } = 10;
        [Param("population members per wd, one seed each (run seed + i)", Min = 1, Max = 64)] public int Seeds { get; set; } = 3;
        [Param("steps between two logged measurements", Min = 1)] public int ProbeEvery { get; set; } = 2000;
        /// <summary>synthetic (the teacher above) or a real source: `--set data=fashion-mnist` runs the real-data variant.</summary>
        public DataConfig Data { get; set; } = new();
        /// <summary>The real-data variant's setting (CanonicalRepresentation.Real.cs); ignored for synthetic data.</summary>
        public RealDataConfig Real { get; set; } = new();

        public void Validate()
        {
            if (!WeightDecays.Contains(0)) throw new ConfigException($"weight_decays={string.Join(",", WeightDecays)}: expected 0 among them (the gain claim compares with wd = 0)");
            if (WeightDecays.Max() <= 0) throw new ConfigException($"weight_decays={string.Join(",", WeightDecays)}: expected at least one wd > 0");
            if (WeightDecays.Distinct().Count() != WeightDecays.Length) throw new ConfigException($"weight_decays={string.Join(",", WeightDecays)}: expected distinct values");
            if (Batch > Samples) throw new ConfigException($"batch={Batch}: expected at most samples ({Samples})");
        }
    }

    protected override Config Profile(string profile) => profile == "full"
        ? new Config
        {
            Seeds = 10, Steps = 100000, WeightDecays = [0, 3e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2], ProbeEvery = 5000, NullSamples = 50,
            Real = new RealDataConfig { Seeds = 3, Steps = 8000, WeightDecays = [0, 1e-3, 5e-3, 2e-2, 5e-2, 0.1], NullSamples = 20 },
        }
        : new Config();

    private sealed record Measurement(CrhAlignments Alpha, CrhMatrices Matrices);

    protected override IReadOnlyList<Claim> Run(Config c, RunContext ctx) => c.Data.IsReal ? RunReal(c, ctx) : RunSynthetic(c, ctx);

    private IReadOnlyList<Claim> RunSynthetic(Config c, RunContext ctx)
    {
        int seeds = c.Seeds, g = c.WeightDecays.Length;
        var pop = ctx.Population("train", PopulationLayout.OfSeeds(seeds).With("weight_decay", c.WeightDecays));
        int p = pop.Count;
        var decayOf = pop.Layout.Values("weight_decay");
        double DecayOf(int m) => decayOf[m];
        int Member(int gi, int s) => pop.Layout.Member(s, gi);

        var (train, probe) = TeacherData(c, ctx, pop);
        var net = Mlp.Build<float>(p, [c.InputDim, c.Width, c.Width, c.OutputDim], "tanh", bias: false, compute: ctx.Compute);
        net.Initialize(InitScheme.LeCun, pop.Streams("init"));
        var sgd = c.Optimizer.Create<float>(p, c.Lr);
        for (int m = 0; m < p; m++) sgd.WeightDecay[m] = DecayOf(m); // wd·θ added to the gradient, the paper's γ (docs/training.md)
        var trainer = new Trainer<float>(net, new MseLoss<float>(half: true), sgd, train, c.Batch,
            pop.Streams("batches"), c.Optimizer.ScheduleOf());
        ctx.Watch(pop, trainer); // --export, probes
        c.Attach(trainer, pop.Stream); // rule, syre (docs/training.md)

        // One training phase with a safe point at every probe; what the probes accumulate is saved with the trainer.
        var meanCurve = new Curves(p);
        var probed = new Curves(1);
        var steps = probed[0];
        Measurement[] last = [];
        ctx.Phase("train", phase => ctx.Time("train", () =>
        {
            phase.Train(trainer, c.Steps, c.ProbeEvery, step =>
            {
                last = Measure(net, probe);
                steps.Add(step);
                for (int m = 0; m < p; m++)
                {
                    var a = last[m].Alpha;
                    double[] values = [a.ARG, a.ARW, a.AGW, a.BRG, a.BRW, a.BGW];
                    for (int r = 0; r < 6; r++) pop.Log(step, m, "alpha_" + Relations[r], values[r]);
                    pop.Log(step, m, "alpha_mean", a.Mean);
                    if (step > 0) pop.Log(step, m, "batch_loss", trainer.LastLoss[m]);
                    meanCurve[m].Add(a.Mean);
                }
                ctx.Metrics.Flush();
                ctx.Progress.Report("crh", step, c.Steps);
            }, ctx.Cancel, meanCurve, probed);
            return 0;
        }));

        var nulls = new CrhAlignments[p];
        ctx.Time("null", () =>
        {
            for (int m = 0; m < p; m++) nulls[m] = Crh.NullAlignments(last[m].Matrices, c.NullSamples, pop.Stream(m, $"null.gamma={DecayOf(m)}"));
            return 0;
        });
        var pah = ReportPah(pop, c.Steps, last);

        int top = Array.IndexOf(c.WeightDecays, c.WeightDecays.Max()), zero = Array.IndexOf(c.WeightDecays, 0.0);
        double gTop = c.WeightDecays[top];
        string PerSeed(Func<int, double> f) => string.Join(", ", Enumerable.Range(0, seeds).Select(s => $"seed {ctx.Seed + s}: {Claim.Format(f(s))}"));
        LogNulls(pop, c.Steps, nulls);
        Figures(c.WeightDecays, c.Width, ctx, last, steps, meanCurve, pop.Layout, "");

        // GW and RW relations (indices 1, 2, 4, 5): α above the orthogonal null at the largest wd.
        int[] weightRelations = [1, 2, 4, 5];
        var margins = Enumerable.Range(0, seeds).Select(s =>
        {
            var (a, n) = (Values(last[Member(top, s)].Alpha), Values(nulls[Member(top, s)]));
            return weightRelations.Min(r => a[r] - n[r]);
        }).ToArray();
        string table = string.Join("; ", c.WeightDecays.Select((gm, gi) => $"wd={gm}: mean α {PerSeed(s => last[Member(gi, s)].Alpha.Mean)}"));
        return
        [
            Claim.AtLeast("F.mean-alignment",
                $"With weight decay wd={gTop} SGD (|B|={c.Batch}, η={c.Lr}, {c.Steps} steps) aligns the six CRH pairs of the {c.Width}×{c.Width} layer: mean of the six α (smallest of {seeds} seeds)",
                Enumerable.Range(0, seeds).Min(s => last[Member(top, s)].Alpha.Mean), 0.8, table),
            Claim.AtLeast("F.alignment-gain",
                $"Alignment grows with weight decay: mean₆α(wd={gTop}) − mean₆α(wd=0) (smallest of the seeds)",
                Enumerable.Range(0, seeds).Min(s => last[Member(top, s)].Alpha.Mean - last[Member(zero, s)].Alpha.Mean), 0.2,
                PerSeed(s => last[Member(top, s)].Alpha.Mean - last[Member(zero, s)].Alpha.Mean)),
            Claim.AtLeast("F.gradient-weight-alignment",
                $"Gradients align with weights on both sides at wd={gTop}: min(α(G_a, WᵀW), α(G_b, WWᵀ)) (smallest of the seeds)",
                Enumerable.Range(0, seeds).Min(s => Math.Min(last[Member(top, s)].Alpha.AGW, last[Member(top, s)].Alpha.BGW)), 0.9,
                $"a-GW: {PerSeed(s => last[Member(top, s)].Alpha.AGW)}; b-GW: {PerSeed(s => last[Member(top, s)].Alpha.BGW)}"),
            Claim.AtLeast("F.above-orthogonal-null",
                $"The alignments are not the diagonal artefact of positive semidefinite matrices: at wd={gTop}, α − α(X, QZQᵀ) (Haar Q, {c.NullSamples} draws) for a-RW, a-GW, b-RW, b-GW (smallest over relations and seeds)",
                margins.Min(), 0.3,
                string.Join("; ", weightRelations.Select(r => $"{Relations[r]}: α {PerSeed(s => Values(last[Member(top, s)].Alpha)[r])} vs null {PerSeed(s => Values(nulls[Member(top, s)])[r])}"))),
            CrhExponent("F.crh-exponent", pah, s => Member(top, s), seeds, gTop, ctx.Seed),
        ];
    }

    /// <summary>The six CRH matrices and alignments of W₂ for every member, from one forward/backward pass over the probe set.</summary>
    private static Measurement[] Measure(Sequential<float> net, TrainingData<float> probe)
    {
        int p = net.Members, n = probe.Count;
        var idx = Enumerable.Range(0, n).ToArray();
        var x = new Tensor<float>(p, n, probe.InputWidth);
        var y = new Tensor<float>(p, n, probe.TargetWidth);
        for (int m = 0; m < p; m++) probe.Gather(m, idx, x, y);
        var output = net.Forward(x);
        var grad = net.OutputGradientBuffer(n);
        new MseLoss<float>(half: true).Evaluate(output, y, new double[p], grad);
        net.Backward(grad);
        return MeasureTrace(net);
    }

    /// <summary>The six CRH matrices and alignments of W₂ for every member from the trace of the last forward/backward pass.</summary>
    private static Measurement[] MeasureTrace(Sequential<float> net)
    {
        int p = net.Members;
        var layer = net.Trace[1];
        return Enumerable.Range(0, p).Select(m =>
        {
            var matrices = Crh.Matrices(MemberSlice.ToDouble(layer.Input, m), MemberSlice.ToDouble(layer.GradPreActivation, m),
                MemberSlice.ToDouble(layer.Layer.Weight.Value, m));
            return new Measurement(Crh.Alignments(matrices), matrices);
        }).ToArray();
    }

    /// <summary>Teacher y = T₂ tanh(T₁x) + σε (docs/experiments/crh.md#protocol): per seed, N training pairs and a fresh probe set with fresh noise.</summary>
    private static (TrainingData<float> Train, TrainingData<float> Probe) TeacherData(Config c, RunContext ctx, Population pop)
    {
        int members = pop.Count;
        int seeds = c.Seeds, d = c.InputDim, h = c.TeacherHidden, o = c.OutputDim;
        var trainX = new Tensor<float>(members, c.Samples, d); var trainY = new Tensor<float>(members, c.Samples, o);
        var probeX = new Tensor<float>(members, c.ProbeSamples, d); var probeY = new Tensor<float>(members, c.ProbeSamples, o);
        for (int s = 0; s < seeds; s++)
        {
            var rng = ctx.SeedStream(s, "teacher");
            var t1 = new double[h * d]; var t2 = new double[o * h];
            for (int i = 0; i < t1.Length; i++) t1[i] = rng.Normal() * c.TeacherScale / Math.Sqrt(d);
            for (int i = 0; i < t2.Length; i++) t2[i] = rng.Normal() / Math.Sqrt(h);
            void Fill(Tensor<float> x, Tensor<float> y, int n, Rng r)
            {
                var xs = x.SliceSpan(s); var ys = y.SliceSpan(s);
                var hidden = new double[h];
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < d; j++) xs[i * d + j] = (float)r.Normal();
                    for (int k = 0; k < h; k++)
                    {
                        double z = 0;
                        for (int j = 0; j < d; j++) z += t1[k * d + j] * xs[i * d + j];
                        hidden[k] = Math.Tanh(z);
                    }
                    for (int k = 0; k < o; k++)
                    {
                        double v = 0;
                        for (int j = 0; j < h; j++) v += t2[k * h + j] * hidden[j];
                        ys[i * o + k] = (float)(v + c.LabelNoise * r.Normal());
                    }
                }
            }
            Fill(trainX, trainY, c.Samples, rng);
            Fill(probeX, probeY, c.ProbeSamples, ctx.SeedStream(s, "probe"));
        }
        // Every wd of a seed trains on the seed's data: slice s holds seed s's, copied to every member with that seed.
        foreach (var t in new[] { trainX, trainY, probeX, probeY })
            for (int m = seeds; m < members; m++) t.SliceSpan(pop.SeedIndex(m)).CopyTo(t.SliceSpan(m));
        return (new TrainingData<float>(trainX, trainY, perMember: true), new TrainingData<float>(probeX, probeY, perMember: true));
    }

    /// <summary>The relations whose power-law exponent is fitted: the four weight relations (CRH predicts exponent 1), then H against G.</summary>
    private static readonly string[] PahRelations = ["ha_za", "ga_za", "hb_zb", "gb_zb", "ha_ga", "hb_gb"];

    /// <summary>
    /// PAH (docs/experiments/crh.md#fcrh-exponent): fit log λ_i(X) = k·log λ_i(Y) over Y's eigenbasis for the six relations of
    /// <see cref="PahRelations"/>, per wd and seed; logged (exponent and R²) and returned as [member][relation].
    /// </summary>
    private static PahFit[][] ReportPah(Population pop, long step, Measurement[] last)
    {
        var all = new PahFit[last.Length][];
        for (int m = 0; m < last.Length; m++)
        {
            var x = last[m].Matrices;
            all[m] = [Pah.PahExponent(x.Ha, x.Za), Pah.PahExponent(x.Ga, x.Za), Pah.PahExponent(x.Hb, x.Zb), Pah.PahExponent(x.Gb, x.Zb),
                      Pah.PahExponent(x.Ha, x.Ga), Pah.PahExponent(x.Hb, x.Gb)];
            for (int r = 0; r < PahRelations.Length; r++)
            {
                pop.Log(step, m, $"pah_{PahRelations[r]}_exponent", all[m][r].Exponent);
                pop.Log(step, m, $"pah_{PahRelations[r]}_r2", all[m][r].RSquared);
            }
        }
        return all;
    }

    /// <summary>
    /// CRH's proportionality read off the spectra (docs/experiments/crh.md#fcrh-exponent): the largest |k − 1| over the four weight relations
    /// and the seeds at the largest wd, with each seed's exponents.
    /// </summary>
    private static Claim CrhExponent(string id, PahFit[][] fits, Func<int, int> memberOfSeed, int seeds, double wd, long seed0) =>
        Claim.AtMost(id,
            $"CRH holds as proportionality at wd={wd}: H_a ∝ Z_a, G_a ∝ Z_a, H_b ∝ Z_b, G_b ∝ Z_b, i.e. fitted eigenvalue exponents k = 1; largest |k − 1| over the four relations (worst seed)",
            Enumerable.Range(0, seeds).Max(s => Enumerable.Range(0, 4).Max(r => Math.Abs(fits[memberOfSeed(s)][r].Exponent - 1))), 0.25,
            string.Join("; ", Enumerable.Range(0, seeds).Select(s => $"seed {seed0 + s}: " +
                string.Join(", ", Enumerable.Range(0, 4).Select(r => $"{PahRelations[r]} k={Claim.Format(fits[memberOfSeed(s)][r].Exponent)} (R²={Claim.Format(fits[memberOfSeed(s)][r].RSquared)})")))));

    /// <summary>Each member's six alignments under the spectrum-preserving orthogonal null, as metrics null_&lt;relation&gt;.</summary>
    private static void LogNulls(Population pop, long step, CrhAlignments[] nulls)
    {
        for (int m = 0; m < nulls.Length; m++)
        {
            var n = Values(nulls[m]);
            for (int r = 0; r < 6; r++) pop.Log(step, m, "null_" + Relations[r], n[r]);
        }
    }

    private static void Figures(double[] decays, int width, RunContext ctx, Measurement[] last, List<double> steps, Curves meanCurve, PopulationLayout layout, string where)
    {
        ctx.Figures.Add(new Figure("crh-alignment-vs-gamma", $"The six CRH alignments of W₂ at the end of training, by weight decay{where}", "bar", "relation", "α (mean ± sd over seeds)")
        {
            Categories = Relations,
            Caption = "Larger weight decay aligns representations (R), gradients (G) and weights (W) on both sides of the layer.",
            Series = decays.Select((gm, gi) =>
            {
                double[] PerSeed(int r) => Enumerable.Range(0, layout.Seeds).Select(s =>
                {
                    var a = last[layout.Member(s, gi)].Alpha;
                    return new[] { a.ARG, a.ARW, a.AGW, a.BRG, a.BRW, a.BGW }[r];
                }).ToArray();
                return new Series($"wd={gm}", Enumerable.Range(0, 6).Select(r => (double)r).ToArray(), Enumerable.Range(0, 6).Select(r => PerSeed(r).Average()).ToArray())
                {
                    Spread = Enumerable.Range(0, 6).Select(r => Series.StandardDeviation(PerSeed(r))).ToArray(),
                };
            }).ToList(),
        });
        ctx.Figures.Add(new Figure("crh-mean-alignment", $"Mean of the six alignments during training{where}", "line", "step", "mean₆ α")
        {
            Caption = $"Seed {ctx.Seed}, one curve per wd.",
            Series = decays.Select((gm, gi) => new Series($"wd={gm}", steps.ToArray(), meanCurve[layout.Member(0, gi)].ToArray())).ToList(),
        });
        var top = last[layout.Member(0, Array.IndexOf(decays, decays.Max()))].Matrices;
        var axis = Enumerable.Range(0, width).Select(i => (double)i).ToArray();
        // One shared, zero-centred scale for the three side-by-side matrices: each divided by its largest |entry| (CRH compares them up to scale).
        foreach (var (id, name, matrix) in new[] { ("crh-hb", "H_b = Cov(ĥ_b)", top.Hb), ("crh-gb", "G_b = Cov(ĝ_b)", top.Gb), ("crh-zb", "Z_b = WWᵀ", top.Zb) })
        {
            double peak = Enumerable.Range(0, width).SelectMany(i => Enumerable.Range(0, width).Select(j => Math.Abs(matrix[i, j]))).Max() is > 0 and var m ? m : 1;
            ctx.Figures.Add(new Figure(id, $"{name} at wd={decays.Max()} (seed {ctx.Seed})", "heatmap", "unit", "unit")
            {
                Caption = $"Under CRH the three output-side matrices look alike, up to scale; each is divided by its largest |entry| ({peak:G3}), so all three share one colour scale.",
                Z = Enumerable.Range(0, width).Select(i => Enumerable.Range(0, width).Select(j => matrix[i, j] / peak).ToArray()).ToArray(),
                RowValues = axis,
                ColumnValues = axis,
                ZRange = [-1, 1],
                ZLabel = "entry / max |entry|",
            });
        }
    }
}
