using Noether.Data;
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
/// zero (the noise equilibrium) in a number of steps ∝ |B|/η², and balances per-sample gradient energy; GD keeps its initial imbalance.
/// H-b: under scale invariance (f = vᵀx/‖v‖) every SGD step can only grow ‖v‖², so the norm diverges as ‖v‖² ∝ √t;
/// GD barely moves it. H-c (the exact one-step charge identity) is a float64 unit test.
/// H-d (docs/experiments/noise-equilibrium.md#h-d-setting-warmup, the paper's warmup figure): the stability of SGD is governed by the Hessian trace S. A Kaiming
/// init is unbalanced (‖W‖ ≫ ‖U‖) and sharp, so at a learning rate above its stability limit SGD without
/// warmup diverges; a linear warmup lets the noise bring it to the balanced equilibrium first, where S
/// is the smallest on its symmetry orbit and the same as from a (balanced) Xavier init. A grid of learning rates
/// straddles the limit; below it, warmup is compared with no warmup at the same step (extra numbers).
/// Each population member is one seed (run seed + i) with its own teacher, data and initialisation.
/// Resumable: each of the nine training phases checkpoints at its probe points (see <see cref="RunCheckpoints"/>).
/// This file holds the run and H-a; H-a's rate of approach is in NoiseEquilibrium.Equilibration.cs, H-b in NoiseEquilibrium.ScaleInvariance.cs, H-d in NoiseEquilibrium.Warmup.cs,
/// each with its setting. The teachers are in <see cref="RegressionTeachers"/>.
/// </summary>
public sealed partial class NoiseEquilibrium : Experiment<NoiseEquilibrium.Config>
{
    public override string Id => "noise-equilibrium";
    public override string Title => "SGD under symmetry: noise equilibrium or divergence";
    public override Paper Paper => new("Parameter Symmetry and Noise Equilibrium of Stochastic Gradient Descent",
        "Liu Ziyin, Mingze Wang, Hongchao Li, Lei Wu", "2402.07193");
    public override string Summary => "H-a SGD balances a 2-layer linear net (imbalance, gradient-balance ratio) in a time ∝ |B|/η², GD does not; H-b SGD grows the norm of a scale-invariant model as ‖v‖² ∝ √t, GD does not; H-d where SGD from a Kaiming init diverges without warmup, warmup brings it to the flattest point of its orbit, the equilibrium a Xavier init with its own noise also reaches";
    public override string[] ExportKinds => ["features", "weights"];

    public sealed class Config : TrainedConfig, IMemoryEstimate
    {
        public override IReadOnlyList<(string Key, string Why)> Unhonoured =>
            [("rule.name", "H-b trains a single scale-invariant layer, which has no error for another rule to route; the rule's noise and decay keys apply to every part")];

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
        [Param("rate of approach: the second arm's learning rate is balance.lr × this (at balance.sgd_batch)", Min = 0.01, Max = 100)] public double RateLrFactor { get; set; } = 0.5;
        [Param("rate of approach: the third arm's batch size is balance.sgd_batch × this, at most balance.samples (at balance.lr; equal to balance.sgd_batch leaves the exponent undefined)", Min = 2, Max = 1024)] public int RateBatchFactor { get; set; } = 4;
        [Param("rate of approach: the imbalance level whose first-passage step τ is timed (halfway from ≈ 1 to the equilibrium)", Min = 0, Max = 1)]
        public double RateLevel { get; set; } = 0.5;
        [Param("rate of approach: steps between two imbalance measurements", Min = 1)] public int RateProbeEvery { get; set; } = 10;
        [Param("rate of approach: most steps an arm runs before τ counts as not reached", Min = 1)] public int RateMaxSteps { get; set; } = 40000;

        public void Validate()
        {
            if (SgdBatch > Samples) throw new ConfigException($"balance.sgd_batch={SgdBatch}: expected at most balance.samples ({Samples})");
            if (RateLrFactor == 1) throw new ConfigException("balance.rate_lr_factor=1: expected a factor other than 1, to measure a scaling");
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
        var (inputs, targets) = RegressionTeachers.NoisyLinear<float>(p, c.Samples, c.InputDim, c.OutputDim, c.LabelNoise, m => ctx.SeedStream(m, "data"));
        var data = new TrainingData<float>(inputs, targets, perMember: true);
        var sgd = Train("sgd", c.SgdBatch, c.SgdSteps, c, config, data, ctx);
        var gd = Train("gd", c.Samples, c.GdSteps, c, config, data, ctx);

        var rate = RateClaims(c, config, data, ctx);
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
            .. rate,
        ];
    }

    private sealed record BalanceResult(double[] Imbalance, double[] Rho, double[] Loss);

    /// <summary>H-a's two-layer linear population: its init streams, SGD at (lr, batch), the training sections attached.</summary>
    private static (Linear<float>[] Lin, Trainer<float> Trainer) BalanceTrainer(Population pop, double lr, int batch, BalanceConfig c, Config config,
        TrainingData<float> data, RunContext ctx)
    {
        int p = config.Seeds;
        var net = Mlp.Build<float>(p, [c.InputDim, c.Hidden, c.OutputDim], "identity", bias: false, compute: ctx.Compute);
        var lin = net.Linears.ToArray();
        for (int m = 0; m < p; m++)
        {
            var init = pop.Stream(m, "init");
            init.FillNormal(lin[0].Weight.Value.SliceSpan(m), 0, c.WInitScale / Math.Sqrt(c.InputDim));
            init.FillNormal(lin[1].Weight.Value.SliceSpan(m), 0, c.UInitScale / Math.Sqrt(c.Hidden));
        }
        var trainer = new Trainer<float>(net, new MseLoss<float>(half: true), config.Optimizer.Create<float>(p, lr), data, batch,
            pop.Streams("batches"), config.Optimizer.ScheduleOf());
        config.Attach(trainer, pop.Stream); // rule, syre (docs/training.md)
        return (lin, trainer);
    }

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
        var (lin, trainer) = BalanceTrainer(pop, c.Lr, batch, c, config, data, ctx);
        if (phase.Resumed is { } saved) trainer.LoadState(saved);
        ctx.Watch(pop, trainer); // --export, probes
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
        var (rho, loss) = MeasureGradientBalance(trainer.Network, data);
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
        var loss = TracePass.Run(net, new MseLoss<float>(half: true), data, data.Count);
        var rho = new double[net.Members];
        var trace = net.Trace;
        for (int m = 0; m < net.Members; m++)
            rho[m] = Probes.GradientBalance.LayerBalanceRatio(PerSampleSquaredNorms(trace[0], m), PerSampleSquaredNorms(trace[1], m));
        return (rho, loss);
    }

    private static double[] PerSampleSquaredNorms(LinearTrace<float> t, int member) =>
        Probes.GradientBalance.PerSampleSquaredNorms(MemberSlice.ToDouble(t.Input, member), MemberSlice.ToDouble(t.GradPreActivation, member));

    /// <summary>Adds (or extends) a line figure of H-a or H-b with one series per member of <paramref name="pop"/>, read back from its metrics.</summary>
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
