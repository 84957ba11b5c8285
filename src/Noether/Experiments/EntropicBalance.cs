using System.Numerics;
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
/// </summary>
public sealed partial class EntropicBalance : Experiment<EntropicBalance.Config>
{
    public override string Id => "entropic-balance";
    public override string Title => "Entropic forces: SGD balances gradients and aligns representations, GD does not";
    public override Paper Paper => new("Neural Thermodynamics: Entropic Forces in Deep and Universal Representation Learning",
        "Liu Ziyin, Yizhou Xu, Isaac Chuang", "2505.12387");
    public override string Summary => "D-a two linear nets of different width align under SGD (CKA, mutual k-NN), not under GD; D-b SGD balances neuron gradients, GD does not; D-c the discrete charge identity of GD (float64)";
    public override string[] ExportKinds => ["features", "weights"];

    public sealed class Config
    {
        public AlignmentConfig Alignment { get; set; } = new();
        public NeuronBalanceConfig NeuronBalance { get; set; } = new();
        public DiscretisationConfig Discretisation { get; set; } = new();
        [Param("population members, one seed each (run seed + i)", Min = 1, Max = 64)] public int Seeds { get; set; } = 3;
        [Param("SGD steps between two logged measurements (GD logs 10× as often)", Min = 10)] public int ProbeEvery { get; set; } = 2000;
        /// <summary>Optional syre regulariser on every trained net of D-a and D-b; off by default.</summary>
        public SyreConfig Syre { get; set; } = new();
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

        public void Validate()
        {
            if (SgdBatch > Samples) throw new ConfigException($"alignment.sgd_batch={SgdBatch}: expected at most alignment.samples ({Samples})");
            if (AnnealSteps > SgdSteps) throw new ConfigException($"alignment.anneal_steps={AnnealSteps}: expected at most alignment.sgd_steps ({SgdSteps}), the step schedule anneals once");
            if (K > ProbeSamples - 1) throw new ConfigException($"alignment.k={K}: expected at most alignment.probe_samples − 1 ({ProbeSamples - 1})");
        }
    }

    /// <summary>D-b setting (docs/experiments/entropic-balance.md#d-b-setting-neuron-balance).</summary>
    public sealed class NeuronBalanceConfig : IValidatedConfig
    {
        [Param("input width d", Min = 1, Max = 4096)] public int InputDim { get; set; } = 10;
        [Param("hidden ReLU neurons h", Min = 1, Max = 4096)] public int Hidden { get; set; } = 16;
        [Param("ReLU units of the teacher y = Σ_k a_k ReLU(b_kᵀx) + noise", Min = 1, Max = 4096)] public int TeacherUnits { get; set; } = 4;
        [Param("teacher b_k std × √d", Min = 0)] public double TeacherScale { get; set; } = 1.5;
        [Param("label-noise std", Min = 0)] public double LabelNoise { get; set; } = 0.5;
        [Param("training samples N", Min = 2)] public int Samples { get; set; } = 512;
        [Param("w_i init std × √d", Min = 0)] public double WScale { get; set; } = 2.0;
        [Param("u_i init std × √h", Min = 0)] public double UScale { get; set; } = 0.1;
        [Param("learning rate η (SGD and GD)", Min = 0, Max = 10)] public double Lr { get; set; } = 0.02;
        [Param("SGD batch size", Min = 1)] public int SgdBatch { get; set; } = 4;
        [Param("SGD steps", Min = 1)] public int SgdSteps { get; set; } = 100000;
        [Param("GD (full batch) steps", Min = 1)] public int GdSteps { get; set; } = 3000;

        public void Validate()
        {
            if (SgdBatch > Samples) throw new ConfigException($"neuron_balance.sgd_batch={SgdBatch}: expected at most neuron_balance.samples ({Samples})");
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
        claims.AddRange(ctx.ClaimsPhase("neuron_balance", _ => RunNeuronBalance(config, ctx)));
        claims.AddRange(ctx.ClaimsPhase("discretisation", _ => [RunDiscretisation(config, linear, ctx)]));
        return claims;
    }

    private static string PerSeed(RunContext ctx, IEnumerable<double> values) =>
        string.Join(", ", values.Select((v, i) => $"seed {ctx.Seed + i}: {Claim.Format(v)}"));

    // ---- D-a: Platonic alignment from entropic forces ----

    /// <summary>Per-seed data of D-a: x_j = s·decay^j·z_j, y = Mx + ε with M ~ N(0, 1/d); plus fresh probe inputs.</summary>
    private sealed record LinearTeacherData(double[][] X, double[][] Y, double[][] ProbeX);

    private static LinearTeacherData LinearTeacher(AlignmentConfig c, int seeds, RunContext ctx)
    {
        int d = c.InputDim, o = c.OutputDim;
        var xs = new double[seeds][]; var ys = new double[seeds][]; var probes = new double[seeds][];
        for (int s = 0; s < seeds; s++)
        {
            var rng = ctx.SeedStream(s, "alignment.data");
            var m = new double[o * d];
            for (int i = 0; i < m.Length; i++) m[i] = rng.Normal() / Math.Sqrt(d);
            double[] Inputs(int n, Rng r)
            {
                var x = new double[n * d];
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < d; j++) x[i * d + j] = c.InputScale * Math.Pow(c.Decay, j) * r.Normal();
                return x;
            }
            xs[s] = Inputs(c.Samples, rng);
            ys[s] = new double[c.Samples * o];
            for (int i = 0; i < c.Samples; i++)
                for (int k = 0; k < o; k++)
                {
                    double v = 0;
                    for (int j = 0; j < d; j++) v += m[k * d + j] * xs[s][i * d + j];
                    ys[s][i * o + k] = v + c.LabelNoise * rng.Normal();
                }
            probes[s] = Inputs(c.ProbeSamples, ctx.SeedStream(s, "alignment.probe"));
        }
        return new LinearTeacherData(xs, ys, probes);
    }

    private static Tensor<T> Stack<T>(double[][] perMember, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var t = new Tensor<T>(perMember.Length, rows, cols);
        for (int m = 0; m < perMember.Length; m++)
        {
            var dst = t.SliceSpan(m);
            for (int i = 0; i < dst.Length; i++) dst[i] = T.CreateChecked(perMember[m][i]);
        }
        return t;
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
        var training = new TrainingData<float>(Stack<float>(data.X, c.Samples, c.InputDim), Stack<float>(data.Y, c.Samples, c.OutputDim), perMember: true);
        var probe = Stack<float>(data.ProbeX, c.ProbeSamples, c.InputDim);
        var before = Compare(LinearNet<float>(c, seeds, c.HiddenA, c.WScaleA, c.UScaleA, "alignment.init.a", ctx),
                             LinearNet<float>(c, seeds, c.HiddenB, c.WScaleB, c.UScaleB, "alignment.init.b", ctx), probe, c.K);
        var sgd = TrainPair("sgd", c.SgdBatch, c.SgdLr, c.SgdSteps + c.AnnealSteps, new StepSchedule(c.SgdSteps, c.AnnealFactor), config.ProbeEvery, config, training, probe, ctx);
        var gd = TrainPair("gd", c.Samples, c.GdLr, c.GdSteps, null, Math.Max(1, config.ProbeEvery / 10), config, training, probe, ctx);
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
        ];
    }

    /// <summary>Trains nets A and B in lockstep on the same data (own inits, own batch streams) and compares their hidden layers.</summary>
    private static AlignmentResult TrainPair(string name, int batch, double lr, int steps, Schedule? schedule, int every, Config config,
        TrainingData<float> data, Tensor<float> probe, RunContext ctx)
    {
        var c = config.Alignment;
        int seeds = config.Seeds;
        var netA = LinearNet<float>(c, seeds, c.HiddenA, c.WScaleA, c.UScaleA, "alignment.init.a", ctx);
        var netB = LinearNet<float>(c, seeds, c.HiddenB, c.WScaleB, c.UScaleB, "alignment.init.b", ctx);
        Trainer<float> Make(Sequential<float> net, string tag)
        {
            var t = new Trainer<float>(net, new MseLoss<float>(half: true), new Sgd<float>(seeds, lr), data, batch,
                Enumerable.Range(0, seeds).Select(s => ctx.SeedStream(s, $"alignment.{name}.batches.{tag}")).ToArray(), schedule);
            config.Syre.AttachTo(t, Enumerable.Range(0, seeds).Select(s => ctx.SeedStream(s, $"alignment.{name}.syre.{tag}")).ToArray());
            return t;
        }
        var (ta, tb) = (Make(netA, "a"), Make(netB, "b"));
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
        AlignmentCurve(ctx, pop, name);
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

    // ---- D-b: neuron gradient balance in a ReLU net ----

    private static IReadOnlyList<Claim> RunNeuronBalance(Config config, RunContext ctx)
    {
        var c = config.NeuronBalance;
        int seeds = config.Seeds;
        var data = ReluTeacher(c, seeds, ctx);
        var (sgd, init) = TrainReluNet("sgd", c.SgdBatch, c.SgdSteps, config.ProbeEvery, config, data, ctx);
        var (gd, _) = TrainReluNet("gd", c.Samples, c.GdSteps, Math.Max(1, config.ProbeEvery / 20), config, data, ctx);
        return
        [
            Claim.AtMost("D-b.sgd-neuron-balance",
                $"SGD (|B|={c.SgdBatch}, η={c.Lr}, {c.SgdSteps} steps) balances every ReLU neuron: median over active neurons of |log(E‖∂ℓ/∂w_i‖² / E(∂ℓ/∂u_i)²)| (largest of {seeds} seeds)",
                sgd.Max(), 0.7, PerSeed(ctx, sgd) + $"; at init: {PerSeed(ctx, init)}"),
            Claim.AtLeast("D-b.gd-neuron-balance",
                $"GD (full batch, {c.GdSteps} steps) leaves the neurons unbalanced: the same median |log ratio| (smallest of the seeds)",
                gd.Min(), 2.0, PerSeed(ctx, gd)),
        ];
    }

    /// <summary>Teacher y = Σ_k a_k ReLU(b_kᵀx) + σε with b_k ~ N(0, (scale/√d)²), a_k ~ N(0, 1), x ~ N(0, I); one data set per seed.</summary>
    private static TrainingData<float> ReluTeacher(NeuronBalanceConfig c, int seeds, RunContext ctx)
    {
        int d = c.InputDim, k = c.TeacherUnits;
        var x = new Tensor<float>(seeds, c.Samples, d);
        var y = new Tensor<float>(seeds, c.Samples, 1);
        for (int s = 0; s < seeds; s++)
        {
            var rng = ctx.SeedStream(s, "neuron_balance.data");
            var b = new double[k * d]; var a = new double[k];
            for (int i = 0; i < b.Length; i++) b[i] = rng.Normal() * c.TeacherScale / Math.Sqrt(d);
            for (int i = 0; i < k; i++) a[i] = rng.Normal();
            var xs = x.SliceSpan(s); var ys = y.SliceSpan(s);
            for (int n = 0; n < c.Samples; n++)
            {
                for (int j = 0; j < d; j++) xs[n * d + j] = (float)rng.Normal();
                double v = 0;
                for (int t = 0; t < k; t++)
                {
                    double z = 0;
                    for (int j = 0; j < d; j++) z += b[t * d + j] * xs[n * d + j];
                    v += a[t] * Math.Max(z, 0);
                }
                ys[n] = (float)(v + c.LabelNoise * rng.Normal());
            }
        }
        return new TrainingData<float>(x, y, perMember: true);
    }

    private static (double[] Final, double[] Init) TrainReluNet(string name, int batch, int steps, int every, Config config, TrainingData<float> data, RunContext ctx)
    {
        var c = config.NeuronBalance;
        int seeds = config.Seeds;
        var net = Mlp.Build<float>(seeds, [c.InputDim, c.Hidden, 1], "relu", bias: false, compute: ctx.Compute);
        var (w, u) = (net.Linears.First(), net.Linears.Last());
        for (int s = 0; s < seeds; s++)
        {
            var init = ctx.SeedStream(s, "neuron_balance.init");
            init.FillNormal(w.Weight.Value.SliceSpan(s), 0, c.WScale / Math.Sqrt(c.InputDim));
            init.FillNormal(u.Weight.Value.SliceSpan(s), 0, c.UScale / Math.Sqrt(c.Hidden));
        }
        var trainer = new Trainer<float>(net, new MseLoss<float>(half: true), new Sgd<float>(seeds, c.Lr), data, batch,
            Enumerable.Range(0, seeds).Select(s => ctx.SeedStream(s, $"neuron_balance.{name}.batches")).ToArray());
        config.Syre.AttachTo(trainer, Enumerable.Range(0, seeds).Select(s => ctx.SeedStream(s, $"neuron_balance.{name}.syre")).ToArray());
        var pop = ctx.Population($"neuron_balance.{name}", PopulationLayout.OfSeeds(seeds));
        ctx.Export.Watch(pop, trainer); // --export
        var balance = NeuronBalance(net, data);
        var init0 = (double[])balance.Clone();
        ctx.Time($"neuron_balance.{name}", () =>
        {
            trainer.Run(steps, every, step =>
            {
                balance = NeuronBalance(net, data);
                for (int s = 0; s < seeds; s++)
                {
                    pop.Log(step, s, "neuron_balance", balance[s]);
                    if (step > 0) pop.Log(step, s, "batch_loss", trainer.LastLoss[s]);
                }
                ctx.Metrics.Flush();
                ctx.Progress.Report($"entropic-balance D-b {name}", step, steps);
            }, ctx.Cancel);
            return 0;
        });
        var fig = ctx.Figures.FirstOrDefault(f => f.Id == "neuron-balance");
        if (fig is null)
        {
            fig = new Figure("neuron-balance", "Neuron gradient balance of a ReLU net (D-b)", "line", "step", "median |log E‖∂ℓ/∂w_i‖² / E(∂ℓ/∂u_i)²|")
            {
                LogX = true,
                Caption = "SGD's noise drives every neuron to equal gradient energy on its two sides (0); GD keeps the init's imbalance.",
            };
            ctx.Figures.Add(fig);
        }
        var rows = ctx.Metrics.Rows.Where(r => r.Phase == $"neuron_balance.{name}" && r.Name == "neuron_balance" && r.Step > 0).ToList();
        for (int s = 0; s < seeds; s++)
        {
            var mine = rows.Where(r => r.Member == s).ToList();
            fig.Series.Add(new Series($"{name.ToUpperInvariant()} seed {ctx.Seed + s}", mine.Select(r => (double)r.Step).ToArray(), mine.Select(r => r.Value).ToArray()));
        }
        return (balance, init0);
    }

    /// <summary>Median |log ratio| of per-neuron gradient energies over the whole training set (GradientBalance.NeuronBalance), per member.</summary>
    private static double[] NeuronBalance(Sequential<float> net, TrainingData<float> data)
    {
        int p = net.Members, n = data.Count;
        var idx = Enumerable.Range(0, n).ToArray();
        var x = new Tensor<float>(p, n, data.InputWidth);
        var y = new Tensor<float>(p, n, data.TargetWidth);
        for (int m = 0; m < p; m++) data.Gather(m, idx, x, y);
        var output = net.Forward(x);
        var grad = net.OutputGradientBuffer(n);
        new MseLoss<float>(half: true).Evaluate(output, y, new double[p], grad);
        net.Backward(grad);
        var t = net.Trace;
        return Enumerable.Range(0, p).Select(m => GradientBalance.NeuronBalance(
            MemberSlice.ToDouble(t[0].Input, m), MemberSlice.ToDouble(t[0].GradPreActivation, m),
            MemberSlice.ToDouble(t[1].Input, m), MemberSlice.ToDouble(t[1].GradPreActivation, m)).MedianAbsLogRatio).ToArray();
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
        var training = new TrainingData<double>(Stack<double>(data.X, a.Samples, a.InputDim), Stack<double>(data.Y, a.Samples, a.OutputDim), perMember: true);
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
