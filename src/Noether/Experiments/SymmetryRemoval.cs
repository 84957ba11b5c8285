using Noether.Learning;
using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// Ziyin, Xu, Chuang — "Remove Symmetries to Control Model Expressivity and Improve Optimization" (syre,
/// arXiv 2408.15495; docs/experiments/syre.md). The symmetric trap (docs/experiments/syre.md#protocol): a student of h tanh
/// neurons whose incoming weights start identical (w_i = w̄, u_i = u₀) is permutation-symmetric, and GD with
/// weight decay keeps it so forever: it is a one-neuron model (rank W₁ = 1) and cannot fit a 4-unit
/// teacher. syre — train ℓ(θ + θ₀) + γ‖θ‖² with a frozen random θ₀ — removes the reflection symmetries, so
/// the same start escapes (rank ≥ 2) and fits far better. σ₀ = 0 is vanilla weight decay, bit for bit.
/// Controls (SymmetryRemoval.Escape.cs): vanilla started from the trap plus noise of θ₀'s size escapes too while the trap is a
/// saddle, and falls back into it under strong decay, where syre still keeps the neurons apart.
/// Every arm (vanilla at each γ, syre at each (γ, σ₀), and syre with σ₀ = 0) × every seed is one member
/// of a population trained in lockstep; seed s (run seed + i) fixes teacher, data, w̄ and θ₀'s stream.
/// </summary>
public sealed partial class SymmetryRemoval : Experiment<SymmetryRemoval.Config>
{
    public override string Id => "syre";
    public override string Title => "syre: a frozen random offset plus weight decay escapes the symmetric trap";
    public override Paper Paper => new("Remove Symmetries to Control Model Expressivity and Improve Optimization",
        "Liu Ziyin, Yizhou Xu, Isaac Chuang", "2408.15495");
    public override string Summary => "G: GD + weight decay from identical neurons stays exactly symmetric (rank 1); syre escapes (rank ≥ 2, loss ≤ 0.5× vanilla at every γ); σ₀ = 0 is vanilla bit for bit; noise of θ₀'s size escapes the saddle too but is erased by strong decay, syre is not";
    public override string[] ExportKinds => ["features", "weights"];

    public sealed class Config : TrainedConfig, IValidatedConfig
    {
        [Param("input width d", Min = 1, Max = 4096)] public int InputDim { get; set; } = 10;
        [Param("hidden tanh neurons h of the student", Min = 2, Max = 4096)] public int Hidden { get; set; } = 8;
        [Param("tanh units of the teacher y = Σ_k a_k tanh(b_kᵀx)", Min = 1, Max = 4096)] public int TeacherUnits { get; set; } = 4;
        [Param("teacher b_k std × √d", Min = 0)] public double TeacherScale { get; set; } = 1.5;
        /// <summary>
        /// sign (a_k = ±1, the same draws' signs): every teacher unit carries a comparable share of y, so the one-neuron model the trap
        /// reduces the student to cannot fit it (docs/experiments/syre.md#protocol); normal (a_k ~ N(0, 1), the digest's) lets one unit dominate.
        /// </summary>
        [Param("teacher output weights a_k: sign (±1, every unit weighs the same) or normal (N(0, 1), the digest's)", OneOf = ["sign", "normal"])] public string TeacherWeights { get; set; } = "sign";
        [Param("training samples N (full-batch GD)", Min = 2)] public int Samples { get; set; } = 256;
        [Param("std × √d of the shared incoming weight vector w̄ of every student neuron", Min = 0)] public double InitScale { get; set; } = 1.0;
        [Param("outgoing weight u_i of every student neuron at initialisation")] public double OutputInit { get; set; } = 0.1;
        [Param("learning rate η of full-batch GD", Min = 0, Max = 10)] public double Lr { get; set; } = 0.05;
        [Param("GD steps", Min = 1)] public int Steps { get; set; } = 20000;
        [Param("rank counts singular values σ_k > tol·σ₁ of W₁", Min = 0, Max = 1)] public double RankTolerance { get; set; } = 1e-3;
        /// <summary>The syre section is the main syre arm (the claims' loss comparison); vanilla runs with weight decay γ = syre.gamma.</summary>
        public Config() => Syre = new() { Gamma = 1e-3, Sigma0 = 0.01 };

        public override IReadOnlyList<(string Key, string Why)> Unhonoured => Data.IsReal
            ? [("syre.", "the real-data variant takes its syre arms from real.gammas and real.sigma0")] : [];
        [Param("σ₀ of further syre arms (reported; each compared with vanilla at its own γ)", Min = 0, Max = 100)] public double[] ExtraSigma0 { get; set; } = [0.1, 0.1];
        [Param("γ of further syre arms, one per extra_sigma0", Min = 1e-12, Max = 100)] public double[] ExtraGamma { get; set; } = [1e-3, 1e-2];
        [Param("γ of the strong-decay pair (syre and vanilla + noise, σ = syre.sigma0): above the decay at which the trap turns from saddle to minimum", Min = 1e-12, Max = 100)] public double StrongGamma { get; set; } = 0.1;
        [Param("population members per arm, one seed each (run seed + i)", Min = 1, Max = 64)] public int Seeds { get; set; } = 3;
        [Param("steps between two logged measurements", Min = 1)] public int ProbeEvery { get; set; } = 200;
        /// <summary>synthetic (the symmetric trap above) or a real source: `--set data=fashion-mnist` runs the real-data variant.</summary>
        public DataConfig Data { get; set; } = new();
        /// <summary>The real-data variant's setting (SymmetryRemoval.Real.cs); ignored for synthetic data.</summary>
        public RealDataConfig Real { get; set; } = new();

        public void Validate()
        {
            if (!Syre.Enabled) throw new ConfigException("syre.gamma=0: this experiment compares syre with vanilla weight decay at the same γ, expected syre.gamma > 0");
            if (ExtraSigma0.Length != ExtraGamma.Length)
                throw new ConfigException($"extra_sigma0 has {ExtraSigma0.Length} values but extra_gamma {ExtraGamma.Length}: expected one γ per σ₀");
            if (ExtraGamma.Append(Syre.Gamma).Contains(StrongGamma))
                throw new ConfigException($"strong_gamma={StrongGamma}: expected a γ other than syre.gamma and extra_gamma (the strong-decay pair would repeat a syre arm)");
        }
    }

    protected override Config Profile(string profile) => profile == "full"
        ? new Config
        {
            Seeds = 10, Steps = 50000, ProbeEvery = 500, ExtraSigma0 = [0.1, 0.1, 0.01], ExtraGamma = [1e-3, 1e-2, 1e-2],
            Real = new RealDataConfig { Steps = 10000, Gammas = [1e-3, 3e-3, 1e-2, 3e-2], Seeds = 3 },
        }
        : new Config();

    /// <summary>One training condition: vanilla weight decay, syre, or syre with σ₀ = 0 (the bit-for-bit control).</summary>
    private sealed record Arm(string Name, string Kind, double Gamma, double Sigma0, bool Strong = false);

    protected override IReadOnlyList<Claim> Run(Config c, RunContext ctx) => c.Data.IsReal ? RunReal(c, ctx) : RunSynthetic(c, ctx);

    private static IReadOnlyList<Claim> RunSynthetic(Config c, RunContext ctx)
    {
        int seeds = c.Seeds;
        var arms = new List<Arm>();
        foreach (var g in new[] { c.Syre.Gamma }.Concat(c.ExtraGamma).Distinct()) arms.Add(new Arm($"vanilla γ={g}", "vanilla", g, 0));
        arms.Add(new Arm($"syre γ={c.Syre.Gamma} σ₀={c.Syre.Sigma0}", "syre", c.Syre.Gamma, c.Syre.Sigma0));
        arms.Add(new Arm($"syre γ={c.Syre.Gamma} σ₀=0", "zero", c.Syre.Gamma, 0));
        for (int i = 0; i < c.ExtraGamma.Length; i++) arms.Add(new Arm($"syre γ={c.ExtraGamma[i]} σ₀={c.ExtraSigma0[i]}", "syre", c.ExtraGamma[i], c.ExtraSigma0[i]));
        AddControlArms(c, arms); // vanilla + noise and the strong-decay pair (SymmetryRemoval.Escape.cs)
        var pop = ctx.Population("trap", PopulationLayout.OfSeeds(seeds).With(
            ConditionAxis.Of("arm", arms.Select(a => a.Kind)).And("gamma", arms.Select(a => a.Gamma)).And("sigma0", arms.Select(a => a.Sigma0))));
        int p = pop.Count;
        Arm ArmOf(int m) => arms[pop.Layout.ConditionOf(m)];
        int Member(int arm, int seed) => pop.Layout.MemberOfCondition(arm, seed);

        var (data, halfVariance) = TeacherData(c, ctx, pop);
        var net = Mlp.Build<float>(p, [c.InputDim, c.Hidden, 1], "tanh", bias: false, compute: ctx.Compute);
        var (w1, w2) = (net.Linears.First(), net.Linears.Last());
        for (int m = 0; m < p; m++)
        {
            var init = pop.Stream(m, "init");
            var wbar = new double[c.InputDim];
            for (int j = 0; j < wbar.Length; j++) wbar[j] = init.Normal() * c.InitScale / Math.Sqrt(c.InputDim);
            var w = w1.Weight.Value.SliceSpan(m);
            for (int i = 0; i < c.Hidden; i++)
                for (int j = 0; j < c.InputDim; j++) w[i * c.InputDim + j] = (float)wbar[j];
            w2.Weight.Value.SliceSpan(m).Fill((float)c.OutputInit);
            if (ArmOf(m).Kind == "perturbed") Perturb(net, m, ArmOf(m).Sigma0, pop.Stream(m, "perturb"));
        }
        var sgd = c.Optimizer.Create<float>(p, c.Lr);
        for (int m = 0; m < p; m++) sgd.WeightDecay[m] = ArmOf(m).Kind is "vanilla" or "perturbed" ? 2 * ArmOf(m).Gamma : 0; // γ‖w‖² ⇒ wd = 2γ
        var trainer = new Trainer<float>(net, new MseLoss<float>(half: true), sgd, data, c.Samples,
            pop.Streams("batches"), c.Optimizer.ScheduleOf());
        ctx.Watch(pop, trainer); // --export, probes
        // The effective weights w start at the symmetric point; θ = w − θ₀ absorbs the offset (docs/experiments/syre.md#protocol).
        var syre = new SyreRegularizer<float>(c.Syre.SelectParameters(net),
            Enumerable.Range(0, p).Select(m => ArmOf(m).Kind is "vanilla" or "perturbed" ? 0 : ArmOf(m).Gamma).ToArray(),
            Enumerable.Range(0, p).Select(m => ArmOf(m).Kind == "perturbed" ? 0 : ArmOf(m).Sigma0).ToArray(),
            Enumerable.Range(0, p).Select(m => ArmOf(m).Kind == "syre" ? c.Syre.SigmaD : 0).ToArray(), // the σ₀ = 0 control is plain L2 (D = I)
            pop.Streams("syre"));
        trainer.Use(new RuleStack<float>([.. c.RuleOf(net, pop.Stream), new SyreDecay<float>(syre)])); // rule.*, then syre as the decay phase (docs/training.md)
        var escape = TrackEscape(trainer, Enumerable.Range(0, p).Select(m => ArmOf(m).Kind is "syre" or "perturbed"
            ? pop.Layout.MemberOfCondition(arms.FindIndex(a => a.Kind == "vanilla" && a.Gamma == ArmOf(m).Gamma), pop.SeedIndex(m)) : -1).ToArray());

        // One training phase, a safe point at every probe; the curves the probes build are saved with the trainer.
        var probed = new Curves(1);
        var steps = probed[0];
        var lossCurve = new Curves(p);
        var rankCurve = new Curves(p);
        var spreadCurve = new Curves(p);
        ctx.Phase("train", phase => ctx.Time("train", () =>
        {
            phase.Train(trainer, c.Steps, c.ProbeEvery, step =>
            {
                var loss = trainer.EvaluateLoss();
                steps.Add(step);
                for (int m = 0; m < p; m++)
                {
                    var (rank, spread) = Symmetry(w1, w2, m, c.RankTolerance);
                    lossCurve[m].Add(loss[m]); rankCurve[m].Add(rank); spreadCurve[m].Add(spread);
                    pop.Log(step, m, "loss", loss[m]);
                    pop.Log(step, m, "rank_w1", rank);
                    pop.Log(step, m, "max_pairwise_distance_rel", spread);
                    if (ArmOf(m).Kind is "syre" or "zero") pop.Log(step, m, "syre_penalty", syre.Penalty(m));
                }
                ctx.Metrics.Flush();
                ctx.Progress.Report("syre", step, c.Steps);
            }, ctx.Cancel, probed, lossCurve, rankCurve, spreadCurve, escape);
            return 0;
        }));
        var final = trainer.EvaluateLoss();
        var finalRank = Enumerable.Range(0, p).Select(m => rankCurve[m][^1]).ToArray();
        var finalSpread = Enumerable.Range(0, p).Select(m => spreadCurve[m][^1]).ToArray();

        int vanillaMain = 0, syreMain = arms.FindIndex(a => a.Kind == "syre"), zeroArm = arms.FindIndex(a => a.Kind == "zero");
        int VanillaAt(double g) => arms.FindIndex(a => a.Kind == "vanilla" && a.Gamma == g);
        string PerSeed(Func<int, double> f) => string.Join(", ", Enumerable.Range(0, seeds).Select(s => $"seed {ctx.Seed + s}: {Claim.Format(f(s))}"));

        // σ₀ = 0 against vanilla at the same γ: every parameter bit and the final loss.
        long differing = 0;
        for (int s = 0; s < seeds; s++)
        {
            foreach (var prm in net.Parameters)
            {
                var a = prm.Value.SliceSpan(Member(vanillaMain, s));
                var b = prm.Value.SliceSpan(Member(zeroArm, s));
                for (int j = 0; j < a.Length; j++) if (BitConverter.SingleToUInt32Bits(a[j]) != BitConverter.SingleToUInt32Bits(b[j])) differing++;
            }
            if (BitConverter.DoubleToInt64Bits(final[Member(vanillaMain, s)]) != BitConverter.DoubleToInt64Bits(final[Member(zeroArm, s)])) differing++;
        }

        var ratioText = new List<string>();
        var syreArms = Enumerable.Range(0, arms.Count).Where(a => arms[a].Kind == "syre" && !arms[a].Strong).ToList();
        foreach (int a in syreArms)
        {
            int v = VanillaAt(arms[a].Gamma);
            for (int s = 0; s < seeds; s++)
                pop.Log(c.Steps, Member(a, s), "loss_ratio_to_vanilla", final[Member(a, s)] / final[Member(v, s)]);
            ratioText.Add($"{arms[a].Name}: {PerSeed(s => final[Member(a, s)] / final[Member(v, s)])}");
        }

        Figures(ctx, arms, pop, steps, lossCurve.Lists, rankCurve.Lists, spreadCurve.Lists, final);
        EscapeFigure(ctx, arms, seeds, Member, escape[0].ToArray());
        for (int a = 0; a < arms.Count; a++)
            if (arms[a].Kind is "syre" or "perturbed")
                for (int s = 0; s < seeds; s++)
                {
                    pop.Log(c.Steps, Member(a, s), "escape_step", escape[0][Member(a, s)]);
                    if (!syreArms.Contains(a)) pop.Log(c.Steps, Member(a, s), "loss_ratio_to_vanilla", final[Member(a, s)] / final[Member(VanillaAt(arms[a].Gamma), s)]);
                }
        ctx.Metrics.Flush();

        var vanillaMembers = Enumerable.Range(0, arms.Count).Where(a => arms[a].Kind == "vanilla").SelectMany(a => Enumerable.Range(0, seeds).Select(s => Member(a, s))).ToList();
        var syreMembers = syreArms.SelectMany(a => Enumerable.Range(0, seeds).Select(s => Member(a, s))).ToList();
        return
        [
            Claim.AtMost("G.vanilla-symmetric",
                $"GD with weight decay from {c.Hidden} identical tanh neurons stays exactly permutation-symmetric: max pairwise distance of the neurons' (w_i, u_i) / mean norm after {c.Steps} steps (largest over vanilla arms and seeds)",
                vanillaMembers.Max(m => finalSpread[m]), 1e-9,
                string.Join("; ", Enumerable.Range(0, arms.Count).Where(a => arms[a].Kind == "vanilla").Select(a => $"{arms[a].Name}: {PerSeed(s => finalSpread[Member(a, s)])}"))).AsCheck(),
            Claim.AtMost("G.vanilla-rank",
                "Trapped at the symmetric state, the vanilla student is a one-neuron model: rank W₁ (largest over vanilla arms and seeds)",
                vanillaMembers.Max(m => finalRank[m]), 1,
                string.Join("; ", Enumerable.Range(0, arms.Count).Where(a => arms[a].Kind == "vanilla").Select(a => $"{arms[a].Name}: {PerSeed(s => finalRank[Member(a, s)])}"))).AsCheck(),
            Claim.AtLeast("G.syre-rank",
                "syre (frozen θ₀ ~ N(0, σ₀²) plus decay toward it) leaves the symmetric state: rank W₁ (smallest over syre arms and seeds)",
                syreMembers.Min(m => finalRank[m]), 2,
                string.Join("; ", syreArms.Select(a => $"{arms[a].Name}: {PerSeed(s => finalRank[Member(a, s)])}"))),
            Claim.AtMost("G.syre-loss",
                $"syre (γ={c.Syre.Gamma}, σ₀={c.Syre.Sigma0}) fits the teacher far better than vanilla at the same γ: training loss ratio syre/vanilla (largest of {seeds} seeds)",
                Enumerable.Range(0, seeds).Max(s => final[Member(syreMain, s)] / final[Member(VanillaAt(c.Syre.Gamma), s)]), 0.5,
                string.Join("; ", ratioText)),
            Claim.AtLeast("G.trap-nontrivial",
                "The trap costs something: vanilla training loss / (½ Var y) at γ = syre.gamma (smallest of the seeds; a one-neuron fit that is already good would make the comparison empty)",
                Enumerable.Range(0, seeds).Min(s => final[Member(vanillaMain, s)] / halfVariance[s]), 0.01,
                PerSeed(s => final[Member(vanillaMain, s)] / halfVariance[s])).AsCheck(),
            Claim.AtMost("G.sigma0-zero-bitwise",
                $"syre with σ₀ = 0 is vanilla weight decay γ = {c.Syre.Gamma} bit for bit: parameter entries and final losses that differ after {c.Steps} steps (all seeds)",
                differing, 0).AsCheck(),
            .. ControlClaims(c, arms, seeds, Member, VanillaAt, final, finalRank, escape[0].ToArray(), PerSeed),
        ];
    }

    /// <summary>Numerical rank of W₁ and the largest pairwise distance of the neurons' (w_i, u_i), relative to their mean norm (docs/experiments/syre.md#protocol).</summary>
    private static (int Rank, double Spread) Symmetry(Linear<float> w1, Linear<float> w2, int member, double tolerance)
    {
        int h = w1.Out, d = w1.In;
        var w = w1.Weight.Value.SliceSpan(member);
        var u = w2.Weight.Value.SliceSpan(member);
        var weights = new Tensor<double>(h, d);
        var neurons = new Tensor<double>(h, d + 1);
        for (int i = 0; i < h; i++)
        {
            for (int j = 0; j < d; j++) weights[i, j] = neurons[i, j] = w[i * d + j];
            neurons[i, d] = u[i];
        }
        return (Rank.NumericalRank(weights, tolerance), SymmetryDistance.PermutationDistance(neurons).MaxRelative);
    }

    /// <summary>
    /// Teacher y = Σ_k a_k tanh(b_kᵀx) (a_k = ±1 or ~ N(0, 1), teacher_weights), x ~ N(0, I), no label noise (docs/experiments/syre.md#protocol): one data set per seed,
    /// laid out per member (each member trains on its seed's data), with ½ Var y of each seed's targets.
    /// </summary>
    private static (TrainingData<float> Data, double[] HalfVariance) TeacherData(Config c, RunContext ctx, Population pop)
    {
        int members = pop.Count;
        int seeds = c.Seeds, d = c.InputDim, k = c.TeacherUnits;
        var perSeedX = new float[seeds][];
        var perSeedY = new float[seeds][];
        var halfVar = new double[seeds];
        for (int s = 0; s < seeds; s++)
        {
            var rng = ctx.SeedStream(s, "teacher");
            var b = new double[k * d];
            var a = new double[k];
            for (int i = 0; i < b.Length; i++) b[i] = rng.Normal() * c.TeacherScale / Math.Sqrt(d);
            for (int i = 0; i < k; i++) a[i] = c.TeacherWeights == "sign" ? (rng.Normal() < 0 ? -1 : 1) : rng.Normal(); // the same draws either way
            perSeedX[s] = new float[c.Samples * d];
            perSeedY[s] = new float[c.Samples];
            for (int n = 0; n < c.Samples; n++)
            {
                for (int j = 0; j < d; j++) perSeedX[s][n * d + j] = (float)rng.Normal();
                double y = 0;
                for (int t = 0; t < k; t++)
                {
                    double z = 0;
                    for (int j = 0; j < d; j++) z += b[t * d + j] * perSeedX[s][n * d + j];
                    y += a[t] * Math.Tanh(z);
                }
                perSeedY[s][n] = (float)y;
            }
            double mean = perSeedY[s].Average(v => (double)v);
            halfVar[s] = 0.5 * perSeedY[s].Average(v => (v - mean) * (v - mean));
        }
        var x = new Tensor<float>(members, c.Samples, d);
        var yt = new Tensor<float>(members, c.Samples, 1);
        for (int m = 0; m < members; m++)
        {
            perSeedX[pop.SeedIndex(m)].CopyTo(x.SliceSpan(m));
            perSeedY[pop.SeedIndex(m)].CopyTo(yt.SliceSpan(m));
        }
        return (new TrainingData<float>(x, yt, perMember: true), halfVar);
    }

    private static void Figures(RunContext ctx, List<Arm> arms, Population pop, List<double> steps,
        List<double>[] loss, List<double>[] rank, List<double>[] spread, double[] final)
    {
        var x = steps.ToArray();
        Figure Curves(string id, string title, string yLabel, List<double>[] values, bool logY, string caption) => new(id, title, "line", "step", yLabel)
        {
            LogY = logY,
            Caption = caption,
            Series = arms.Select((a, i) => new Series(a.Name, x, values[pop.Layout.MemberOfCondition(i, 0)].ToArray())).ToList(),
        };
        ctx.Figures.Add(Curves("trap-loss", $"Training loss from identical neurons (seed {ctx.Seed})", "½(f − y)²", loss, true,
            "Vanilla weight decay stays on the one-neuron plateau; syre leaves it. The σ₀ = 0 arm lies exactly on vanilla."));
        ctx.Figures.Add(Curves("trap-rank", $"Numerical rank of W₁ (seed {ctx.Seed})", "rank W₁", rank, false,
            "Rank 1 is the permutation-symmetric state: every neuron has the same incoming weights."));
        ctx.Figures.Add(Curves("trap-spread", $"Largest pairwise distance of neurons / mean norm (seed {ctx.Seed})", "max ‖(w_i,u_i) − (w_j,u_j)‖ / mean norm", spread, false,
            "Exactly 0 while the network is trapped at the symmetric state."));
        ctx.Figures.Add(new Figure("final-loss", "Final training loss per arm", "bar", "arm", "loss")
        {
            LogY = true,
            Categories = arms.Select(a => a.Name).ToArray(),
            Caption = "syre arms against vanilla at the same γ, every seed.",
            Series = Enumerable.Range(0, pop.Layout.Seeds).Select(s => new Series($"seed {PopulationLayout.SeedOf(ctx.Seed, s)}",
                Enumerable.Range(0, arms.Count).Select(i => (double)i).ToArray(),
                Enumerable.Range(0, arms.Count).Select(i => final[pop.Layout.MemberOfCondition(i, s)]).ToArray())).ToList(),
        });
    }
}
