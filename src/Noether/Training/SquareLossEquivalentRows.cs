using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using Noether.Tensors;

namespace Noether.Training;

/// <summary>
/// A smaller stand-in for the training set of a model that is linear in its input, for sharpness probes
/// (<see cref="MemberLossGradient"/>, docs/experiments/noise-equilibrium.md#h-d-setting-warmup): d rows per member whose half-MSE has
/// exactly the gradient and Hessian of the N training rows, so every gradient a probe evaluates costs d/N as much.
/// </summary>
public static class SquareLossEquivalentRows
{
    /// <summary>
    /// A model f = A(θ)x enters the loss only through XᵀX and XᵀY: with the thin QR X = QR,
    /// (1/2N)‖XAᵀ − Y‖² = (1/2d)‖X'Aᵀ − Y'‖² + const for X' = √(d/N)·R and Y' = √(d/N)·QᵀY.
    /// Needs per-member data with N ≥ d rows.
    /// </summary>
    public static TrainingData<double> Of(TrainingData<double> data)
    {
        if (!data.PerMember) throw new ArgumentException("SquareLossEquivalentRows.Of: needs per-member data");
        int members = data.Members, n = data.Count, d = data.InputWidth, o = data.TargetWidth;
        var x = new Tensor<double>(members, d, d);
        var y = new Tensor<double>(members, d, o);
        double scale = Math.Sqrt((double)d / n);
        for (int m = 0; m < members; m++)
        {
            var xm = Matrix<double>.Build.DenseOfRowMajor(n, d, data.MemberInputs(m).ToArray());
            var ym = Matrix<double>.Build.DenseOfRowMajor(n, o, data.MemberTargets(m).ToArray());
            var qr = xm.QR(QRMethod.Thin);
            var r = qr.R * scale;
            var qty = qr.Q.TransposeThisAndMultiply(ym) * scale;
            var xs = x.SliceSpan(m); var ys = y.SliceSpan(m);
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < d; j++) xs[i * d + j] = r[i, j];
                for (int k = 0; k < o; k++) ys[i * o + k] = qty[i, k];
            }
        }
        return new TrainingData<double>(x, y, perMember: true);
    }
}
