namespace Noether.Data;

/// <summary>
/// An in-distribution / out-of-distribution split of the N×N grid of bump positions (docs/experiments/compositional.md#data):
/// every single x and every single y value appears in training, but the combinations in the held-out
/// region never do ("square donut" or corner). Cells are listed row by row (y, then x).
/// </summary>
public sealed record BumpHoldout(string Description, int Size, (int X, int Y)[] InDistribution, (int X, int Y)[] OutOfDistribution)
{
    /// <summary>Holds out the corner x ≥ t and y ≥ t (the split of the quick profile and of the regularised network); ID is the L-shaped rest.</summary>
    public static BumpHoldout Corner(int size, int threshold)
    {
        if (threshold < 1 || threshold >= size)
            throw new ArgumentOutOfRangeException(nameof(threshold), $"corner threshold must be in 1..{size - 1} so both parts are non-empty, got {threshold}");
        return Split($"corner x,y ≥ {threshold} held out of {size}×{size}", size, (x, y) => x >= threshold && y >= threshold);
    }

    /// <summary>Holds out the square [lo, hi]² (the depth-experiment split, [6, 22]² of 28×28); ID is the frame around it.</summary>
    public static BumpHoldout CentredSquare(int size, int lo, int hi)
    {
        if (lo < 1 || hi >= size - 1 || lo > hi)
            throw new ArgumentOutOfRangeException(nameof(lo), $"held-out square [{lo}, {hi}] must lie strictly inside 0..{size - 1}");
        return Split($"square [{lo}, {hi}]² held out of {size}×{size}", size, (x, y) => x >= lo && x <= hi && y >= lo && y <= hi);
    }

    public bool IsHeldOut(int x, int y) => OutOfDistribution.Contains((x, y));

    private static BumpHoldout Split(string description, int size, Func<int, int, bool> heldOut)
    {
        var id = new List<(int, int)>();
        var ood = new List<(int, int)>();
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                (heldOut(x, y) ? ood : id).Add((x, y));
        return new BumpHoldout(description, size, id.ToArray(), ood.ToArray());
    }
}
