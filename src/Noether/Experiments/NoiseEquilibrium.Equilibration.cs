using Noether.Learning;
using Noether.Nn;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// noise-equilibrium H-a's rate of approach (docs/experiments/noise-equilibrium.md#h-a-rate-of-approach): each SGD step
/// moves the charge by η² g_Bᵀ A g_B, whose mean is η²·Tr[AΣ]/|B| once the net fits, so the number of steps SGD needs to
/// reach the noise equilibrium scales as |B|/η². Three arms from H-a's data and init (η, |B|), (η', |B|) and (η, |B|'),
/// each run until every seed's imbalance has fallen to a level halfway from ≈ 1 to the equilibrium; the two exponents
/// d log τ / d log |B| (predicted 1) and d log τ / d log η (predicted −2) are the claims.
/// </summary>
public sealed partial class NoiseEquilibrium
{
    private static IReadOnlyList<Claim> RateClaims(BalanceConfig c, Config config, TrainingData<float> data, RunContext ctx)
    {
        int p = config.Seeds;
        double rateLr = c.Lr * c.RateLrFactor;
        int rateBatch = Math.Min(c.SgdBatch * c.RateBatchFactor, c.Samples);
        var baseArm = TimeToLevel("rate.base", c.Lr, c.SgdBatch, c, config, data, ctx);
        var lrArm = TimeToLevel("rate.lr", rateLr, c.SgdBatch, c, config, data, ctx);
        var batchArm = TimeToLevel("rate.batch", c.Lr, rateBatch, c, config, data, ctx);
        var batchExponent = new double[p];
        var lrExponent = new double[p];
        for (int m = 0; m < p; m++)
        {
            batchExponent[m] = Math.Log(batchArm[m] / baseArm[m]) / Math.Log((double)rateBatch / c.SgdBatch);
            lrExponent[m] = Math.Log(lrArm[m] / baseArm[m]) / Math.Log(rateLr / c.Lr);
        }
        string Times(int m) => $"seed {ctx.Seed + m}: τ {Claim.Format(baseArm[m])} at (η {c.Lr}, |B| {c.SgdBatch}), {Claim.Format(lrArm[m])} at η {rateLr}, {Claim.Format(batchArm[m])} at |B| {rateBatch}";
        string Details(double[] e) => string.Join("; ", Enumerable.Range(0, p).Select(m => $"{Times(m)}: exponent {Claim.Format(e[m])}"));
        double Farthest(double[] e, double target) => e.Any(double.IsNaN) ? double.NaN : e.OrderByDescending(x => Math.Abs(x - target)).First();
        for (int m = 0; m < p; m++) ctx.Extra[$"rate.tau_base.seed{ctx.Seed + m}"] = baseArm[m];
        // The bands are halfway between the noise mechanism's exponents (|B|¹, η⁻²) and those of a first-order (gradient or decay)
        // mechanism, whose time to balance is ∝ 1/η and independent of |B| (docs/experiments/noise-equilibrium.md#h-a-rate-of-approach).
        return
        [
            Claim.Within("H-a.rate-batch-exponent",
                $"The steps SGD needs to bring the imbalance to {c.RateLevel} scale as |B| (the charge moves by η²Tr[AΣ]/|B| per step): d log τ / d log |B| between |B| = {c.SgdBatch} and {rateBatch} at η = {c.Lr} (seed farthest from 1)",
                Farthest(batchExponent, 1), 0.5, 1.5, Details(batchExponent)),
            Claim.Within("H-a.rate-lr-exponent",
                $"… and as 1/η²: d log τ / d log η between η = {c.Lr} and {rateLr} at |B| = {c.SgdBatch} (seed farthest from −2)",
                Farthest(lrExponent, -2), -2.5, -1.5, Details(lrExponent)),
        ];
    }

    /// <summary>
    /// Per seed, the first step τ at which the imbalance is at most balance.rate_level, linearly interpolated between two probes
    /// (every balance.rate_probe_every steps); NaN if not reached within balance.rate_max_steps. Stops once every seed got there.
    /// </summary>
    private static double[] TimeToLevel(string name, double lr, int batch, BalanceConfig c, Config config, TrainingData<float> data, RunContext ctx)
    {
        int p = config.Seeds;
        var pop = ctx.Population(name, PopulationLayout.OfSeeds(p));
        var phase = ctx.Checkpoints.Phase(name);
        if (phase.Done) return phase.Results!.Get<double>("tau");
        // H-a's init and batch streams: the arms differ from H-a's SGD run only in η and |B|.
        var (lin, trainer) = BalanceTrainer(pop, lr, batch, c, config, data, ctx);
        var tau = Enumerable.Repeat(double.NaN, p).ToArray();
        var previous = new double[p];
        if (phase.Resumed is { } saved)
        {
            trainer.LoadState(saved);
            saved.CopyTo("tau", tau.AsSpan());
            saved.CopyTo("previous", previous.AsSpan());
        }
        Action<CheckpointState> save = s => { trainer.SaveState(s); s.Put("tau", tau); s.Put("previous", previous); };
        void Probe()
        {
            for (int m = 0; m < p; m++)
            {
                double imb = Imbalance(lin[0].Weight.Value.Slice(m), lin[1].Weight.Value.Slice(m));
                if (double.IsNaN(tau[m]) && imb <= c.RateLevel)
                {
                    // Linear interpolation between the last probe above the level and this one.
                    tau[m] = trainer.Step == 0 ? 0 : trainer.Step - c.RateProbeEvery * (c.RateLevel - imb) / (previous[m] - imb);
                    pop.Log(trainer.Step, m, "steps_to_level", tau[m]);
                }
                previous[m] = imb;
            }
        }
        ctx.Time(name, () =>
        {
            if (trainer.Step == 0) Probe();
            while (tau.Any(double.IsNaN) && trainer.Step < c.RateMaxSteps)
            {
                if (trainer.Step % (100 * c.RateProbeEvery) == 0) phase.SafePoint(trainer.Step, save);
                ctx.Cancel.ThrowIfCancellationRequested();
                for (int i = 0; i < c.RateProbeEvery; i++) trainer.StepOnce();
                Probe();
                ctx.Progress.Report($"noise-equilibrium H-a {name}", trainer.Step, c.RateMaxSteps);
            }
            return 0;
        });
        ctx.Metrics.Flush();
        phase.Complete(r => r.Put("tau", tau));
        return tau;
    }
}
