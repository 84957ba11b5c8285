using Noether.Data;
using Noether.Learning;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// noise-equilibrium H-d (docs/experiments/noise-equilibrium.md#h-d-setting-warmup, the paper's warmup figure): a rank-1
/// linear factorisation trained by SGD from Kaiming and Xavier inits at the claims' learning rate and a contrast one,
/// each without (phase warmup.no-warmup) and with (phase warmup.warmup) a linear warmup, on the same data and batches.
/// The Hessian trace S is followed in closed form (<see cref="Sharpness.TwoLayerLinearTrace"/>) and checked at the end
/// against the generic sharpness probe; λ_max(H₀) of the init tells which runs are above the stability limit.
/// </summary>
public sealed partial class NoiseEquilibrium
{
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
        var probeData = SquareLossEquivalentRows.Of(data);
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
    /// H-d's data: per seed a rank-1 teacher (<see cref="RegressionTeachers.RankOne{T}"/>, stream "warmup.data"), copied to
    /// every condition's member of that seed; and Σ̂_x = XᵀX/N (d×d) per seed, which the closed-form Hessian trace needs.
    /// </summary>
    private static (TrainingData<double> Data, Tensor<double>[] SecondMoments) MakeRankOneData(WarmupConfig c, PopulationLayout layout, RunContext ctx)
    {
        var (xs, ys, moments) = RegressionTeachers.RankOne<double>(layout.Seeds, c.Samples, c.InputDim, c.OutputDim, c.LabelNoise,
            s => ctx.SeedStream(s, "warmup.data"));
        var x = new Tensor<double>(layout.Count, c.Samples, c.InputDim);
        var y = new Tensor<double>(layout.Count, c.Samples, c.OutputDim);
        for (int s = 0; s < layout.Seeds; s++)
            for (int k = 0; k < layout.Conditions; k++)
            {
                xs.SliceSpan(s).CopyTo(x.SliceSpan(layout.MemberOfCondition(k, s)));
                ys.SliceSpan(s).CopyTo(y.SliceSpan(layout.MemberOfCondition(k, s)));
            }
        return (new TrainingData<double>(x, y, perMember: true), moments);
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
        var sgd = config.Optimizer.Sgd<double>(p, c.Lr);
        for (int m = 0; m < p; m++)
        {
            // Every condition and schedule of a seed draws the same normals (only their scale differs) and the same batches: the runs are paired.
            var rng = pop.Stream(m, "warmup.init");
            foreach (var param in net.Parameters) Initializer.Fill(param, m, Initializer.Parse((string)pop.Layout.Value(m, "init")), rng);
            sgd.LearningRate[m] = (double)pop.Layout.Value(m, "lr");
        }
        var loss = new MseLoss<double>(half: true);
        var trainer = new Trainer<double>(net, loss, sgd, data, c.Batch,
            pop.Streams("warmup.batches"), config.Optimizer.ScheduleOf(lrSchedule));
        config.Attach(trainer, (m, name) => pop.Stream(m, $"warmup.{name}")); // rule, syre (docs/training.md)
        ctx.Watch(pop, trainer); // --export, probes
        var lin = net.Linears.ToArray();
        var single = Mlp.Build<double>(1, [c.InputDim, c.Hidden, c.OutputDim], "identity", bias: false);
        var gradients = Enumerable.Range(0, p).Select(m => new MemberLossGradient(single, loss, probeData, m)).ToArray();
        double Trace(int m) => Sharpness.TwoLayerLinearTrace(lin[0].Weight.Value.Slice(m), lin[1].Weight.Value.Slice(m), moments[pop.SeedIndex(m)]);

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
}
