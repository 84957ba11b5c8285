using MathNet.Numerics.LinearAlgebra;
using Noether.Tensors;

namespace Noether.Tests.Probes;

/// <summary>Random matrices for probe tests, all drawn from the project's seeded <see cref="Rng"/>.</summary>
internal static class ProbeTestData
{
    public static Tensor<double> Gaussian(Rng rng, int n, int d)
    {
        var t = new Tensor<double>(n, d);
        rng.FillNormal(t.Span, 0, 1);
        return t;
    }

    public static Matrix<double> ToMatrix(Tensor<double> t) => Matrix<double>.Build.DenseOfRowMajor(t.Shape[0], t.Shape[1], t.ToDoubles());

    public static Tensor<double> ToTensor(Matrix<double> m)
    {
        var t = new Tensor<double>(m.RowCount, m.ColumnCount);
        for (int i = 0; i < m.RowCount; i++)
            for (int j = 0; j < m.ColumnCount; j++) t[i, j] = m[i, j];
        return t;
    }

    /// <summary>Haar-random orthogonal d×d matrix: QR of a Gaussian matrix with the signs of R's diagonal fixed.</summary>
    public static Matrix<double> Orthogonal(Rng rng, int d)
    {
        var g = ToMatrix(Gaussian(rng, d, d));
        var qr = g.QR();
        var q = qr.Q.Clone();
        for (int j = 0; j < d; j++)
            if (qr.R[j, j] < 0) q.SetColumn(j, -q.Column(j));
        return q;
    }

    public static Tensor<double> Times(Tensor<double> a, Matrix<double> m) => ToTensor(ToMatrix(a) * m);
}
