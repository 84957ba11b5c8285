namespace Noether.Probes;

/// <summary>
/// The layer-geometry factorisation of Liang et al. (arXiv 2501.18797; docs/experiments/compositional.md#measurements):
/// a representation h(x, y) ∈ R^D sampled on an N×N grid of positions has the pullback metric
/// g_ab = Σ_d ∂_a h_d ∂_b h_d (a, b ∈ {x, y}), with the partial derivatives taken by finite differences as
/// numpy.gradient does (central inside, one-sided at the border, unit spacing). The factorisation is
/// F = 1 − mean|g_xy| / mean(|g_xx| + |g_yy|), means over the grid points. F = 1 when x and y move the
/// representation along orthogonal directions everywhere (e.g. a code e_x ⊕ e_y, or two channels each driven by
/// one factor); F falls as the two tangent directions overlap (the factors are entangled).
/// </summary>
public static class GridFactorisation
{
    /// <summary>
    /// F of <paramref name="h"/> laid out [y][x][d] flat: the representation at position (x, y) is
    /// h[(y·n + x)·dim .. +dim]. Returns 1 for a representation that does not move at all (0/0).
    /// </summary>
    public static double Of(ReadOnlySpan<double> h, int n, int dim)
    {
        if (n < 2) throw new ArgumentException($"GridFactorisation: a {n}×{n} grid; expected at least 2×2");
        if (h.Length != n * n * dim) throw new ArgumentException($"GridFactorisation: {h.Length} values for a {n}×{n} grid of {dim}-vectors");
        double cross = 0, diagonal = 0;
        var dx = new double[dim]; var dy = new double[dim];
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                Difference(h, n, dim, x, y, 1, 0, dx);
                Difference(h, n, dim, x, y, 0, 1, dy);
                double gxx = 0, gyy = 0, gxy = 0;
                for (int d = 0; d < dim; d++) { gxx += dx[d] * dx[d]; gyy += dy[d] * dy[d]; gxy += dx[d] * dy[d]; }
                cross += Math.Abs(gxy);
                diagonal += gxx + gyy;
            }
        return diagonal > 0 ? 1 - cross / diagonal : 1;
    }

    /// <summary>numpy.gradient along one axis at (x, y): (f[+1] − f[−1])/2 inside, f[1] − f[0] and f[n−1] − f[n−2] at the border.</summary>
    private static void Difference(ReadOnlySpan<double> h, int n, int dim, int x, int y, int ax, int ay, double[] into)
    {
        int c = ax == 1 ? x : y;
        int lo = Math.Max(c - 1, 0), hi = Math.Min(c + 1, n - 1);
        double scale = 1.0 / (hi - lo);
        int a = ax == 1 ? (y * n + lo) * dim : (lo * n + x) * dim;
        int b = ax == 1 ? (y * n + hi) * dim : (hi * n + x) * dim;
        for (int d = 0; d < dim; d++) into[d] = (h[b + d] - h[a + d]) * scale;
    }
}
