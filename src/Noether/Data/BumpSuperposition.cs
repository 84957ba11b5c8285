namespace Noether.Data;

/// <summary>
/// What a decoder that only adds up the training images it has seen would draw at a held-out position
/// (docs/experiments/compositional.md#jmlp-superposition): S_{x,y} = mean training image with the same x + mean training
/// image with the same y. The sums over the training cells are taken once, in the order the cells are given.
/// </summary>
public sealed class BumpSuperposition
{
    private readonly GaussianBumps _bumps;
    private readonly Dictionary<int, double[]> _sameX = [], _sameY = [];
    private readonly Dictionary<int, int> _countX = [], _countY = [];

    /// <param name="bumps">the images.</param>
    /// <param name="training">the training (in-distribution) cells.</param>
    public BumpSuperposition(GaussianBumps bumps, IReadOnlyList<(int X, int Y)> training)
    {
        _bumps = bumps;
        var img = new double[bumps.Pixels];
        foreach (var (x, y) in training)
        {
            bumps.Render(x, y, img);
            Accumulate(_sameX, _countX, x); Accumulate(_sameY, _countY, y);
        }
        void Accumulate(Dictionary<int, double[]> sums, Dictionary<int, int> counts, int key)
        {
            if (!sums.TryGetValue(key, out var s)) { sums[key] = s = new double[bumps.Pixels]; counts[key] = 0; }
            for (int k = 0; k < s.Length; k++) s[k] += img[k];
            counts[key]++;
        }
    }

    /// <summary>Writes S_{x,y} (N×N, row-major); some training cell must share x and some y.</summary>
    public void Render(int x, int y, Span<double> image)
    {
        if (image.Length != _bumps.Pixels) throw new ArgumentException($"BumpSuperposition.Render: image of {image.Length} values, expected {_bumps.Pixels}");
        if (!_sameX.TryGetValue(x, out var sx)) throw new ArgumentException($"BumpSuperposition.Render: no training cell has x = {x}");
        if (!_sameY.TryGetValue(y, out var sy)) throw new ArgumentException($"BumpSuperposition.Render: no training cell has y = {y}");
        int cx = _countX[x], cy = _countY[y];
        for (int k = 0; k < image.Length; k++) image[k] = sx[k] / cx + sy[k] / cy;
    }
}
