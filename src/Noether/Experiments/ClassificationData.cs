using Noether.Data;
using Noether.Nn;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// A real classification data set as an experiment trains on it (<see cref="DataConfig.Load"/>): the scaled
/// training and test samples, and their float32 tensors shared by every population member — inputs [n, d],
/// one-hot targets [n, k] for softmax cross-entropy.
/// </summary>
public sealed class ClassificationData
{
    public ClassificationData(string source, string directory, Dataset train, Dataset test)
    {
        Source = source; Directory = directory; TrainSet = train; TestSet = test;
        Train = new TrainingData<float>(train.ToFloat(), train.OneHot<float>());
        Test = new TrainingData<float>(test.ToFloat(), test.OneHot<float>());
    }

    /// <summary>The source name, e.g. "fashion-mnist".</summary>
    public string Source { get; }
    /// <summary>The directory the files were read from.</summary>
    public string Directory { get; }
    public Dataset TrainSet { get; }
    public Dataset TestSet { get; }
    public TrainingData<float> Train { get; }
    public TrainingData<float> Test { get; }
    public int InputDim => TrainSet.FeatureCount;
    public int Classes => TrainSet.ClassCount;

    /// <summary>One line for claim statements: "fashion-mnist (10 000 train / 2 000 test, 784 features, 10 classes)".</summary>
    public string Description => $"{Source} ({TrainSet.Count} train / {TestSet.Count} test, {InputDim} features, {Classes} classes)";

    /// <summary>
    /// Fraction of <paramref name="data"/>'s examples whose largest output is the target class, per member,
    /// evaluated in chunks of at most 1000 examples (no update, no trace kept beyond the last chunk).
    /// </summary>
    public static double[] Accuracy(Sequential<float> net, TrainingData<float> data)
    {
        int p = net.Members, n = data.Count, k = data.TargetWidth, chunk = Math.Min(n, 1000);
        var correct = new long[p];
        var idx = new int[chunk];
        var x = new Tensor<float>(p, chunk, data.InputWidth);
        var y = new Tensor<float>(p, chunk, k);
        for (int start = 0; start < n; start += chunk)
        {
            int count = Math.Min(chunk, n - start);
            if (count != chunk)
            {
                idx = new int[count];
                x = new Tensor<float>(p, count, data.InputWidth);
                y = new Tensor<float>(p, count, k);
            }
            for (int i = 0; i < count; i++) idx[i] = start + i;
            for (int m = 0; m < p; m++) data.Gather(m, idx, x, y);
            var output = net.Forward(x);
            for (int m = 0; m < p; m++)
            {
                var o = output.SliceSpan(m);
                var t = y.SliceSpan(m);
                for (int i = 0; i < count; i++)
                {
                    var row = o.Slice(i * k, k);
                    int best = 0;
                    for (int j = 1; j < k; j++) if (row[j] > row[best]) best = j;
                    if (t[i * k + best] == 1f) correct[m]++;
                }
            }
        }
        return correct.Select(c => (double)c / n).ToArray();
    }
}
