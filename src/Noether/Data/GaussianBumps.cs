using System.Numerics;
using Noether.Tensors;

namespace Noether.Data;

/// <summary>How the bump position (x, y) is given to a decoder (docs/experiments/compositional.md#data); every code is disentangled.</summary>
public enum BumpCode
{
    /// <summary>e_x ⊕ e_y (2N values): one-hot column and row.</summary>
    OneHot,
    /// <summary>[g_x; g_y] (2N values) with g_x(k) = exp(−(k − x)²/(2σ²)): a population code.</summary>
    Population,
    /// <summary>(x, y) in pixel units.</summary>
    Scalar,
}

/// <summary>
/// Gaussian-bump images of Liang, Qian, Ziyin, Fiete (arXiv 2501.18797; docs/experiments/compositional.md#data):
/// T_{x,y}(i, j) = exp(−((j − x)² + (i − y)²)/(2σ²)) on an N×N grid (row i ↔ y, column j ↔ x), or
/// 1 − T when <see cref="Inverted"/> (background 1, bump 0, as in most of the repo's scripts).
/// </summary>
public sealed record GaussianBumps(int Size, double Sigma, bool Inverted = false)
{
    public int Pixels => Size * Size;

    /// <summary>Writes the N×N target image of a bump at (x, y), row-major.</summary>
    public void Render(double x, double y, Span<double> image)
    {
        if (image.Length != Pixels) throw new ArgumentException($"GaussianBumps.Render: image of {image.Length} values, expected {Pixels} ({Size}×{Size})");
        double s2 = 2 * Sigma * Sigma;
        for (int i = 0; i < Size; i++)
            for (int j = 0; j < Size; j++)
            {
                double t = Math.Exp(-((j - x) * (j - x) + (i - y) * (i - y)) / s2);
                image[i * Size + j] = Inverted ? 1 - t : t;
            }
    }

    /// <summary>The background a model that draws no bump predicts (0, or 1 when inverted).</summary>
    public double Background => Inverted ? 1 : 0;

    /// <summary>Width of a code: 2N for one-hot and population codes, 2 for scalars.</summary>
    public int CodeWidth(BumpCode code) => code == BumpCode.Scalar ? 2 : 2 * Size;

    /// <summary>Writes the code of position (x, y); a one-hot code needs integer positions.</summary>
    public void Encode(double x, double y, BumpCode code, Span<double> dst)
    {
        if (dst.Length != CodeWidth(code)) throw new ArgumentException($"GaussianBumps.Encode: {dst.Length} values, expected {CodeWidth(code)} for {code}");
        dst.Clear();
        switch (code)
        {
            case BumpCode.Scalar:
                dst[0] = x; dst[1] = y;
                break;
            case BumpCode.OneHot:
                if (x != Math.Round(x) || y != Math.Round(y) || x < 0 || y < 0 || x >= Size || y >= Size)
                    throw new ArgumentException($"GaussianBumps.Encode: one-hot code needs integer positions in 0..{Size - 1}, got ({x}, {y})");
                dst[(int)x] = 1; dst[Size + (int)y] = 1;
                break;
            default:
                double s2 = 2 * Sigma * Sigma;
                for (int k = 0; k < Size; k++)
                {
                    dst[k] = Math.Exp(-(k - x) * (k - x) / s2);
                    dst[Size + k] = Math.Exp(-(k - y) * (k - y) / s2);
                }
                break;
        }
    }

    /// <summary>Codes [n, code width] and target images [n, N²] of the given positions.</summary>
    public (Tensor<T> Codes, Tensor<T> Images) Batch<T>(IReadOnlyList<(int X, int Y)> cells, BumpCode code) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = CodeWidth(code);
        var codes = new Tensor<T>(cells.Count, w);
        var images = new Tensor<T>(cells.Count, Pixels);
        var c = new double[w];
        var img = new double[Pixels];
        for (int n = 0; n < cells.Count; n++)
        {
            Encode(cells[n].X, cells[n].Y, code, c);
            Render(cells[n].X, cells[n].Y, img);
            for (int i = 0; i < w; i++) codes[n, i] = T.CreateChecked(c[i]);
            for (int i = 0; i < Pixels; i++) images[n, i] = T.CreateChecked(img[i]);
        }
        return (codes, images);
    }

    /// <summary>
    /// The blank-image baseline (docs/experiments/compositional.md#measurements): the MSE, averaged over the cells, of predicting the plain background,
    /// i.e. mean over pixels of T². A decoder that fails out of distribution sits at or above it.
    /// </summary>
    public double BlankMse(IReadOnlyList<(int X, int Y)> cells)
    {
        var img = new double[Pixels];
        double total = 0;
        foreach (var (x, y) in cells)
        {
            Render(x, y, img);
            double s = 0;
            foreach (var v in img) s += (v - Background) * (v - Background);
            total += s / Pixels;
        }
        return total / cells.Count;
    }
}
