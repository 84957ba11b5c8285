using Noether.Probes;
using Xunit;

namespace Noether.Tests.Probes;

public class GridFactorisationTests
{
    private static double[] Grid(int n, int dim, Func<int, int, int, double> h)
    {
        var v = new double[n * n * dim];
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
                for (int d = 0; d < dim; d++) v[(y * n + x) * dim + d] = h(x, y, d);
        return v;
    }

    [Fact]
    public void DisjointCoordinates_AreFactorised()
    {
        // A one-hot code e_x ⊕ e_y: x moves only the first n coordinates, y only the last n.
        int n = 5;
        var h = Grid(n, 2 * n, (x, y, d) => d < n ? (d == x ? 1 : 0) : (d - n == y ? 1 : 0));
        Assert.Equal(1.0, GridFactorisation.Of(h, n, 2 * n), 14);
    }

    [Fact]
    public void SharedDirection_IsFullyEntangled()
    {
        // h = x + y on one coordinate: g_xx = g_yy = g_xy = 1 everywhere, so F = 1 − 1/2.
        int n = 4;
        var h = Grid(n, 1, (x, y, _) => x + y);
        Assert.Equal(0.5, GridFactorisation.Of(h, n, 1), 14);
    }

    [Fact]
    public void KnownValue_WithBorderDifferences()
    {
        // h = (x, x·y) on a 2×2 grid: every difference is one-sided. ∂x h = (1, y), ∂y h = (0, x),
        // so g_xy = x·y, g_xx = 1 + y², g_yy = x²: Σ|g_xy| = 1, Σ(g_xx + g_yy) = (1)+(2)+(1+1)+(2+1) = 8.
        var h = Grid(2, 2, (x, y, d) => d == 0 ? x : x * y);
        Assert.Equal(1 - 1.0 / 8, GridFactorisation.Of(h, 2, 2), 14);
    }

    [Fact]
    public void ConstantRepresentation_CountsAsFactorised()
    {
        Assert.Equal(1.0, GridFactorisation.Of(new double[3 * 3 * 2], 3, 2));
    }
}
