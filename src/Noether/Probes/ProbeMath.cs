using MathNet.Numerics.LinearAlgebra;
using Noether.Tensors;

namespace Noether.Probes;

/// <summary>Small dense helpers shared by the weight-space probes (matrix products and conversions).</summary>
internal static class ProbeMath
{
    /// <summary>op(A)·op(B) as a new tensor, with shape checks naming <paramref name="op"/>.</summary>
    public static Tensor<double> MatMul(string op, Tensor<double> a, bool transA, Tensor<double> b, bool transB, Tensor<double>? into = null)
    {
        Shapes.Require(a.Rank == 2, op, "a matrix", a.Shape);
        Shapes.Require(b.Rank == 2, op, "a matrix", b.Shape);
        int m = transA ? a.Shape[1] : a.Shape[0];
        int k = transA ? a.Shape[0] : a.Shape[1];
        int kb = transB ? b.Shape[1] : b.Shape[0];
        int n = transB ? b.Shape[0] : b.Shape[1];
        if (k != kb)
            throw new ShapeMismatchException($"{op}: inner dimensions of {(transA ? "transposed " : "")}{Tensor<double>.ShapeText(a.Shape)} and {(transB ? "transposed " : "")}{Tensor<double>.ShapeText(b.Shape)} differ");
        var c = into ?? new Tensor<double>(m, n);
        if (c.Rank != 2 || c.Shape[0] != m || c.Shape[1] != n) Shapes.Fail(op + " (destination)", $"[{m},{n}]", c.Shape);
        Gemm.Multiply(transA, transB, m, n, k, a.ReadOnlySpan, b.ReadOnlySpan, c.Span);
        return c;
    }

    public static Matrix<double> ToMatrix(Tensor<double> t) => Matrix<double>.Build.DenseOfRowMajor(t.Shape[0], t.Shape[1], t.ToDoubles());

    public static Tensor<double> ToTensor(Matrix<double> m)
    {
        var t = new Tensor<double>(m.RowCount, m.ColumnCount);
        for (int i = 0; i < m.RowCount; i++)
            for (int j = 0; j < m.ColumnCount; j++) t[i, j] = m[i, j];
        return t;
    }

    /// <summary>Singular values, descending.</summary>
    public static double[] SingularValues(Tensor<double> w)
    {
        Shapes.Require(w.Rank == 2, "SingularValues", "a matrix", w.Shape);
        return ToMatrix(w).Svd(computeVectors: false).S.ToArray();
    }

    public static void RequireMatrix(string op, Tensor<double> t, string expected)
        => Shapes.Require(t.Rank == 2, op, expected, t.Shape);
}
