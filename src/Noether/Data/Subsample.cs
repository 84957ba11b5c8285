using Noether.Tensors;

namespace Noether.Data;

/// <summary>
/// Draws n examples without replacement from the child stream "data.subsample", e.g. to train on
/// 1 000 Fashion-MNIST images in a quick profile. Stratified (the default) keeps the class proportions:
/// each class gets its share rounded down, and the remainders go to the classes with the largest
/// fractional parts (largest-remainder rounding), so the total is exactly n.
/// </summary>
public static class Subsample
{
    /// <summary>Name of the child stream the sample is drawn from.</summary>
    public const string StreamName = "data.subsample";

    /// <summary>Indices of n examples of <paramref name="data"/>, in increasing order.</summary>
    public static int[] Indices(Dataset data, int n, Rng rng, bool stratified = true)
    {
        if (n < 0 || n > data.Count)
            throw new DataException($"subsample of {data.Name}: n = {n}, expected 0..{data.Count} (the number of examples)");
        var stream = rng.Child(StreamName);
        int[] chosen;
        if (!stratified)
        {
            chosen = stream.Permutation(data.Count)[..n];
        }
        else
        {
            var groups = Splits.ByClass(data);
            var quota = Quotas(groups.Select(g => g.Length).ToArray(), n, data.Count);
            var list = new List<int>(n);
            for (int c = 0; c < groups.Length; c++)
            {
                stream.Shuffle(groups[c]);
                list.AddRange(groups[c].AsSpan(0, quota[c]));
            }
            chosen = list.ToArray();
        }
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>n examples of <paramref name="data"/> (see <see cref="Indices"/>).</summary>
    public static Dataset Take(Dataset data, int n, Rng rng, bool stratified = true) =>
        data.Subset(Indices(data, n, rng, stratified), $"{data.Name}[{n}]");

    /// <summary>Largest-remainder apportionment of n among classes of the given sizes; ties go to the lower class.</summary>
    private static int[] Quotas(int[] sizes, int n, int total)
    {
        var quota = new int[sizes.Length];
        var remainder = new double[sizes.Length];
        int assigned = 0;
        for (int c = 0; c < sizes.Length; c++)
        {
            double exact = (double)n * sizes[c] / total;
            quota[c] = (int)Math.Floor(exact);
            remainder[c] = exact - quota[c];
            assigned += quota[c];
        }
        var order = Enumerable.Range(0, sizes.Length).OrderByDescending(c => remainder[c]).ThenBy(c => c).ToArray();
        for (int k = 0; assigned < n; k = (k + 1) % order.Length)
        {
            int c = order[k];
            if (quota[c] < sizes[c]) { quota[c]++; assigned++; }
        }
        return quota;
    }
}
