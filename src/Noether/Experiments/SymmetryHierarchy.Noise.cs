using Noether.Learning;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// symmetry-hierarchy, restoration by noise (docs/experiments/symmetry-hierarchy.md#restoration-by-noise): the same f = UW and
/// M, fitted by SGD to inputs x ~ N(0, I) with targets Mx plus label noise σ_ε ε drawn anew at every step, with a weight decay
/// γ too weak to restore the weakest direction on its own (2γ &lt; s_K: the rank ladder's GD keeps σ_K = s_K − 2γ). Gradient noise
/// restores symmetry as weight decay does (to first order in η, SGD adds (η/4)·Tr Σ/|B| to the loss, and with label noise
/// Tr Σ ∝ σ_ε²(E‖x‖²‖U‖² + ‖W‖²), an L2 penalty whose strength grows with η/|B|), so at large η/|B| the weakest direction falls
/// to the rotation-symmetric state, and at small η/|B| it stays where the decay alone puts it.
/// One net per batch size, one member per seed. The statistic is the median of σ_k(UW) over the probes of the last window: SGD's
/// stability at a symmetric state is stability in probability, so the typical value settles while rare excursions can dominate a mean.
/// </summary>
public sealed partial class SymmetryHierarchy
{
    /// <summary>The restoration-by-noise phase (docs/experiments/symmetry-hierarchy.md#restoration-by-noise).</summary>
    public sealed class NoiseConfig : IValidatedConfig
    {
        [Param("training inputs N, x ~ N(0, I); the targets y = Mx get fresh label noise at every step", Min = 2)] public int Samples { get; set; } = 1024;
        [Param("label-noise std σ_ε, drawn anew for every batch", Min = 0)] public double LabelNoise { get; set; } = 3;
        [Param("SGD learning rate η (every batch size)", Min = 0, Max = 1)] public double Lr { get; set; } = 0.02;
        [Param("weight decay γ of the penalty γ(‖U‖² + ‖W‖²) in every noise run", Min = 0, Max = 100)] public double Gamma { get; set; } = 0.3;
        [Param("SGD batch sizes |B|: the first is the claim's large-η/|B| arm, the others are reported", Min = 1)] public int[] Batches { get; set; } = [1, 64];
        [Param("SGD steps", Min = 1)] public int Steps { get; set; } = 20000;
        [Param("fraction of the run, at its end, over whose probes the median of σ_k(UW) is taken", Min = 0.01, Max = 1)] public double Window { get; set; } = 0.25;

        public void Validate()
        {
            if (Batches.Length == 0) throw new ConfigException("noise.batches is empty: expected at least one batch size");
            if (Batches.Any(b => b > Samples)) throw new ConfigException($"noise.batches={string.Join(",", Batches)}: expected batch sizes of at most noise.samples ({Samples})");
            if (Batches.Distinct().Count() != Batches.Length) throw new ConfigException($"noise.batches={string.Join(",", Batches)}: expected distinct values");
        }
    }

    private static IReadOnlyList<Claim> RunNoise(Config config, Tensor<double>[] targets, RunContext ctx)
    {
        var c = config.Noise;
        int seeds = config.Seeds, n = config.Size, kTop = config.TargetSpectrum.Length;
        var s = config.TargetSpectrum;
        var data = SampledData(config, targets, ctx);
        var window = new double[c.Batches.Length][][]; // [batch][seed][k]: σ_k(UW)/s_k averaged over the window
        for (int bi = 0; bi < c.Batches.Length; bi++)
        {
            int batch = c.Batches[bi];
            var pop = ctx.Population($"noise.b{batch}", PopulationLayout.OfSeeds(seeds));
            var net = Mlp.Build<double>(seeds, [n, n, n], "identity", bias: false, compute: ctx.Compute);
            var (w, u) = (net.Linears.First(), net.Linears.Last());
            for (int m = 0; m < seeds; m++)
            {
                var init = pop.Stream(m, "noise.init");
                init.FillNormal(w.Weight.Value.SliceSpan(m), 0, config.InitStd);
                init.FillNormal(u.Weight.Value.SliceSpan(m), 0, config.InitStd);
            }
            var noise = new Tensor<double>(seeds, batch, n);
            var sgd = config.Optimizer.Create<double>(seeds, c.Lr);
            for (int m = 0; m < seeds; m++) sgd.WeightDecay[m] = 2 * c.Gamma; // γ‖θ‖² ⇒ wd = 2γ
            var trainer = new Trainer<double>(net, new MseLoss<double>(half: true), sgd, data, batch,
                pop.Streams($"noise.b{batch}.batches"), config.Optimizer.ScheduleOf());
            ctx.Export.Watch(pop, trainer); // --export
            var labelNoise = pop.Streams($"noise.b{batch}.label_noise");
            trainer.BeforeForward.Add(t => // fresh label noise every step: the targets are Mx + σ_ε ε with a new ε each time
            {
                for (int m = 0; m < seeds; m++) labelNoise[m].FillNormal(noise.SliceSpan(m), 0, c.LabelNoise);
                var y = t.BatchTargets.Span; var e = noise.ReadOnlySpan;
                for (int i = 0; i < y.Length; i++) y[i] += e[i];
            });
            config.Attach(trainer, (m, name) => pop.Stream(m, $"noise.b{batch}.{name}")); // rule, syre (docs/training.md)
            var seen = Enumerable.Range(0, seeds).Select(_ => Enumerable.Range(0, kTop).Select(_ => new List<double>()).ToArray()).ToArray(); // [seed][k]: σ_k/s_k in the window
            long from = (long)Math.Ceiling((1 - c.Window) * c.Steps);
            ctx.Time($"noise.b{batch}", () =>
            {
                trainer.Run(c.Steps, config.ProbeEvery, step =>
                {
                    for (int m = 0; m < seeds; m++)
                    {
                        var (_, sig, l) = Measure(w, u, m, targets[m]);
                        for (int k = 0; k < Math.Min(kTop + 1, n); k++) pop.Log(step, m, $"sigma_{k + 1}", sig[k]);
                        pop.Log(step, m, "population_loss", l);
                        if (step >= from) for (int k = 0; k < kTop; k++) seen[m][k].Add(sig[k] / s[k]);
                    }
                    ctx.Metrics.Flush();
                    ctx.Progress.Report($"symmetry-hierarchy noise |B|={batch}", step, c.Steps);
                }, ctx.Cancel);
                return 0;
            });
            window[bi] = seen.Select(v => v.Select(Median).ToArray()).ToArray();
            for (int m = 0; m < seeds; m++)
                for (int k = 0; k < kTop; k++) pop.Log(c.Steps, m, $"window_median_sigma_{k + 1}_relative", window[bi][m][k]);
        }
        ctx.Metrics.Flush();
        ctx.Figures.Add(new Figure("noise-restoration", $"Learned strength σ_k(UW)/s_k after SGD (η={c.Lr}) against the batch size", "bar", "direction k", "σ_k(UW)/s_k (window median)")
        {
            Categories = Enumerable.Range(1, kTop).Select(k => $"s_{k}={s[k - 1]}").ToArray(),
            Caption = "Gradient noise restores rotation symmetry like weight decay: at large η/|B| the weakest direction stays at the symmetric state (0).",
            Series = c.Batches.Select((b, bi) => new Series($"|B|={b}", Enumerable.Range(0, kTop).Select(k => (double)k).ToArray(),
                Enumerable.Range(0, kTop).Select(k => window[bi].Average(v => v[k])).ToArray())
            { Spread = Enumerable.Range(0, kTop).Select(k => Series.StandardDeviation(window[bi].Select(v => v[k]).ToArray())).ToArray() }).ToList(),
        });
        string Text(int bi) => $"|B|={c.Batches[bi]}: " + string.Join(", ", Enumerable.Range(0, seeds).Select(m =>
            $"seed {ctx.Seed + m}: {string.Join("/", window[bi][m].Select(Claim.Format))}"));
        return
        [
            Claim.AtMost("E.noise-restores",
                $"Gradient noise restores rotation symmetry beside weight decay: with γ = {c.Gamma} (alone it keeps σ_{kTop} = s_{kTop} − 2γ = {Claim.Format(Math.Max(s[kTop - 1] - 2 * c.Gamma, 0))}), SGD at large η/|B| (η={c.Lr}, |B|={c.Batches[0]}, fresh label noise σ_ε={c.LabelNoise}, {c.Steps} steps) leaves the weakest direction (s={Claim.Format(s[kTop - 1])}) at the symmetric state: σ_{kTop}(UW)/s_{kTop}, median over the probes of the last {Claim.Format(c.Window)} of the run (largest of {seeds} seeds)",
                window[0].Max(v => v[kTop - 1]), 0.1,
                "σ_k(UW)/s_k, k = 1…" + kTop + ", window median: " + string.Join("; ", Enumerable.Range(0, c.Batches.Length).Select(Text))),
        ];
    }

    private static double Median(List<double> v)
    {
        var o = v.Order().ToArray();
        return o.Length == 0 || o.Any(double.IsNaN) ? double.NaN : o.Length % 2 == 1 ? o[o.Length / 2] : 0.5 * (o[o.Length / 2 - 1] + o[o.Length / 2]);
    }

    /// <summary>Per seed, N samples x ~ N(0, I_n) and their clean targets y = Mx of that seed's M (stream noise.data), laid out per member.</summary>
    private static TrainingData<double> SampledData(Config config, Tensor<double>[] targets, RunContext ctx)
    {
        var c = config.Noise;
        int seeds = config.Seeds, n = config.Size, N = c.Samples;
        var x = new Tensor<double>(seeds, N, n);
        var y = new Tensor<double>(seeds, N, n);
        for (int m = 0; m < seeds; m++)
        {
            var rng = ctx.SeedStream(m, "noise.data");
            var xs = x.SliceSpan(m); var ys = y.SliceSpan(m);
            for (int i = 0; i < N; i++)
            {
                for (int j = 0; j < n; j++) xs[i * n + j] = rng.Normal();
                for (int o = 0; o < n; o++)
                {
                    double v = 0;
                    for (int j = 0; j < n; j++) v += targets[m][o, j] * xs[i * n + j];
                    ys[i * n + o] = v;
                }
            }
        }
        return new TrainingData<double>(x, y, perMember: true);
    }
}
