using Noether.Learning;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// entropic-balance D-deep (docs/experiments/entropic-balance.md#d-deep-setting-alignment-of-two-deeper-nonlinear-nets): the
/// D-a comparison for two nonlinear nets with two hidden layers, of different width and init, trained on D-a's data by SGD
/// and by GD; their last hidden layers are compared on D-a's probe inputs by mutual k-NN and linear CKA.
/// </summary>
public sealed partial class EntropicBalance
{
    /// <summary>D-deep setting (docs/experiments/entropic-balance.md#d-deep-setting-alignment-of-two-deeper-nonlinear-nets).</summary>
    public sealed class DeepConfig : IValidatedConfig
    {
        [Param("run D-deep (two nonlinear nets with two hidden layers)")] public bool Enabled { get; set; } = true;
        [Param("hidden activation of both nets")] public string Activation { get; set; } = "tanh";
        [Param("width of both hidden layers of net A", Min = 1, Max = 4096)] public int HiddenA { get; set; } = 16;
        [Param("width of both hidden layers of net B", Min = 1, Max = 4096)] public int HiddenB { get; set; } = 32;
        [Param("net A: init std × √fan-in of its three layers", Min = 0)] public double[] ScalesA { get; set; } = [2.0, 1.0, 0.1];
        [Param("net B: init std × √fan-in of its three layers", Min = 0)] public double[] ScalesB { get; set; } = [0.1, 1.0, 2.0];
        [Param("SGD batch size", Min = 1)] public int SgdBatch { get; set; } = 4;
        [Param("SGD learning rate η", Min = 0, Max = 10)] public double SgdLr { get; set; } = 0.02;
        [Param("SGD steps at η", Min = 1)] public int SgdSteps { get; set; } = 20000;
        [Param("further SGD steps at η·alignment.anneal_factor", Min = 0)] public int AnnealSteps { get; set; } = 5000;
        [Param("GD (full batch) learning rate", Min = 0, Max = 10)] public double GdLr { get; set; } = 0.02;
        [Param("GD steps", Min = 1)] public int GdSteps { get; set; } = 4000;

        public void Validate()
        {
            if (ScalesA.Length != 3 || ScalesB.Length != 3) throw new ConfigException("deep.scales_a, deep.scales_b: expected three init scales (two hidden layers and the output layer)");
            if (AnnealSteps > SgdSteps) throw new ConfigException($"deep.anneal_steps={AnnealSteps}: expected at most deep.sgd_steps ({SgdSteps})");
            if (!Activations.Names.Contains(Activation)) throw new ConfigException($"deep.activation={Activation}: expected one of {string.Join(", ", Activations.Names)}");
        }
    }

    private static IReadOnlyList<Claim> RunDeep(Config config, LinearTeacherData data, RunContext ctx)
    {
        var c = config.Deep;
        var a = config.Alignment;
        if (c.SgdBatch > a.Samples) throw new ConfigException($"deep.sgd_batch={c.SgdBatch}: expected at most alignment.samples ({a.Samples})");
        int seeds = config.Seeds;
        var training = new TrainingData<float>(Copy<float>(data.X), Copy<float>(data.Y), perMember: true);
        var probe = Copy<float>(data.ProbeX);
        var before = CompareDeep(DeepNet(config, c.HiddenA, c.ScalesA, "deep.init.a", ctx), DeepNet(config, c.HiddenB, c.ScalesB, "deep.init.b", ctx), probe, a.K);
        var (sgd, sgdLoss) = TrainDeepPair("sgd", c.SgdBatch, c.SgdLr, c.SgdSteps + c.AnnealSteps, new StepSchedule(c.SgdSteps, a.AnnealFactor), config, training, probe, ctx);
        var (gd, gdLoss) = TrainDeepPair("gd", a.Samples, c.GdLr, c.GdSteps, null, config, training, probe, ctx);
        var gap = sgd.MutualKnn.Zip(gd.MutualKnn, (x, y) => x - y).ToArray();
        string setting = $"{c.Activation} nets {a.InputDim}-{c.HiddenA}-{c.HiddenA}-{a.OutputDim} and {a.InputDim}-{c.HiddenB}-{c.HiddenB}-{a.OutputDim}, init scales [{string.Join(", ", c.ScalesA)}] and [{string.Join(", ", c.ScalesB)}]";
        return
        [
            Claim.AtLeast("D-deep.mutual-knn-gap",
                $"Deeper nonlinear nets ({setting}): SGD (|B|={c.SgdBatch}, η={c.SgdLr}, {c.SgdSteps}+{c.AnnealSteps} steps) aligns their last hidden layers' neighbourhoods more than GD (η={c.GdLr}, {c.GdSteps} steps) from the same inits: mutual k-NN_SGD − mutual k-NN_GD (smallest of the seeds)",
                gap.Min(), 0.2, $"mutual k-NN SGD: {PerSeed(ctx, sgd.MutualKnn)}; GD: {PerSeed(ctx, gd.MutualKnn)}; untrained: {PerSeed(ctx, before.MutualKnn)}; " +
                $"CKA SGD: {PerSeed(ctx, sgd.Cka)}; GD: {PerSeed(ctx, gd.Cka)}; untrained: {PerSeed(ctx, before.Cka)}; train loss SGD: {PerSeed(ctx, sgdLoss)}; GD: {PerSeed(ctx, gdLoss)}"),
        ];
    }

    /// <summary>A population of d-h-h-o nets with the hidden activation, layer l initialised N(0, (scales[l]/√fan-in)²) from seed s's stream.</summary>
    private static Sequential<float> DeepNet(Config config, int hidden, double[] scales, string stream, RunContext ctx)
    {
        var a = config.Alignment;
        var net = Mlp.Build<float>(config.Seeds, [a.InputDim, hidden, hidden, a.OutputDim], config.Deep.Activation, bias: false, compute: ctx.Compute);
        var layers = net.Linears.ToArray();
        for (int s = 0; s < config.Seeds; s++)
        {
            var init = ctx.SeedStream(s, stream);
            for (int l = 0; l < layers.Length; l++)
                init.FillNormal(layers[l].Weight.Value.SliceSpan(s), 0, scales[l] / Math.Sqrt(layers[l].In));
        }
        return net;
    }

    /// <summary>Trains the deep pair in lockstep (own inits, own batch streams); returns their alignment and each seed's final training loss of nets A and B, averaged.</summary>
    private static (AlignmentResult Alignment, double[] Loss) TrainDeepPair(string name, int batch, double lr, int steps, Schedule? schedule, Config config,
        TrainingData<float> data, Tensor<float> probe, RunContext ctx)
    {
        var c = config.Deep;
        int seeds = config.Seeds;
        var netA = DeepNet(config, c.HiddenA, c.ScalesA, "deep.init.a", ctx);
        var netB = DeepNet(config, c.HiddenB, c.ScalesB, "deep.init.b", ctx);
        var (ta, tb) = (PairTrainer(netA, $"deep.{name}", "a", batch, lr, schedule, config, data, ctx),
            PairTrainer(netB, $"deep.{name}", "b", batch, lr, schedule, config, data, ctx));
        ctx.Time($"deep.{name}", () =>
        {
            for (int step = 1; step <= steps; step++)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                ta.StepOnce(); tb.StepOnce();
                if (step % 5000 == 0 || step == steps) ctx.Progress.Report($"entropic-balance D-deep {name}", step, steps);
            }
            return 0;
        });
        var loss = new double[seeds];
        var (lossA, lossB) = (ta.EvaluateLoss(), tb.EvaluateLoss());
        for (int s = 0; s < seeds; s++) loss[s] = 0.5 * (lossA[s] + lossB[s]);
        var r = CompareDeep(netA, netB, probe, config.Alignment.K);
        var pop = ctx.Population($"deep.{name}", PopulationLayout.OfSeeds(seeds));
        for (int s = 0; s < seeds; s++)
        {
            pop.Log(steps, s, "cka", r.Cka[s]);
            pop.Log(steps, s, "mutual_knn", r.MutualKnn[s]);
            pop.Log(steps, s, "train_loss", loss[s]);
        }
        ctx.Metrics.Flush();
        return (r, loss);
    }

    /// <summary>Linear CKA and mutual k-NN of the last hidden layers' outputs (after the activation) of A and B on the probe inputs.</summary>
    private static AlignmentResult CompareDeep(Sequential<float> netA, Sequential<float> netB, Tensor<float> probe, int k)
    {
        int seeds = netA.Members;
        netA.Forward(probe);
        var ha = Enumerable.Range(0, seeds).Select(s => MemberSlice.ToDouble(netA.Trace[1].Output, s)).ToArray();
        netB.Forward(probe);
        var hb = Enumerable.Range(0, seeds).Select(s => MemberSlice.ToDouble(netB.Trace[1].Output, s)).ToArray();
        var cka = new double[seeds]; var knn = new double[seeds];
        for (int s = 0; s < seeds; s++)
        {
            cka[s] = Cka.LinearCka(ha[s], hb[s]);
            knn[s] = MutualKnn.MutualKnnAlignment(ha[s], hb[s], k);
        }
        return new AlignmentResult(cka, knn, new double[seeds]);
    }
}
