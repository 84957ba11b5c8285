using Noether.Tensors;

namespace Noether.Data;

/// <summary>
/// The heterogeneity transform φ_D of the redundancy/uniqueness generator (docs/experiments/multimodal-alignment.md#generator,
/// setting "uni"): φ_D = Lin ∘ (tanh ∘ Lin)^D, i.e. Linear(d,d) followed by D × [tanh, Linear(d,d)],
/// weights and biases drawn U(±1/√d) (PyTorch's default). It is applied to modality 2 only; D = 0 is a
/// random affine map, larger D a more non-linear one. One map per depth is drawn and reused for every R.
/// </summary>
public sealed class HeterogeneityMap
{
    private readonly double[][] _weights;
    private readonly double[][] _biases;

    private HeterogeneityMap(int width, int depth, double[][] weights, double[][] biases)
    {
        Width = width; Depth = depth; _weights = weights; _biases = biases;
    }

    public int Width { get; }
    /// <summary>D, the number of tanh non-linearities.</summary>
    public int Depth { get; }

    /// <summary>Draws the D + 1 affine maps (weights row-major d×d, then biases) from <paramref name="rng"/>.</summary>
    public static HeterogeneityMap Create(int width, int depth, Rng rng)
    {
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), $"width must be ≥ 1, got {width}");
        if (depth < 0) throw new ArgumentOutOfRangeException(nameof(depth), $"depth must be ≥ 0, got {depth}");
        double a = 1 / Math.Sqrt(width);
        var w = new double[depth + 1][];
        var b = new double[depth + 1][];
        for (int l = 0; l <= depth; l++)
        {
            w[l] = new double[width * width];
            b[l] = new double[width];
            for (int i = 0; i < w[l].Length; i++) w[l][i] = rng.Uniform(-a, a);
            for (int i = 0; i < width; i++) b[l][i] = rng.Uniform(-a, a);
        }
        return new HeterogeneityMap(width, depth, w, b);
    }

    /// <summary>Applies φ_D to one row: <paramref name="x"/> and <paramref name="y"/> have length d (may alias).</summary>
    public void Apply(ReadOnlySpan<double> x, Span<double> y)
    {
        if (x.Length != Width || y.Length != Width)
            throw new ArgumentException($"HeterogeneityMap.Apply: rows of length {x.Length} and {y.Length}, expected {Width}");
        Span<double> h = stackalloc double[Width];
        Span<double> next = stackalloc double[Width];
        x.CopyTo(h);
        for (int l = 0; l <= Depth; l++)
        {
            if (l > 0) for (int i = 0; i < Width; i++) h[i] = Math.Tanh(h[i]);
            for (int o = 0; o < Width; o++)
            {
                double s = _biases[l][o];
                for (int i = 0; i < Width; i++) s += _weights[l][o * Width + i] * h[i];
                next[o] = s;
            }
            next.CopyTo(h);
        }
        h.CopyTo(y);
    }

    /// <summary>Applies φ_D to every row of an n×d matrix in place.</summary>
    public void ApplyRows(Span<double> rows)
    {
        if (rows.Length % Width != 0)
            throw new ArgumentException($"HeterogeneityMap.ApplyRows: {rows.Length} values are not whole rows of width {Width}");
        for (int r = 0; r < rows.Length / Width; r++) Apply(rows.Slice(r * Width, Width), rows.Slice(r * Width, Width));
    }
}
