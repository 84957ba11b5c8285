using MathNet.Numerics.LinearAlgebra;
using Noether.Tensors;

namespace Noether.Probes;

/// <summary>Least-squares power-law fit log λ(X) = Exponent·log λ(Z) + Intercept over the used eigen-directions.</summary>
public sealed record PahFit(double Exponent, double Intercept, double RSquared, int Points);

/// <summary>
/// Polynomial Alignment Hypothesis exponent (docs/experiments/crh.md#claim): when CRH breaks, X ∝ Z^k. Diagonalise
/// the symmetric Z = VΛVᵀ, project λ_i(X) = v_iᵀXv_i, and fit log λ_i(X) against log λ_i(Z) by least
/// squares; report k and R². Directions where either value is not positive (beyond a relative
/// tolerance of the largest) are left out.
/// </summary>
public static class Pah
{
    public static PahFit PahExponent(Tensor<double> x, Tensor<double> z, double relativeTolerance = 1e-10)
    {
        const string op = "Pah.PahExponent";
        Shapes.Require(z.Rank == 2 && z.Shape[0] == z.Shape[1], op, "a square symmetric Z", z.Shape);
        Shapes.RequireSameShape(op, x, z);
        var zm = ProbeMath.ToMatrix(z);
        var xm = ProbeMath.ToMatrix(x);
        var evd = zm.Evd(Symmetricity.Symmetric);
        int m = zm.RowCount;
        var lz = new double[m]; var lx = new double[m];
        for (int i = 0; i < m; i++)
        {
            var v = evd.EigenVectors.Column(i);
            lz[i] = evd.EigenValues[i].Real;
            lx[i] = v * (xm * v);
        }
        double maxZ = lz.Max(), maxX = lx.Max();
        var px = new List<double>(); var py = new List<double>();
        for (int i = 0; i < m; i++)
            if (lz[i] > relativeTolerance * maxZ && lx[i] > relativeTolerance * maxX && lz[i] > 0 && lx[i] > 0)
            { px.Add(Math.Log(lz[i])); py.Add(Math.Log(lx[i])); }
        int n = px.Count;
        if (n < 2) return new PahFit(double.NaN, double.NaN, double.NaN, n);
        double mx = px.Average(), my = py.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            sxy += (px[i] - mx) * (py[i] - my); sxx += (px[i] - mx) * (px[i] - mx); syy += (py[i] - my) * (py[i] - my);
        }
        if (!(sxx > 0)) return new PahFit(double.NaN, double.NaN, double.NaN, n);
        double k = sxy / sxx;
        double r2 = syy > 0 ? sxy * sxy / (sxx * syy) : 1.0;
        return new PahFit(k, my - k * mx, r2, n);
    }
}
