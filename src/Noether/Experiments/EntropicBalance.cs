using System.Numerics;
using Noether.Data;
using Noether.Learning;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// Ziyin, Xu, Chuang — "Neural Thermodynamics: Entropic Forces in Deep and Universal Representation Learning"
/// (arXiv 2505.12387; docs/experiments/entropic-balance.md). To first order in η, SGD follows
/// gradient flow on the entropic loss φ_η = L + (η/4)E_B‖∇ℓ_B‖², whose forces break continuous symmetries:
/// at its fixed point every rescaling generator A has E_B[g_Bᵀ A g_B] = 0 (gradient balance).
/// D-a (Platonic alignment): two two-layer linear nets of different width, init and imbalance, trained by SGD
/// on the same data, reach aligned hidden representations (CKA, mutual k-NN); GD keeps each net's init-dependent
/// factorisation and does not.
/// D-b (neuron balance): in a ReLU net SGD equalises, neuron by neuron, the gradient energy of incoming and
/// outgoing weights; GD does not.
/// D-c (discretisation force): under full-batch GD the rescaling charge ‖W‖² − ‖U‖² drifts by exactly
/// Σ_t η²(‖∇_W L‖² − ‖∇_U L‖²), checked in float64 at two step sizes.
/// Each population member is one seed (run seed + i) with its own teacher, data and initialisations.
/// This file holds the run, D-a and D-c; D-b is in EntropicBalance.NeuronBalance.cs, the real-data variant in
/// EntropicBalance.Real.cs, each with its setting. The teachers are in <see cref="RegressionTeachers"/>.
/// </summary>
public sealed partial class EntropicBalance : Experiment<EntropicBalance.Config>
{
    public override string Id => "entropic-balance";
    public override string Title => "Entropic forces: SGD balances gradients and aligns representations, GD does not";
    public override Paper Paper => new("Neural Thermodynamics: Entropic Forces in Deep and Universal Representation Learning",
        "Liu Ziyin, Yizhou Xu, Isaac Chuang", "2505.12387");
    public override string Summary => "D-a two linear nets of different width align under SGD (CKA, mutual k-NN), not under GD, and less the smaller the noise dose η²/|B| at matched steps; D-deep the same for two deeper tanh nets (does not reproduce); D-b SGD balances neuron gradients, GD does not; D-c the discrete charge identity of GD (float64)";
    public override string[] ExportKinds => ["features", "weights"];

    public sealed class Config : TrainedConfig
    {
        public AlignmentConfig Alignment { get; set; } = new();
        /// <summary>D-deep: D-a's comparison for two deeper nonlinear nets (EntropicBalance.Deep.cs).</summary>
        public DeepConfig Deep { get; set; } = new();
        public NeuronBalanceConfig NeuronBalance { get; set; } = new();
        public DiscretisationConfig Discretisation { get; set; } = new();
        [Param("population members, one seed each (run seed + i)", Min = 1, Max = 64)] public int Seeds { get; set; } = 3;
        [Param("SGD steps between two logged measurements (GD logs 10× as often)", Min = 10)] public int ProbeEvery { get; set; } = 2000;
        /// <summary>synthetic (D-a, D-b, D-c above) or a real source: `--set data=fashion-mnist` runs the real-data variant.</summary>
        public DataConfig Data { get; set; } = new();
        /// <summary>The real-data variant's setting (EntropicBalance.Real.cs); ignored for synthetic data.</summary>
        public RealDataConfig Real { get; set; } = new();
    }

    /// <summary>D-a setting (docs/experiments/entropic-balance.md#d-a-setting-alignment-of-two-linear-nets).</summary>
    public sealed class AlignmentConfig : IValidatedConfig
    {
        [Param("input width d", Min = 1, Max = 4096)] public int InputDim { get; set; } = 8;
        [Param("output width o", Min = 1, Max = 4096)] public int OutputDim { get; set; } = 8;
        [Param("anisotropy: x_j = input_scale·decay^j·z_j", Min = 0, Max = 1)] public double Decay { get; set; } = 0.7;
        [Param("input scale of x_j = input_scale·decay^j·z_j", Min = 0)] public double InputScale { get; set; } = 2.0;
        [Param("training samples N", Min = 2)] public int Samples { get; set; } = 512;
        [Param("label-noise std σ_ε", Min = 0)] public double LabelNoise { get; set; } = 1.0;
        [Param("fresh inputs on which the representations are compared", Min = 12)] public int ProbeSamples { get; set; } = 256;
        [Param("neighbours k of mutual k-NN", Min = 1)] public int K { get; set; } = 10;
        [Param("hidden width of net A", Min = 1, Max = 4096)] public int HiddenA { get; set; } = 16;
        [Param("net A: W init std × √d", Min = 0)] public double WScaleA { get; set; } = 2.0;
        [Param("net A: U init std × √h", Min = 0)] public double UScaleA { get; set; } = 0.1;
        [Param("hidden width of net B", Min = 1, Max = 4096)] public int HiddenB { get; set; } = 32;
        [Param("net B: W init std × √d", Min = 0)] public double WScaleB { get; set; } = 0.1;
        [Param("net B: U init std × √h", Min = 0)] public double UScaleB { get; set; } = 2.0;
        [Param("SGD batch size", Min = 1)] public int SgdBatch { get; set; } = 4;
        [Param("SGD learning rate η", Min = 0, Max = 10)] public double SgdLr { get; set; } = 0.02;
        [Param("SGD steps at η", Min = 1)] public int SgdSteps { get; set; } = 30000;
        [Param("further SGD steps at η·anneal_factor (to average out the fluctuations)", Min = 0)] public int AnnealSteps { get; set; } = 10000;
        [Param("learning-rate factor of the anneal phase", Min = 0, Max = 1)] public double AnnealFactor { get; set; } = 0.1;
        [Param("GD (full batch) learning rate", Min = 0, Max = 10)] public double GdLr { get; set; } = 0.01;
        [Param("GD steps", Min = 1)] public int GdSteps { get; set; } = 4000;
        [Param("batch sizes of the dose arms: SGD pairs at η and the protocol's steps, noise dose η²/|B| (empty: no dose-response claim)", Min = 1)]
        public int[] DoseBatches { get; set; } = [16, 64];

        public void Validate()
        {
            if (SgdBatch > Samples) throw new ConfigException($"alignment.sgd_batch={SgdBatch}: expected at most alignment.samples ({Samples})");
            foreach (int b in DoseBatches)
                if (b > Samples || b == SgdBatch) throw new ConfigException($"alignment.dose_batches: {b} must be at most alignment.samples ({Samples}) and differ from alignment.sgd_batch ({SgdBatch})");
            if (DoseBatches.Distinct().Count() != DoseBatches.Length) throw new ConfigException("alignment.dose_batches: expected distinct batch sizes");
            if (AnnealSteps > SgdSteps) throw new ConfigException($"alignment.anneal_steps={AnnealSteps}: expected at most alignment.sgd_steps ({SgdSteps}), the step schedule anneals once");
            if (K > ProbeSamples - 1) throw new ConfigException($"alignment.k={K}: expected at most alignment.probe_samples − 1 ({ProbeSamples - 1})");
        }
    }

    /// <summary>D-c setting: full-batch GD in float64 from net A of D-a.</summary>
    public sealed class DiscretisationConfig
    {
        [Param("GD learning rates compared (each gives its own charge drift)", Min = 0, Max = 10)] public double[] Lrs { get; set; } = [0.01, 0.02];
        [Param("GD steps per learning rate", Min = 1)] public int Steps { get; set; } = 500;
    }

    protected override Config Profile(string profile) => profile == "full"
        ? new Config
        {
            Seeds = 10,
            ProbeEvery = 5000,
            Alignment = new AlignmentConfig { SgdSteps = 60000, AnnealSteps = 20000, GdSteps = 6000, Samples = 1024, ProbeSamples = 512 },
            NeuronBalance = new NeuronBalanceConfig { SgdSteps = 200000, GdSteps = 6000 },
            Discretisation = new DiscretisationConfig { Lrs = [0.005, 0.01, 0.02], Steps = 2000 },
            Real = new RealDataConfig { Steps = 200000, Seeds = 3, BalanceBatches = 1000, ProbeEvery = 10000 },
        }
        : new Config();

    protected override IReadOnlyList<Claim> Run(Config config, RunContext ctx) => config.Data.IsReal ? RunReal(config, ctx) : RunSynthetic(config, ctx);

    private static IReadOnlyList<Claim> RunSynthetic(Config config, RunContext ctx)
    {
        var claims = new List<Claim>();
        var linear = LinearTeacher(config.Alignment, config.Seeds, ctx);
        // Phases D-a, D-b, D-c; a resumed run re-runs the one it was stopped in from its start.
        claims.AddRange(ctx.ClaimsPhase("alignment", _ => RunAlignment(config, linear, ctx)));
        if (config.Deep.Enabled) claims.AddRange(ctx.ClaimsPhase("deep", _ => RunDeep(config, linear, ctx)));
        claims.AddRange(ctx.ClaimsPhase("neuron_balance", _ => RunNeuronBalance(config, ctx)));
        claims.AddRange(ctx.ClaimsPhase("discretisation", _ => [RunDiscretisation(config, linear, ctx)]));
        return claims;
    }

    private static string PerSeed(RunContext ctx, IEnumerable<double> values) =>
        string.Join(", ", values.Select((v, i) => $"seed {ctx.Seed + i}: {Claim.Format(v)}"));

    // ---- D-a: Platonic alignment from entropic forces ----

    /// <summary>Per-seed data of D-a (<see cref="RegressionTeachers.AnisotropicLinear{T}"/>): training inputs and targets, and fresh probe inputs.</summary>
    private sealed record LinearTeacherData(Tensor<double> X, Tensor<double> Y, Tensor<double> ProbeX);

    private static LinearTeacherData LinearTeacher(AlignmentConfig c, int seeds, RunContext ctx)
    {
        var (x, y, probe) = RegressionTeachers.AnisotropicLinear<double>(seeds, c.Samples, c.ProbeSamples, c.InputDim, c.OutputDim, c.InputScale, c.Decay,
            c.LabelNoise, s => ctx.SeedStream(s, "alignment.data"), s => ctx.SeedStream(s, "alignment.probe"));
        return new LinearTeacherData(x, y, probe);
    }

    /// <summary>A copy of <paramref name="t"/> in precision T: the teacher data are float64; D-a trains on a float32 copy, D-c on a float64 one.</summary>
    private static Tensor<T> Copy<T>(Tensor<double> t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new Tensor<T>(t.Shape);
        var src = t.ReadOnlySpan; var dst = r.Span;
        for (int i = 0; i < dst.Length; i++) dst[i] = T.CreateChecked(src[i]);
        return r;
    }

    /// <summary>A population of f = UWx nets (W: h×d, std wScale/√d; U: o×h, std uScale/√h), member s initialised from seed s's stream <paramref name="stream"/>.</summary>
    private static Sequential<T> LinearNet<T>(AlignmentConfig c, int seeds, int hidden, double wScale, double uScale, string stream, RunContext ctx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var net = Mlp.Build<T>(seeds, [c.InputDim, hidden, c.OutputDim], "identity", bias: false, compute: ctx.Compute);
        var (w, u) = (net.Linears.First(), net.Linears.Last());
        for (int s = 0; s < seeds; s++)
        {
            var init = ctx.SeedStream(s, stream);
            init.FillNormal(w.Weight.Value.SliceSpan(s), 0, wScale / Math.Sqrt(c.InputDim));
            init.FillNormal(u.Weight.Value.SliceSpan(s), 0, uScale / Math.Sqrt(hidden));
        }
        return net;
    }

    private sealed record AlignmentResult(double[] Cka, double[] MutualKnn, double[] KernelDistance);

    private static IReadOnlyList<Claim> RunAlignment(Config config, LinearTeacherData data, RunContext ctx)
    {
        var c = config.Alignment;
        int seeds = config.Seeds;
        var training = new TrainingData<float>(Copy<float>(data.X), Copy<float>(data.Y), perMember: true);
        var probe = Copy<float>(data.ProbeX);
        var before = Compare(LinearNet<float>(c, seeds, c.HiddenA, c.WScaleA, c.UScaleA, "alignment.init.a", ctx),
                             LinearNet<float>(c, seeds, c.HiddenB, c.WScaleB, c.UScaleB, "alignment.init.b", ctx), probe, c.K);
        var sgd = TrainPair("sgd", c.SgdBatch, c.SgdLr, c.SgdSteps + c.AnnealSteps, new StepSchedule(c.SgdSteps, c.AnnealFactor), config.ProbeEvery, config, training, probe, ctx);
        var gd = TrainPair("gd", c.Samples, c.GdLr, c.GdSteps, null, Math.Max(1, config.ProbeEvery / 10), config, training, probe, ctx);
        // Dose arms: the SGD pair at the same η and steps with larger batches (docs/experiments/entropic-balance.md#d-adose-response).
        var dose = c.DoseBatches.Select(b => (Batch: b, Result: TrainPair($"sgd-b{b}", b, c.SgdLr, c.SgdSteps + c.AnnealSteps,
            new StepSchedule(c.SgdSteps, c.AnnealFactor), config.ProbeEvery, config, training, probe, ctx, curves: false))).ToList();
        ctx.Figures.Add(new Figure("alignment-final", "Alignment of the hidden representations of nets A and B", "bar", "measure", "value")
        {
            Categories = ["CKA", "mutual k-NN"],
            Caption = $"Untrained, after GD and after SGD (mean ± sd of {seeds} seeds). Chance level of mutual k-NN: {Claim.Format(MutualKnn.Chance(c.ProbeSamples, c.K))}.",
            Series = new[] { ("untrained", before), ("GD", gd), ("SGD", sgd) }
                .Select(t => new Series(t.Item1, [0, 1], [t.Item2.Cka.Average(), t.Item2.MutualKnn.Average()])
                {
                    Spread = [Series.StandardDeviation(t.Item2.Cka), Series.StandardDeviation(t.Item2.MutualKnn)],
                }).ToList(),
        });
        var gap = sgd.Cka.Zip(gd.Cka, (a, b) => a - b).ToArray();
        var knnGap = sgd.MutualKnn.Zip(gd.MutualKnn, (a, b) => a - b).ToArray();
        string setting = $"A: {c.InputDim}-{c.HiddenA}-{c.OutputDim}, B: {c.InputDim}-{c.HiddenB}-{c.OutputDim}, opposite imbalance";
        return
        [
            Claim.AtLeast("D-a.sgd-cka",
                $"SGD (|B|={c.SgdBatch}, η={c.SgdLr}, {c.SgdSteps}+{c.AnnealSteps} steps) aligns the hidden representations of two differently initialised nets ({setting}): linear CKA on {c.ProbeSamples} fresh inputs (smallest of {seeds} seeds)",
                sgd.Cka.Min(), 0.98, PerSeed(ctx, sgd.Cka) + $"; untrained: {PerSeed(ctx, before.Cka)}"),
            Claim.AtLeast("D-a.sgd-mutual-knn",
                $"… and their neighbourhoods: mutual k-NN (k={c.K}) of the hidden representations after SGD (smallest of the seeds)",
                sgd.MutualKnn.Min(), 0.8, PerSeed(ctx, sgd.MutualKnn) + $"; GD: {PerSeed(ctx, gd.MutualKnn)}; untrained: {PerSeed(ctx, before.MutualKnn)}"),
            Claim.AtMost("D-a.gd-cka",
                $"GD (full batch, η={c.GdLr}, {c.GdSteps} steps) keeps each net's init-dependent factorisation: linear CKA (largest of the seeds)",
                gd.Cka.Max(), 0.95, PerSeed(ctx, gd.Cka)),
            Claim.AtLeast("D-a.cka-gap",
                "SGD aligns more than GD from the same inits: CKA_SGD − CKA_GD (smallest of the seeds)",
                gap.Min(), 0.05, PerSeed(ctx, gap)),
            // Not in the digest: on this anisotropic data two untrained nets already reach CKA 0.6-0.96, so the CKA claims
            // depend on how aligned the inits happen to be; mutual k-NN does not (docs/experiments/entropic-balance.md#d-amutual-knn-gap).
            Claim.AtLeast("D-a.mutual-knn-gap",
                "SGD aligns the neighbourhoods far more than GD from the same inits: mutual k-NN_SGD − mutual k-NN_GD (smallest of the seeds)",
                knnGap.Min(), 0.2, PerSeed(ctx, knnGap)),
            .. (dose.Count == 0 ? [] : new[] { DoseResponse(c, seeds, sgd, dose, ctx) }),
        ];
    }

    /// <summary>
    /// D-a.dose-response (docs/experiments/entropic-balance.md#d-adose-response): mutual k-NN of the SGD pairs at η and matched
    /// steps, ordered by falling noise dose η²/|B| (rising |B|). Per seed: the total fall from the largest to the smallest dose if
    /// every step falls, otherwise the most negative step; the claim reads the smallest over seeds.
    /// </summary>
    private static Claim DoseResponse(AlignmentConfig c, int seeds, AlignmentResult sgd, List<(int Batch, AlignmentResult Result)> dose, RunContext ctx)
    {
        var arms = dose.Append((Batch: c.SgdBatch, Result: sgd)).OrderBy(a => a.Batch).ToArray();
        var value = new double[seeds];
        for (int s = 0; s < seeds; s++)
        {
            double worstStep = double.PositiveInfinity;
            for (int i = 0; i + 1 < arms.Length; i++) worstStep = Math.Min(worstStep, arms[i].Result.MutualKnn[s] - arms[i + 1].Result.MutualKnn[s]);
            value[s] = worstStep >= 0 ? arms[0].Result.MutualKnn[s] - arms[^1].Result.MutualKnn[s] : worstStep;
        }
        string table = string.Join("; ", arms.Select(a => $"|B|={a.Batch} (dose η²/|B| = {Claim.Format(c.SgdLr * c.SgdLr / a.Batch)}): {PerSeed(ctx, a.Result.MutualKnn)}"));
        ctx.Figures.Add(new Figure("alignment-dose", "D-a: mutual k-NN of nets A and B against the batch size at matched steps", "line", "|B|", "mutual k-NN")
        {
            LogX = true,
            Caption = $"SGD at η = {c.SgdLr} and {c.SgdSteps}+{c.AnnealSteps} steps: the smaller the noise dose η²/|B|, the less the two nets align in the same number of steps.",
            Series = Enumerable.Range(0, seeds).Select(s => new Series($"seed {ctx.Seed + s}", arms.Select(a => (double)a.Batch).ToArray(),
                arms.Select(a => a.Result.MutualKnn[s]).ToArray())).ToList(),
        });
        return Claim.AtLeast("D-a.dose-response",
            $"At matched steps ({c.SgdSteps}+{c.AnnealSteps}, η={c.SgdLr}) the alignment falls monotonically as the noise dose η²/|B| falls (|B| ∈ {{{string.Join(", ", arms.Select(a => a.Batch))}}}), by at least the D-a.mutual-knn-gap margin 0.2 in total: mutual k-NN(|B|={arms[0].Batch}) − mutual k-NN(|B|={arms[^1].Batch}) if every step falls, else the most negative step (smallest of the seeds)",
            value.Min(), 0.2, table + $"; value {PerSeed(ctx, value)}");
    }

    /// <summary>
    /// The trainer of one net of a pair (½-MSE, the optimizer section's rule and syre attached): its batch stream and the
    /// attached parts' streams are named "<paramref name="prefix"/>.batches.<paramref name="tag"/>" and
    /// "<paramref name="prefix"/>.&lt;stream&gt;.<paramref name="tag"/>" per seed.
    /// </summary>
    private static Trainer<float> PairTrainer(Sequential<float> net, string prefix, string tag, int batch, double lr, Schedule? schedule,
        Config config, TrainingData<float> data, RunContext ctx)
    {
        int seeds = config.Seeds;
        var t = new Trainer<float>(net, new MseLoss<float>(half: true), config.Optimizer.Create<float>(seeds, lr), data, batch,
            Enumerable.Range(0, seeds).Select(s => ctx.SeedStream(s, $"{prefix}.batches.{tag}")).ToArray(), config.Optimizer.ScheduleOf(schedule));
        config.Attach(t, (s, stream) => ctx.SeedStream(s, $"{prefix}.{stream}.{tag}")); // rule, syre (docs/training.md)
        return t;
    }

    /// <summary>Trains nets A and B in lockstep on the same data (own inits, own batch streams) and compares their hidden layers.</summary>
    private static AlignmentResult TrainPair(string name, int batch, double lr, int steps, Schedule? schedule, int every, Config config,
        TrainingData<float> data, Tensor<float> probe, RunContext ctx, bool curves = true)
    {
        var c = config.Alignment;
        int seeds = config.Seeds;
        var netA = LinearNet<float>(c, seeds, c.HiddenA, c.WScaleA, c.UScaleA, "alignment.init.a", ctx);
        var netB = LinearNet<float>(c, seeds, c.HiddenB, c.WScaleB, c.UScaleB, "alignment.init.b", ctx);
        var (ta, tb) = (PairTrainer(netA, $"alignment.{name}", "a", batch, lr, schedule, config, data, ctx),
            PairTrainer(netB, $"alignment.{name}", "b", batch, lr, schedule, config, data, ctx));
        var pop = ctx.Population($"alignment.{name}", PopulationLayout.OfSeeds(seeds));
        AlignmentResult result = Compare(netA, netB, probe, c.K);
        void Probe(long step)
        {
            result = Compare(netA, netB, probe, c.K);
            for (int s = 0; s < seeds; s++)
            {
                pop.Log(step, s, "cka", result.Cka[s]);
                pop.Log(step, s, "mutual_knn", result.MutualKnn[s]);
                pop.Log(step, s, "weight_kernel_distance", result.KernelDistance[s]);
                pop.Log(step, s, "imbalance_a", GradientBalance.TwoLayerImbalance(MemberSlice.ToDouble(netA.Linears.First().Weight.Value, s), MemberSlice.ToDouble(netA.Linears.Last().Weight.Value, s)));
                pop.Log(step, s, "imbalance_b", GradientBalance.TwoLayerImbalance(MemberSlice.ToDouble(netB.Linears.First().Weight.Value, s), MemberSlice.ToDouble(netB.Linears.Last().Weight.Value, s)));
            }
            ctx.Metrics.Flush();
            ctx.Progress.Report($"entropic-balance D-a {name}", step, steps);
        }
        ctx.Time($"alignment.{name}", () =>
        {
            Probe(0);
            for (int step = 1; step <= steps; step++)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                ta.StepOnce(); tb.StepOnce();
                if (step % every == 0 || step == steps) Probe(step);
            }
            return 0;
        });
        if (curves) AlignmentCurve(ctx, pop, name);
        return result;
    }

    /// <summary>CKA and mutual k-NN of the hidden pre-activations XWᵀ of A and B on the probe inputs, and the relative distance of their kernels WᵀW.</summary>
    private static AlignmentResult Compare(Sequential<float> netA, Sequential<float> netB, Tensor<float> probe, int k)
    {
        int seeds = netA.Members;
        netA.Forward(probe);
        var ha = Enumerable.Range(0, seeds).Select(s => MemberSlice.ToDouble(netA.Trace[0].PreActivation, s)).ToArray();
        netB.Forward(probe);
        var hb = Enumerable.Range(0, seeds).Select(s => MemberSlice.ToDouble(netB.Trace[0].PreActivation, s)).ToArray();
        var cka = new double[seeds]; var knn = new double[seeds]; var kernel = new double[seeds];
        for (int s = 0; s < seeds; s++)
        {
            cka[s] = Cka.LinearCka(ha[s], hb[s]);
            knn[s] = MutualKnn.MutualKnnAlignment(ha[s], hb[s], k);
            var ka = Gram(MemberSlice.ToDouble(netA.Linears.First().Weight.Value, s));
            var kb = Gram(MemberSlice.ToDouble(netB.Linears.First().Weight.Value, s));
            double diff = 0, na = 0, nb = 0;
            for (int i = 0; i < ka.Length; i++) { diff += (ka[i] - kb[i]) * (ka[i] - kb[i]); na += ka[i] * ka[i]; nb += kb[i] * kb[i]; }
            kernel[s] = Math.Sqrt(diff) / (0.5 * (Math.Sqrt(na) + Math.Sqrt(nb)));
        }
        return new AlignmentResult(cka, knn, kernel);
    }

    /// <summary>WᵀW (d×d) of a first-layer weight W (h×d): the input-space kernel that fixes the hidden Gram matrix XWᵀWXᵀ.</summary>
    private static double[] Gram(Tensor<double> w)
    {
        int h = w.Shape[0], d = w.Shape[1];
        var g = new double[d * d];
        Gemm.Multiply(true, false, d, d, h, w.ReadOnlySpan, w.ReadOnlySpan, g);
        return g;
    }

    private static void AlignmentCurve(RunContext ctx, Population pop, string name)
    {
        foreach (var (metric, title) in new[] { ("cka", "Linear CKA of nets A and B during training"), ("mutual_knn", "Mutual k-NN of nets A and B during training") })
        {
            string id = $"alignment-{metric.Replace('_', '-')}";
            var fig = ctx.Figures.FirstOrDefault(f => f.Id == id);
            if (fig is null)
            {
                fig = new Figure(id, title, "line", "step", metric == "cka" ? "CKA" : "mutual k-NN")
                {
                    LogX = false,
                    Caption = "SGD's entropic force pulls both nets to the same noise equilibrium; GD leaves them where their inits put them.",
                };
                ctx.Figures.Add(fig);
            }
            var rows = pop.Rows(metric).ToList();
            for (int s = 0; s < pop.Count; s++)
            {
                var mine = rows.Where(r => r.Member == s).ToList();
                fig.Series.Add(new Series($"{name.ToUpperInvariant()} seed {pop.Seed(s)}", mine.Select(r => (double)r.Step).ToArray(), mine.Select(r => r.Value).ToArray()));
            }
        }
    }

    // ---- D-c: the discretisation force, exactly ----

    /// <summary>
    /// Full-batch GD in float64 on D-a's data from net A's unbalanced init, at each learning rate: the charge
    /// C = ‖W‖² − ‖U‖² and its matrix form WWᵀ − UᵀU must move by exactly Σ_t η²(‖G_W‖² − ‖G_U‖²) and
    /// Σ_t η²(G_W G_Wᵀ − G_Uᵀ G_U) (docs/experiments/noise-equilibrium.md#charge-identity with γ = 0).
    /// </summary>
    private static Claim RunDiscretisation(Config config, LinearTeacherData data, RunContext ctx)
    {
        var a = config.Alignment;
        var c = config.Discretisation;
        int seeds = config.Seeds;
        var training = new TrainingData<double>(Copy<double>(data.X), Copy<double>(data.Y), perMember: true);
        double worst = 0;
        var text = new List<string>();
        var pop = ctx.Population("discretisation", PopulationLayout.OfSeeds(seeds).With("lr", c.Lrs));
        for (int li = 0; li < c.Lrs.Length; li++)
        {
            double lr = c.Lrs[li];
            var net = LinearNet<double>(a, seeds, a.HiddenA, a.WScaleA, a.UScaleA, "alignment.init.a", ctx);
            var trainer = new Trainer<double>(net, new MseLoss<double>(half: true), new Sgd<double>(seeds, lr), training, a.Samples,
                Enumerable.Range(0, seeds).Select(s => ctx.SeedStream(s, "discretisation.batches")).ToArray());
            var drift = DiscreteChargeDrift<double>.Attach(trainer);
            ctx.Time($"discretisation.lr={lr}", () => { trainer.Run(c.Steps, c.Steps); return 0; });
            for (int s = 0; s < seeds; s++)
            {
                var r = drift.Result(s);
                worst = Math.Max(worst, Math.Max(r.ScalarError, r.MatrixError));
                pop.Log(c.Steps, pop.Layout.Member(s, li), "charge_drift", r.Drift);
                pop.Log(c.Steps, pop.Layout.Member(s, li), "identity_error", Math.Max(r.ScalarError, r.MatrixError));
            }
            text.Add($"η={lr}: drift C_T − C_0 = {PerSeed(ctx, Enumerable.Range(0, seeds).Select(s => drift.Result(s).Drift))}");
        }
        ctx.Metrics.Flush();
        return Claim.AtMost("D-c.discrete-charge-identity",
            $"Under full-batch GD (float64, {c.Steps} steps, η ∈ {{{string.Join(", ", c.Lrs)}}}) the rescaling charge ‖W‖² − ‖U‖² is not conserved: it drifts by exactly Σ_t η²(‖∇_W L‖² − ‖∇_U L‖²), and WWᵀ − UᵀU by Σ_t η²(G_W G_Wᵀ − G_Uᵀ G_U): largest error relative to the charge's size (all seeds)",
            worst, 1e-12, string.Join("; ", text)).AsCheck();
    }
}
