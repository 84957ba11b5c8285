using Noether.Data;
using Noether.Learning;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// multimodal-alignment, one uniqueness level U (docs/experiments/multimodal-alignment.md#encoders-and-training): the encoder E1 on
/// modality 1, then E2 at every depth on modality 2 under every heterogeneity map φ, each population trained on its
/// seed's labels at this U; their test accuracy, hidden features and the maximum alignment over layer pairs of E1 and
/// E2 (docs/experiments/multimodal-alignment.md#alignment).
/// </summary>
public sealed partial class MultimodalAlignment
{
    /// <summary>
    /// One modality's float32 inputs for a population of encoders, one set per member: the training rows, the test rows
    /// and the first align.samples test rows. Built once per run: the features do not depend on U, only the labels do.
    /// </summary>
    private sealed record ModalityInputs(Tensor<float> Train, Tensor<float> Test, Tensor<float> AlignRows)
    {
        public static ModalityInputs Of((Tensor<double> Train, Tensor<double> Test)[] features, int alignRows) =>
            new(ToFloat(features.Select(f => f.Train).ToArray(), int.MaxValue), ToFloat(features.Select(f => f.Test).ToArray(), int.MaxValue),
                ToFloat(features.Select(f => f.Test).ToArray(), alignRows));

        /// <summary>The first <paramref name="rows"/> rows of every member's features as one [members, rows, d] tensor.</summary>
        private static Tensor<float> ToFloat(Tensor<double>[] perMember, int rows)
        {
            int n = Math.Min(rows, perMember[0].Shape[0]), d = perMember[0].Shape[1];
            var x = new Tensor<float>(perMember.Length, n, d);
            for (int j = 0; j < perMember.Length; j++)
            {
                var xs = x.SliceSpan(j); var src = perMember[j].ReadOnlySpan;
                for (int i = 0; i < xs.Length; i++) xs[i] = (float)src[i];
            }
            return x;
        }
    }

    /// <summary>Metric rows of one population kept while its encoders train on another thread, then logged in the order they were added.</summary>
    private sealed class DeferredLog(Population pop)
    {
        private readonly List<(long Step, int Member, string Name, double Value)> _rows = [];
        public Population Population => pop;
        public void Log(long step, int member, string name, double value) => _rows.Add((step, member, name, value));
        public void Replay() { foreach (var (step, member, name, value) in _rows) pop.Log(step, member, name, value); }
    }

    /// <summary>Per-R training settings of one encoder family: depth, epochs, learning rate and weight decay.</summary>
    private sealed record EncoderSettings(int Depth, int Epochs, double Lr, double WeightDecay);

    private static LevelResult RunLevel(int ui, Population e1Pop, Population e2Pop, Config config, MultimodalRedundancy[] generators, int[][] latent,
        ModalityInputs fixedInputs, ModalityInputs hetInputs, RunContext ctx)
    {
        int u = (int)e1Pop.Layout.Axes[0].Values[ui];
        int p = config.Seeds, r = config.Data.SharedBits - u, nd = config.HeterogeneityDepths.Length, nb = config.EncoderDepths.Length;
        int nTrain = config.Data.TrainSamples, classes = config.Data.Classes;
        var labels = Enumerable.Range(0, p).Select(m => generators[m].SampleLabels(latent[m], r)).ToArray();
        int[][] trainLabels = labels.Select(l => l[..nTrain]).ToArray(), testLabels = labels.Select(l => l[nTrain..]).ToArray();

        // E1: one member per seed.
        var e1Log = new DeferredLog(e1Pop);
        var e1 = TrainEncoder(new EncoderSettings(config.FixedEncoderDepth, config.Train.FixedEpochs, config.Train.FixedLr[r], config.Train.FixedWeightDecay[r]),
            fixedInputs.Train, OneHot(trainLabels, classes), Enumerable.Range(0, p).Select(s => (e1Pop.Layout.Member(s, ui), $"e1/U{u}")).ToArray(), e1Log, ctx.Compute, ctx, config);
        e1Log.Replay();
        var fixedAccuracy = Accuracy(e1, fixedInputs.Test, testLabels);
        var fixedLayers = HiddenFeatures(e1, fixedInputs.AlignRows, config.FixedEncoderDepth);
        for (int s = 0; s < p; s++) e1Pop.Log(0, e1Pop.Layout.Member(s, ui), "test_accuracy", fixedAccuracy[s]);
        var fixedNeighbours = fixedLayers.Select(layers => layers.Select(l => MutualKnn.NearestNeighbours(l, config.Align.K)).ToArray()).ToArray();

        // E2: one network per (seed, D_φ) in seed-major order (member j has seed j / nd), one population per depth. The depths
        // are independent given E1: with several threads they train at once, one thread each, the deepest (longest) first, and
        // their metric rows are logged afterwards in depth order, so metrics.csv does not depend on the thread count.
        var e2 = new E2Level(ui, u, r, e2Pop, OneHot(Enumerable.Range(0, p * nd).Select(j => trainLabels[j / nd]).ToArray(), classes),
            Enumerable.Range(0, p * nd).Select(j => testLabels[j / nd]).ToArray(), fixedLayers, fixedNeighbours,
            Jagged(p, nd, nb), Jagged(p, nd, nb), Jagged(p, nd, nb));
        var logs = new DeferredLog[nb];
        var deepestFirst = Enumerable.Range(0, nb).OrderByDescending(bi => config.EncoderDepths[bi]).ToArray();
        var compute = ctx.Compute.Threads > 1 && nb > 1 ? Compute.Serial : ctx.Compute;
        ParallelItems.For(nb, ctx.Compute.Threads, item => logs[deepestFirst[item]] = RunE2(e2, deepestFirst[item], hetInputs, compute, ctx, config));
        foreach (var log in logs)
        {
            log.Replay();
            ctx.Metrics.Flush();
        }
        return new LevelResult(u, fixedAccuracy, e2.Cka, e2.Knn, e2.Accuracy);
    }

    /// <summary>What every E2 depth of one level shares: its labels, E1's layers and neighbour tables, and the result tables [member][D_φ][depth index].</summary>
    private sealed record E2Level(int Ui, int U, int R, Population Pop, Tensor<float> TrainTargets, int[][] TestLabels,
        Tensor<double>[][] FixedLayers, int[][][] FixedNeighbours, double[][][] Cka, double[][][] Knn, double[][][] Accuracy);

    /// <summary>
    /// Trains E2 at depth index <paramref name="bi"/> on <paramref name="compute"/>, then measures every member's accuracy and
    /// its alignment with E1 (docs/experiments/multimodal-alignment.md#alignment); returns its metric rows, not yet logged.
    /// </summary>
    private static DeferredLog RunE2(E2Level level, int bi, ModalityInputs inputs, Compute compute, RunContext ctx, Config config)
    {
        int nd = config.HeterogeneityDepths.Length, count = inputs.Train.Shape[0], depth = config.EncoderDepths[bi];
        int E2Member(int j) => level.Pop.Layout.Member(j / nd, level.Ui, bi, j % nd);
        var log = new DeferredLog(level.Pop);
        var e2 = TrainEncoder(new EncoderSettings(depth, config.Train.Epochs, config.Train.Lr[level.R], config.Train.WeightDecay[level.R]), inputs.Train, level.TrainTargets,
            Enumerable.Range(0, count).Select(j => (E2Member(j), $"e2/U{level.U}/Dphi{config.HeterogeneityDepths[j % nd]}/depth{depth}")).ToArray(), log, compute, ctx, config);
        var accuracy = Accuracy(e2, inputs.Test, level.TestLabels);
        var layers = HiddenFeatures(e2, inputs.AlignRows, depth);
        var ckaBest = new double[count]; var knnBest = new double[count];
        ctx.Time("alignment", () =>
        {
            // Every encoder's alignment is independent: split them over the threads, then log in member order.
            ParallelItems.For(count, compute.Threads, j =>
            {
                var neighbours = System.Buffers.ArrayPool<int>.Shared.Rent(config.Align.Samples * config.Align.K);
                ckaBest[j] = LayerPairMax.MaxOverLayerPairs(level.FixedLayers[j / nd], layers[j], (a, b) => UnbiasedCka.UnbiasedLinearCka(a, b, clipAtZero: true)).Score;
                knnBest[j] = MaxMutualKnn(level.FixedNeighbours[j / nd], layers[j], neighbours, config.Align);
                System.Buffers.ArrayPool<int>.Shared.Return(neighbours);
            });
            return 0;
        });
        for (int j = 0; j < count; j++)
        {
            int m = j / nd, d = j % nd;
            level.Cka[m][d][bi] = ckaBest[j]; level.Knn[m][d][bi] = knnBest[j]; level.Accuracy[m][d][bi] = accuracy[j];
            log.Log(0, E2Member(j), "test_accuracy", accuracy[j]);
            log.Log(0, E2Member(j), "max_unbiased_cka", ckaBest[j]);
            log.Log(0, E2Member(j), "max_mutual_knn", knnBest[j]);
        }
        return log;
    }

    /// <summary>
    /// The largest mutual k-NN between any layer of E1 (its neighbour tables <paramref name="fixedNeighbours"/>) and any
    /// layer of E2 (docs/experiments/multimodal-alignment.md#alignment); each E2 layer's table is built in turn into <paramref name="neighbours"/>.
    /// </summary>
    private static double MaxMutualKnn(int[][] fixedNeighbours, Tensor<double>[] layers, int[] neighbours, AlignConfig align)
    {
        double best = double.NegativeInfinity;
        foreach (var layer in layers)
        {
            MutualKnn.NearestNeighbours(layer, align.K, neighbours);
            foreach (var na in fixedNeighbours)
                best = Math.Max(best, MutualKnn.MutualKnnOfNeighbours(na, neighbours, align.Samples, align.K));
        }
        return best;
    }

    /// <summary>
    /// Trains a population of encoders Linear → [LeakyReLU, Linear]×(depth−1) → LeakyReLU → head Linear(width, C)
    /// (CustomMLP of docs/experiments/multimodal-alignment.md#encoders-and-training) with softmax cross-entropy. Network j is member <paramref name="members"/>[j].Member of
    /// the population of <paramref name="log"/>, whose seed's streams named after its configuration give its initialisation and batches.
    /// Inputs <paramref name="x"/> [members, n, d] and one-hot targets <paramref name="y"/>; kernels on <paramref name="compute"/>;
    /// the batch losses go to <paramref name="log"/>.
    /// </summary>
    private static Sequential<float> TrainEncoder(EncoderSettings settings, Tensor<float> x, Tensor<float> y, (int Member, string Name)[] members,
        DeferredLog log, Compute compute, RunContext ctx, Config config)
    {
        int count = x.Shape[0], n = x.Shape[1], d = x.Shape[2], c = y.Shape[2];
        var pop = log.Population;
        var widths = new List<int> { d };
        for (int l = 0; l < settings.Depth; l++) widths.Add(config.Train.Width);
        widths.Add(c);
        var net = Mlp.Build<float>(count, widths, "leaky_relu", compute: compute, leakySlope: config.Train.LeakySlope);
        net.Initialize(InitScheme.TorchDefault, members.Select(k => pop.Stream(k.Member, k.Name + "/init")).ToArray());
        var trainer = new Trainer<float>(net, new SoftmaxCrossEntropyLoss<float>(),
            config.Optimizer.Create<float>(count, settings.Lr, settings.WeightDecay),
            new TrainingData<float>(x, y, perMember: true), config.Train.BatchSize,
            members.Select(k => pop.Stream(k.Member, k.Name + "/batches")).ToArray(), config.Optimizer.ScheduleOf());
        config.Attach(trainer, (i, name) => pop.Stream(members[i].Member, members[i].Name + "/" + name)); // rule, syre (docs/training.md)
        int perEpoch = n / config.Train.BatchSize;
        long steps = (long)settings.Epochs * perEpoch;
        ctx.Time("training", () =>
        {
            trainer.Run(steps, perEpoch, step =>
            {
                if (step == 0) return;
                for (int j = 0; j < count; j++) log.Log(step, members[j].Member, "batch_loss", trainer.LastLoss[j]);
                ctx.Progress.Report($"multimodal-alignment {members[0].Name}", step, steps);
            }, ctx.Cancel);
            return 0;
        });
        return net;
    }

    /// <summary>
    /// Test accuracy of every member on its own test set (inputs [members, n, d], labels per member), in forward passes of
    /// at most <see cref="AccuracyRows"/> rows: each row's output does not depend on the other rows of its pass, so the
    /// argmax is the same as in one pass over all n, without buffers for all n rows of every layer.
    /// </summary>
    private static double[] Accuracy(Sequential<float> net, Tensor<float> x, int[][] labels)
    {
        int members = x.Shape[0], n = x.Shape[1], d = x.Shape[2];
        var correct = new int[members];
        for (int start = 0; start < n; start += AccuracyRows)
        {
            int rows = Math.Min(AccuracyRows, n - start);
            var input = new Tensor<float>(members, rows, d);
            for (int j = 0; j < members; j++) x.SliceSpan(j).Slice(start * d, rows * d).CopyTo(input.SliceSpan(j));
            var output = net.Forward(input);
            int c = output.Shape[2];
            for (int j = 0; j < members; j++)
            {
                var o = output.SliceSpan(j);
                for (int i = 0; i < rows; i++)
                {
                    var row = o.Slice(i * c, c);
                    int best = 0;
                    for (int k = 1; k < c; k++) if (row[k] > row[best]) best = k;
                    if (best == labels[j][start + i]) correct[j]++;
                }
            }
        }
        return correct.Select(k => (double)k / n).ToArray();
    }

    private const int AccuracyRows = 1024;

    /// <summary>
    /// The output of every LeakyReLU (docs/experiments/multimodal-alignment.md#alignment; the paper's modules named "relu") on the first align.samples test rows
    /// (<paramref name="x"/>, [members, rows, d]), per member, as float64 matrices with unit-norm rows (the L2 normalisation of docs/experiments/multimodal-alignment.md#alignment).
    /// </summary>
    private static Tensor<double>[][] HiddenFeatures(Sequential<float> net, Tensor<float> x, int depth)
    {
        int members = x.Shape[0];
        net.Forward(x);
        var trace = net.Trace;
        var result = new Tensor<double>[members][];
        for (int j = 0; j < members; j++)
        {
            result[j] = new Tensor<double>[depth];
            for (int l = 0; l < depth; l++)
            {
                var h = trace[l].Output.Slice(j);
                var t = new Tensor<double>(h.Shape);
                var src = h.ReadOnlySpan; var dst = t.Span;
                for (int i = 0; i < dst.Length; i++) dst[i] = src[i];
                FeatureMatrix.NormalizeRows(dst, h.Shape[0], h.Shape[1]);
                result[j][l] = t;
            }
        }
        return result;
    }

    /// <summary>One-hot targets [members, n, classes] of per-member labels.</summary>
    private static Tensor<float> OneHot(int[][] labels, int classes)
    {
        var y = new Tensor<float>(labels.Length, labels[0].Length, classes);
        for (int j = 0; j < labels.Length; j++)
        {
            var ys = y.SliceSpan(j);
            for (int i = 0; i < labels[j].Length; i++) ys[i * classes + labels[j][i]] = 1;
        }
        return y;
    }

    private static double[][][] Jagged(int a, int b, int c) =>
        Enumerable.Range(0, a).Select(_ => Enumerable.Range(0, b).Select(_ => new double[c]).ToArray()).ToArray();
}
