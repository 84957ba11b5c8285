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
    private static LevelResult RunLevel(int ui, Population e1Pop, Population e2Pop, Config config, MultimodalRedundancy[] generators, int[][] latent,
        (Tensor<double> Train, Tensor<double> Test)[] fixedFeatures, (Tensor<double> Train, Tensor<double> Test)[] hetFeatures, RunContext ctx)
    {
        int u = (int)e1Pop.Layout.Axes[0].Values[ui];
        int p = config.Seeds, r = config.Data.SharedBits - u, nd = config.HeterogeneityDepths.Length;
        int nTrain = config.Data.TrainSamples, classes = config.Data.Classes;
        var fixedTrain = new Dataset[p]; var fixedTest = new Dataset[p];
        var hetTrain = new Dataset[p * nd]; var hetTest = new Dataset[p * nd];
        for (int m = 0; m < p; m++)
        {
            var labels = generators[m].SampleLabels(latent[m], r);
            int[] trainLabels = labels[..nTrain], testLabels = labels[nTrain..];
            fixedTrain[m] = new Dataset($"U{u}/modality1/train", fixedFeatures[m].Train, trainLabels, classes);
            fixedTest[m] = new Dataset($"U{u}/modality1/test", fixedFeatures[m].Test, testLabels, classes);
            for (int d = 0; d < nd; d++)
            {
                hetTrain[m * nd + d] = new Dataset($"U{u}/modality2/train", hetFeatures[m * nd + d].Train, trainLabels, classes);
                hetTest[m * nd + d] = new Dataset($"U{u}/modality2/test", hetFeatures[m * nd + d].Test, testLabels, classes);
            }
        }

        // E1: one member per seed.
        var e1 = TrainEncoder(config.FixedEncoderDepth, config.Train.FixedEpochs, config.Train.FixedLr[r], config.Train.FixedWeightDecay[r], fixedTrain,
            Enumerable.Range(0, p).Select(s => (e1Pop.Layout.Member(s, ui), $"e1/U{u}")).ToArray(), e1Pop, ctx, config);
        var fixedAccuracy = Accuracy(e1, fixedTest);
        var fixedLayers = HiddenFeatures(e1, fixedTest, config.FixedEncoderDepth, config.Align.Samples);
        for (int s = 0; s < p; s++) e1Pop.Log(0, e1Pop.Layout.Member(s, ui), "test_accuracy", fixedAccuracy[s]);
        var fixedNeighbours = fixedLayers.Select(layers => layers.Select(l => MutualKnn.NearestNeighbours(l, config.Align.K)).ToArray()).ToArray();

        var cka = Jagged(p, nd, config.EncoderDepths.Length);
        var knn = Jagged(p, nd, config.EncoderDepths.Length);
        var acc = Jagged(p, nd, config.EncoderDepths.Length);
        for (int bi = 0; bi < config.EncoderDepths.Length; bi++)
        {
            int depth = config.EncoderDepths[bi];
            // E2: one network per (seed, D_φ), trained in the order of hetTrain (seed-major); E2Member maps it to the population.
            int E2Member(int j) => e2Pop.Layout.Member(j / nd, ui, bi, j % nd);
            var e2 = TrainEncoder(depth, config.Train.Epochs, config.Train.Lr[r], config.Train.WeightDecay[r], hetTrain,
                Enumerable.Range(0, p * nd).Select(j => (E2Member(j), $"e2/U{u}/Dphi{config.HeterogeneityDepths[j % nd]}/depth{depth}")).ToArray(), e2Pop, ctx, config);
            var accuracy = Accuracy(e2, hetTest);
            var layers = HiddenFeatures(e2, hetTest, depth, config.Align.Samples);
            var ckaBest = new double[p * nd]; var knnBest = new double[p * nd];
            ctx.Time("alignment", () =>
            {
                // Every encoder's alignment is independent: split them over the threads, then log in member order.
                IndexRanges.For(p * nd, ctx.Compute.Threads, (first, last) =>
                {
                    var neighbours = new int[config.Align.Samples * config.Align.K];
                    for (int j = first; j < last; j++)
                    {
                        ckaBest[j] = LayerPairMax.MaxOverLayerPairs(fixedLayers[j / nd], layers[j], (a, b) => UnbiasedCka.UnbiasedLinearCka(a, b, clipAtZero: true)).Score;
                        knnBest[j] = MaxMutualKnn(fixedNeighbours[j / nd], layers[j], neighbours, config.Align);
                    }
                });
                for (int j = 0; j < p * nd; j++)
                {
                    int m = j / nd, d = j % nd;
                    cka[m][d][bi] = ckaBest[j]; knn[m][d][bi] = knnBest[j]; acc[m][d][bi] = accuracy[j];
                    e2Pop.Log(0, E2Member(j), "test_accuracy", accuracy[j]);
                    e2Pop.Log(0, E2Member(j), "max_unbiased_cka", ckaBest[j]);
                    e2Pop.Log(0, E2Member(j), "max_mutual_knn", knnBest[j]);
                }
                return 0;
            });
            ctx.Metrics.Flush();
        }
        return new LevelResult(u, fixedAccuracy, cka, knn, acc);
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
    /// <paramref name="pop"/>, whose seed's streams named after its configuration give its initialisation and batches.
    /// </summary>
    private static Sequential<float> TrainEncoder(int depth, int epochs, double lr, double weightDecay, Dataset[] train, (int Member, string Name)[] members, Population pop, RunContext ctx, Config config)
    {
        int count = train.Length, n = train[0].Count, c = train[0].ClassCount, d = train[0].FeatureCount;
        var x = new Tensor<float>(count, n, d);
        var y = new Tensor<float>(count, n, c);
        for (int j = 0; j < count; j++)
        {
            var xs = x.SliceSpan(j);
            var src = train[j].Features.ReadOnlySpan;
            for (int i = 0; i < xs.Length; i++) xs[i] = (float)src[i];
            var ys = y.SliceSpan(j);
            for (int i = 0; i < n; i++) ys[i * c + train[j].Labels[i]] = 1;
        }
        var widths = new List<int> { d };
        for (int l = 0; l < depth; l++) widths.Add(config.Train.Width);
        widths.Add(c);
        var net = Mlp.Build<float>(count, widths, "leaky_relu", compute: ctx.Compute, leakySlope: config.Train.LeakySlope);
        net.Initialize(InitScheme.TorchDefault, members.Select(k => pop.Stream(k.Member, k.Name + "/init")).ToArray());
        var trainer = new Trainer<float>(net, new SoftmaxCrossEntropyLoss<float>(),
            config.Optimizer.Create<float>(count, lr, weightDecay),
            new TrainingData<float>(x, y, perMember: true), config.Train.BatchSize,
            members.Select(k => pop.Stream(k.Member, k.Name + "/batches")).ToArray(), config.Optimizer.ScheduleOf());
        config.Attach(trainer, (i, name) => pop.Stream(members[i].Member, members[i].Name + "/" + name)); // rule, syre (docs/training.md)
        int perEpoch = n / config.Train.BatchSize;
        long steps = (long)epochs * perEpoch;
        ctx.Time("training", () =>
        {
            trainer.Run(steps, perEpoch, step =>
            {
                if (step == 0) return;
                for (int j = 0; j < count; j++) pop.Log(step, members[j].Member, "batch_loss", trainer.LastLoss[j]);
                ctx.Progress.Report($"multimodal-alignment {members[0].Name}", step, steps);
            }, ctx.Cancel);
            return 0;
        });
        return net;
    }

    /// <summary>Test accuracy of every member on its own test set.</summary>
    private static double[] Accuracy(Sequential<float> net, Dataset[] test)
    {
        int members = test.Length, n = test[0].Count, d = test[0].FeatureCount, c = test[0].ClassCount;
        var x = new Tensor<float>(members, n, d);
        for (int j = 0; j < members; j++)
        {
            var xs = x.SliceSpan(j); var src = test[j].Features.ReadOnlySpan;
            for (int i = 0; i < xs.Length; i++) xs[i] = (float)src[i];
        }
        var output = net.Forward(x);
        var acc = new double[members];
        for (int j = 0; j < members; j++)
        {
            var o = output.SliceSpan(j);
            int correct = 0;
            for (int i = 0; i < n; i++)
            {
                var row = o.Slice(i * c, c);
                int best = 0;
                for (int k = 1; k < c; k++) if (row[k] > row[best]) best = k;
                if (best == test[j].Labels[i]) correct++;
            }
            acc[j] = (double)correct / n;
        }
        return acc;
    }

    /// <summary>
    /// The output of every LeakyReLU (docs/experiments/multimodal-alignment.md#alignment; the paper's modules named "relu") on the first <paramref name="rows"/> test rows,
    /// per member, as float64 matrices with unit-norm rows (the L2 normalisation of docs/experiments/multimodal-alignment.md#alignment).
    /// </summary>
    private static Tensor<double>[][] HiddenFeatures(Sequential<float> net, Dataset[] test, int depth, int rows)
    {
        int members = test.Length, d = test[0].FeatureCount;
        var x = new Tensor<float>(members, rows, d);
        for (int j = 0; j < members; j++)
        {
            var xs = x.SliceSpan(j); var src = test[j].Features.ReadOnlySpan;
            for (int i = 0; i < xs.Length; i++) xs[i] = (float)src[i];
        }
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

    private static double[][][] Jagged(int a, int b, int c) =>
        Enumerable.Range(0, a).Select(_ => Enumerable.Range(0, b).Select(_ => new double[c]).ToArray()).ToArray();
}
