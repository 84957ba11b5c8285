using Noether.Learning;
using Noether.Nn;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// Ziyin, Wang, Li, Wu — "Parameter Symmetry and Noise Equilibrium of Stochastic Gradient Descent"
/// (arXiv 2402.07193; digest: docs/papers/symmetry.md §0.1 and §H).
/// H-a: under the rescaling symmetry of a two-layer linear net, SGD noise drives d·UᵀU − o·WWᵀ to
/// zero (the noise equilibrium) and balances per-sample gradient energy; GD keeps its initial imbalance.
/// H-b: under scale invariance (f = vᵀx/‖v‖) every SGD step can only grow ‖v‖², so the norm diverges;
/// GD barely moves it. H-c (the exact one-step charge identity) is a float64 unit test.
/// Each population member is one seed (run seed + i) with its own teacher, data and initialisation.
/// Resumable: each of the four training phases checkpoints at its probe points (see <see cref="RunCheckpoints"/>).
/// </summary>
public sealed class NoiseEquilibrium : Experiment<NoiseEquilibrium.Config>, IResumable
{
    public override string Id => "noise-equilibrium";
    public override string Title => "SGD under symmetry: noise equilibrium or divergence";
    public override Paper Paper => new("Parameter Symmetry and Noise Equilibrium of Stochastic Gradient Descent",
        "Liu Ziyin, Mingze Wang, Hongchao Li, Lei Wu", "2402.07193");
    public override string Summary => "H-a SGD balances a 2-layer linear net (imbalance, gradient-balance ratio), GD does not; H-b SGD grows the norm of a scale-invariant model, GD does not";

    public sealed class Config
    {
        public BalanceConfig Balance { get; set; } = new();
        public ScaleConfig Scale { get; set; } = new();
        [Param("population members, one seed each (run seed + i)", Min = 1, Max = 64)] public int Seeds { get; set; } = 3;
        [Param("steps between two logged measurements", Min = 1)] public int ProbeEvery { get; set; } = 100;
    }

    /// <summary>H-a setting (symmetry.md §H.5).</summary>
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

    /// <summary>H-b setting (symmetry.md §H.5 and its calibration note: v₀ ~ N(0, I/d), float64).</summary>
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

    protected override Config Profile(string profile) => profile == "full"
        ? new Config
        {
            Seeds = 10,
            ProbeEvery = 250,
            Balance = new BalanceConfig { SgdSteps = 50000, GdSteps = 20000 },
            Scale = new ScaleConfig { Steps = 50000 },
        }
        : new Config();

    protected override IReadOnlyList<Claim> Run(Config config, RunContext ctx)
    {
        var claims = new List<Claim>();
        claims.AddRange(RunBalance(config, ctx));
        claims.AddRange(RunScaleInvariance(config, ctx));
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
            var rng = ctx.MemberStream(p, "data");
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
        var phase = ctx.Checkpoints.Phase($"balance.{name}");
        if (phase.Done)
        {
            AddBalanceCurve(ctx, config, name);
            return new BalanceResult(phase.Results!.Get<double>("imbalance"), phase.Results.Get<double>("rho"), phase.Results.Get<double>("loss"));
        }
        var net = Mlp.Build<float>(p, [c.InputDim, c.Hidden, c.OutputDim], "identity", bias: false, compute: ctx.Compute);
        var lin = net.Linears.ToArray();
        for (int m = 0; m < p; m++)
        {
            var init = ctx.MemberStream(m, "init");
            init.FillNormal(lin[0].Weight.Value.SliceSpan(m), 0, c.WInitScale / Math.Sqrt(c.InputDim));
            init.FillNormal(lin[1].Weight.Value.SliceSpan(m), 0, c.UInitScale / Math.Sqrt(c.Hidden));
        }
        var trainer = new Trainer<float>(net, new MseLoss<float>(half: true), new Sgd<float>(p, c.Lr), data, batch,
            Enumerable.Range(0, p).Select(m => ctx.MemberStream(m, "batches")).ToArray());
        if (phase.Resumed is { } saved) trainer.LoadState(saved);
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
                    ctx.Metrics.Log(step, m, name, "imbalance", imbalance[m]);
                    if (step > 0) ctx.Metrics.Log(step, m, name, "batch_loss", trainer.LastLoss[m]);
                }
                ctx.Metrics.Flush();
                ctx.Progress.Report($"noise-equilibrium H-a {name}", step, steps);
            }, ctx.Cancel);
            return 0;
        });
        var (rho, loss) = GradientBalance(net, data);
        for (int m = 0; m < p; m++)
        {
            ctx.Metrics.Log(steps, m, name, "gradient_balance_ratio", rho[m]);
            ctx.Metrics.Log(steps, m, name, "train_loss", loss[m]);
        }
        ctx.Metrics.Flush();
        AddBalanceCurve(ctx, config, name);
        phase.Complete(r => { r.Put("imbalance", imbalance); r.Put("rho", rho); r.Put("loss", loss); });
        return new BalanceResult(imbalance, rho, loss);
    }

    private static void AddBalanceCurve(RunContext ctx, Config config, string name) =>
        AddCurve(ctx, "balance-imbalance", "Relative imbalance of UᵀU and WWᵀ (H-a)", "step", "imbalance", name, config.Seeds, "imbalance",
            "SGD falls to the noise equilibrium; GD keeps the initial imbalance.");

    /// <summary>imb = ‖d·UᵀU − o·WWᵀ‖_F / (‖d·UᵀU‖_F + ‖o·WWᵀ‖_F), W: h×d, U: o×h (symmetry.md §H.3).</summary>
    public static double Imbalance(Tensor<float> w, Tensor<float> u)
    {
        int h = w.Shape[0], d = w.Shape[1], o = u.Shape[0];
        double num = 0, a2 = 0, b2 = 0;
        for (int i = 0; i < h; i++)
            for (int j = 0; j < h; j++)
            {
                double utu = 0, wwt = 0;
                for (int k = 0; k < o; k++) utu += (double)u[k, i] * u[k, j];
                for (int k = 0; k < d; k++) wwt += (double)w[i, k] * w[j, k];
                double a = d * utu, b = o * wwt;
                num += (a - b) * (a - b); a2 += a * a; b2 += b * b;
            }
        return Math.Sqrt(num) / (Math.Sqrt(a2) + Math.Sqrt(b2));
    }

    /// <summary>
    /// ρ = E‖∇_W ℓ‖² / E‖∇_U ℓ‖² over the training set, from per-sample gradients of bias-free linear
    /// layers: ‖∇_W ℓ_i‖² = ‖g_b,i‖²·‖h_a,i‖² (outer-product structure), read off one full-data pass.
    /// </summary>
    private static (double[] Rho, double[] Loss) GradientBalance(Sequential<float> net, TrainingData<float> data)
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
            rho[m] = PerSampleGradientEnergy(trace[0], m) / PerSampleGradientEnergy(trace[1], m);
        return (rho, loss);
    }

    private static double PerSampleGradientEnergy(LinearTrace<float> t, int member)
    {
        var g = t.GradPreActivation.Slice(member); var a = t.Input.Slice(member);
        int n = g.Shape[0], wo = g.Shape[1], wi = a.Shape[1];
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double gg = 0, aa = 0;
            for (int j = 0; j < wo; j++) gg += (double)g[i, j] * g[i, j];
            for (int j = 0; j < wi; j++) aa += (double)a[i, j] * a[i, j];
            total += gg * aa;
        }
        return total / n;
    }

    // ---- H-b: scale invariance makes SGD grow the norm ----

    private static IReadOnlyList<Claim> RunScaleInvariance(Config config, RunContext ctx)
    {
        var c = config.Scale;
        int p = config.Seeds;
        var x = new Tensor<double>(p, c.Samples, c.InputDim);
        var y = new Tensor<double>(p, c.Samples, 1);
        for (int m = 0; m < p; m++)
        {
            var rng = ctx.MemberStream(m, "scale.data");
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
                "‖v‖² never decreases at any SGD step (each step adds η²‖g‖², fact 3 with A = I; float64): number of decreasing steps over all seeds",
                decreases, 0),
        ];
    }

    private static (double[] Ratio, long Decreases) TrainScaleInvariant(string name, int batch, ScaleConfig c, Config config, TrainingData<double> data, RunContext ctx)
    {
        int p = config.Seeds;
        var phase = ctx.Checkpoints.Phase($"scale.{name}");
        if (phase.Done)
        {
            AddScaleCurve(ctx, p, name);
            return (phase.Results!.Get<double>("ratio"), phase.Results.GetInt64("decreases"));
        }
        var layer = new ScaleInvariantLinear<double>(p, c.InputDim, 1);
        var net = new Sequential<double>(p, [c.InputDim], [layer], ctx.Compute);
        for (int m = 0; m < p; m++)
            ctx.MemberStream(m, "scale.init").FillNormal(layer.Weight.Value.SliceSpan(m), 0, c.InitScale / Math.Sqrt(c.InputDim));
        var trainer = new Trainer<double>(net, new MseLoss<double>(half: true), new Sgd<double>(p, c.Lr), data, batch,
            Enumerable.Range(0, p).Select(m => ctx.MemberStream(m, "scale.batches")).ToArray());
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
            for (int m = 0; m < p; m++) ctx.Metrics.Log(0, m, name, "norm_ratio", 1.0);
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
                    if (now < norm[m]) decreases++;
                    norm[m] = now;
                }
                if (trainer.Step % config.ProbeEvery == 0 || trainer.Step == c.Steps)
                {
                    for (int m = 0; m < p; m++) ctx.Metrics.Log(trainer.Step, m, name, "norm_ratio", norm[m] / norm0[m]);
                    ctx.Metrics.Flush();
                    ctx.Progress.Report($"noise-equilibrium H-b {name}", trainer.Step, c.Steps);
                }
            }
            return 0;
        });
        AddScaleCurve(ctx, p, name);
        var ratio = norm.Select((v, m) => v / norm0[m]).ToArray();
        phase.Complete(r => { r.Put("ratio", ratio); r.Put("decreases", decreases); });
        return (ratio, decreases);
    }

    private static void AddScaleCurve(RunContext ctx, int members, string name) =>
        AddCurve(ctx, "scale-norm", "‖v‖²/‖v₀‖² of a scale-invariant model (H-b)", "step", "‖v‖²/‖v₀‖²", name, members, "norm_ratio",
            "SGD noise pushes the norm outward at every step; GD stays near its initial sphere.");

    private static double SquaredNorm(ReadOnlySpan<double> v)
    {
        double s = 0;
        foreach (var x in v) s += x * x;
        return s;
    }

    /// <summary>Adds (or extends) a line figure with one series per member, read back from the metrics logged under <paramref name="layer"/>.</summary>
    private static void AddCurve(RunContext ctx, string id, string title, string xLabel, string yLabel, string layer, int members, string metric, string caption)
    {
        var fig = ctx.Figures.FirstOrDefault(f => f.Id == id);
        if (fig is null)
        {
            fig = new Figure(id, title, "line", xLabel, yLabel) { Caption = caption, LogY = metric == "norm_ratio" };
            ctx.Figures.Add(fig);
        }
        var rows = ctx.Metrics.Rows.Where(r => r.Layer == layer && r.Name == metric).ToList();
        for (int m = 0; m < members; m++)
        {
            var mine = rows.Where(r => r.Member == m).ToList();
            fig.Series.Add(new Series($"{layer.ToUpperInvariant()} seed {ctx.Seed + m}", mine.Select(r => (double)r.Step).ToArray(), mine.Select(r => r.Value).ToArray()));
        }
    }
}
