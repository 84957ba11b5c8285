using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Noether.Learning;
using Noether.Nn;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// hebbian on real images (`--set data=fashion-mnist`; docs/experiments/hebbian.md#real-data-variant, the paper's classification setting "SCE": a
/// 2-layer MLP with 128 tanh units trained by SGD on cross-entropy). With weight decay wd the learning signal
/// G = −∇_W L of each layer aligns with the Hebbian term H = h_b h_aᵀ of the same minibatch, and more so for larger wd
/// (docs/experiments/hebbian.md#claim: at stationarity ⟨G, H⟩ ∝ wd‖W‖²). Setting: an MLP d-h(tanh)-k without biases (h_b = W h_a exactly)
/// learns a sample of the data set by SGD with coupled L2 wd, every wd × seed one member of a population; the
/// alignment is the mean of the per-step cosines over the last part of training (never the cosine of averages),
/// checked with the A-E1 pass criteria (docs/experiments/hebbian.md#claims-checked).
/// </summary>
public sealed partial class Hebbian
{
    /// <summary>The real-data variant's setting (used only when data is a real source).</summary>
    public sealed class RealDataConfig : IValidatedConfig
    {
        [Param("hidden tanh units (the paper's SCE uses 128)", Min = 1, Max = 4096)] public int Hidden { get; set; } = 128;
        [Param("SGD batch size", Min = 1)] public int Batch { get; set; } = 128;
        [Param("SGD learning rate η", Min = 0, Max = 10)] public double Lr { get; set; } = 0.05;
        [Param("SGD steps (stationarity needs several 1/(η·wd))", Min = 1)] public int Steps { get; set; } = 1500;
        [Param("weight decays wd (coupled L2), ascending, the first 0", Min = 0, Max = 10)] public double[] WeightDecays { get; set; } = [0, 1e-2, 3e-2];
        [Param("fraction of training at the end over which the per-step alignment is averaged", Min = 0.01, Max = 1)] public double Window { get; set; } = 0.2;
        [Param("population members per wd, one seed each (run seed + i)", Min = 1, Max = 64)] public int Seeds { get; set; } = 2;
        [Param("steps between two logged measurements", Min = 1)] public int ProbeEvery { get; set; } = 100;

        public void Validate()
        {
            if (WeightDecays.Length < 2 || WeightDecays[0] != 0) throw new ConfigException($"real.weight_decays={string.Join(",", WeightDecays)}: expected at least two values, the first 0 (the no-decay control)");
            for (int i = 1; i < WeightDecays.Length; i++)
                if (!(WeightDecays[i] > WeightDecays[i - 1])) throw new ConfigException($"real.weight_decays={string.Join(",", WeightDecays)}: expected strictly ascending values");
        }
    }

    private IReadOnlyList<Claim> RunReal(Config config, RunContext ctx)
    {
        var c = config.Real;
        var data = ctx.Time("data", () => config.Data.Load(ctx.Root.Child("data")));
        if (c.Batch > data.Train.Count) throw new ConfigException($"real.batch={c.Batch}: expected at most the {data.Train.Count} training examples (data.n_train)");
        int g = c.WeightDecays.Length, s = c.Seeds;
        // The weight decays of one seed share its initialisation and batches.
        var pop = ctx.Population("real", PopulationLayout.OfSeeds(s).With("weight_decay", c.WeightDecays));
        var layout = pop.Layout;
        int p = pop.Count;
        var gammas = layout.Values("weight_decay");
        var net = Mlp.Build<float>(p, [data.InputDim, c.Hidden, data.Classes], "tanh", bias: false, compute: ctx.Compute);
        net.Initialize(InitScheme.LeCun, pop.Streams("real.init"));
        var sgd = config.Optimizer.Create<float>(p, c.Lr);
        for (int m = 0; m < p; m++) sgd.WeightDecay[m] = gammas[m]; // coupled L2: ΔW = −η(∇L + wd·W), so G = −∇L is the signal without decay
        var trainer = new Trainer<float>(net, new SoftmaxCrossEntropyLoss<float>(), sgd, data.Train, c.Batch,
            pop.Streams("real.batches"), config.Optimizer.ScheduleOf());
        ctx.Watch(pop, trainer); // --export, probes
        if (config.Syre.Enabled) trainer.Use(config.WithSyre<float>([], net, (m, name) => pop.Stream(m, "real." + name))); // syre as the decay phase: G below is read before it

        var linears = net.Linears.ToArray();
        var hebbian = linears.Select(l => new Tensor<float>(p, l.Out, l.In)).ToArray();
        var sum = new double[p, linears.Length];
        int counted = 0;
        long from = (long)Math.Floor(c.Steps * (1 - c.Window));
        var curveSteps = new List<double>();
        var curves = Enumerable.Range(0, p).Select(_ => linears.Select(_ => new List<double>()).ToArray()).ToArray();
        trainer.AfterBackward.Add(t =>
        {
            long step = t.Step;
            bool measure = step >= from, log = step % c.ProbeEvery == 0;
            if (!measure && !log) return;
            var cos = BatchHebbianCosines(net, hebbian, ctx.Compute.Threads);
            if (measure) { for (int m = 0; m < p; m++) for (int l = 0; l < linears.Length; l++) sum[m, l] += cos[m, l]; counted++; }
            if (log)
            {
                curveSteps.Add(step);
                for (int m = 0; m < p; m++)
                    for (int l = 0; l < linears.Length; l++)
                    {
                        curves[m][l].Add(cos[m, l]);
                        pop.Log(step, m, $"l{l + 1}", "hebbian_alignment", cos[m, l]);
                    }
            }
        });
        ctx.Time("real.train", () =>
        {
            trainer.Run(c.Steps, c.ProbeEvery, step =>
            {
                for (int m = 0; m < p; m++)
                    if (step > 0) pop.Log(step, m, "batch_loss", trainer.LastLoss[m]);
                ctx.Metrics.Flush();
                ctx.Progress.Report($"hebbian {data.Source}", step, c.Steps);
            }, ctx.Cancel);
            return 0;
        });
        var accuracy = ClassificationData.Accuracy(net, data.Test);
        // A[layer][seed][wd]
        var a = new double[linears.Length][][];
        for (int l = 0; l < linears.Length; l++)
            a[l] = Enumerable.Range(0, s).Select(si => Enumerable.Range(0, g).Select(gi => sum[layout.Member(si, gi), l] / counted).ToArray()).ToArray();
        for (int m = 0; m < p; m++)
        {
            for (int l = 0; l < linears.Length; l++) pop.Log(c.Steps, m, $"l{l + 1}", "hebbian_alignment_late_mean", sum[m, l] / counted);
            pop.Log(c.Steps, m, "test_accuracy", accuracy[m]);
        }
        RealFigures(ctx, c, a, curveSteps, Enumerable.Range(0, g).Select(gi => curves[layout.Member(0, gi)]).ToArray());
        return RealClaims(ctx, c, data, a, accuracy, layout);
    }

    /// <summary>
    /// The A-E1 pass criteria (docs/experiments/hebbian.md#claims-checked) on the real-data network, with the two layers stated apart: layer 2
    /// (hidden → output) is the layer of the paper's Table 1; layer 1 sees raw pixels, which are far from the whitened
    /// presynaptic input under which stationarity makes G and H parallel (docs/experiments/hebbian.md#a-e3whitened).
    /// </summary>
    private IReadOnlyList<Claim> RealClaims(RunContext ctx, RealDataConfig c, ClassificationData data, double[][][] a, double[] accuracy, PopulationLayout layout)
    {
        int s = a[0].Length, g = c.WeightDecays.Length;
        string Row(double[] v) => "[" + string.Join(", ", v.Select(Claim.Format)) + "]";
        string table = string.Join("; ", Enumerable.Range(0, s).Select(si => $"seed {ctx.Seed + si}: layer 1 {Row(a[0][si])}, layer 2 {Row(a[1][si])}"));
        string gammas = string.Join(", ", c.WeightDecays.Select(Claim.Format));
        string setting = $"{data.InputDim}-{c.Hidden}(tanh)-{data.Classes} MLP on {data.Description}, cross-entropy, SGD |B|={c.Batch}, η={c.Lr}, {c.Steps} steps; A = per-step cos(G, H) averaged over the last {c.Window:P0}";
        double drop = 0;
        for (int l = 0; l < 2; l++)
            for (int si = 0; si < s; si++)
                for (int gi = 0; gi + 1 < g; gi++) drop = Math.Max(drop, a[l][si][gi] - a[l][si][gi + 1]);
        double Gain(int l) => Enumerable.Range(0, s).Min(si => a[l][si][g - 1] - a[l][si][0]);
        var level = Enumerable.Range(0, s).Select(si => a[1][si][g - 1]).ToArray();
        double zero = Enumerable.Range(0, s).Max(si => Math.Max(Math.Abs(a[0][si][0]), Math.Abs(a[1][si][0])));
        string top = Claim.Format(c.WeightDecays[^1]);
        return
        [
            Claim.AtMost("A-real.monotone",
                $"{setting}: the Hebbian alignment is non-decreasing in wd ∈ {{{gammas}}} within 0.03, both layers (largest drop over {s} seeds)",
                drop, 0.03, $"alignment per wd — {table}"),
            Claim.AtLeast("A-real.layer2-gain",
                $"Weight decay makes the output layer's learning signal Hebbian (the paper's Table 1 layer): A₂(wd={top}) − A₂(0) (smallest of the seeds)",
                Gain(1), 0.25, table),
            Claim.AtLeast("A-real.layer2-level",
                $"At wd={top} the output layer's signal is Hebbian, A₂ ≥ 0.25 (worst seed)",
                level.Min(), 0.25, SeedList(ctx, level)),
            Claim.AtLeast("A-real.layer1-gain",
                $"… and so is the input layer's, on raw (unwhitened) pixels: A₁(wd={top}) − A₁(0) (smallest of the seeds)",
                Gain(0), 0.25, table),
            Claim.AtMost("A-real.no-decay",
                "Without decay the alignment is near zero, |A(0)| ≤ 0.1 (largest over seeds and layers)",
                zero, 0.1, table),
            // Guards against a broken run: 0.75 is 7.5× chance and below a linear classifier on Fashion-MNIST (≈ 0.84).
            Claim.AtLeast("A-real.learns",
                $"The network learns {data.Source}: test accuracy on {data.Test.Count} images at wd=0 (smallest of the seeds)",
                Enumerable.Range(0, s).Min(si => accuracy[layout.Member(si, 0)]), 0.75,
                string.Join("; ", c.WeightDecays.Select((gm, gi) => $"wd={Claim.Format(gm)}: {SeedList(ctx, Enumerable.Range(0, s).Select(si => accuracy[layout.Member(si, gi)]))}"))).AsCheck(),
        ];
    }

    /// <summary>
    /// cos(G, H) of every member and layer on the current minibatch: G = −∇_W L from the backward pass (before decay),
    /// H = h_bᵀh_a from the trace, formed in float32 into <paramref name="hebbian"/> (one [P, out, in] buffer per layer).
    /// </summary>
    private static double[,] BatchHebbianCosines(Sequential<float> net, Tensor<float>[] hebbian, int threads)
    {
        var trace = net.Trace;
        var cos = new double[net.Members, trace.Count];
        for (int l = 0; l < trace.Count; l++)
        {
            var t = trace[l];
            int b = t.Input.Shape[1], o = t.Layer.Out, i = t.Layer.In;
            Gemm.MultiplyBatched(net.Members, true, false, o, i, b, t.PreActivation.ReadOnlySpan, b * o, t.Input.ReadOnlySpan, b * i,
                hebbian[l].Span, o * i, false, threads);
            for (int m = 0; m < net.Members; m++)
            {
                var grad = t.Layer.Weight.Grad.SliceSpan(m);
                var h = hebbian[l].SliceSpan(m);
                double norms = (double)TensorPrimitives.Norm<float>(grad) * TensorPrimitives.Norm<float>(h);
                cos[m, l] = Normalised.Quotient(-TensorPrimitives.Dot<float>(grad, h), norms);
            }
        }
        return cos;
    }

    private static void RealFigures(RunContext ctx, RealDataConfig c, double[][][] a, List<double> steps, List<double>[][] curves)
    {
        int g = c.WeightDecays.Length;
        ctx.Figures.Add(new Figure("real-alignment-vs-gamma", "Hebbian alignment against weight decay (real data)", "bar", "wd", "cos(G, H)")
        {
            Categories = c.WeightDecays.Select(v => "wd=" + Claim.Format(v)).ToArray(),
            Series = Enumerable.Range(0, a.Length).Select(l => new Series($"layer {l + 1}", Enumerable.Range(0, g).Select(i => (double)i).ToArray(),
                Enumerable.Range(0, g).Select(gi => a[l].Average(seed => seed[gi])).ToArray())).ToList(),
            Caption = "Mean over seeds of the per-step cos(G, H) over the last part of training: the SGD learning signal turns Hebbian as weight decay grows.",
        });
        ctx.Figures.Add(new Figure("real-alignment-curves", $"Alignment during training, seed {ctx.Seed}", "line", "step", "cos(G, H)")
        {
            Caption = "Layer 1 (input → hidden) and layer 2 (hidden → output) for each wd.",
            Series = Enumerable.Range(0, g).SelectMany(gi => Enumerable.Range(0, curves[gi].Length).Select(l =>
                new Series($"wd={Claim.Format(c.WeightDecays[gi])} layer {l + 1}", steps.ToArray(), curves[gi][l].ToArray()))).ToList(),
        });
    }
}
