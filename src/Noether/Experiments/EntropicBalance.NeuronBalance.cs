using Noether.Data;
using Noether.Learning;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// entropic-balance D-b (docs/experiments/entropic-balance.md#d-b-setting-neuron-balance): a bias-free ReLU net d-h-1 on
/// a ReLU teacher, trained by SGD and by GD from an unbalanced init (by default ‖w_i‖ ≫ |u_i|). Rescaling a
/// neuron's incoming weights w_i against its outgoing weight u_i leaves the function unchanged; SGD's entropic force
/// equalises E‖∂ℓ/∂w_i‖² and E(∂ℓ/∂u_i)² neuron by neuron, GD keeps the init's imbalance.
/// </summary>
public sealed partial class EntropicBalance
{
    /// <summary>D-b setting (docs/experiments/entropic-balance.md#d-b-setting-neuron-balance).</summary>
    public sealed class NeuronBalanceConfig : IValidatedConfig
    {
        [Param("input width d", Min = 1, Max = 4096)] public int InputDim { get; set; } = 10;
        [Param("hidden ReLU neurons h", Min = 1, Max = 4096)] public int Hidden { get; set; } = 16;
        [Param("ReLU units of the teacher y = Σ_k a_k ReLU(b_kᵀx) + noise", Min = 1, Max = 4096)] public int TeacherUnits { get; set; } = 4;
        [Param("teacher b_k std × √d", Min = 0)] public double TeacherScale { get; set; } = 1.5;
        [Param("label-noise std", Min = 0)] public double LabelNoise { get; set; } = 0.5;
        [Param("training samples N", Min = 2)] public int Samples { get; set; } = 512;
        [Param("w_i init std × √d", Min = 0)] public double WScale { get; set; } = 2.0;
        [Param("u_i init std × √h", Min = 0)] public double UScale { get; set; } = 0.1;
        [Param("learning rate η (SGD and GD)", Min = 0, Max = 10)] public double Lr { get; set; } = 0.02;
        [Param("SGD batch size", Min = 1)] public int SgdBatch { get; set; } = 4;
        [Param("SGD steps", Min = 1)] public int SgdSteps { get; set; } = 100000;
        [Param("GD (full batch) steps", Min = 1)] public int GdSteps { get; set; } = 3000;
        [Param("teacher draws per seed (each with its own data, init and batches); the claims read each seed's mean over them", Min = 1, Max = 64)] public int Teachers { get; set; } = 3;

        public void Validate()
        {
            if (SgdBatch > Samples) throw new ConfigException($"neuron_balance.sgd_batch={SgdBatch}: expected at most neuron_balance.samples ({Samples})");
        }
    }

    private static IReadOnlyList<Claim> RunNeuronBalance(Config config, RunContext ctx)
    {
        var c = config.NeuronBalance;
        int seeds = config.Seeds, teachers = c.Teachers;
        // Member m = t·seeds + s is teacher draw t of seed s; draw 0 uses the streams of a single-teacher run.
        var (x, y) = RegressionTeachers.ReluUnits<float>(seeds * teachers, c.Samples, c.InputDim, c.TeacherUnits, c.TeacherScale, c.LabelNoise,
            m => TeacherStream(ctx, seeds, m, "neuron_balance.data"));
        var data = new TrainingData<float>(x, y, perMember: true);
        var (sgd, init) = TrainReluNet("sgd", c.SgdBatch, c.SgdSteps, config.ProbeEvery, config, data, ctx);
        var (gd, _) = TrainReluNet("gd", c.Samples, c.GdSteps, Math.Max(1, config.ProbeEvery / 20), config, data, ctx);
        double[] Mean(double[] v) => Enumerable.Range(0, seeds).Select(s => Enumerable.Range(0, teachers).Average(t => v[t * seeds + s])).ToArray();
        string Draws(double[] v) => string.Join(", ", Enumerable.Range(0, seeds).Select(s =>
            $"seed {ctx.Seed + s}: {string.Join("/", Enumerable.Range(0, teachers).Select(t => Claim.Format(v[t * seeds + s])))}"));
        return
        [
            Claim.AtMost("D-b.sgd-neuron-balance",
                $"SGD (|B|={c.SgdBatch}, η={c.Lr}, {c.SgdSteps} steps) balances every ReLU neuron: median over active neurons of |log(E‖∂ℓ/∂w_i‖² / E(∂ℓ/∂u_i)²)|, mean over {teachers} teacher draws (largest of {seeds} seeds)",
                Mean(sgd).Max(), 0.7, PerSeed(ctx, Mean(sgd)) + $"; per draw: {Draws(sgd)}; at init: {PerSeed(ctx, Mean(init))}"),
            Claim.AtLeast("D-b.gd-neuron-balance",
                $"GD (full batch, {c.GdSteps} steps) leaves the neurons unbalanced: the same median |log ratio|, mean over the teacher draws (smallest of the seeds)",
                Mean(gd).Min(), 2.0, PerSeed(ctx, Mean(gd)) + $"; per draw: {Draws(gd)}"),
        ];
    }

    /// <summary>Stream <paramref name="name"/> of member m = t·seeds + s: seed s's stream for draw 0, its child "#t" otherwise.</summary>
    private static Rng TeacherStream(RunContext ctx, int seeds, int member, string name) =>
        member < seeds ? ctx.SeedStream(member, name) : ctx.SeedStream(member % seeds, name).Child("teacher", member / seeds);

    private static (double[] Final, double[] Init) TrainReluNet(string name, int batch, int steps, int every, Config config, TrainingData<float> data, RunContext ctx)
    {
        var c = config.NeuronBalance;
        int seeds = config.Seeds, p = seeds * c.Teachers;
        var net = Mlp.Build<float>(p, [c.InputDim, c.Hidden, 1], "relu", bias: false, compute: ctx.Compute);
        var (w, u) = (net.Linears.First(), net.Linears.Last());
        for (int m = 0; m < p; m++)
        {
            var init = TeacherStream(ctx, seeds, m, "neuron_balance.init");
            init.FillNormal(w.Weight.Value.SliceSpan(m), 0, c.WScale / Math.Sqrt(c.InputDim));
            init.FillNormal(u.Weight.Value.SliceSpan(m), 0, c.UScale / Math.Sqrt(c.Hidden));
        }
        var trainer = new Trainer<float>(net, new MseLoss<float>(half: true), config.Optimizer.Create<float>(p, c.Lr), data, batch,
            Enumerable.Range(0, p).Select(m => TeacherStream(ctx, seeds, m, $"neuron_balance.{name}.batches")).ToArray(), config.Optimizer.ScheduleOf());
        config.Attach(trainer, (m, stream) => TeacherStream(ctx, seeds, m, $"neuron_balance.{name}.{stream}")); // rule, syre (docs/training.md)
        var pop = ctx.Population($"neuron_balance.{name}", PopulationLayout.OfSeeds(seeds).With("teacher", Enumerable.Range(0, c.Teachers)));
        ctx.Watch(pop, trainer); // --export, probes
        var balance = NeuronBalance(net, data);
        var init0 = (double[])balance.Clone();
        ctx.Time($"neuron_balance.{name}", () =>
        {
            trainer.Run(steps, every, step =>
            {
                balance = NeuronBalance(net, data);
                for (int m = 0; m < p; m++)
                {
                    pop.Log(step, m, "neuron_balance", balance[m]);
                    if (step > 0) pop.Log(step, m, "batch_loss", trainer.LastLoss[m]);
                }
                ctx.Metrics.Flush();
                ctx.Progress.Report($"entropic-balance D-b {name}", step, steps);
            }, ctx.Cancel);
            return 0;
        });
        var fig = ctx.Figures.FirstOrDefault(f => f.Id == "neuron-balance");
        if (fig is null)
        {
            fig = new Figure("neuron-balance", "Neuron gradient balance of a ReLU net (D-b)", "line", "step", "median |log E‖∂ℓ/∂w_i‖² / E(∂ℓ/∂u_i)²|")
            {
                LogX = true,
                Caption = "SGD's noise drives every neuron to equal gradient energy on its two sides (0); GD keeps the init's imbalance. First teacher draw of each seed.",
            };
            ctx.Figures.Add(fig);
        }
        var rows = ctx.Metrics.Rows.Where(r => r.Phase == $"neuron_balance.{name}" && r.Name == "neuron_balance" && r.Step > 0).ToList();
        for (int s = 0; s < seeds; s++)
        {
            var mine = rows.Where(r => r.Member == s).ToList();
            fig.Series.Add(new Series($"{name.ToUpperInvariant()} seed {ctx.Seed + s}", mine.Select(r => (double)r.Step).ToArray(), mine.Select(r => r.Value).ToArray()));
        }
        return (balance, init0);
    }

    /// <summary>Median |log ratio| of per-neuron gradient energies over the whole training set (GradientBalance.NeuronBalance), per member.</summary>
    private static double[] NeuronBalance(Sequential<float> net, TrainingData<float> data)
    {
        int p = net.Members;
        TracePass.Run(net, new MseLoss<float>(half: true), data, data.Count);
        var t = net.Trace;
        return Enumerable.Range(0, p).Select(m => GradientBalance.NeuronBalance(
            MemberSlice.ToDouble(t[0].Input, m), MemberSlice.ToDouble(t[0].GradPreActivation, m),
            MemberSlice.ToDouble(t[1].Input, m), MemberSlice.ToDouble(t[1].GradPreActivation, m)).MedianAbsLogRatio).ToArray();
    }
}
