using Noether.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Noether.Probes;

/// <summary>
/// Hebbian alignment (Koplow, Poggio, Ziyin; docs/experiments/hebbian.md#protocol): the cosine between a layer's learning
/// signal G (the update without its decay term; −∇_W L for SGD) and the batch Hebbian term
/// H = (1/N) Σ_n h_b,n h_a,nᵀ (post × preᵀ, h_b the pre-activation), both on the same batch and
/// weights. Average the per-step cosines over steps (<see cref="StepAverage"/>), never the signals.
/// </summary>
public static class HebbianAlignment
{
    /// <summary>
    /// H = (1/N)·h_bᵀh_a [out×in] from post [N×out] and pre [N×in] activity, written into <paramref name="into"/> when
    /// given (a per-step observer's buffer, so it allocates nothing).
    /// </summary>
    public static Tensor<double> HebbianTerm(Tensor<double> ha, Tensor<double> hb, Tensor<double>? into = null)
    {
        const string op = "HebbianAlignment.HebbianTerm";
        var (n, _) = FeatureMatrix.Dims(op, ha);
        var (n2, _) = FeatureMatrix.Dims(op, hb);
        if (n != n2) throw new ShapeMismatchException($"{op}: h_a {Tensor<double>.ShapeText(ha.Shape)} and h_b {Tensor<double>.ShapeText(hb.Shape)} have different batch sizes");
        var h = ProbeMath.MatMul(op, hb, true, ha, false, into);
        if (n > 0) TensorPrimitives.Multiply(h.Span, 1.0 / n, h.Span);
        return h;
    }

    /// <summary>Layer alignment A = cos(G, H) (docs/experiments/hebbian.md#protocol): +1 for a Hebbian update, −1 for anti-Hebbian (H formed in <paramref name="scratch"/> when given).</summary>
    public static double LayerAlignment(Tensor<double> learningSignal, Tensor<double> ha, Tensor<double> hb, Tensor<double>? scratch = null)
    {
        var h = HebbianTerm(ha, hb, scratch);
        Shapes.RequireSameShape("HebbianAlignment.LayerAlignment", learningSignal, h);
        return MatrixAlignment.FrobeniusCosine(learningSignal.ReadOnlySpan, h.ReadOnlySpan);
    }

    /// <summary>Per-neuron alignment: the row-wise cosine of G[i,:] with H[i,:] for each output neuron i (0 for a zero row).</summary>
    public static double[] NeuronAlignment(Tensor<double> learningSignal, Tensor<double> ha, Tensor<double> hb)
    {
        var h = HebbianTerm(ha, hb);
        Shapes.RequireSameShape("HebbianAlignment.NeuronAlignment", learningSignal, h);
        int o = h.Shape[0], i = h.Shape[1];
        var r = new double[o];
        for (int row = 0; row < o; row++)
            r[row] = MatrixAlignment.FrobeniusCosine(learningSignal.ReadOnlySpan.Slice(row * i, i), h.ReadOnlySpan.Slice(row * i, i));
        return r;
    }

    /// <summary>
    /// Weak-form stationarity check (docs/experiments/hebbian.md#a-e3stationarity): cos(ḡ, γW) with ḡ the running mean of the learning
    /// signal; → 1 at stationarity when γ &gt; 0 (the sign of γ sets the sign).
    /// </summary>
    public static double StationarityCosine(Tensor<double> meanLearningSignal, Tensor<double> w, double weightDecay)
    {
        Shapes.RequireSameShape("HebbianAlignment.StationarityCosine", meanLearningSignal, w);
        return Math.Sign(weightDecay) * MatrixAlignment.FrobeniusCosine(meanLearningSignal.ReadOnlySpan, w.ReadOnlySpan);
    }
}

/// <summary>Running mean (and count) of per-step scalar probe values, e.g. the Hebbian alignment over the last 20% of steps.</summary>
public sealed class StepAverage
{
    private double _sum;
    public int Count { get; private set; }
    public void Add(double value) { _sum += value; Count++; }
    public double Mean => Count == 0 ? double.NaN : _sum / Count;
    public void Reset() { _sum = 0; Count = 0; }
}

/// <summary>Running elementwise mean of a matrix over steps (the ḡ of the stationarity check); one buffer, no allocation per step.</summary>
public sealed class RunningMatrixMean
{
    public Tensor<double> Mean { get; }
    public int Count { get; private set; }
    public RunningMatrixMean(params int[] shape) => Mean = new Tensor<double>(shape);

    /// <summary>Mean ← Mean + (x − Mean)/(count+1).</summary>
    public void Add(Tensor<double> x)
    {
        Shapes.RequireSameShape("RunningMatrixMean.Add", Mean, x);
        Count++;
        var m = Mean.Span; var v = x.ReadOnlySpan;
        double inv = 1.0 / Count;
        for (int i = 0; i < m.Length; i++) m[i] += (v[i] - m[i]) * inv;
    }
}
