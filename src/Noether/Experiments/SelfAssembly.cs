using Noether.Data;
using Noether.Learning;
using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// Liao, Ziyin, Gan, Cheung, Harnett, Poggio — "Self-Assembly of a Biologically Plausible Learning Circuit"
/// (arXiv 2412.20018, CBMM Memo 152; docs/experiments/self-assembly.md). The paper's
/// circuit equations were not readable; the reference mechanism is the digest's [I] reading, Kolen–Pollack
/// with weight decay: ascending weights W_l and descending feedback B_l learn by the same local outer-product
/// rule with the same decay λ, so W − Bᵀ shrinks by exactly (1 − ηλ) per step and random feedback
/// self-assembles into Wᵀ. C-E1: cos(B_l, W_lᵀ) goes from ≈ 0 to ≥ 0.85 in every layer. C-E2: the circuit
/// learns as well as backprop at the same decay (FA, sign symmetry and DFA beside it). C-E3: the PROJECT'S
/// HYPOTHESIS of the "four plastic synapses" (plastic, randomly initialised cross-projections; see
/// <see cref="CrossProjectionFeedback{T}"/>) — does routing converge too?
/// Defaults: teacher 16→32(tanh)→16, 4096 samples; student 16→64(tanh)→64(tanh)→16 without biases; SGD
/// η = 0.05, batch 64, 4000 steps, λ = 1e-2 on every W (and B). B_l(0) is independent of W_l with its law.
/// Population members are seeds (run seed + i); every rule sees the same teacher, data, init and B(0).
/// `--set data=fashion-mnist` runs the real-data variant instead (SelfAssembly.Real.cs): parity with backprop and
/// self-assembly on a real classification task.
/// </summary>
public sealed partial class SelfAssembly : Experiment<SelfAssembly.Config>
{
    public override string Id => "self-assembly";
    public override string Title => "Self-assembly of symmetric feedback from random connectivity";
    public override Paper Paper => new("Self-Assembly of a Biologically Plausible Learning Circuit",
        "Qianli Liao, Liu Ziyin, Yulu Gan, Brian Cheung, Mark Harnett, Tomaso Poggio", "2412.20018");
    public override string Summary => "C-E1 Kolen–Pollack feedback self-assembles into Wᵀ from random connectivity; C-E2 it learns as well as backprop (FA, sign symmetry, DFA beside it); C-E3 the project's four-synapse hypothesis";
    public override string[] ExportKinds => ["features", "weights", "feedback"];

    public sealed class Config : TrainedConfig, IValidatedConfig
    {
        /// <summary>The rule section is the mechanism whose feedback should self-assemble (Kolen–Pollack by default) and the decay λ of every rule.</summary>
        public Config() => Rule = new() { Name = "kp", L2 = 1e-2 };

        public NetworkConfig Network { get; set; } = new();
        public FourSynapseConfig FourSynapse { get; set; } = new();
        [Param("rules run beside it at the same decay (noether list rules)", OneOfNames = typeof(RuleRegistry))] public string[] Baselines { get; set; } = ["backprop", "fa", "sign", "dfa"];
        [Param("further decays λ at which every rule is run and reported (no claims)", Min = 0, Max = 10)] public double[] ReportDecays { get; set; } = [];
        [Param("seeds (run seed + i), each its own teacher, data, initialisation and B(0)", Min = 1, Max = 64)] public int Seeds { get; set; } = 3;
        [Param("steps between two logged measurements", Min = 1)] public int ProbeEvery { get; set; } = 100;
        /// <summary>synthetic (the tanh teacher of C-E1–C-E3) or a real source: `--set data=fashion-mnist` runs the real-data variant.</summary>
        public DataConfig Data { get; set; } = new();
        /// <summary>The real-data variant's setting (SelfAssembly.Real.cs); ignored for synthetic data.</summary>
        public RealDataConfig Real { get; set; } = new();

        public override IReadOnlyList<(string Key, string Why)> Unhonoured => Data.IsReal
            ? [.. OptimizerFixed, ("network.", "the real-data variant trains its own classifier (real.*)"), ("four_synapse.", "the four-synapse hypothesis runs on the synthetic task only"),
               ("report_decays", "the real-data variant runs at rule.l2 only"), ("seeds", "the real-data variant's members are real.seeds")]
            : OptimizerFixed;

        private static readonly (string Key, string Why)[] OptimizerFixed = [.. new[] { "optimizer.name", "optimizer.momentum" }.Select(k =>
            (k, "its plastic feedback B moves by the plain SGD step of W inside the rule (the identity W − Bᵀ ← (1 − ηλ)(W − Bᵀ) is C-E1's); another optimiser or momentum would step W alone by a different rule"))];

        public void Validate()
        {
            if (!RuleConfig.HasFeedback(Rule.Name))
                throw new ConfigException($"rule={Rule.Name}: self-assembly measures cos(B, Wᵀ) of a feedback matrix; expected one of {string.Join(", ", RuleRegistry.All.Where(r => r.Feedback).Select(r => r.Name))}");
            if (Rule.Name == "kp" && Rule.L2 <= 0) throw new ConfigException($"rule.l2={Rule.L2}: Kolen–Pollack self-assembles only with decay > 0");
            if (!Baselines.Contains("backprop")) throw new ConfigException($"baselines={string.Join(",", Baselines)}: backprop is the reference of C-E2 and must be included");
        }
    }

    /// <summary>Task and network (docs/experiments/self-assembly.md#protocol).</summary>
    public sealed class NetworkConfig : IValidatedConfig
    {
        [Param("input width", Min = 1, Max = 4096)] public int InputDim { get; set; } = 16;
        [Param("teacher hidden width", Min = 1, Max = 4096)] public int TeacherHidden { get; set; } = 32;
        [Param("student hidden widths (tanh)", Min = 1, Max = 4096)] public int[] Hidden { get; set; } = [64, 64];
        [Param("output width", Min = 1, Max = 4096)] public int OutputDim { get; set; } = 16;
        [Param("training samples", Min = 2)] public int Samples { get; set; } = 4096;
        [Param("SGD learning rate η", Min = 0, Max = 10)] public double Lr { get; set; } = 0.05;
        [Param("batch size", Min = 1)] public int Batch { get; set; } = 64;
        [Param("training steps (self-assembly needs t ≫ 1/(ηλ))", Min = 1)] public int Steps { get; set; } = 4000;

        public void Validate()
        {
            if (Hidden.Length == 0) throw new ConfigException("network.hidden: expected at least one hidden layer");
            if (Batch > Samples) throw new ConfigException($"network.batch={Batch}: expected at most network.samples ({Samples})");
        }
    }

    /// <summary>C-E3, the project's hypothesis of the four-synapse circuit (docs/experiments/self-assembly.md#protocol).</summary>
    public sealed class FourSynapseConfig
    {
        [Param("run the four-synapse hypothesis")] public bool Enabled { get; set; } = true;
        [Param("decay λ_R of the cross-projections P, Q", Min = 0, Max = 10)] public double RelayDecay { get; set; } = 1e-3;
        [Param("relays learn from the trace-normalised covariance n·C/tr C (normalised LMS) instead of C (false: the plain delta rule, whose relays learn the small hidden errors too slowly)")] public bool Normalised { get; set; } = true;
        [Param("relays P, Q learn (false: frozen at their random initial values, a control)")] public bool Plastic { get; set; } = true;
    }

    protected override Config Profile(string profile) => profile == "full"
        ? new Config { Seeds = 10, ProbeEvery = 250, Network = new NetworkConfig { Steps = 12000 }, ReportDecays = [1e-3], Real = new RealDataConfig { Steps = 12000, Seeds = 3, ProbeEvery = 500 } }
        : new Config();

    /// <summary>One rule's run: per-member final loss and per-layer curves at the probe steps.</summary>
    private sealed class RuleRun
    {
        public required string Name { get; init; }
        /// <summary>The run's population (not stored with a phase's result: only the report-decay phase, which trains its own, uses it).</summary>
        [System.Text.Json.Serialization.JsonIgnore] public Population Population { get; init; } = null!;
        public required double[] Loss { get; init; }
        public List<double> Steps { get; init; } = [];
        /// <summary>CosT[layer][member] over the probe steps (layers with a feedback matrix; index 0 = the second dense layer).</summary>
        public required List<double>[][] CosT { get; init; }
        public required List<double>[][] UpdateAlignment { get; init; }
        public List<double>[][]? RelayUp { get; init; }
        public List<double>[][]? RelayDown { get; init; }
        /// <summary>Functional routing cos(P H, H) per layer above the first and cos(Q Δ, Δ) per layer, on the batch before each probe.</summary>
        public List<double>[][]? RoutedUp { get; init; }
        public List<double>[][]? RoutedDown { get; init; }
        public double IdentityError { get; set; }
        public List<double> BatchLoss { get; init; } = [];
    }

    protected override IReadOnlyList<Claim> Run(Config config, RunContext ctx) => config.Data.IsReal ? RunReal(config, ctx) : RunSynthetic(config, ctx);

    private IReadOnlyList<Claim> RunSynthetic(Config config, RunContext ctx)
    {
        var n = config.Network;
        var set = TeacherStudent.Tanh<double>(config.Seeds, n.Samples, n.InputDim, n.TeacherHidden, n.OutputDim, m => ctx.SeedStream(m, "data"));
        var data = new TrainingData<double>(set.Inputs, set.Targets, perMember: true);
        double lambda = config.Rule.L2;
        var names = new List<string> { config.Rule.Name };
        names.AddRange(config.Baselines.Where(b => b != config.Rule.Name));
        // One phase per rule (a resumed run re-runs the rule it was stopped in from its start), then one per report decay.
        var runs = names.ToDictionary(r => r, r => ctx.Phase(r, _ => Train(config, ctx, data, r, lambda, r)));
        RuleRun? four = config.FourSynapse.Enabled ? ctx.Phase("four-synapse", _ => Train(config, ctx, data, "four-synapse", lambda, "four-synapse")) : null;
        for (int d = 0; d < config.ReportDecays.Length; d++)
        {
            int di = d;
            ctx.Phase($"report_decay{d + 1}", _ =>
            {
                var extra = names.ToDictionary(r => r, r => Train(config, ctx, data, r, config.ReportDecays[di], $"report_decay{di + 1}.{r}"));
                for (int m = 0; m < config.Seeds; m++)
                    foreach (var (r, run) in extra)
                    {
                        run.Population.Log(config.Network.Steps, m, "loss_ratio_to_backprop", run.Loss[m] / extra["backprop"].Loss[m]);
                        if (run.CosT.Length > 0 && run.CosT[0][m].Count > 0)
                            run.Population.Log(config.Network.Steps, m, "final_cos_B_WT_min_layer", run.CosT.Min(l => l[m][^1]));
                    }
                return 0;
            });
        }
        Figures(config, ctx, runs, four);
        return Claims(config, ctx, runs, four);
    }

    /// <summary>Trains rule <paramref name="ruleName"/> with decay λ as phase <paramref name="phase"/>: one member per seed.</summary>
    private RuleRun Train(Config config, RunContext ctx, TrainingData<double> data, string ruleName, double lambda, string phase)
    {
        var n = config.Network;
        int p = config.Seeds;
        var pop = ctx.Population(phase, PopulationLayout.OfSeeds(p).With(ConditionAxis.Of("rule", [ruleName]).And("l2", [lambda])));
        int[] widths = [n.InputDim, .. n.Hidden, n.OutputDim];
        var net = Mlp.Build<double>(p, widths, "tanh", bias: false, compute: ctx.Compute);
        net.Initialize(InitScheme.LeCun, pop.Streams("init"));
        MemberStreams streams = pop.Stream;
        RuleStack<double> stack;
        CrossProjectionFeedback<double>? fourRule = null;
        if (ruleName == "four-synapse")
        {
            fourRule = new CrossProjectionFeedback<double>(net, streams, Enumerable.Repeat(lambda, p).ToArray(),
                Enumerable.Repeat(config.FourSynapse.RelayDecay, p).ToArray(), config.Rule.FeedbackStd, config.FourSynapse.Normalised, config.FourSynapse.Plastic);
            stack = config.WithSyre<double>([fourRule, new CoupledL2<double>(net, Enumerable.Repeat(lambda, p).ToArray())], net, streams);
        }
        else
        {
            var rule = config.Rule.Clone();
            rule.Name = ruleName;
            rule.L2 = lambda;
            stack = config.Stack(rule, net, streams);
        }
        var trainer = new Trainer<double>(net, new MseLoss<double>(half: true), config.Optimizer.Create<double>(p, n.Lr), data, n.Batch,
            pop.Streams("batches"), config.Optimizer.ScheduleOf());
        ctx.Watch(pop, trainer); // --export, probes
        trainer.Use(stack);

        var linears = net.Linears.ToArray();
        var withFeedback = linears.Skip(1).Where(l => l.Feedback is not null).ToArray();
        List<double>[][] Lists(int count) => Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, p).Select(_ => new List<double>()).ToArray()).ToArray();
        var run = new RuleRun
        {
            Name = ruleName,
            Population = pop,
            Loss = new double[p],
            CosT = Lists(ruleName == "backprop" ? 0 : withFeedback.Length),
            UpdateAlignment = Lists(linears.Length),
            RelayUp = fourRule is null ? null : Lists(linears.Length - 1),
            RelayDown = fourRule is null ? null : Lists(linears.Length),
            RoutedUp = fourRule is null ? null : Lists(linears.Length - 1),
            RoutedDown = fourRule is null ? null : Lists(linears.Length),
        };
        // Update alignment cos(ΔW_l, ΔW_l^BP) on the step's own batch and weights, at the probe steps.
        var scratch = new BackpropReference.Scratch<double>();
        stack.SignalObservers.Add(st =>
        {
            if (st.Step % config.ProbeEvery != 0) return;
            for (int m = 0; m < p; m++)
            {
                var reference = BackpropReference.Compute(st.Network, m, scratch);
                for (int l = 0; l < linears.Length; l++)
                {
                    double cos = MatrixAlignment.FrobeniusCosine(linears[l].Weight.Grad.SliceSpan(m), reference[l].WeightGradient.ReadOnlySpan);
                    run.UpdateAlignment[l][m].Add(cos);
                    pop.Log(st.Step, m, $"l{l + 1}", "update_alignment", cos);
                }
            }
        });
        var initialAsymmetry = withFeedback.Select(l => Enumerable.Range(0, p).Select(m => Asymmetry(l, m)).ToArray()).ToArray();
        double decayPerStep = 1 - n.Lr * lambda;
        ctx.Time(phase, () =>
        {
            trainer.Run(n.Steps, config.ProbeEvery, step =>
            {
                run.Steps.Add(step);
                run.BatchLoss.Add(step == 0 ? double.NaN : trainer.LastLoss[0]);
                for (int m = 0; m < p; m++)
                {
                    if (step > 0) pop.Log(step, m, "batch_loss", trainer.LastLoss[m]);
                    for (int k = 0; k < run.CosT.Length; k++)
                    {
                        var l = withFeedback[k];
                        var b = FeedbackAsB(l, m);
                        var w = l.Weight.Value.Slice(m);
                        double cos = FeedbackAlignment.TransposeCosine(b, w);
                        run.CosT[k][m].Add(cos);
                        pop.Log(step, m, $"l{l.LayerName}", "cos_B_WT", cos);
                        pop.Log(step, m, $"l{l.LayerName}", "sign_agreement", FeedbackAlignment.SignAgreement(b, w));
                        pop.Log(step, m, $"l{l.LayerName}", "relative_asymmetry", FeedbackAlignment.RelativeAsymmetry(b, w));
                        // (1 − ηλ)^t: the exact Kolen–Pollack contraction of W − Bᵀ.
                        double ratio = Asymmetry(l, m) / initialAsymmetry[k][m];
                        run.IdentityError = Math.Max(run.IdentityError, Math.Abs(ratio / Math.Pow(decayPerStep, step) - 1));
                    }
                    if (fourRule is not null)
                    {
                        for (int l = 0; l < linears.Length; l++)
                        {
                            if (fourRule.RelayUp[l] is { } up)
                            {
                                double c = IdentityCosine(up.Slice(m));
                                run.RelayUp![l - 1][m].Add(c);
                                pop.Log(step, m, $"l{l + 1}", "cos_P_I", c);
                                if (step > 0)
                                {
                                    run.RoutedUp![l - 1][m].Add(fourRule.RoutingUp[l][m]);
                                    pop.Log(step, m, $"l{l + 1}", "cos_PH_H", fourRule.RoutingUp[l][m]);
                                }
                            }
                            double q = IdentityCosine(fourRule.RelayDown[l].Slice(m));
                            run.RelayDown![l][m].Add(q);
                            pop.Log(step, m, $"l{l + 1}", "cos_Q_I", q);
                            if (step > 0)
                            {
                                run.RoutedDown![l][m].Add(fourRule.RoutingDown[l][m]);
                                pop.Log(step, m, $"l{l + 1}", "cos_Qdelta_delta", fourRule.RoutingDown[l][m]);
                            }
                        }
                    }
                }
                ctx.Metrics.Flush();
                ctx.Progress.Report($"self-assembly {phase}", step, n.Steps);
            }, ctx.Cancel);
            return 0;
        });
        var loss = trainer.EvaluateLoss();
        Array.Copy(loss, run.Loss, p);
        for (int m = 0; m < p; m++) pop.Log(n.Steps, m, "train_loss", loss[m]);
        ctx.Metrics.Flush();
        return run;
    }

    /// <summary>B as [in, out] (the probes' convention) from the feedback stored in W's shape.</summary>
    private static Tensor<double> FeedbackAsB(Linear<double> layer, int member)
    {
        var f = layer.Feedback!.Slice(member);
        var b = new Tensor<double>(layer.In, layer.Out);
        for (int o = 0; o < layer.Out; o++)
            for (int i = 0; i < layer.In; i++) b[i, o] = f[o, i];
        return b;
    }

    /// <summary>‖W − Bᵀ‖_F of member m (the feedback is stored as Bᵀ).</summary>
    private static double Asymmetry(Linear<double> layer, int m)
    {
        var w = layer.Weight.Value.SliceSpan(m);
        var f = layer.Feedback!.SliceSpan(m);
        double s = 0;
        for (int i = 0; i < w.Length; i++) s += (w[i] - f[i]) * (w[i] - f[i]);
        return Math.Sqrt(s);
    }

    /// <summary>cos(R, I) = Tr R / (√n ‖R‖_F): 1 when R ∝ I.</summary>
    public static double IdentityCosine(Tensor<double> r)
    {
        int n = r.Shape[0];
        double trace = 0, norm = 0;
        for (int i = 0; i < n; i++) trace += r[i, i];
        foreach (var v in r.ReadOnlySpan) norm += v * v;
        return Normalised.OverRoot(trace, n * norm);
    }

    private static IReadOnlyList<Claim> Claims(Config config, RunContext ctx, Dictionary<string, RuleRun> runs, RuleRun? four)
    {
        var n = config.Network;
        int s = config.Seeds;
        string rule = config.Rule.Name;
        double lambda = config.Rule.L2;
        var main = runs[rule];
        var bp = runs["backprop"];
        string label = rule == "kp" ? "Kolen–Pollack" : rule;
        string Layers(RuleRun r, Func<List<double>, double> pick) => string.Join("; ", Enumerable.Range(0, s).Select(m =>
            $"seed {ctx.Seed + m}: " + string.Join(", ", r.CosT.Select((l, k) => $"layer {k + 2} {Claim.Format(pick(l[m]))}"))));
        var claims = new List<Claim>
        {
            Claim.AtMost("C-E1.random-start",
                $"{label}: the feedback starts from random connectivity, |cos(B_l, W_lᵀ)| ≤ 0.1 in every layer at step 0 (largest over layers and seeds)",
                main.CosT.Max(l => l.Max(m => Math.Abs(m[0]))), 0.1, Layers(main, c => c[0])).AsCheck(),
            Claim.AtLeast("C-E1.self-assembly",
                $"{label} with λ={Claim.Format(lambda)} (η={Claim.Format(n.Lr)}, {n.Steps} steps, t·ηλ = {Claim.Format(n.Steps * n.Lr * lambda)}): the feedback self-assembles into Wᵀ, cos(B_l, W_lᵀ) ≥ 0.85 in every layer (smallest over layers and seeds)",
                main.CosT.Min(l => l.Min(m => m[^1])), 0.85, Layers(main, c => c[^1])),
        };
        if (rule == "kp")
            claims.Add(Claim.AtMost("C-E1.contraction",
                "Kolen–Pollack identity: ‖W_l − B_lᵀ‖(t) = (1 − ηλ)^t ‖W_l − B_lᵀ‖(0) exactly (float64; largest relative deviation over probe steps, layers and seeds)",
                main.IdentityError, 1e-9).AsCheck());

        var ratio = Enumerable.Range(0, s).Select(m => main.Loss[m] / bp.Loss[m]).ToArray();
        string Beside() => string.Join("; ", runs.Values.Select(r => $"{r.Name}: loss/BP " +
            string.Join(", ", Enumerable.Range(0, s).Select(m => Claim.Format(r.Loss[m] / bp.Loss[m])))));
        claims.Add(Claim.AtMost("C-E2.as-good-as-backprop",
            $"{label} learns as well as backprop at the same decay λ={Claim.Format(lambda)}: final training loss ≤ 1.1× backprop's (worst seed; feedback alignment, sign symmetry and DFA beside it)",
            ratio.Max(), 1.1, $"{SeedList(ctx, ratio)}; {Beside()}"));
        if (runs.TryGetValue("fa", out var fa) && rule != "fa")
        {
            var gap = Enumerable.Range(0, s).Select(m => fa.Loss[m] / main.Loss[m]).ToArray();
            claims.Add(Claim.AtLeast("C-E2.beats-feedback-alignment",
                $"Self-assembled feedback beats fixed random feedback: feedback-alignment loss ≥ 1.3× {label}'s (smallest over seeds; task-dependent, docs/experiments/self-assembly.md#c-e2beats-feedback-alignment)",
                gap.Min(), 1.3, SeedList(ctx, gap)));
        }
        if (four is not null) claims.AddRange(FourSynapseClaims(config, ctx, four, bp, Layers));
        return claims;
    }

    private static string SeedList(RunContext ctx, IEnumerable<double> values) =>
        string.Join(", ", values.Select((v, i) => $"seed {ctx.Seed + i}: {Claim.Format(v)}"));

    private static void Figures(Config config, RunContext ctx, Dictionary<string, RuleRun> runs, RuleRun? four)
    {
        var all = runs.Values.Concat(four is null ? [] : [four]).ToList();
        var cosFig = new Figure("feedback-alignment", $"cos(B_l, W_lᵀ) per rule (seed {ctx.Seed}, λ={Claim.Format(config.Rule.L2)})", "line", "step", "cos(B, Wᵀ)")
        { Caption = "Kolen–Pollack feedback self-assembles into Wᵀ at rate ηλ; fixed random feedback only partly aligns (W turns toward B); sign symmetry shares the signs of W. Backprop is 1 by construction, DFA has no B_l." };
        foreach (var r in all)
            for (int k = 0; k < r.CosT.Length; k++)
                cosFig.Series.Add(new Series($"{r.Name} layer {k + 2}", r.Steps.ToArray(), r.CosT[k][0].ToArray()));
        ctx.Figures.Add(cosFig);
        var updFig = new Figure("update-alignment", $"Bottom-layer update vs backprop's (seed {ctx.Seed})", "line", "step", "cos")
        { Caption = "How close each rule's update of the first layer is to the backprop update on the same batch and weights." };
        foreach (var r in all)
            if (r.UpdateAlignment[0][0].Count > 0)
                updFig.Series.Add(new Series(r.Name, r.Steps.Take(r.UpdateAlignment[0][0].Count).ToArray(), r.UpdateAlignment[0][0].ToArray()));
        ctx.Figures.Add(updFig);
        var bp = runs["backprop"];
        ctx.Figures.Add(new Figure("loss-vs-backprop", "Final loss relative to backprop (same decay)", "bar", "rule", "loss / backprop loss")
        {
            Categories = all.Select(r => r.Name).ToArray(),
            Series = [new Series("loss / BP", all.Select((_, i) => (double)i).ToArray(), all.Select(r => Enumerable.Range(0, config.Seeds).Average(m => r.Loss[m] / bp.Loss[m])).ToArray())
                { Spread = all.Select(r => Series.StandardDeviation(Enumerable.Range(0, config.Seeds).Select(m => r.Loss[m] / bp.Loss[m]))).ToArray() }],
            Caption = "Mean over seeds (± one standard deviation) of the final training loss divided by backprop's, every rule at the same decay λ.",
        });
        var lossFig = new Figure("loss-curves", $"Batch loss during training (seed {ctx.Seed})", "line", "step", "loss") { LogY = true };
        foreach (var r in all) lossFig.Series.Add(new Series(r.Name, r.Steps.Skip(1).ToArray(), r.BatchLoss.Skip(1).ToArray()));
        ctx.Figures.Add(lossFig);
        if (four is not null)
        {
            var routeFig = new Figure("four-synapse-routing", $"Hypothesis: routing cos(P_l, I), cos(Q_l, I) (seed {ctx.Seed})", "line", "step", "cos(·, I)")
            { Caption = "Hypothesis, not the paper's circuit: do randomly initialised relays converge to identity routing?" };
            for (int k = 0; k < four.RelayUp!.Length; k++) routeFig.Series.Add(new Series($"P{k + 1}", four.Steps.ToArray(), four.RelayUp[k][0].ToArray()));
            for (int k = 0; k < four.RelayDown!.Length; k++) routeFig.Series.Add(new Series($"Q{k + 1}", four.Steps.ToArray(), four.RelayDown[k][0].ToArray()));
            ctx.Figures.Add(routeFig);
        }
    }
}
