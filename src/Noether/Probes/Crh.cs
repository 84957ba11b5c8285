using Noether.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Noether.Probes;

/// <summary>The six CRH matrices of a layer h_b = W h_a (docs/experiments/crh.md#claim).</summary>
/// <param name="Ha">E[h_a h_aᵀ] (n_a×n_a).</param>
/// <param name="Ga">E[g_a g_aᵀ] with g_a = Wᵀg_b.</param>
/// <param name="Za">WᵀW.</param>
/// <param name="Hb">E[h_b h_bᵀ] (n_b×n_b) with h_b = W h_a.</param>
/// <param name="Gb">E[g_b g_bᵀ].</param>
/// <param name="Zb">WWᵀ.</param>
public sealed record CrhMatrices(Tensor<double> Ha, Tensor<double> Ga, Tensor<double> Za, Tensor<double> Hb, Tensor<double> Gb, Tensor<double> Zb);

/// <summary>The six CRH alignments α (entrywise Pearson), input side a and output side b.</summary>
public sealed record CrhAlignments(double ARG, double ARW, double AGW, double BRG, double BRW, double BGW)
{
    /// <summary>Mean of the six α's (docs/experiments/crh.md#fmean-alignment).</summary>
    public double Mean => (ARG + ARW + AGW + BRG + BRW + BGW) / 6.0;
}

/// <summary>
/// Canonical Representation Hypothesis probes (Ziyin et al., docs/experiments/crh.md): representations H,
/// gradients G and weights Z of a layer align (H ∝ G ∝ Z on each side) where gradient noise balances
/// weight decay. Inputs are a batch of layer inputs h_a [B×n_a], output gradients g_b = ∂ℓ/∂h_b [B×n_b]
/// and the weight W [n_b×n_a].
/// </summary>
public static class Crh
{
    /// <summary>
    /// Builds H_a, G_a, Z_a, H_b, G_b, Z_b. With <paramref name="normalizeAndCentre"/> (the paper's
    /// experiments, docs/experiments/crh.md#the-alignment-measure), every per-sample h and g is divided by its norm and then mean-subtracted over
    /// the batch, so H and G are covariances of unit vectors.
    /// </summary>
    public static CrhMatrices Matrices(Tensor<double> ha, Tensor<double> gb, Tensor<double> w, bool normalizeAndCentre = true)
    {
        const string op = "Crh.Matrices";
        var (b, na) = FeatureMatrix.Dims(op, ha);
        var (b2, nb) = FeatureMatrix.Dims(op, gb);
        ProbeMath.RequireMatrix(op, w, "W as [n_b,n_a]");
        if (b != b2 || w.Shape[0] != nb || w.Shape[1] != na)
            throw new ShapeMismatchException($"{op}: h_a {Tensor<double>.ShapeText(ha.Shape)}, g_b {Tensor<double>.ShapeText(gb.Shape)} and W {Tensor<double>.ShapeText(w.Shape)} do not fit h_b = W·h_a on one batch");
        var hb = ProbeMath.MatMul(op, ha, false, w, true);   // rows h_b,nᵀ = h_a,nᵀ Wᵀ
        var ga = ProbeMath.MatMul(op, gb, false, w, false);  // rows g_a,nᵀ = g_b,nᵀ W
        return new CrhMatrices(
            SecondMoment(ha.Clone(), normalizeAndCentre), SecondMoment(ga, normalizeAndCentre), ProbeMath.MatMul(op, w, true, w, false),
            SecondMoment(hb, normalizeAndCentre), SecondMoment(gb.Clone(), normalizeAndCentre), ProbeMath.MatMul(op, w, false, w, true));
    }

    /// <summary>The six alignments α(H_a,G_a), α(H_a,Z_a), α(G_a,Z_a), α(H_b,G_b), α(H_b,Z_b), α(G_b,Z_b).</summary>
    public static CrhAlignments Alignments(CrhMatrices m) => new(
        MatrixAlignment.PearsonAlpha(m.Ha, m.Ga), MatrixAlignment.PearsonAlpha(m.Ha, m.Za), MatrixAlignment.PearsonAlpha(m.Ga, m.Za),
        MatrixAlignment.PearsonAlpha(m.Hb, m.Gb), MatrixAlignment.PearsonAlpha(m.Hb, m.Zb), MatrixAlignment.PearsonAlpha(m.Gb, m.Zb));

    /// <summary>
    /// The orthogonal null of each alignment (docs/experiments/crh.md#the-alignment-measure): mean α(X, QYQᵀ) over Haar Q for the same six pairs,
    /// to report next to every α.
    /// </summary>
    public static CrhAlignments NullAlignments(CrhMatrices m, int samples, Rng rng)
    {
        double N(Tensor<double> x, Tensor<double> y, string name) => MatrixAlignment.OrthogonalNull(x, y, samples, rng.Child(name)).Mean;
        return new CrhAlignments(N(m.Ha, m.Ga, "a-RG"), N(m.Ha, m.Za, "a-RW"), N(m.Ga, m.Za, "a-GW"),
                                 N(m.Hb, m.Gb, "b-RG"), N(m.Hb, m.Zb, "b-RW"), N(m.Gb, m.Zb, "b-GW"));
    }

    /// <summary>(1/B)·XᵀX after the optional per-row normalisation and batch centring (X is modified).</summary>
    private static Tensor<double> SecondMoment(Tensor<double> x, bool normalizeAndCentre)
    {
        int b = x.Shape[0], d = x.Shape[1];
        if (normalizeAndCentre)
        {
            FeatureMatrix.NormalizeRows(x.Span, b, d);
            FeatureMatrix.CenterColumns(x.ReadOnlySpan, b, d, x.Span);
        }
        var m = ProbeMath.MatMul("Crh.SecondMoment", x, true, x, false);
        if (b > 0) TensorPrimitives.Multiply(m.Span, 1.0 / b, m.Span);
        return m;
    }
}
