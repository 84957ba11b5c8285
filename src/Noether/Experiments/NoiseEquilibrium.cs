using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using Noether.Learning;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// Ziyin, Wang, Li, Wu — "Parameter Symmetry and Noise Equilibrium of Stochastic Gradient Descent"
/// (arXiv 2402.07193; docs/experiments/noise-equilibrium.md).
/// H-a: under the rescaling symmetry of a two-layer linear net, SGD noise drives d·UᵀU − o·WWᵀ to
/// zero (the noise equilibrium) and balances per-sample gradient energy; GD keeps its initial imbalance.
/// H-b: under scale invariance (f = vᵀx/‖v‖) every SGD step can only grow ‖v‖², so the norm diverges;
/// GD barely moves it. H-c (the exact one-step charge identity) is a float64 unit test.
/// H-d (docs/experiments/noise-equilibrium.md#h-d-setting-warmup, the paper's warmup figure): the stability of SGD is governed by the Hessian trace S. A Kaiming
/// init is unbalanced (‖W‖ ≫ ‖U‖) and sharp, so at a learning rate above its stability limit SGD without
/// warmup diverges; a linear warmup lets the noise bring it to the balanced equilibrium first, where S
/// is small and the same as from a (balanced) Xavier init. At a contrast learning rate near that limit warmup
/// is not claimed to help (its numbers are extras and a figure).
/// Each population member is one seed (run seed + i) with its own teacher, data and initialisation.
/// Resumable: each of the six training phases checkpoints at its probe points (see <see cref="RunCheckpoints"/>).
/// </summary>
public sealed class NoiseEquilibrium : Experiment<NoiseEquilibrium.Config>
{
    public override string Id => "noise-equilibrium";
    public override string Title => "SGD under symmetry: noise equilibrium or divergence";
    public override Paper Paper => new("Parameter Symmetry and Noise Equilibrium of Stochastic Gradient Descent",
        "Liu Ziyin, Mingze Wang, Hongchao Li, Lei Wu", "2402.07193");
    public override string Summary => "H-a SGD balances a 2-layer linear net (imbalance, gradient-balance ratio), GD does not; H-b SGD grows the norm of a scale-invariant model, GD does not; H-d warmup lets SGD from a Kaiming init reach the flat equilibrium of a Xavier init at a learning rate where it otherwise diverges";
    public override string[] ExportKinds => ["features", "weights"];

    public sealed class Config : IMemoryEstimate
    {
        /// <summary>Per member: each phase's data plus activations and errors of a full batch (float32 for H-a, float64 for H-b and H-d).</summary>
        public (double Bytes, string Because) EstimateMemory()
        {
            double balance = (double)Balance.Samples * (Balance.InputDim + Balance.Hidden + Balance.OutputDim) * 4 * 3;
            double scale = (double)Scale.Samples * Scale.InputDim * 8 * 3;
            double warmup = (double)Warmup.Samples * (Warmup.InputDim + Warmup.Hidden + Warmup.OutputDim) * 8 * 3;
            return (Seeds * Math.Max(balance, Math.Max(scale, warmup)),
                $"{Seeds} seeds × samples (balance {Balance.Samples}, scale {Scale.Samples}, warmup {Warmup.Samples}) × widths");
        }

        public BalanceConfig Balance { get; set; } = new();
        public ScaleConfig Scale { get; set; } = new();
        public WarmupConfig Warmup { get; set; } = new();
        [Param("population members, one seed each (run seed + i)", Min = 1, Max = 64)] public int Seeds { get; set; } = 3;
        [Param("steps between two logged measurements", Min = 1)] public int ProbeEvery { get; set; } = 100;
    }

    /// <summary>H-a setting (docs/experiments/noise-equilibrium.md#h-a-setting-balance).</summary>
    public sealed class BalanceConfig : IValidatedConfig
    {
        [Param("input width d", Min = 1, Max = 4096)] public int InputDim { get; set; } = 8;
        [Param("hidden width h", Min = 1, Max = 4096)] public int Hidden { get; set; } = 16;
        [Param("output width o", Min = 1, Max = 4096)] public int OutputDim { get; set; } = 8;
        [Param("training samples N", Min = 2)] public int Samples { get; set; } = 512;
        [Param("label-noise std σ_ε", Min = 0)] public double LabelNoise { get; set; } = 1.0;
        [Param("W init std × √d", Min = 0)] public double WInitScale { get; set; } = 2.0;
        [Param("U init std × √h", Min = 0)] public double UInitScale { get; set; } = 0.1;
        [Param("learning rate η (SGD and GD)", Min = 0, Max = 10)] public double Lr { get; set; } = 0.02;
        [Param("SGD batch size", Min = 1)] public int SgdBatch { get; set; } = 4;
        [Param("SGD steps", Min = 1)] public int SgdSteps { get; set; } = 20000;
        [Param("GD (full-batch) steps", Min = 1)] public int GdSteps { get; set; } = 2000;

        public void Validate()
        {
            if (SgdBatch > Samples) throw new ConfigException($"balance.sgd_batch={SgdBatch}: expected at most balance.samples ({Samples})");
        }
    }

    /// <summary>H-b setting (docs/experiments/noise-equilibrium.md#h-b-setting-scale-invariance: v₀ ~ N(0, I/d), float64).</summary>
    public sealed class ScaleConfig : IValidatedConfig
    {
        [Param("input width d", Min = 1, Max = 4096)] public int InputDim { get; set; } = 20;
        [Param("training samples N", Min = 2)] public int Samples { get; set; } = 256;
        [Param("label-noise std", Min = 0)] public double LabelNoise { get; set; } = 0.5;
        [Param("v₀ std × √d", Min = 0)] public double InitScale { get; set; } = 1.0;
        [Param("learning rate", Min = 0, Max = 10)] public double Lr { get; set; } = 0.1;
        [Param("SGD batch size", Min = 1)] public int SgdBatch { get; set; } = 1;
        [Param("steps (SGD and GD)", Min = 1)] public int Steps { get; set; } = 20000;

        public void Validate()
        {
            if (SgdBatch > Samples) throw new ConfigException($"scale.sgd_batch={SgdBatch}: expected at most scale.samples ({Samples})");
        }
    }

    /// <summary>
    /// H-d setting (docs/experiments/noise-equilibrium.md#h-d-setting-warmup and Fig. 7_1: rank-1 matrix factorisation, Kaiming vs Xavier init, ± warmup): y = a bᵀx/√d + σ_ε ε
    /// with a, b, x, ε standard normal, f = UWx, half-MSE, SGD in float64. Kaiming = N(0, 2/fan_in), Xavier = N(0, 2/(fan_in+fan_out)).
    /// </summary>
    public sealed class WarmupConfig : IValidatedConfig
    {
        [Param("input width d", Min = 1, Max = 4096)] public int InputDim { get; set; } = 5;
        [Param("hidden width h", Min = 1, Max = 4096)] public int Hidden { get; set; } = 100;
        [Param("output width o", Min = 1, Max = 4096)] public int OutputDim { get; set; } = 5;
        [Param("training samples N", Min = 2)] public int Samples { get; set; } = 512;
        [Param("label-noise std σ_ε", Min = 0)] public double LabelNoise { get; set; } = 1.0;
        [Param("learning rate of the claims, above the stability limit 2/λ_max(H₀) of the Kaiming init (≈ 0.03 at the defaults)", Min = 0, Max = 10)]
        public double Lr { get; set; } = 0.1;
        [Param("contrast learning rate, near or below that limit (reported as extra numbers, not claimed)", Min = 0, Max = 10)]
        public double ContrastLr { get; set; } = 0.03;
        [Param("SGD batch size", Min = 1)] public int Batch { get; set; } = 8;
        [Param("SGD steps", Min = 1)] public int Steps { get; set; } = 10000;
        [Param("linear warmup steps: the learning rate rises from η/n to η over the first n steps", Min = 1)] public int WarmupSteps { get; set; } = 5000;

        public void Validate()
        {
            if (Batch > Samples) throw new ConfigException($"warmup.batch={Batch}: expected at most warmup.samples ({Samples})");
            if (Samples < InputDim) throw new ConfigException($"warmup.samples={Samples}: expected at least warmup.input_dim ({InputDim}) training samples");
            if (WarmupSteps >= Steps) throw new ConfigException($"warmup.warmup_steps={WarmupSteps}: expected fewer than warmup.steps ({Steps}), so that SGD also runs at the full learning rate");
        }
    }

    protected override Config Profile(string profile) => profile == "full"
        ? new Config
        {
            Seeds = 10,
            ProbeEvery = 250,
            Balance = new BalanceConfig { SgdSteps = 50000, GdSteps = 20000 },
            Scale = new ScaleConfig { Steps = 50000 },
            Warmup = new WarmupConfig { Steps = 40000 },
        }
        : new Config();

    protected override IReadOnlyList<Claim> Run(Config config, RunContext ctx)
    {
        var claims = new List<Claim>();
        claims.AddRange(RunBalance(config, ctx));
        claims.AddRange(RunScaleInvariance(config, ctx));
        claims.AddRange(RunWarmup(config, ctx));
        return claims;
    }

    // ---- H-a: noise equilibrium of a two-layer linear net ----

    private static IReadOnlyList<Claim> RunBalance(Config config, RunContext ctx)
    {
        var c = config.Balance;
        int p = config.Seeds;
        var data = MakeTeacherData(c, p, ctx);
        var sgd = Train("sgd", c.SgdBatch, c.SgdSteps, c, config, data, ctx);
        var gd = Train("gd", c.Samples, c.GdSteps, c, config, data, ctx);

        string Seeds(double[] v) => string.Join(", ", v.Select((x, i) => $"seed {ctx.Seed + i}: {Claim.Format(x)}"));
        double worstRho = sgd.Rho.OrderByDescending(r => Math.Abs(Math.Log(r))).First();
        return
        [
            Claim.AtMost("H-a.sgd-imbalance",
                $"SGD (|B|={c.SgdBatch}, η={c.Lr}, {c.SgdSteps} steps) drives the relative imbalance ‖d·UᵀU − o·WWᵀ‖/(‖d·UᵀU‖+‖o·WWᵀ‖) of a {c.InputDim}-{c.Hidden}-{c.OutputDim} linear net from ≈1 to the noise equilibrium (worst of {p} seeds)",
                sgd.Imbalance.Max(), 0.2, Seeds(sgd.Imbalance)),
            Claim.Within("H-a.sgd-balance-ratio",
                "SGD equalises per-sample gradient energy between the layers: ρ = E‖∇_W ℓ‖² / E‖∇_U ℓ‖² near 1 (seed farthest from 1)",
                worstRho, 0.8, 1.25, Seeds(sgd.Rho)),
            Claim.AtLeast("H-a.gd-imbalance",
                $"GD (full batch, {c.GdSteps} steps) keeps the initial imbalance: gradient flow conserves UᵀU − WWᵀ (smallest of {p} seeds)",
                gd.Imbalance.Min(), 0.9, Seeds(gd.Imbalance)),
            Claim.AtMost("H-a.gd-balance-ratio",
                "GD does not balance gradient energy: ρ stays far below 1 (largest of the seeds)",
                gd.Rho.Max(), 0.1, Seeds(gd.Rho)),
        ];
    }

    private static TrainingData<float> MakeTeacherData(BalanceConfig c, int members, RunContext ctx)
    {
        var x = new Tensor<float>(members, c.Samples, c.InputDim);
        var y = new Tensor<float>(members, c.Samples, c.OutputDim);
        for (int p = 0; p < members; p++)
        {
            var rng = ctx.SeedStream(p, "data");
            var m = new double[c.OutputDim * c.InputDim];
            for (int i = 0; i < m.Length; i++) m[i] = rng.Normal() / Math.Sqrt(c.InputDim);
            var xs = x.SliceSpan(p); var ys = y.SliceSpan(p);
            for (int n = 0; n < c.Samples; n++)
            {
                for (int j = 0; j < c.InputDim; j++) xs[n * c.InputDim + j] = (float)rng.Normal();
                for (int o = 0; o < c.OutputDim; o++)
                {
                    double s = 0;
                    for (int j = 0; j < c.InputDim; j++) s += m[o * c.InputDim + j] * xs[n * c.InputDim + j];
                    ys[n * c.OutputDim + o] = (float)(s + c.LabelNoise * rng.Normal());
                }
            }
        }
        return new TrainingData<float>(x, y, perMember: true);
    }

    private sealed record BalanceResult(double[] Imbalance, double[] Rho, double[] Loss);

    private static BalanceResult Train(string name, int batch, int steps, BalanceConfig c, Config config, TrainingData<float> data, RunContext ctx)
    {
        int p = config.Seeds;
        var pop = ctx.Population($"balance.{name}", PopulationLayout.OfSeeds(p));
        var phase = ctx.Checkpoints.Phase($"balance.{name}");
        if (phase.Done)
        {
            AddBalanceCurve(ctx, pop, name);
            return new BalanceResult(phase.Results!.Get<double>("imbalance"), phase.Results.Get<double>("rho"), phase.Results.Get<double>("loss"));
        }
        var net = Mlp.Build<float>(p, [c.InputDim, c.Hidden, c.OutputDim], "identity", bias: false, compute: ctx.Compute);
        var lin = net.Linears.ToArray();
        for (int m = 0; m < p; m++)
        {
            var init = pop.Stream(m, "init");
            init.FillNormal(lin[0].Weight.Value.SliceSpan(m), 0, c.WInitScale / Math.Sqrt(c.InputDim));
            init.FillNormal(lin[1].Weight.Value.SliceSpan(m), 0, c.UInitScale / Math.Sqrt(c.Hidden));
        }
        var trainer = new Trainer<float>(net, new MseLoss<float>(half: true), new Sgd<float>(p, c.Lr), data, batch,
            pop.Streams("batches"));
        if (phase.Resumed is { } saved) trainer.LoadState(saved);
        ctx.Export.Watch(pop, trainer); // --export
        var imbalance = new double[p];
        Action<CheckpointState> save = s => trainer.SaveState(s);
        ctx.Time($"balance.{name}", () =>
        {
            trainer.Run(steps - trainer.Step, config.ProbeEvery, step =>
            {
                // Checkpoint before this step's rows: a resumed run starts by logging them again.
                phase.SafePoint(step, save);
                for (int m = 0; m < p; m++)
                {
                    imbalance[m] = Imbalance(lin[0].Weight.Value.Slice(m), lin[1].Weight.Value.Slice(m));
                    pop.Log(step, m, "imbalance", imbalance[m]);
                    if (step > 0) pop.Log(step, m, "batch_loss", trainer.LastLoss[m]);
                }
                ctx.Metrics.Flush();
                ctx.Progress.Report($"noise-equilibrium H-a {name}", step, steps);
            }, ctx.Cancel);
            return 0;
        });
        var (rho, loss) = MeasureGradientBalance(net, data);
        for (int m = 0; m < p; m++)
        {
            pop.Log(steps, m, "gradient_balance_ratio", rho[m]);
            pop.Log(steps, m, "train_loss", loss[m]);
        }
        ctx.Metrics.Flush();
        AddBalanceCurve(ctx, pop, name);
        phase.Complete(r => { r.Put("imbalance", imbalance); r.Put("rho", rho); r.Put("loss", loss); });
        return new BalanceResult(imbalance, rho, loss);
    }

    private static void AddBalanceCurve(RunContext ctx, Population pop, string name) =>
        AddCurve(ctx, "balance-imbalance", "Relative imbalance of UᵀU and WWᵀ (H-a)", "step", "imbalance", pop, name, "imbalance",
            "SGD falls to the noise equilibrium; GD keeps the initial imbalance.");

    /// <summary>imb = ‖d·UᵀU − o·WWᵀ‖_F / (‖d·UᵀU‖_F + ‖o·WWᵀ‖_F), W: h×d, U: o×h (docs/experiments/noise-equilibrium.md#h-a-setting-balance), via the probe.</summary>
    public static double Imbalance(Tensor<float> w, Tensor<float> u) =>
        Probes.GradientBalance.TwoLayerImbalance(ToDouble(w), ToDouble(u));

    private static Tensor<double> ToDouble(Tensor<float> t) => MemberSlice.ToDouble(t.Reshape([1, .. t.Shape]), 0);

    /// <summary>
    /// ρ = E‖∇_W ℓ‖² / E‖∇_U ℓ‖² over the training set, from per-sample gradients of bias-free linear
    /// layers: ‖∇_W ℓ_i‖² = ‖g_b,i‖²·‖h_a,i‖² (outer-product structure), read off one full-data pass.
    /// </summary>
    private static (double[] Rho, double[] Loss) MeasureGradientBalance(Sequential<float> net, TrainingData<float> data)
    {
        int p = net.Members, n = data.Count;
        var idx = Enumerable.Range(0, n).ToArray();
        var x = new Tensor<float>(p, n, data.InputWidth);
        var y = new Tensor<float>(p, n, data.TargetWidth);
        for (int m = 0; m < p; m++) data.Gather(m, idx, x, y);
        var output = net.Forward(x);
        var grad = net.OutputGradientBuffer(n);
        var loss = new double[p];
        new MseLoss<float>(half: true).Evaluate(output, y, loss, grad);
        net.Backward(grad);
        var rho = new double[p];
        var trace = net.Trace;
        for (int m = 0; m < p; m++)
            rho[m] = Probes.GradientBalance.LayerBalanceRatio(PerSampleSquaredNorms(trace[0], m), PerSampleSquaredNorms(trace[1], m));
        return (rho, loss);
    }

    private static double[] PerSampleSquaredNorms(LinearTrace<float> t, int member) =>
        Probes.GradientBalance.PerSampleSquaredNorms(MemberSlice.ToDouble(t.Input, member), MemberSlice.ToDouble(t.GradPreActivation, member));

    // ---- H-b: scale invariance makes SGD grow the norm ----

    private static IReadOnlyList<Claim> RunScaleInvariance(Config config, RunContext ctx)
    {
        var c = config.Scale;
        int p = config.Seeds;
        var x = new Tensor<double>(p, c.Samples, c.InputDim);
        var y = new Tensor<double>(p, c.Samples, 1);
        for (int m = 0; m < p; m++)
        {
            var rng = ctx.SeedStream(m, "scale.data");
            var a = new double[c.InputDim];
            for (int j = 0; j < a.Length; j++) a[j] = rng.Normal();
            double an = Math.Sqrt(a.Sum(v => v * v));
            var xs = x.SliceSpan(m); var ys = y.SliceSpan(m);
            for (int n = 0; n < c.Samples; n++)
            {
                double s = 0;
                for (int j = 0; j < c.InputDim; j++) { xs[n * c.InputDim + j] = rng.Normal(); s += a[j] / an * xs[n * c.InputDim + j]; }
                ys[n] = s + c.LabelNoise * rng.Normal();
            }
        }
        var data = new TrainingData<double>(x, y, perMember: true);
        var (sgdRatio, decreases) = TrainScaleInvariant("sgd", c.SgdBatch, c, config, data, ctx);
        var (gdRatio, _) = TrainScaleInvariant("gd", c.Samples, c, config, data, ctx);
        string Seeds(double[] v) => string.Join(", ", v.Select((r, i) => $"seed {ctx.Seed + i}: ×{Claim.Format(r)}"));
        return
        [
            Claim.AtLeast("H-b.sgd-norm-growth",
                $"Under scale invariance f = vᵀx/‖v‖, SGD (|B|={c.SgdBatch}, η={c.Lr}, {c.Steps} steps) grows ‖v‖²/‖v₀‖² without bound (smallest of {p} seeds)",
                sgdRatio.Min(), 5, Seeds(sgdRatio)),
            Claim.AtMost("H-b.gd-norm-growth",
                "GD (full batch) leaves the norm nearly unchanged (largest of the seeds)",
                gdRatio.Max(), 1.5, Seeds(gdRatio)),
            Claim.AtMost("H-b.sgd-monotone",
                "‖v‖² never decreases at any SGD step (each step adds η²‖g‖², fact 3 with A = I; float64): number of steps over all seeds where it fell by more than rounding (1e-14 relative)",
                decreases, 0).AsCheck(),
        ];
    }

    private static (double[] Ratio, long Decreases) TrainScaleInvariant(string name, int batch, ScaleConfig c, Config config, TrainingData<double> data, RunContext ctx)
    {
        int p = config.Seeds;
        var pop = ctx.Population($"scale.{name}", PopulationLayout.OfSeeds(p));
        var phase = ctx.Checkpoints.Phase($"scale.{name}");
        if (phase.Done)
        {
            AddScaleCurve(ctx, pop, name);
            return (phase.Results!.Get<double>("ratio"), phase.Results.GetInt64("decreases"));
        }
        var layer = new ScaleInvariantLinear<double>(p, c.InputDim, 1);
        var net = new Sequential<double>(p, [c.InputDim], [layer], ctx.Compute);
        for (int m = 0; m < p; m++)
            pop.Stream(m, "scale.init").FillNormal(layer.Weight.Value.SliceSpan(m), 0, c.InitScale / Math.Sqrt(c.InputDim));
        var trainer = new Trainer<double>(net, new MseLoss<double>(half: true), new Sgd<double>(p, c.Lr), data, batch,
            pop.Streams("scale.batches"));
        ctx.Export.Watch(pop, trainer); // --export
        var norm0 = new double[p];
        var norm = new double[p];
        for (int m = 0; m < p; m++) norm0[m] = norm[m] = SquaredNorm(layer.Weight.Value.SliceSpan(m));
        long decreases = 0;
        if (phase.Resumed is { } saved)
        {
            trainer.LoadState(saved);
            saved.CopyTo("norm", norm.AsSpan());
            decreases = saved.GetInt64("decreases");
        }
        else
        {
            for (int m = 0; m < p; m++) pop.Log(0, m, "norm_ratio", 1.0);
        }
        Action<CheckpointState> save = s => { trainer.SaveState(s); s.Put("norm", norm); s.Put("decreases", decreases); };
        ctx.Time($"scale.{name}", () =>
        {
            while (trainer.Step < c.Steps)
            {
                phase.SafePoint(trainer.Step, save);
                ctx.Cancel.ThrowIfCancellationRequested();
                trainer.StepOnce();
                for (int m = 0; m < p; m++)
                {
                    double now = SquaredNorm(layer.Weight.Value.SliceSpan(m));
                    // In exact arithmetic each step adds η²‖g‖² ≥ 0. When a sample's gradient is nearly zero that increment
                    // is below the rounding of ‖v‖² itself, so only a drop larger than rounding (1e-14 relative) is a violation.
                    if (now < norm[m] * (1 - RoundingTolerance)) decreases++;
                    norm[m] = now;
                }
                if (trainer.Step % config.ProbeEvery == 0 || trainer.Step == c.Steps)
                {
                    for (int m = 0; m < p; m++) pop.Log(trainer.Step, m, "norm_ratio", norm[m] / norm0[m]);
                    ctx.Metrics.Flush();
                    ctx.Progress.Report($"noise-equilibrium H-b {name}", trainer.Step, c.Steps);
                }
            }
            return 0;
        });
        AddScaleCurve(ctx, pop, name);
        var ratio = norm.Select((v, m) => v / norm0[m]).ToArray();
        phase.Complete(r => { r.Put("ratio", ratio); r.Put("decreases", decreases); });
        return (ratio, decreases);
    }

    private static void AddScaleCurve(RunContext ctx, Population pop, string name) =>
        AddCurve(ctx, "scale-norm", "‖v‖²/‖v₀‖² of a scale-invariant model (H-b)", "step", "‖v‖²/‖v₀‖²", pop, name, "norm_ratio",
            "SGD noise pushes the norm outward at every step; GD stays near its initial sphere.");

    /// <summary>Relative drop of ‖v‖² that float64 rounding of the update and the norm can produce (a few ulps of ‖v‖²).</summary>
    private const double RoundingTolerance = 1e-14;

    private static double SquaredNorm(ReadOnlySpan<double> v)
    {
        double s = 0;
        foreach (var x in v) s += x * x;
        return s;
    }

    // ---- H-d: warmup lets SGD from a Kaiming init reach the flat noise equilibrium ----

    /// <summary>One H-d training condition: an initialisation at a learning rate, each run with and without warmup; claimed or contrast.</summary>
    private sealed record WarmupCondition(string Init, double Lr, bool Claimed);

    private const string NoWarmup = "no-warmup", WithWarmup = "warmup";

    /// <summary>The conditions in the order of <see cref="WarmupLayout"/>; the first two are the claims' learning rate.</summary>
    private static WarmupCondition[] WarmupConditions(WarmupConfig c) =>
        [new("kaiming", c.Lr, true), new("xavier", c.Lr, true), new("kaiming", c.ContrastLr, false), new("xavier", c.ContrastLr, false)];

    /// <summary>H-d's population: learning rate (claimed, contrast) × init (Kaiming, Xavier) × seeds.</summary>
    private static PopulationLayout WarmupLayout(WarmupConfig c, int seeds) =>
        PopulationLayout.OfSeeds(seeds).With("lr", [c.Lr, c.ContrastLr]).With("init", ["kaiming", "xavier"]);

    private static IReadOnlyList<Claim> RunWarmup(Config config, RunContext ctx)
    {
        var c = config.Warmup;
        int seeds = config.Seeds;
        var conditions = WarmupConditions(c);
        var layout = WarmupLayout(c, seeds);
        var (data, moments) = MakeRankOneData(c, layout, ctx);
        var probeData = SquareLossEquivalentRows(data);
        // Both phases start from the same initialisations, so the first measures their stability for both.
        var plain = TrainWarmup(ctx.Population($"warmup.{NoWarmup}", layout), new ConstantSchedule(), measureStability: true, conditions, data, probeData, moments, config, ctx);
        var warm = TrainWarmup(ctx.Population($"warmup.{WithWarmup}", layout), new WarmupSchedule(c.WarmupSteps), measureStability: false, conditions, data, probeData, moments, config, ctx);

        // Every member's λ_max(H₀), final S or divergence step are in metrics.csv (initial_top_eigenvalue, hessian_trace, diverged_at).
        double closedFormError = 0;
        for (int m = 0; m < layout.Count; m++)
            foreach (var r in new[] { plain, warm })
                if (r.DivergedAt[m] < 0 && conditions[layout.ConditionOf(m)].Claimed) closedFormError = Math.Max(closedFormError, Math.Abs(r.ClosedForm[m] / r.Final[m] - 1));
        // The curves use the closed form of docs/experiments/noise-equilibrium.md#h-d-setting-warmup; this is how far it is from the probe at the end.
        ctx.Extra["warmup.closed_form_trace_max_relative_error"] = closedFormError;

        // Members at the claims' learning rate: Kaiming (condition 0) and Xavier (condition 1) of seed s.
        int K(int s) => layout.Member(s, 0, 0);
        int X(int s) => layout.Member(s, 0, 1);
        var flatter = new double[seeds];
        var sameAsXavier = new double[seeds];
        for (int s = 0; s < seeds; s++)
        {
            flatter[s] = warm.Final[K(s)] / plain.Min[K(s)];
            sameAsXavier[s] = warm.Final[K(s)] / warm.Final[X(s)];
        }
        string NoWarmupText(int m) => plain.DivergedAt[m] >= 0
            ? $"diverged at step {plain.DivergedAt[m]}"
            : $"S_T {Claim.Format(plain.Final[m])}";
        string Stability(int m) => $"S₀ {Claim.Format(plain.Initial[m])}, η·λ_max(H₀) {Claim.Format(conditions[layout.ConditionOf(m)].Lr * plain.InitialTop[m])}";
        string flatterDetails = string.Join("; ", Enumerable.Range(0, seeds).Select(s =>
            $"seed {ctx.Seed + s}: S_T {Claim.Format(warm.Final[K(s)])} with warmup; without: {NoWarmupText(K(s))}, smallest S {Claim.Format(plain.Min[K(s)])} ({Stability(K(s))}); ratio {Claim.Format(flatter[s])}"));
        string xavierDetails = string.Join("; ", Enumerable.Range(0, seeds).Select(s =>
            $"seed {ctx.Seed + s}: Kaiming {Claim.Format(warm.Final[K(s)])} vs Xavier {Claim.Format(warm.Final[X(s)])}, Xavier without warmup {NoWarmupText(X(s))} (Kaiming {Stability(K(s))}; Xavier {Stability(X(s))})"));
        double worstRatio = sameAsXavier.OrderByDescending(r => Math.Abs(Math.Log(r))).First();
        // No calibrated threshold exists for the warmup figure (docs/experiments/noise-equilibrium.md#h-dwarmup-flatter). "Much smaller" is a factor of two, far outside the equilibrium's
        // fluctuations of S (±10% over time); the init-independence band is that of H-a's gradient-balance ratio.
        return
        [
            Claim.AtMost("H-d.warmup-flatter",
                $"At η = {c.Lr}, above the stability limit of the unbalanced Kaiming init (η·λ_max(H₀) > 2: the regime of the paper's warmup mechanism; at η = {c.ContrastLr}, near that limit, warmup is not claimed to help: see the extra numbers), " +
                $"SGD (|B|={c.Batch}, {c.Steps} steps, {c.InputDim}-{c.Hidden}-{c.OutputDim} linear net, rank-1 teacher) with a {c.WarmupSteps}-step linear warmup ends with a much smaller Hessian trace S = Tr H than without: " +
                $"S_T with warmup / the smallest S the run without warmup had before it diverged or ended (largest of {seeds} seeds)",
                flatter.Max(), 0.5, flatterDetails),
            Claim.Within("H-d.warmup-init-independent",
                $"With warmup, the Kaiming init ends at the noise equilibrium of a balanced Xavier init: S_T(Kaiming) / S_T(Xavier) at η = {c.Lr}, both with warmup, " +
                "same data and batch order (the equilibrium forgets the init, so the runs coalesce; seed farthest from 1)",
                worstRatio, 0.8, 1.25, xavierDetails).AsCheck(),
        ];
    }

    /// <summary>
    /// Per seed: y = a bᵀx/√d + σ_ε ε (a rank-1 teacher), copied to every condition's member of that seed;
    /// and Σ̂_x = XᵀX/N (d×d), which the closed-form Hessian trace needs.
    /// </summary>
    private static (TrainingData<double> Data, Tensor<double>[] SecondMoments) MakeRankOneData(WarmupConfig c, PopulationLayout layout, RunContext ctx)
    {
        int n = c.Samples, d = c.InputDim, o = c.OutputDim, seeds = layout.Seeds;
        var x = new Tensor<double>(layout.Count, n, d);
        var y = new Tensor<double>(layout.Count, n, o);
        var moments = new Tensor<double>[seeds];
        for (int s = 0; s < seeds; s++)
        {
            var rng = ctx.SeedStream(s, "warmup.data");
            var a = new double[o]; var b = new double[d];
            for (int i = 0; i < o; i++) a[i] = rng.Normal();
            for (int j = 0; j < d; j++) b[j] = rng.Normal() / Math.Sqrt(d);
            var xs = x.SliceSpan(layout.MemberOfCondition(0, s)); var ys = y.SliceSpan(layout.MemberOfCondition(0, s));
            for (int i = 0; i < n; i++)
            {
                double bx = 0;
                for (int j = 0; j < d; j++) { xs[i * d + j] = rng.Normal(); bx += b[j] * xs[i * d + j]; }
                for (int k = 0; k < o; k++) ys[i * o + k] = a[k] * bx + c.LabelNoise * rng.Normal();
            }
            var sigma = moments[s] = new Tensor<double>(d, d);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++)
                    for (int l = 0; l < d; l++) sigma[j, l] += xs[i * d + j] * xs[i * d + l] / n;
            for (int k = 1; k < layout.Conditions; k++)
            {
                xs.CopyTo(x.SliceSpan(layout.MemberOfCondition(k, s)));
                ys.CopyTo(y.SliceSpan(layout.MemberOfCondition(k, s)));
            }
        }
        return (new TrainingData<double>(x, y, perMember: true), moments);
    }

    /// <summary>
    /// d rows per member whose half-MSE has exactly the gradient and Hessian of the N training rows, so the probes'
    /// p gradient pairs cost d/N as much. A model f = A(θ)x enters the loss only through XᵀX and XᵀY: with the thin
    /// QR X = QR, (1/2N)‖XAᵀ − Y‖² = (1/2d)‖X'Aᵀ − Y'‖² + const for X' = √(d/N)·R and Y' = √(d/N)·QᵀY.
    /// </summary>
    public static TrainingData<double> SquareLossEquivalentRows(TrainingData<double> data)
    {
        int members = data.Inputs.Shape[0], n = data.Count, d = data.InputWidth, o = data.TargetWidth;
        var x = new Tensor<double>(members, d, d);
        var y = new Tensor<double>(members, d, o);
        double scale = Math.Sqrt((double)d / n);
        for (int m = 0; m < members; m++)
        {
            var xm = Matrix<double>.Build.DenseOfRowMajor(n, d, data.Inputs.SliceSpan(m).ToArray());
            var ym = Matrix<double>.Build.DenseOfRowMajor(n, o, data.Targets.SliceSpan(m).ToArray());
            var qr = xm.QR(QRMethod.Thin);
            var r = qr.R * scale;
            var qty = qr.Q.TransposeThisAndMultiply(ym) * scale;
            var xs = x.SliceSpan(m); var ys = y.SliceSpan(m);
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < d; j++) xs[i * d + j] = r[i, j];
                for (int k = 0; k < o; k++) ys[i * o + k] = qty[i, k];
            }
        }
        return new TrainingData<double>(x, y, perMember: true);
    }

    /// <summary>
    /// Per member: S and λ_max of the Hessian at init (λ_max NaN unless measured), S_T at the end (NaN if diverged) from the sharpness
    /// probe for the claimed conditions and from the closed form for the contrast, S_T from the closed form, the smallest closed-form
    /// S at any probe before divergence, the step it diverged at (−1) and the final training loss.
    /// </summary>
    private sealed record WarmupResult(double[] Initial, double[] InitialTop, double[] Final, double[] ClosedForm, double[] Min, long[] DivergedAt, double[] Loss);

    private static WarmupResult TrainWarmup(Population pop, Schedule lrSchedule, bool measureStability, WarmupCondition[] conditions, TrainingData<double> data,
        TrainingData<double> probeData, Tensor<double>[] moments, Config config, RunContext ctx)
    {
        var c = config.Warmup;
        int p = pop.Count;
        string schedule = pop.Phase["warmup.".Length..];
        var phase = ctx.Checkpoints.Phase(pop.Phase);
        if (phase.Done)
        {
            AddWarmupCurves(ctx, pop, conditions, schedule);
            var r = phase.Results!;
            return new WarmupResult(r.Get<double>("initial"), r.Get<double>("initial_top"), r.Get<double>("final"), r.Get<double>("closed_form"),
                r.Get<double>("min"), r.Get<long>("diverged_at"), r.Get<double>("loss"));
        }
        var net = Mlp.Build<double>(p, [c.InputDim, c.Hidden, c.OutputDim], "identity", bias: false, compute: ctx.Compute);
        var sgd = new Sgd<double>(p, c.Lr);
        for (int m = 0; m < p; m++)
        {
            // Every condition and schedule of a seed draws the same normals (only their scale differs) and the same batches: the runs are paired.
            var rng = pop.Stream(m, "warmup.init");
            foreach (var param in net.Parameters) Initializer.Fill(param, m, Initializer.Parse((string)pop.Layout.Value(m, "init")), rng);
            sgd.LearningRate[m] = (double)pop.Layout.Value(m, "lr");
        }
        var loss = new MseLoss<double>(half: true);
        var trainer = new Trainer<double>(net, loss, sgd, data, c.Batch,
            pop.Streams("warmup.batches"), lrSchedule);
        ctx.Export.Watch(pop, trainer); // --export
        var lin = net.Linears.ToArray();
        var single = Mlp.Build<double>(1, [c.InputDim, c.Hidden, c.OutputDim], "identity", bias: false);
        var gradients = Enumerable.Range(0, p).Select(m => new MemberLossGradient(single, loss, probeData, m)).ToArray();
        double Trace(int m) => HessianTrace(lin[0].Weight.Value.Slice(m), lin[1].Weight.Value.Slice(m), moments[pop.SeedIndex(m)]);

        var initial = new double[p];
        var initialTop = new double[p];
        ctx.Time($"warmup.{schedule}.sharpness", () =>
        {
            for (int m = 0; m < p; m++)
            {
                initial[m] = Trace(m);
                initialTop[m] = double.NaN;
                if (!measureStability) continue;
                // λ_max(H₀) decides stability: GD at rate η is stable near θ₀ only if η·λ_max < 2. Conditions with the same init share it.
                int first = pop.Layout.Member(pop.SeedIndex(m), 0, pop.Layout.Index(m, "init"));
                initialTop[m] = first < m ? initialTop[first]
                    : Sharpness.TopEigenvalue(gradients[m].Gradient, MemberLossGradient.Flatten(net, m), pop.Stream(m, "warmup.power"),
                        iterations: 200, tolerance: 1e-8);
            }
            return 0;
        });
        var min = (double[])initial.Clone();
        if (phase.Resumed is { } saved)
        {
            trainer.LoadState(saved);
            saved.CopyTo("min", min.AsSpan());
        }
        Action<CheckpointState> save = st => { trainer.SaveState(st); st.Put("min", min); };
        void Probe(long step)
        {
            // Checkpoint before this step's rows: a resumed run starts by logging them again.
            phase.SafePoint(step, save);
            if (step == 0 && measureStability)
                for (int m = 0; m < p; m++) pop.Log(0, m, "initial_top_eigenvalue", initialTop[m]);
            for (int m = 0; m < p; m++)
            {
                if (trainer.DivergedAt[m] >= 0) continue;
                double trace = Trace(m);
                if (!double.IsFinite(trace)) continue;
                min[m] = Math.Min(min[m], trace);
                pop.Log(step, m, "hessian_trace", trace);
            }
            ctx.Metrics.Flush();
            ctx.Progress.Report($"noise-equilibrium H-d {schedule}", step, c.Steps);
        }
        ctx.Time($"warmup.{schedule}", () =>
        {
            Probe(trainer.Step);
            while (trainer.Step < c.Steps)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                trainer.StepOnce();
                if (IsWarmupProbeStep(trainer.Step, config.ProbeEvery, c.Steps)) Probe(trainer.Step);
            }
            return 0;
        });

        var final = new double[p];
        var closedForm = new double[p];
        var trainLoss = trainer.EvaluateLoss();
        ctx.Time($"warmup.{schedule}.sharpness", () =>
        {
            for (int m = 0; m < p; m++)
            {
                bool claimed = conditions[pop.Layout.ConditionOf(m)].Claimed;
                final[m] = closedForm[m] = double.NaN;
                if (trainer.DivergedAt[m] >= 0)
                {
                    pop.Log(c.Steps, m, "diverged_at", trainer.DivergedAt[m]);
                    continue;
                }
                closedForm[m] = Trace(m);
                // The claims' S_T from the generic probe: the exact Hessian trace by finite differences of the engine's gradients.
                final[m] = claimed ? Sharpness.ExactTrace(gradients[m].Gradient, MemberLossGradient.Flatten(net, m)) : closedForm[m];
                if (claimed) pop.Log(c.Steps, m, "hessian_trace_probe", final[m]);
                pop.Log(c.Steps, m, "train_loss", trainLoss[m]);
            }
            return 0;
        });
        ctx.Metrics.Flush();
        AddWarmupCurves(ctx, pop, conditions, schedule);
        var divergedAt = (long[])trainer.DivergedAt.Clone();
        phase.Complete(r =>
        {
            r.Put("initial", initial); r.Put("initial_top", initialTop); r.Put("final", final); r.Put("closed_form", closedForm);
            r.Put("min", min); r.Put("diverged_at", divergedAt); r.Put("loss", trainLoss);
        });
        return new WarmupResult(initial, initialTop, final, closedForm, min, divergedAt, trainLoss);
    }

    /// <summary>Every <paramref name="every"/> steps and the last; before that at powers of two, so that a run diverging in a few steps is seen.</summary>
    private static bool IsWarmupProbeStep(long step, int every, int steps) =>
        step % every == 0 || step == steps || (step < every && (step & (step - 1)) == 0);

    /// <summary>
    /// One series per seed and condition. A diverging run reaches S ~ 10¹⁵ before its loss overflows, which would flatten every
    /// other curve, so each run is drawn only while S ≤ 10·S₀ (its divergence step is in the claim details and extra numbers).
    /// </summary>
    private static void AddWarmupCurves(RunContext ctx, Population pop, WarmupCondition[] conditions, string schedule)
    {
        for (int k = 0; k < conditions.Length; k++)
        {
            bool claimed = conditions[k].Claimed;
            string id = claimed ? "warmup-trace" : "warmup-trace-contrast";
            var fig = ctx.Figures.FirstOrDefault(f => f.Id == id);
            if (fig is null)
            {
                fig = new Figure(id, claimed
                        ? $"Hessian trace at η = {conditions[k].Lr}: Kaiming vs Xavier, ± warmup (H-d)"
                        : $"Hessian trace at η = {conditions[k].Lr}, near the Kaiming stability limit (not claimed)",
                    "line", "step", "S = Tr H")
                {
                    LogY = true,
                    Caption = claimed
                        ? "Without warmup the sharp Kaiming init diverges within a few steps (its curve stops at 10·S₀); with warmup it falls to the S of the Xavier init."
                        : "Near the stability limit a Kaiming run without warmup survives where η·λ_max(H₀) < 2 (see the extra numbers) and, in a short budget, ends flatter than with warmup, which spends its first steps at a small rate.",
                };
                ctx.Figures.Add(fig);
            }
            var rows = pop.Rows("hessian_trace").ToList();
            foreach (int m in pop.Layout.MembersOfCondition(k))
            {
                var mine = rows.Where(r => r.Member == m).ToList();
                if (mine.Count > 0) mine = mine.TakeWhile(r => r.Value <= 10 * mine[0].Value).ToList();
                fig.Series.Add(new Series($"{conditions[k].Init}, {schedule}, seed {pop.Seed(m)}", mine.Select(r => (double)r.Step).ToArray(), mine.Select(r => r.Value).ToArray()));
            }
        }
    }

    /// <summary>
    /// Tr H of L = (1/N) Σ_n ½‖UWx_n − y_n‖² (W: h×d, U: o×h; docs/experiments/noise-equilibrium.md#h-d-setting-warmup): Tr(Σ̂_x)‖U‖²_F + o·Tr(WΣ̂_xWᵀ), Σ̂_x = XᵀX/N.
    /// Exact at every θ, not only at a minimum: f is linear in each single weight, so the residual term
    /// r·∂²f/∂θ_i² of every diagonal Hessian entry vanishes and the diagonal is the Gauss–Newton one.
    /// </summary>
    public static double HessianTrace(Tensor<double> w, Tensor<double> u, Tensor<double> secondMoment)
    {
        int h = w.Shape[0], d = w.Shape[1], o = u.Shape[0];
        double traceSigma = 0, uu = 0, wsw = 0;
        for (int j = 0; j < d; j++) traceSigma += secondMoment[j, j];
        foreach (var v in u.ReadOnlySpan) uu += v * v;
        for (int r = 0; r < h; r++)
            for (int j = 0; j < d; j++)
            {
                double row = 0;
                for (int l = 0; l < d; l++) row += secondMoment[j, l] * w[r, l];
                wsw += w[r, j] * row;
            }
        return traceSigma * uu + o * wsw;
    }

    /// <summary>Adds (or extends) a line figure with one series per member of <paramref name="pop"/>, read back from its metrics.</summary>
    private static void AddCurve(RunContext ctx, string id, string title, string xLabel, string yLabel, Population pop, string name, string metric, string caption)
    {
        var fig = ctx.Figures.FirstOrDefault(f => f.Id == id);
        if (fig is null)
        {
            fig = new Figure(id, title, "line", xLabel, yLabel) { Caption = caption, LogY = metric == "norm_ratio" };
            ctx.Figures.Add(fig);
        }
        var rows = pop.Rows(metric).ToList();
        for (int m = 0; m < pop.Count; m++)
        {
            var mine = rows.Where(r => r.Member == m).ToList();
            fig.Series.Add(new Series($"{name.ToUpperInvariant()} seed {pop.Seed(m)}", mine.Select(r => (double)r.Step).ToArray(), mine.Select(r => r.Value).ToArray()));
        }
    }
}
