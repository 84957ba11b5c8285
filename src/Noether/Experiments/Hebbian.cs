using Noether.Data;
using Noether.Learning;
using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// Koplow, Poggio, Ziyin — "Emergence of Hebbian Dynamics in Regularized Non-Local Learners"
/// (v3: "Ubiquity of Emergent Hebbian Dynamics in Regularized Learning"; arXiv 2505.18069;
/// docs/experiments/hebbian.md).
/// A-E1: with weight decay wd the learning signal G (the update without its decay term) of SGD, DFA and
/// even a rule that learns nothing (random teacher) aligns with the Hebbian term H = h_b h_aᵀ, and the
/// alignment rises with wd. A-E2: parameter noise σ turns it anti-Hebbian, with the zero crossing at
/// σ*² = wd‖v*‖²/(d(1+wd)²) (linear regression). A-E3: the weak-form identity ⟨E g, H̄⟩ = wd·E‖h_b‖² &gt; 0 for
/// any bounded rule at stationarity (the rule of the <c>rule</c> section, random teacher by default).
/// Defaults: teacher 16→32(tanh)→16, student 16→64(tanh)→16 without biases, SGD η = 0.05, batch 128,
/// 4000 steps, wd ∈ {0, 1e-3, 1e-2, 3e-2}; A-E2 linear 16→8, batch 64, 3000 steps on fresh samples every step,
/// plus gradient- and input-noise members at the reference wd. Alignment is the mean
/// of the per-step cosines over the last part of training (never the cosine of averaged signals).
/// Population members: A-E1 is wd × seeds per rule, A-E2 is wd × σ per seed; seed i is run seed + i.
/// </summary>
public sealed partial class Hebbian : Experiment<Hebbian.Config>
{
    public override string Id => "hebbian";
    public override string Title => "Hebbian signatures from weight decay, anti-Hebbian from noise";
    public override Paper Paper => new("Emergence of Hebbian Dynamics in Regularized Non-Local Learners",
        "David A. Koplow, Tomaso Poggio, Liu Ziyin", "2505.18069");
    public override string Summary => "A-E1 weight decay makes SGD, DFA and random-teacher learning signals Hebbian, rising with wd; A-E2 parameter noise makes them anti-Hebbian with σ*² ∝ wd, and so do gradient and input noise; A-E3 the weak-form identity for an arbitrary rule";
    public override string[] ExportKinds => ["features", "weights", "feedback"];

    public sealed class Config : TrainedConfig, IValidatedConfig
    {
        /// <summary>The rule section is the rule of A-E3 and the shared rule settings (feedback law, teacher width) of A-E1.</summary>
        public Config() => Rule = new() { Name = "random-teacher", L2 = 0.03 };

        public override IReadOnlyList<(string Key, string Why)> Unhonoured => Data.IsReal
            ? [("rule.", "the real-data variant trains its classifiers with plain SGD and coupled decay (the paper's Table 1 setting); the rule section is A-E3's")] : [];
        public DecayConfig Decay { get; set; } = new();
        public NoiseConfig Noise { get; set; } = new();
        public WeakFormConfig WeakForm { get; set; } = new();
        public PhaseDiagramConfig PhaseDiagram { get; set; } = new();
        [Param("seeds (run seed + i), each its own teacher, data, initialisation and feedback", Min = 1, Max = 64)] public int Seeds { get; set; } = 3;
        [Param("steps between two logged measurements", Min = 1)] public int ProbeEvery { get; set; } = 100;
        /// <summary>synthetic (the teachers of A-E1–A-E3) or a real source: `--set data=fashion-mnist` runs the real-data variant.</summary>
        public DataConfig Data { get; set; } = new();
        /// <summary>The real-data variant's setting (Hebbian.Real.cs); ignored for synthetic data.</summary>
        public RealDataConfig Real { get; set; } = new();

        public void Validate()
        {
            if (Rule.L2 <= 0) throw new ConfigException($"rule.l2={Rule.L2}: the weak-form identity (A-E3) needs decay > 0");
            double tau = 5 / (Decay.Lr * Rule.L2);
            if (WeakForm.Steps < tau) throw new ConfigException($"weak_form.steps={WeakForm.Steps}: stationarity needs at least 5/(η·rule.l2) = {Math.Ceiling(tau)} steps");
            if (WeakForm.Window > WeakForm.Steps) throw new ConfigException($"weak_form.window={WeakForm.Window}: expected at most weak_form.steps ({WeakForm.Steps})");
        }
    }

    /// <summary>A-E1 (docs/experiments/hebbian.md#a-e1-setting): alignment against weight decay for several rules.</summary>
    public sealed class DecayConfig : IValidatedConfig
    {
        [Param("input width d", Min = 1, Max = 4096)] public int InputDim { get; set; } = 16;
        [Param("teacher hidden width", Min = 1, Max = 4096)] public int TeacherHidden { get; set; } = 32;
        [Param("student hidden width (tanh)", Min = 1, Max = 4096)] public int Hidden { get; set; } = 64;
        [Param("output width", Min = 1, Max = 4096)] public int OutputDim { get; set; } = 16;
        [Param("training samples", Min = 2)] public int Samples { get; set; } = 4096;
        [Param("SGD learning rate η", Min = 0, Max = 10)] public double Lr { get; set; } = 0.05;
        [Param("batch size (the paper measures at 256; large batches show the expectation)", Min = 1)] public int Batch { get; set; } = 128;
        [Param("training steps", Min = 1)] public int Steps { get; set; } = 4000;
        [Param("weight decays wd, ascending, the first 0", Min = 0, Max = 10)] public double[] WeightDecays { get; set; } = [0, 1e-3, 1e-2, 3e-2];
        [Param("rules compared (noether list rules)", OneOfNames = typeof(RuleRegistry))] public string[] Rules { get; set; } = ["backprop", "dfa", "random-teacher"];
        [Param("fraction of training at the end over which the alignment is averaged", Min = 0.01, Max = 1)] public double Window { get; set; } = 0.2;

        public void Validate()
        {
            if (WeightDecays.Length < 2) throw new ConfigException($"decay.weight_decays: expected at least two values, got {WeightDecays.Length}");
            if (WeightDecays[0] != 0) throw new ConfigException($"decay.weight_decays={string.Join(",", WeightDecays)}: the first value must be 0 (the no-decay control)");
            for (int i = 1; i < WeightDecays.Length; i++)
                if (WeightDecays[i] <= WeightDecays[i - 1]) throw new ConfigException($"decay.weight_decays={string.Join(",", WeightDecays)}: expected strictly ascending values");
            if (Rules.Length == 0) throw new ConfigException("decay.rules: expected at least one rule");
            if (Batch > Samples) throw new ConfigException($"decay.batch={Batch}: expected at most decay.samples ({Samples})");
        }
    }

    /// <summary>A-E2 (docs/experiments/hebbian.md#a-e2-setting): alignment against parameter noise σ for several wd, linear regression.</summary>
    public sealed class NoiseConfig : IValidatedConfig
    {
        [Param("input width d", Min = 1, Max = 4096)] public int InputDim { get; set; } = 16;
        [Param("output width", Min = 1, Max = 4096)] public int OutputDim { get; set; } = 8;
        [Param("training samples (x ~ N(0, I)); 0 draws fresh samples every step (steps × batch, each used once)", Min = 0)] public int Samples { get; set; }
        [Param("label-noise std", Min = 0)] public double LabelNoise { get; set; } = 0.1;
        [Param("SGD learning rate η", Min = 0, Max = 10)] public double Lr { get; set; } = 0.05;
        [Param("batch size", Min = 1)] public int Batch { get; set; } = 64;
        [Param("training steps", Min = 1)] public int Steps { get; set; } = 3000;
        [Param("weight decays wd, ascending, all > 0", Min = 0, Max = 10)] public double[] WeightDecays { get; set; } = [0.01, 0.05, 0.2];
        [Param("parameter-noise stds σ, ascending, the first 0", Min = 0, Max = 100)] public double[] Sigmas { get; set; } = [0, 0.01, 0.02, 0.05, 0.1, 0.2];
        [Param("wd at which the sign flip is checked (must be one of noise.weight_decays)", Min = 0, Max = 10)] public double ReferenceWeightDecay { get; set; } = 0.05;
        [Param("gradient-noise stds (ξ ~ N(0, s²) added to every entry of the learning signal), ascending, run at the reference wd", Min = 0, Max = 100)]
        public double[] GradientSigmas { get; set; } = [0.3, 1.3];
        [Param("input-noise stds (x ← x + ξ before the forward pass; the targets keep the clean x), ascending, run at the reference wd", Min = 0, Max = 100)]
        public double[] InputSigmas { get; set; } = [0.5, 2];
        [Param("fraction of training at the end over which the alignment is averaged", Min = 0.01, Max = 1)] public double Window { get; set; } = 0.5;

        public void Validate()
        {
            if (WeightDecays.Length < 2 || WeightDecays.Any(g => g <= 0)) throw new ConfigException($"noise.weight_decays={string.Join(",", WeightDecays)}: expected at least two values, all > 0");
            for (int i = 1; i < WeightDecays.Length; i++)
                if (WeightDecays[i] <= WeightDecays[i - 1]) throw new ConfigException($"noise.weight_decays={string.Join(",", WeightDecays)}: expected strictly ascending values");
            if (Sigmas.Length < 2 || Sigmas[0] != 0) throw new ConfigException($"noise.sigmas={string.Join(",", Sigmas)}: expected at least two values, the first 0");
            for (int i = 1; i < Sigmas.Length; i++)
                if (Sigmas[i] <= Sigmas[i - 1]) throw new ConfigException($"noise.sigmas={string.Join(",", Sigmas)}: expected strictly ascending values");
            if (!WeightDecays.Contains(ReferenceWeightDecay)) throw new ConfigException($"noise.reference_weight_decay={ReferenceWeightDecay}: expected one of noise.weight_decays ({string.Join(",", WeightDecays)})");
            if (Samples > 0 && Batch > Samples) throw new ConfigException($"noise.batch={Batch}: expected at most noise.samples ({Samples})");
            foreach (var (key, levels) in new[] { ("gradient_sigmas", GradientSigmas), ("input_sigmas", InputSigmas) })
            {
                if (levels.Length == 0) throw new ConfigException($"noise.{key}: expected at least one value");
                for (int i = 1; i < levels.Length; i++)
                    if (levels[i] < levels[i - 1]) throw new ConfigException($"noise.{key}={string.Join(",", levels)}: expected ascending values");
            }
        }
    }

    /// <summary>A-E3 (docs/experiments/hebbian.md#a-e3-setting): the weak-form identity for the rule of the <c>rule</c> section, in the A-E1 setting.</summary>
    public sealed class WeakFormConfig
    {
        [Param("training steps (need t ≥ 5/(η·rule.l2) to reach stationarity)", Min = 1)] public int Steps { get; set; } = 4000;
        [Param("final steps over which ḡ, H̄ and W̄ are averaged", Min = 1)] public int Window { get; set; } = 1000;
    }

    /// <summary>The (σ, wd) phase diagram of the A-E1 network under parameter noise (full profile).</summary>
    public sealed class PhaseDiagramConfig
    {
        [Param("run the phase diagram")] public bool Enabled { get; set; }
        [Param("parameter-noise stds σ (columns)", Min = 0, Max = 100)] public double[] Sigmas { get; set; } = [0, 0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.2];
        [Param("weight decays wd (rows)", Min = 0, Max = 10)] public double[] WeightDecays { get; set; } = [0, 1e-3, 3e-3, 1e-2, 3e-2, 0.1];
    }

    protected override Config Profile(string profile) => profile == "full"
        ? new Config
        {
            Seeds = 10,
            ProbeEvery = 200,
            Decay = new DecayConfig { Steps = 8000, Batch = 256, WeightDecays = [0, 5e-5, 5e-4, 1e-3, 5e-3, 1e-2, 3e-2] },
            Noise = new NoiseConfig { Steps = 6000, Sigmas = [0, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.2] },
            WeakForm = new WeakFormConfig { Steps = 8000, Window = 2000 },
            PhaseDiagram = new PhaseDiagramConfig { Enabled = true },
            Real = new RealDataConfig { Steps = 4000, WeightDecays = [0, 1e-3, 1e-2, 3e-2], Seeds = 3, ProbeEvery = 200 },
        }
        : new Config();

    protected override IReadOnlyList<Claim> Run(Config config, RunContext ctx) => config.Data.IsReal ? RunReal(config, ctx) : RunSynthetic(config, ctx);

    private IReadOnlyList<Claim> RunSynthetic(Config config, RunContext ctx)
    {
        var claims = new List<Claim>();
        // Phases A-E1 (below), A-E2 and the phase diagram (Hebbian.Noise.cs), A-E3 (Hebbian.WeakForm.cs); a resumed run
        // re-runs the one it was stopped in from its start.
        claims.AddRange(ctx.ClaimsPhase("decay", _ => RunDecay(config, ctx)));
        var (noiseClaims, whitened) = ctx.ClaimsPhase("noise", _ => RunNoise(config, ctx));
        claims.AddRange(noiseClaims);
        claims.AddRange(ctx.ClaimsPhase("weak_form", _ => RunWeakForm(config, ctx, whitened)));
        if (config.PhaseDiagram.Enabled) ctx.Phase("phase_diagram", _ => { RunPhaseDiagram(config, ctx); return 0; });
        return claims;
    }

    private string SeedList(RunContext ctx, IEnumerable<double> values) =>
        string.Join(", ", values.Select((v, i) => $"seed {ctx.Seed + i}: {Claim.Format(v)}"));

    // ---- A-E1: alignment rises with weight decay ----

    private IReadOnlyList<Claim> RunDecay(Config config, RunContext ctx)
    {
        var c = config.Decay;
        int g = c.WeightDecays.Length, s = config.Seeds;
        // Every weight decay of a seed shares its teacher, data, init, batches and feedback.
        var layout = PopulationLayout.OfSeeds(s).With("weight_decay", c.WeightDecays);
        var data = MlpTeacherData(c, layout.Count, m => ctx.SeedStream(layout.SeedIndex(m), "decay.data"));
        var claims = new List<Claim>();
        var bars = new List<Series>();
        var curves = new Figure("decay-alignment-curves", $"A-E1: alignment during training, wd = 0 and {Claim.Format(c.WeightDecays[^1])}", "line", "step", "cos(G, H)")
        { Caption = "With decay the learning signal turns Hebbian as training settles; without decay it stays near zero." };
        foreach (var ruleName in c.Rules)
        {
            var rule = config.Rule.Clone();
            rule.Name = ruleName;
            var run = TrainMlp(ctx, config, ctx.Population($"decay.{ruleName}", layout), c, config.ProbeEvery, data, rule, null, c.Steps, c.Window);
            // A[layer][seed][wd]; the curves are the first seed's.
            var a = new double[2][][];
            for (int l = 0; l < 2; l++)
                a[l] = Enumerable.Range(0, s).Select(si => Enumerable.Range(0, g).Select(gi => run.Alignment[layout.Member(si, gi)][l].Mean).ToArray()).ToArray();
            for (int l = 0; l < 2; l++)
                bars.Add(new Series($"{ruleName} layer {l + 1}", Enumerable.Range(0, g).Select(i => (double)i).ToArray(),
                    Enumerable.Range(0, g).Select(gi => a[l].Average(seed => seed[gi])).ToArray())
                { Spread = Enumerable.Range(0, g).Select(gi => Series.StandardDeviation(a[l].Select(seed => seed[gi]))).ToArray() });
            foreach (int gi in new[] { 0, g - 1 })
                for (int l = 0; l < 2; l++)
                    curves.Series.Add(new Series($"{ruleName} wd={Claim.Format(c.WeightDecays[gi])} layer {l + 1} (seed {ctx.Seed})",
                        run.CurveSteps.ToArray(), run.Curves[layout.Member(0, gi)][l].ToArray()));
            claims.AddRange(DecayClaims(ctx, c, ruleName, a, (si, gi) => run.TaskLoss[layout.Member(si, gi)]));
        }
        ctx.Figures.Add(new Figure("decay-alignment", "A-E1: Hebbian alignment against weight decay", "bar", "wd", "cos(G, H)")
        {
            Categories = c.WeightDecays.Select(v => "wd=" + Claim.Format(v)).ToArray(),
            Series = bars,
            Caption = "Mean over seeds (± one standard deviation) of cos(G, H) over the last steps: alignment rises with wd for SGD, DFA and the random-teacher rule, which learns nothing about the task.",
        });
        ctx.Figures.Add(curves);
        return claims;
    }

    private IEnumerable<Claim> DecayClaims(RunContext ctx, DecayConfig c, string rule, double[][][] a, Func<int, int, double> taskLoss)
    {
        int s = a[0].Length, g = c.WeightDecays.Length;
        string label = rule == "backprop" ? "SGD" : rule;
        string Row(double[] v) => "[" + string.Join(", ", v.Select(Claim.Format)) + "]";
        string table = string.Join("; ", Enumerable.Range(0, s).Select(si =>
            $"seed {ctx.Seed + si}: layer 1 {Row(a[0][si])}, layer 2 {Row(a[1][si])}"));
        // (i) largest drop between neighbouring wd relative to the total rise A(wd_max) − A(0), over seeds and layers; +∞ where
        // the alignment does not rise at all, so flat data fails (docs/experiments/hebbian.md#a-e1rulemonotone).
        double against = 0;
        for (int l = 0; l < 2; l++)
            for (int si = 0; si < s; si++) against = Math.Max(against, AgainstTrend(a[l][si], rising: true));
        // (ii) gain A(wd_max) − A(0), smallest over seeds and layers.
        double gain = double.PositiveInfinity;
        for (int l = 0; l < 2; l++)
            for (int si = 0; si < s; si++) gain = Math.Min(gain, a[l][si][g - 1] - a[l][si][0]);
        // (iii) level at wd_max: both layers for SGD and the random teacher, the better layer for DFA (docs/experiments/hebbian.md#a-e1rulelevel).
        bool oneLayer = rule == "dfa";
        var level = Enumerable.Range(0, s).Select(si => oneLayer ? Math.Max(a[0][si][g - 1], a[1][si][g - 1]) : Math.Min(a[0][si][g - 1], a[1][si][g - 1])).ToArray();
        // (iv) |A(0)|, largest over seeds and layers.
        double zero = Enumerable.Range(0, s).Max(si => Math.Max(Math.Abs(a[0][si][0]), Math.Abs(a[1][si][0])));
        string gammas = string.Join(", ", c.WeightDecays.Select(Claim.Format));
        string loss = $"task loss at wd = {string.Join(", ", Enumerable.Range(0, g).Select(gi => Claim.Format(Enumerable.Range(0, s).Average(si => taskLoss(si, gi)))))} (mean over seeds)";
        yield return Claim.AtMost($"A-E1.{rule}.monotone",
            $"{label}: Hebbian alignment cos(G, H) rises monotonically in wd ∈ {{{gammas}}}, both layers: largest drop between neighbouring wd / total rise A(wd_max) − A(0) ≤ 0.12 = 0.03/0.25 (largest over {s} seeds and layers; ∞ if A does not rise)",
            against, 0.12, $"alignment per wd — {table}");
        yield return Claim.AtLeast($"A-E1.{rule}.gain",
            $"{label}: weight decay raises the alignment, A(wd={Claim.Format(c.WeightDecays[^1])}) − A(0) ≥ 0.25 at both layers (smallest over seeds and layers)",
            gain, 0.25, table);
        yield return Claim.AtLeast($"A-E1.{rule}.level",
            $"{label}: at wd={Claim.Format(c.WeightDecays[^1])} the learning signal is Hebbian, A ≥ 0.25 at {(oneLayer ? "one layer or more" : "both layers")} (worst seed)",
            level.Min(), 0.25, SeedList(ctx, level) + "; " + loss);
        yield return Claim.AtMost($"A-E1.{rule}.no-decay",
            $"{label}: without decay the alignment is near zero, |A(0)| ≤ 0.1 (largest over seeds and layers)",
            zero, 0.1, table);
    }

    /// <summary>
    /// The largest step of <paramref name="v"/> against its trend relative to its total change over the grid: for a rising
    /// trend max_i (v_i − v_{i+1})⁺ / (v_last − v_first), for a falling one max_i (v_{i+1} − v_i)⁺ / (v_first − v_last);
    /// +∞ when the total change is not in the trend's direction (docs/experiments/hebbian.md#a-e1rulemonotone).
    /// </summary>
    public static double AgainstTrend(double[] v, bool rising)
    {
        double sign = rising ? 1 : -1, worst = 0;
        for (int i = 0; i + 1 < v.Length; i++) worst = Math.Max(worst, sign * (v[i] - v[i + 1]));
        double total = sign * (v[^1] - v[0]);
        return total > 0 ? worst / total : double.PositiveInfinity;
    }

    private static TrainingData<double> MlpTeacherData(DecayConfig c, int members, Func<int, Rng> stream)
    {
        var set = TeacherStudent.Tanh<double>(members, c.Samples, c.InputDim, c.TeacherHidden, c.OutputDim, stream);
        return new TrainingData<double>(set.Inputs, set.Targets, perMember: true);
    }

    /// <summary>Per-member results of one MLP population run (Curves[member][layer] at the probe steps).</summary>
    private sealed record MlpRun(StepAverage[][] Alignment, double[] TaskLoss, List<double> CurveSteps, List<double>[][] Curves,
        RunningMatrixMean[][]? MeanSignal, RunningMatrixMean[][]? MeanHebbian, RunningMatrixMean[][]? MeanWeight, StepAverage[][]? PostNorm);

    /// <summary>
    /// Trains a 16→64(tanh)→16 population with the given rule, per-member decay and noise; measures the
    /// per-step Hebbian alignment of both layers in the final <paramref name="window"/> fraction, logs it
    /// every probe, and (with <paramref name="meanWindow"/>) keeps running means of G, H and W.
    /// </summary>
    private static MlpRun TrainMlp(RunContext ctx, Config config, Population pop, DecayConfig c, int probeEvery, TrainingData<double> data, RuleConfig rule,
        double[]? sigmas, int steps, double window, int meanWindow = 0)
    {
        int p = pop.Count;
        string name = pop.Phase;
        var gammas = pop.Layout.Values("weight_decay");
        var net = Mlp.Build<double>(p, [c.InputDim, c.Hidden, c.OutputDim], "tanh", bias: false, compute: ctx.Compute);
        net.Initialize(InitScheme.LeCun, pop.Streams("decay.init"));
        // Noise must differ between the conditions of one seed; everything else is shared by a seed's members.
        MemberStreams streams = (m, stream) => stream.Contains("noise") ? pop.Stream(m, $"{stream}.{pop.Layout.ConditionOf(m)}") : pop.Stream(m, stream);
        var stack = config.Stack(rule, net, streams, new RuleConfig.PerMember { L2 = gammas, ParameterNoise = sigmas }); // syre, when on, as the decay phase
        var trainer = new Trainer<double>(net, new MseLoss<double>(half: true), config.Optimizer.Create<double>(p, c.Lr), data, c.Batch,
            pop.Streams("decay.batches"), config.Optimizer.ScheduleOf());
        ctx.Watch(pop, trainer); // --export, probes
        trainer.Use(stack);

        var alignment = Enumerable.Range(0, p).Select(_ => new[] { new StepAverage(), new StepAverage() }).ToArray();
        long from = (long)Math.Floor(steps * (1 - window));
        var linears = net.Linears.ToArray();
        var curveSteps = new List<double>();
        var curves = Enumerable.Range(0, p).Select(_ => new[] { new List<double>(), new List<double>() }).ToArray();
        RunningMatrixMean[][]? meanG = null, meanH = null, meanW = null;
        StepAverage[][]? postNorm = null;
        if (meanWindow > 0)
        {
            meanG = linears.Select(l => Enumerable.Range(0, p).Select(_ => new RunningMatrixMean(l.Out, l.In)).ToArray()).ToArray();
            meanH = linears.Select(l => Enumerable.Range(0, p).Select(_ => new RunningMatrixMean(l.Out, l.In)).ToArray()).ToArray();
            meanW = linears.Select(l => Enumerable.Range(0, p).Select(_ => new RunningMatrixMean(l.Out, l.In)).ToArray()).ToArray();
            postNorm = linears.Select(_ => Enumerable.Range(0, p).Select(_ => new StepAverage()).ToArray()).ToArray();
        }
        var hebbian = linears.Select(l => new Tensor<double>(l.Out, l.In)).ToArray(); // H of the layer being measured
        stack.SignalObservers.Add(st =>
        {
            bool measure = st.Step >= from, log = st.Step % probeEvery == 0, means = meanWindow > 0 && st.Step >= steps - meanWindow;
            if (!measure && !log && !means) return;
            var trace = st.Network.Trace;
            if (log) curveSteps.Add(st.Step);
            for (int l = 0; l < trace.Count; l++)
            {
                var t = trace[l];
                for (int m = 0; m < p; m++)
                {
                    var grad = t.Layer.Weight.Grad.Slice(m);
                    var ha = t.Input.Slice(m);
                    var hb = t.PreActivation.Slice(m);
                    if (measure || log)
                    {
                        // G = −Grad (the signal without decay), so cos(G, H) = −cos(Grad, H).
                        double cos = -HebbianAlignment.LayerAlignment(grad, ha, hb, hebbian[l]);
                        if (measure) alignment[m][l].Add(cos);
                        if (log)
                        {
                            curves[m][l].Add(cos);
                            pop.Log(st.Step, m, $"l{l + 1}", "hebbian_alignment", cos);
                        }
                    }
                    if (means)
                    {
                        meanG![l][m].Add(grad);
                        meanH![l][m].Add(HebbianAlignment.HebbianTerm(ha, hb, hebbian[l]));
                        meanW![l][m].Add(t.Layer.Weight.Value.Slice(m));
                        double sq = 0;
                        foreach (var v in hb.ReadOnlySpan) sq += v * v;
                        postNorm![l][m].Add(sq / hb.Shape[0]);
                    }
                }
            }
        });
        ctx.Time(name, () =>
        {
            trainer.Run(steps, probeEvery, step =>
            {
                for (int m = 0; m < p; m++)
                    if (step > 0) pop.Log(step, m, "batch_loss", trainer.LastLoss[m]);
                ctx.Metrics.Flush();
                ctx.Progress.Report($"hebbian {name}", step, steps);
            }, ctx.Cancel);
            return 0;
        });
        var loss = trainer.EvaluateLoss();
        for (int m = 0; m < p; m++) pop.Log(steps, m, "task_loss", loss[m]);
        ctx.Metrics.Flush();
        return new MlpRun(alignment, loss, curveSteps, curves, meanG, meanH, meanW, postNorm);
    }
}
