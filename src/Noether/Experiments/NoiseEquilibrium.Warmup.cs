using Noether.Data;
using Noether.Learning;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// noise-equilibrium H-d (docs/experiments/noise-equilibrium.md#h-d-setting-warmup, the paper's warmup figure): a rank-1
/// linear factorisation trained by SGD from a Kaiming init at a grid of learning rates around its stability limit, and from
/// a Xavier init at the init-independence claim's rate, each without (phase warmup.no-warmup) and with (phase warmup.warmup)
/// a linear warmup. A seed's Kaiming runs share their init and batches (paired over rates and schedules); its Xavier runs
/// draw their own init and batches, so the two inits meet only through the equilibrium.
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
        [Param("learning rate of the init-independence claim (Kaiming and Xavier, both with warmup), above the Kaiming init's stability limit 2/λ_max(H₀) (≈ 0.03 at the defaults)", Min = 0, Max = 10)]
        public double Lr { get; set; } = 0.1;
        [Param("Kaiming learning-rate grid around that stability limit, each run with and without warmup (warmup.lr is added if missing)", Min = 0, Max = 10)]
        public double[] Lrs { get; set; } = [0.01, 0.02, 0.03, 0.05, 0.1];
        [Param("SGD batch size", Min = 1)] public int Batch { get; set; } = 8;
        [Param("SGD steps", Min = 1)] public int Steps { get; set; } = 10000;
        [Param("linear warmup steps: the learning rate rises from η/n to η over the first n steps", Min = 1)] public int WarmupSteps { get; set; } = 5000;

        public void Validate()
        {
            if (Batch > Samples) throw new ConfigException($"warmup.batch={Batch}: expected at most warmup.samples ({Samples})");
            if (Samples < InputDim) throw new ConfigException($"warmup.samples={Samples}: expected at least warmup.input_dim ({InputDim}) training samples");
            if (Lrs.Length == 0) throw new ConfigException("warmup.lrs: expected at least one learning rate");
            if (WarmupSteps >= Steps) throw new ConfigException($"warmup.warmup_steps={WarmupSteps}: expected fewer than warmup.steps ({Steps}), so that SGD also runs at the full learning rate");
        }
    }

    /// <summary>One H-d training condition: an initialisation at a learning rate, run with and without warmup; <paramref name="Exact"/> ones get the exact trace probe at the end.</summary>
    private sealed record WarmupCondition(string Init, double Lr, bool Exact)
    {
        public string Name => $"{Init} η={Lr.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private const string NoWarmup = "no-warmup", WithWarmup = "warmup", Kaiming = "kaiming", Xavier = "xavier";

    /// <summary>Kaiming at every grid rate (ascending, warmup.lr included), then Xavier at warmup.lr: the order of <see cref="WarmupLayout"/>.</summary>
    private static WarmupCondition[] WarmupConditions(WarmupConfig c) =>
        [.. c.Lrs.Append(c.Lr).Distinct().Order().Select(lr => new WarmupCondition(Kaiming, lr, lr == c.Lr)), new(Xavier, c.Lr, true)];

    /// <summary>H-d's population: condition (Kaiming at each grid rate, Xavier at warmup.lr) × seeds.</summary>
    private static PopulationLayout WarmupLayout(WarmupConfig c, int seeds)
    {
        var conditions = WarmupConditions(c);
        return PopulationLayout.OfSeeds(seeds).With(ConditionAxis.Of("arm", conditions.Select(k => k.Name))
            .And("lr", conditions.Select(k => k.Lr)).And("init", conditions.Select(k => k.Init)));
    }

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
                if (r.DivergedAt[m] < 0 && conditions[layout.ConditionOf(m)].Exact) closedFormError = Math.Max(closedFormError, Math.Abs(r.ClosedForm[m] / r.Final[m] - 1));
        // The curves use the closed form of docs/experiments/noise-equilibrium.md#h-d-setting-warmup; this is how far it is from the probe at the end.
        ctx.Extra["warmup.closed_form_trace_max_relative_error"] = closedFormError;

        // The grid: per Kaiming rate and seed, where the run without warmup diverged, S_T/S₀ of the run with warmup; where it
        // converged, S_T with warmup / S_T without at the same step T (docs/experiments/noise-equilibrium.md#h-dwarmup-rescues).
        var rescued = new List<double>();
        var cells = new List<string>();
        int agree = 0, kaimingCells = 0;
        for (int k = 0; k < conditions.Length; k++)
        {
            if (conditions[k].Init != Kaiming) continue;
            var matched = new List<double>();
            int diverged = 0;
            var parts = new List<string>();
            for (int s = 0; s < seeds; s++)
            {
                int m = layout.MemberOfCondition(k, s);
                double etaLambda = conditions[k].Lr * plain.InitialTop[m];
                kaimingCells++;
                if ((plain.DivergedAt[m] >= 0) == (etaLambda > 2)) agree++;
                if (plain.DivergedAt[m] >= 0)
                {
                    diverged++;
                    double ratio = warm.DivergedAt[m] >= 0 ? double.PositiveInfinity : warm.Final[m] / warm.OrbitMinimum[m];
                    rescued.Add(ratio);
                    string with = warm.DivergedAt[m] >= 0 ? $"diverged at step {warm.DivergedAt[m]} too"
                        : $"S_T {Claim.Format(warm.Final[m])} (S₀ {Claim.Format(warm.Initial[m])}), orbit's flattest S {Claim.Format(warm.OrbitMinimum[m])}, ratio {Claim.Format(ratio)}";
                    parts.Add($"seed {ctx.Seed + s} (η·λ_max(H₀) {Claim.Format(etaLambda)}): without warmup diverged at step {plain.DivergedAt[m]}; with warmup {with}");
                }
                else
                {
                    double ratio = warm.DivergedAt[m] >= 0 ? double.PositiveInfinity : warm.Final[m] / plain.Final[m];
                    matched.Add(ratio);
                    parts.Add($"seed {ctx.Seed + s} (η·λ_max(H₀) {Claim.Format(etaLambda)}): both converged, S_T {Claim.Format(warm.Final[m])} with warmup vs {Claim.Format(plain.Final[m])} without at step {c.Steps} (ratio {Claim.Format(ratio)})");
                }
            }
            string lr = conditions[k].Lr.ToString(System.Globalization.CultureInfo.InvariantCulture);
            ctx.Extra[$"warmup.lr_{lr}.diverged_without_warmup"] = diverged;
            ctx.Extra[$"warmup.lr_{lr}.matched_step_ratio_max"] = matched.Count > 0 ? matched.Max() : double.NaN;
            ctx.Extra[$"warmup.lr_{lr}.matched_step_ratio_min"] = matched.Count > 0 ? matched.Min() : double.NaN;
            cells.Add($"η {lr}: " + string.Join("; ", parts));
        }
        // How often linear stability at the init (η·λ_max(H₀) > 2) tells which Kaiming runs diverge without warmup.
        ctx.Extra["warmup.divergence_matches_stability_limit"] = (double)agree / kaimingCells;

        // Init independence at warmup.lr, both with warmup, independent inits and batches: the time means of S over the second
        // half of the full-rate phase differ by less than one standard deviation of the difference of two samples of S.
        int kLr = Array.FindIndex(conditions, k => k.Init == Kaiming && k.Lr == c.Lr);
        int xLr = Array.FindIndex(conditions, k => k.Init == Xavier);
        var gap = new double[seeds];
        var xavierDetails = new List<string>();
        for (int s = 0; s < seeds; s++)
        {
            int K = layout.MemberOfCondition(kLr, s), X = layout.MemberOfCondition(xLr, s);
            var (mk, sk) = (warm.WindowMean[K], warm.WindowStd[K]);
            var (mx, sx) = (warm.WindowMean[X], warm.WindowStd[X]);
            gap[s] = Math.Abs(mk - mx) / Math.Sqrt(sk * sk + sx * sx);
            xavierDetails.Add($"seed {ctx.Seed + s}: Kaiming S̄ {Claim.Format(mk)} ± {Claim.Format(sk)} (S₀ {Claim.Format(warm.Initial[K])}), Xavier S̄ {Claim.Format(mx)} ± {Claim.Format(sx)} (S₀ {Claim.Format(warm.Initial[X])}); gap {Claim.Format(gap[s])}");
        }
        long windowStart = WindowStart(c);
        return
        [
            Claim.AtMost("H-d.warmup-rescues",
                $"Where SGD from the unbalanced Kaiming init diverges without warmup (grid η = {string.Join(", ", c.Lrs.Append(c.Lr).Distinct().Order())}, |B|={c.Batch}, {c.InputDim}-{c.Hidden}-{c.OutputDim} linear net, rank-1 teacher), " +
                $"a {c.WarmupSteps}-step linear warmup lets the noise bring it to the flat, balanced equilibrium first, so it converges there: " +
                $"S_T with warmup / the smallest S on the symmetry orbit of its learned map (2√(o·Tr Σ̂)·‖UWΣ̂^½‖_*), largest over the (η, seed) cells whose run without warmup diverged (∞ if the warmup run diverged too; NaN if no cell diverged)",
                rescued.Count == 0 ? double.NaN : rescued.Max(), 2, string.Join(" | ", cells)),
            Claim.AtMost("H-d.warmup-init-independent",
                $"With warmup at η = {c.Lr}, the Kaiming init ends at the same noise equilibrium as a balanced Xavier init run with its own init and batches: " +
                $"|S̄_K − S̄_X| / √(sd_K² + sd_X²) over steps {windowStart}–{c.Steps} (time mean and standard deviation of S; largest of {seeds} seeds)",
                gap.Any(double.IsNaN) ? double.NaN : gap.Max(), 1, string.Join("; ", xavierDetails)),
        ];
    }

    /// <summary>First step of the window whose S statistics decide init independence: the second half of the full-rate phase.</summary>
    private static long WindowStart(WarmupConfig c) => c.WarmupSteps + (c.Steps - c.WarmupSteps) / 2;

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
    /// probe for the exact conditions and from the closed form for the others, S_T from the closed form, the step it diverged at (−1),
    /// the final training loss, and the time mean and standard deviation of the closed-form S over <see cref="WindowStart"/>…T (NaN if diverged).
    /// </summary>
    private sealed record WarmupResult(double[] Initial, double[] InitialTop, double[] Final, double[] ClosedForm, long[] DivergedAt, double[] Loss,
        double[] WindowMean, double[] WindowStd, double[] OrbitMinimum);

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
                r.Get<long>("diverged_at"), r.Get<double>("loss"), r.Get<double>("window_mean"), r.Get<double>("window_std"), r.Get<double>("orbit_minimum"));
        }
        var net = Mlp.Build<double>(p, [c.InputDim, c.Hidden, c.OutputDim], "identity", bias: false, compute: ctx.Compute);
        var sgd = config.Optimizer.Create<double>(p, c.Lr);
        for (int m = 0; m < p; m++)
        {
            // A seed's Kaiming runs (every rate, both schedules) share their init and batches: they are paired. Its Xavier runs
            // draw their own, so nothing but the equilibrium ties them to the Kaiming ones.
            string init = (string)pop.Layout.Value(m, "init");
            var rng = pop.Stream(m, $"warmup.init.{init}");
            foreach (var param in net.Parameters) Initializer.Fill(param, m, Initializer.Parse(init), rng);
            sgd.LearningRate[m] = (double)pop.Layout.Value(m, "lr");
        }
        var loss = new MseLoss<double>(half: true);
        var batches = Enumerable.Range(0, p).Select(m => pop.Stream(m, $"warmup.batches.{pop.Layout.Value(m, "init")}")).ToArray();
        var trainer = new Trainer<double>(net, loss, sgd, data, c.Batch, batches, config.Optimizer.ScheduleOf(lrSchedule));
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
                // λ_max(H₀) decides stability: GD at rate η is stable near θ₀ only if η·λ_max < 2. Members with the same seed and init share it.
                int first = Enumerable.Range(0, m + 1).First(j => pop.SeedIndex(j) == pop.SeedIndex(m) && Equals(pop.Layout.Value(j, "init"), pop.Layout.Value(m, "init")));
                initialTop[m] = first < m ? initialTop[first]
                    : Sharpness.TopEigenvalue(gradients[m].Gradient, MemberLossGradient.Flatten(net, m), pop.Stream(m, "warmup.power"),
                        iterations: 200, tolerance: 1e-8);
            }
            return 0;
        });
        if (phase.Resumed is { } saved) trainer.LoadState(saved);
        Action<CheckpointState> save = st => trainer.SaveState(st);
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
        var orbitMinimum = new double[p];
        var trainLoss = trainer.EvaluateLoss();
        ctx.Time($"warmup.{schedule}.sharpness", () =>
        {
            for (int m = 0; m < p; m++)
            {
                bool exact = conditions[pop.Layout.ConditionOf(m)].Exact;
                final[m] = closedForm[m] = orbitMinimum[m] = double.NaN;
                if (trainer.DivergedAt[m] >= 0)
                {
                    pop.Log(c.Steps, m, "diverged_at", trainer.DivergedAt[m]);
                    continue;
                }
                closedForm[m] = Trace(m);
                orbitMinimum[m] = Sharpness.TwoLayerLinearOrbitMinimumTrace(lin[0].Weight.Value.Slice(m), lin[1].Weight.Value.Slice(m), moments[pop.SeedIndex(m)]);
                // The claims' S_T from the generic probe: the exact Hessian trace by finite differences of the engine's gradients.
                final[m] = exact ? Sharpness.ExactTrace(gradients[m].Gradient, MemberLossGradient.Flatten(net, m)) : closedForm[m];
                if (exact) pop.Log(c.Steps, m, "hessian_trace_probe", final[m]);
                pop.Log(c.Steps, m, "train_loss", trainLoss[m]);
            }
            return 0;
        });
        ctx.Metrics.Flush();
        AddWarmupCurves(ctx, pop, conditions, schedule);
        var divergedAt = (long[])trainer.DivergedAt.Clone();
        var (windowMean, windowStd) = WindowStatistics(pop, divergedAt, WindowStart(c));
        phase.Complete(r =>
        {
            r.Put("initial", initial); r.Put("initial_top", initialTop); r.Put("final", final); r.Put("closed_form", closedForm);
            r.Put("diverged_at", divergedAt); r.Put("loss", trainLoss); r.Put("window_mean", windowMean); r.Put("window_std", windowStd);
            r.Put("orbit_minimum", orbitMinimum);
        });
        return new WarmupResult(initial, initialTop, final, closedForm, divergedAt, trainLoss, windowMean, windowStd, orbitMinimum);
    }

    /// <summary>Per member, the mean and standard deviation of the logged closed-form S at steps ≥ <paramref name="from"/> (one value per step; NaN if diverged or none).</summary>
    private static (double[] Mean, double[] Std) WindowStatistics(Population pop, long[] divergedAt, long from)
    {
        var mean = new double[pop.Count];
        var std = new double[pop.Count];
        var rows = pop.Rows("hessian_trace").Where(r => r.Step >= from).ToList();
        for (int m = 0; m < pop.Count; m++)
        {
            var v = rows.Where(r => r.Member == m).GroupBy(r => r.Step).Select(g => g.Last().Value).ToArray();
            if (divergedAt[m] >= 0 || v.Length == 0) { mean[m] = std[m] = double.NaN; continue; }
            mean[m] = v.Average();
            std[m] = Math.Sqrt(v.Sum(x => (x - mean[m]) * (x - mean[m])) / Math.Max(1, v.Length - 1));
        }
        return (mean, std);
    }

    /// <summary>Every <paramref name="every"/> steps and the last; before that at powers of two, so that a run diverging in a few steps is seen.</summary>
    private static bool IsWarmupProbeStep(long step, int every, int steps) =>
        step % every == 0 || step == steps || (step < every && (step & (step - 1)) == 0);

    /// <summary>
    /// Figure warmup-trace: every seed of the two conditions at warmup.lr (Kaiming, Xavier); figure warmup-trace-grid: the first
    /// seed's Kaiming run at every other grid rate. A diverging run reaches S ~ 10¹⁵ before its loss overflows, which would flatten
    /// every other curve, so each run is drawn only while S ≤ 10·S₀ (its divergence step is in the claim details).
    /// </summary>
    private static void AddWarmupCurves(RunContext ctx, Population pop, WarmupCondition[] conditions, string schedule)
    {
        var rows = pop.Rows("hessian_trace").ToList();
        for (int k = 0; k < conditions.Length; k++)
        {
            bool main = conditions[k].Exact;
            string id = main ? "warmup-trace" : "warmup-trace-grid";
            var fig = ctx.Figures.FirstOrDefault(f => f.Id == id);
            if (fig is null)
            {
                fig = new Figure(id, main
                        ? $"Hessian trace at η = {conditions[k].Lr}: Kaiming vs Xavier, ± warmup (H-d)"
                        : $"Hessian trace of the Kaiming init over the learning-rate grid, ± warmup (seed {pop.Seed(0)})",
                    "line", "step", "S = Tr H")
                {
                    LogY = true,
                    Caption = main
                        ? "Without warmup the sharp Kaiming init diverges within a few steps (its curve stops at 10·S₀); with warmup it falls to the S of the Xavier init, which has its own init and batches."
                        : "Above the stability limit (η·λ_max(H₀) > 2) the run without warmup diverges and warmup rescues it; below, both converge, and at the same step the run with warmup, which spent its first steps at a small rate, is the sharper one.",
                };
                ctx.Figures.Add(fig);
            }
            foreach (int m in pop.Layout.MembersOfCondition(k))
            {
                if (!main && pop.SeedIndex(m) != 0) continue;
                var mine = rows.Where(r => r.Member == m).ToList();
                if (mine.Count > 0) mine = mine.TakeWhile(r => r.Value <= 10 * mine[0].Value).ToList();
                fig.Series.Add(new Series($"{conditions[k].Name}, {schedule}, seed {pop.Seed(m)}", mine.Select(r => (double)r.Step).ToArray(), mine.Select(r => r.Value).ToArray()));
            }
        }
    }
}
