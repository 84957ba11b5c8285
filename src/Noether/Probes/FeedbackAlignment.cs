using Noether.Tensors;

namespace Noether.Probes;

/// <summary>
/// Forward/feedback alignment of a layer with feedback matrix B (docs/experiments/self-assembly.md#protocol): B = Wᵀ is backprop,
/// a fixed random B is feedback alignment, Kolen–Pollack drives B toward Wᵀ. W is out×in, B is in×out.
/// </summary>
public static class FeedbackAlignment
{
    /// <summary>cosT = cos(B, Wᵀ) (Frobenius).</summary>
    public static double TransposeCosine(Tensor<double> b, Tensor<double> w)
    {
        RequireTransposed("FeedbackAlignment.TransposeCosine", b, w);
        int o = w.Shape[0], i = w.Shape[1];
        double dot = 0, nb = 0, nw = 0;
        for (int r = 0; r < o; r++)
            for (int c = 0; c < i; c++)
            {
                double wv = w[r, c], bv = b[c, r];
                dot += wv * bv; nb += bv * bv; nw += wv * wv;
            }
        double den = Math.Sqrt(nb * nw);
        return Normalised.Quotient(dot, den);
    }

    /// <summary>Sign agreement: the fraction of entries with sign(B_ji) = sign(W_ij) (zeros count as their own sign); NaN when an entry is NaN.</summary>
    public static double SignAgreement(Tensor<double> b, Tensor<double> w)
    {
        RequireTransposed("FeedbackAlignment.SignAgreement", b, w);
        int o = w.Shape[0], i = w.Shape[1], agree = 0;
        for (int r = 0; r < o; r++)
            for (int c = 0; c < i; c++)
            {
                double wv = w[r, c], bv = b[c, r];
                if (double.IsNaN(wv) || double.IsNaN(bv)) return double.NaN;
                if (Math.Sign(wv) == Math.Sign(bv)) agree++;
            }
        return o * i == 0 ? 0.0 : agree / (double)(o * i);
    }

    /// <summary>Relative asymmetry ‖W − Bᵀ‖_F / (‖W‖_F + ‖B‖_F): 0 for B = Wᵀ.</summary>
    public static double RelativeAsymmetry(Tensor<double> b, Tensor<double> w)
    {
        RequireTransposed("FeedbackAlignment.RelativeAsymmetry", b, w);
        int o = w.Shape[0], i = w.Shape[1];
        double diff = 0, nb = 0, nw = 0;
        for (int r = 0; r < o; r++)
            for (int c = 0; c < i; c++)
            {
                double wv = w[r, c], bv = b[c, r];
                diff += (wv - bv) * (wv - bv); nb += bv * bv; nw += wv * wv;
            }
        double den = Math.Sqrt(nb) + Math.Sqrt(nw);
        return Normalised.Quotient(Math.Sqrt(diff), den);
    }

    private static void RequireTransposed(string op, Tensor<double> b, Tensor<double> w)
    {
        Shapes.Require(w.Rank == 2, op, "W as [out,in]", w.Shape);
        Shapes.Require(b.Rank == 2, op, "B as [in,out]", b.Shape);
        if (b.Shape[0] != w.Shape[1] || b.Shape[1] != w.Shape[0])
            throw new ShapeMismatchException($"{op}: B {Tensor<double>.ShapeText(b.Shape)} is not the shape of Wᵀ for W {Tensor<double>.ShapeText(w.Shape)}");
    }
}
