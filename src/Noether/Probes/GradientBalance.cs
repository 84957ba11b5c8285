using Noether.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Noether.Probes;

/// <summary>Per-neuron gradient balance: the median |log ratio| and every active neuron's log ratio.</summary>
/// <param name="MedianAbsLogRatio">median over active neurons of |log(E‖∂ℓ/∂w_i‖² / E‖∂ℓ/∂u_i‖²)|.</param>
/// <param name="LogRatios">log ratio per neuron (NaN for neurons without gradient on either side).</param>
/// <param name="ActiveNeurons">neurons with non-zero gradient energy on both sides.</param>
public sealed record NeuronBalanceResult(double MedianAbsLogRatio, double[] LogRatios, int ActiveNeurons);

/// <summary>
/// Gradient balance ("equipartition", docs/experiments/entropic-balance.md#claim, docs/experiments/noise-equilibrium.md#h-a-setting-balance): at the entropic fixed point
/// E_B[g_Bᵀ A g_B] = 0 for each rescaling generator A, i.e. the two sides of the symmetry carry equal
/// per-sample gradient energy. Inputs are per-sample layer inputs h_a [B×in] and per-sample output
/// gradients g_b = ∂ℓ/∂h_b [B×out]; the per-sample weight gradient g_b h_aᵀ is never formed because
/// ‖g_b h_aᵀ‖_F² = ‖g_b‖²‖h_a‖².
/// </summary>
public static class GradientBalance
{
    /// <summary>‖∇_W ℓ_n‖_F² = ‖g_b,n‖²·‖h_a,n‖² for every sample n of a linear layer h_b = W h_a.</summary>
    public static double[] PerSampleSquaredNorms(Tensor<double> ha, Tensor<double> gb)
    {
        var (b, din) = FeatureMatrix.Dims("GradientBalance.PerSampleSquaredNorms", ha);
        var (b2, dout) = FeatureMatrix.Dims("GradientBalance.PerSampleSquaredNorms", gb);
        if (b != b2) throw new ShapeMismatchException($"GradientBalance.PerSampleSquaredNorms: h_a {Tensor<double>.ShapeText(ha.Shape)} and g_b {Tensor<double>.ShapeText(gb.Shape)} have different batch sizes");
        var r = new double[b];
        for (int n = 0; n < b; n++)
            r[n] = TensorPrimitives.SumOfSquares(ha.ReadOnlySpan.Slice(n * din, din)) * TensorPrimitives.SumOfSquares(gb.ReadOnlySpan.Slice(n * dout, dout));
        return r;
    }

    /// <summary>Layer gradient-balance ratio ρ = E‖g_W‖² / E‖g_U‖² from per-sample squared gradient norms (docs/experiments/noise-equilibrium.md#h-a-setting-balance); 1 at balance.</summary>
    public static double LayerBalanceRatio(ReadOnlySpan<double> perSampleSquaredNormsW, ReadOnlySpan<double> perSampleSquaredNormsU)
    {
        if (perSampleSquaredNormsW.Length == 0 || perSampleSquaredNormsU.Length == 0)
            throw new ArgumentException("GradientBalance.LayerBalanceRatio: need at least one sample on each side");
        double w = TensorPrimitives.Sum(perSampleSquaredNormsW) / perSampleSquaredNormsW.Length;
        double u = TensorPrimitives.Sum(perSampleSquaredNormsU) / perSampleSquaredNormsU.Length;
        return w / u;
    }

    /// <summary>
    /// Neuron balance of a hidden layer (docs/experiments/entropic-balance.md#d-b-setting-neuron-balance): for hidden neuron i with incoming weights
    /// w_i (row i of W1) and outgoing weights u_i (column i of W2), E‖∂ℓ/∂w_i‖² = E[g1_{n,i}²‖x_n‖²] and
    /// E‖∂ℓ/∂u_i‖² = E[h_{n,i}²‖g2_n‖²]; returns the median over active neurons of |log ratio|.
    /// </summary>
    /// <param name="x">inputs of the first layer [B×in].</param>
    /// <param name="g1">∂ℓ/∂(first-layer pre-activation) [B×hidden].</param>
    /// <param name="h">hidden activations fed to the second layer [B×hidden].</param>
    /// <param name="g2">∂ℓ/∂(second-layer pre-activation) [B×out].</param>
    public static NeuronBalanceResult NeuronBalance(Tensor<double> x, Tensor<double> g1, Tensor<double> h, Tensor<double> g2)
    {
        const string op = "GradientBalance.NeuronBalance";
        var (b, din) = FeatureMatrix.Dims(op, x);
        var (bg, hidden) = FeatureMatrix.Dims(op, g1);
        var (bh, hidden2) = FeatureMatrix.Dims(op, h);
        var (bo, dout) = FeatureMatrix.Dims(op, g2);
        if (bg != b || bh != b || bo != b || hidden2 != hidden)
            throw new ShapeMismatchException($"{op}: x {Tensor<double>.ShapeText(x.Shape)}, g1 {Tensor<double>.ShapeText(g1.Shape)}, h {Tensor<double>.ShapeText(h.Shape)}, g2 {Tensor<double>.ShapeText(g2.Shape)} must share the batch size, and g1 and h the hidden width");
        var win = new double[hidden];
        var wout = new double[hidden];
        for (int n = 0; n < b; n++)
        {
            double xx = TensorPrimitives.SumOfSquares(x.ReadOnlySpan.Slice(n * din, din));
            double gg = TensorPrimitives.SumOfSquares(g2.ReadOnlySpan.Slice(n * dout, dout));
            for (int i = 0; i < hidden; i++)
            {
                double a = g1[n, i], c = h[n, i];
                win[i] += a * a * xx;
                wout[i] += c * c * gg;
            }
        }
        var logs = new double[hidden];
        var active = new List<double>();
        for (int i = 0; i < hidden; i++)
        {
            if (win[i] > 0 && wout[i] > 0) { logs[i] = Math.Log(win[i] / wout[i]); active.Add(Math.Abs(logs[i])); }
            else logs[i] = double.NaN;
        }
        return new NeuronBalanceResult(Median(active), logs, active.Count);
    }

    /// <summary>
    /// Relative imbalance of a two-layer linear net f = UWx (docs/experiments/noise-equilibrium.md#h-a-setting-balance):
    /// ‖d·UᵀU − o·WWᵀ‖_F / (‖d·UᵀU‖_F + ‖o·WWᵀ‖_F) with W h×d, U o×h; 0 at the isotropic noise equilibrium.
    /// </summary>
    public static double TwoLayerImbalance(Tensor<double> w, Tensor<double> u)
    {
        const string op = "GradientBalance.TwoLayerImbalance";
        var utu = ProbeMath.MatMul(op, u, true, u, false);
        var wwt = ProbeMath.MatMul(op, w, false, w, true);
        Shapes.RequireSameShape(op, utu, wwt);
        double d = w.Shape[1], o = u.Shape[0];
        double diff = 0, nu = 0, nw = 0;
        for (int i = 0; i < utu.Length; i++)
        {
            double a = d * utu[i], c = o * wwt[i];
            diff += (a - c) * (a - c); nu += a * a; nw += c * c;
        }
        double den = Math.Sqrt(nu) + Math.Sqrt(nw);
        return Normalised.Quotient(Math.Sqrt(diff), den);
    }

    private static double Median(List<double> v)
    {
        if (v.Count == 0) return double.NaN;
        v.Sort();
        int m = v.Count / 2;
        return v.Count % 2 == 1 ? v[m] : 0.5 * (v[m - 1] + v[m]);
    }
}
