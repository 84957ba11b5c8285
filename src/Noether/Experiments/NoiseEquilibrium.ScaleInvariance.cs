using Noether.Data;
using Noether.Learning;
using Noether.Nn;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// noise-equilibrium H-b (docs/experiments/noise-equilibrium.md#h-b-setting-scale-invariance): under scale invariance
/// f = vᵀx/‖v‖ the gradient is orthogonal to v, so every SGD step adds η²‖g‖² to ‖v‖² and the norm grows without
/// bound; full-batch GD leaves it nearly unchanged. One population of seeds per optimiser (phases scale.sgd and
/// scale.gd), with a safe point at every step.
/// </summary>
public sealed partial class NoiseEquilibrium
{
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

    private static IReadOnlyList<Claim> RunScaleInvariance(Config config, RunContext ctx)
    {
        var c = config.Scale;
        int p = config.Seeds;
        var (x, y) = RegressionTeachers.UnitDirection<double>(p, c.Samples, c.InputDim, c.LabelNoise, m => ctx.SeedStream(m, "scale.data"));
        var data = new TrainingData<double>(x, y, perMember: true);
        var (sgdRatio, decreases, sgdExponent) = TrainScaleInvariant("sgd", c.SgdBatch, c, config, data, ctx);
        var (gdRatio, _, gdExponent) = TrainScaleInvariant("gd", c.Samples, c, config, data, ctx);
        for (int m = 0; m < p; m++) ctx.Extra[$"scale.gd_growth_exponent.seed{ctx.Seed + m}"] = gdExponent[m];
        double farthest = sgdExponent.Any(double.IsNaN) ? double.NaN : sgdExponent.OrderByDescending(e => Math.Abs(e - 0.5)).First();
        string exponents = string.Join(", ", sgdExponent.Select((e, i) => $"seed {ctx.Seed + i}: {Claim.Format(e)} (GD {Claim.Format(gdExponent[i])})"));
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
            // Each step adds η²‖g‖² and ‖g‖² ∝ 1/‖v‖² on a scale-invariant loss, so ‖v‖⁴ grows linearly: ‖v‖² ∝ t^½. The band is
            // halfway to a bounded norm (exponent 0) and to an unconstrained random walk (‖θ‖² ∝ t, exponent 1)
            // (docs/experiments/noise-equilibrium.md#h-bgrowth-law).
            Claim.Within("H-b.growth-law",
                $"… without bound, as a power law: ‖v‖² ∝ t^½ (d‖v‖²/dt = η²G/‖v‖²). d log ‖v‖² / d log t between step {c.Steps / 10} and {c.Steps}, a decade (seed farthest from ½)",
                farthest, 0.25, 0.75, exponents),
        ];
    }

    /// <summary>‖v_T‖²/‖v₀‖², SGD steps where ‖v‖² fell, and per seed the growth exponent d log ‖v‖² / d log t from step T/10 to T.</summary>
    private static (double[] Ratio, long Decreases, double[] Exponent) TrainScaleInvariant(string name, int batch, ScaleConfig c, Config config, TrainingData<double> data, RunContext ctx)
    {
        int p = config.Seeds;
        var pop = ctx.Population($"scale.{name}", PopulationLayout.OfSeeds(p));
        var phase = ctx.Checkpoints.Phase($"scale.{name}");
        if (phase.Done)
        {
            AddScaleCurve(ctx, pop, name);
            return (phase.Results!.Get<double>("ratio"), phase.Results.GetInt64("decreases"), phase.Results.Get<double>("exponent"));
        }
        var layer = new ScaleInvariantLinear<double>(p, c.InputDim, 1);
        var net = new Sequential<double>(p, [c.InputDim], [layer], ctx.Compute);
        for (int m = 0; m < p; m++)
            pop.Stream(m, "scale.init").FillNormal(layer.Weight.Value.SliceSpan(m), 0, c.InitScale / Math.Sqrt(c.InputDim));
        var trainer = new Trainer<double>(net, new MseLoss<double>(half: true), config.Optimizer.Create<double>(p, c.Lr), data, batch,
            pop.Streams("scale.batches"), config.Optimizer.ScheduleOf());
        config.Attach(trainer, (m, name) => pop.Stream(m, $"scale.{name}")); // rule, syre (docs/training.md)
        ctx.Watch(pop, trainer); // --export, probes
        var norm0 = new double[p];
        var norm = new double[p];
        for (int m = 0; m < p; m++) norm0[m] = norm[m] = SquaredNorm(layer.Weight.Value.SliceSpan(m));
        long decreases = 0;
        long decade = c.Steps / 10;
        var normAtDecade = Enumerable.Repeat(double.NaN, p).ToArray();
        if (phase.Resumed is { } saved)
        {
            trainer.LoadState(saved);
            saved.CopyTo("norm", norm.AsSpan());
            saved.CopyTo("norm_decade", normAtDecade.AsSpan());
            decreases = saved.GetInt64("decreases");
        }
        else
        {
            for (int m = 0; m < p; m++) pop.Log(0, m, "norm_ratio", 1.0);
        }
        Action<CheckpointState> save = s => { trainer.SaveState(s); s.Put("norm", norm); s.Put("norm_decade", normAtDecade); s.Put("decreases", decreases); };
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
                if (trainer.Step == decade) norm.CopyTo(normAtDecade, 0);
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
        var exponent = norm.Select((v, m) => decade > 0 ? Math.Log(v / normAtDecade[m]) / Math.Log((double)c.Steps / decade) : double.NaN).ToArray();
        phase.Complete(r => { r.Put("ratio", ratio); r.Put("decreases", decreases); r.Put("exponent", exponent); });
        return (ratio, decreases, exponent);
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
}
