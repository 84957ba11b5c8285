using Noether.Tensors;

namespace Noether.Data;

/// <summary>Indices of a train/validation/test partition of one dataset; the three are disjoint and cover it.</summary>
public sealed record SplitIndices(int[] Train, int[] Validation, int[] Test);

/// <summary>Three datasets made from one by <see cref="Splits"/>.</summary>
public sealed record DataSplit(Dataset Train, Dataset Validation, Dataset Test);

/// <summary>
/// Fixed train/validation/test splits by seed. The permutation comes from the child stream
/// "data.split" of the given <see cref="Rng"/>, so the same run seed always gives the same split
/// and drawing from other streams never changes it.
/// </summary>
public static class Splits
{
    /// <summary>Name of the child stream the split is drawn from.</summary>
    public const string StreamName = "data.split";

    /// <summary>
    /// Partitions the indices 0..n−1 of <paramref name="data"/>: a fraction <paramref name="validationFraction"/>
    /// for validation, <paramref name="testFraction"/> for test, the rest for train. Stratified (the default)
    /// splits every class in these proportions, rounding per class; otherwise one permutation of all
    /// indices is cut. Each part is returned in increasing index order.
    /// </summary>
    public static SplitIndices Indices(Dataset data, double validationFraction, double testFraction, Rng rng, bool stratified = true)
    {
        CheckFraction("validation fraction", validationFraction);
        CheckFraction("test fraction", testFraction);
        if (validationFraction + testFraction > 1)
            throw new DataException($"split of {data.Name}: validation {validationFraction} + test {testFraction} = {validationFraction + testFraction}, expected at most 1");
        var stream = rng.Child(StreamName);
        var train = new List<int>(); var validation = new List<int>(); var test = new List<int>();
        IEnumerable<int[]> groups = stratified ? ByClass(data) : [Enumerable.Range(0, data.Count).ToArray()];
        foreach (var group in groups)
        {
            stream.Shuffle(group);
            int nVal = (int)Math.Round(validationFraction * group.Length);
            int nTest = Math.Min((int)Math.Round(testFraction * group.Length), group.Length - nVal);
            validation.AddRange(group.AsSpan(0, nVal));
            test.AddRange(group.AsSpan(nVal, nTest));
            train.AddRange(group.AsSpan(nVal + nTest));
        }
        return new SplitIndices(Sorted(train), Sorted(validation), Sorted(test));
    }

    /// <summary>Splits <paramref name="data"/> into train, validation and test datasets (see <see cref="Indices"/>).</summary>
    public static DataSplit TrainValidationTest(Dataset data, double validationFraction, double testFraction, Rng rng, bool stratified = true)
    {
        var s = Indices(data, validationFraction, testFraction, rng, stratified);
        return new DataSplit(data.Subset(s.Train, data.Name + "/train"),
                             data.Subset(s.Validation, data.Name + "/validation"),
                             data.Subset(s.Test, data.Name + "/test"));
    }

    /// <summary>
    /// Holds out a validation part of a source that comes with its own test set (Fashion-MNIST):
    /// returns (train minus validation, validation, the given test set).
    /// </summary>
    public static DataSplit WithValidation(Dataset train, Dataset test, double validationFraction, Rng rng, bool stratified = true)
    {
        var s = Indices(train, validationFraction, 0, rng, stratified);
        return new DataSplit(train.Subset(s.Train, train.Name), train.Subset(s.Validation, train.Name + "/validation"), test);
    }

    /// <summary>Indices of each class, in increasing order, indexed by label.</summary>
    internal static int[][] ByClass(Dataset data)
    {
        var counts = data.ClassCounts();
        var groups = counts.Select(c => new int[c]).ToArray();
        var fill = new int[data.ClassCount];
        for (int i = 0; i < data.Count; i++) { int y = data.Labels[i]; groups[y][fill[y]++] = i; }
        return groups;
    }

    private static int[] Sorted(List<int> list)
    {
        var a = list.ToArray();
        Array.Sort(a);
        return a;
    }

    private static void CheckFraction(string what, double f)
    {
        if (!(f >= 0 && f <= 1))
            throw new DataException($"split: {what} is {f}, expected a number in [0, 1]");
    }
}
