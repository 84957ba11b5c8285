using Noether.Tensors;

namespace Noether.Data;

/// <summary>
/// The label rule of the redundancy/uniqueness generator (Tjandrasuwita et al., arXiv 2502.16282;
/// docs/experiments/multimodal-alignment.md#generator): for a relevant bit vector v ∈ {0,1}^F,
/// q(y|v) = softmax(vᵀW / T) over C classes, with W_ij ~ U(0,1) and each row of W scaled to unit
/// L2 norm, then balanced by iterative proportional scaling until every class marginal p(y) (over
/// uniform v) is within a tolerance of 1/C. The table depends only on W, never on which latent bits
/// make up v, which is why I(X1,X2;Y) is the same at every redundancy level.
/// </summary>
public sealed class RedundancyLabelRule
{
    private RedundancyLabelRule(int bits, int classes, double temperature, double[] weights, double[] conditional, double[] marginal, int balanceSteps)
    {
        Bits = bits; Classes = classes; Temperature = temperature; Weights = weights;
        Conditional = conditional; Marginal = marginal; BalanceSteps = balanceSteps;
    }

    /// <summary>Number of label-relevant bits F (the length of v).</summary>
    public int Bits { get; }
    public int Classes { get; }
    /// <summary>Softmax temperature T (0.05 in the paper: labels nearly deterministic in v).</summary>
    public double Temperature { get; }
    /// <summary>W, F×C row-major, rows of unit L2 norm.</summary>
    public double[] Weights { get; }
    /// <summary>q(y|v) after balancing, 2^F × C row-major; row index v = Σ_k v_k·2^k.</summary>
    public double[] Conditional { get; }
    /// <summary>p(y) = 2^−F Σ_v q(y|v) after balancing.</summary>
    public double[] Marginal { get; }
    /// <summary>Rescaling rounds the balancing needed (0 if the softmax table was already balanced).</summary>
    public int BalanceSteps { get; }

    /// <summary>
    /// Draws W from <paramref name="weights"/> and builds the balanced table q(y|v) (docs/experiments/multimodal-alignment.md#generator): rescale
    /// q(y|v) ← q(y|v)·(1/C)/p(y) and renormalise over y until max_y |p(y) − 1/C| ≤ <paramref name="tolerance"/>,
    /// for at most <paramref name="maxSteps"/> rounds.
    /// </summary>
    public static RedundancyLabelRule Create(int bits, int classes, double temperature, Rng weights,
        double tolerance = 0.01, int maxSteps = 100)
    {
        if (bits < 1 || bits > 20) throw new ArgumentOutOfRangeException(nameof(bits), $"label-relevant bits must be in 1..20, got {bits}");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), $"need at least 2 classes, got {classes}");
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), $"temperature must be positive, got {temperature}");
        var w = new double[bits * classes];
        for (int i = 0; i < w.Length; i++) w[i] = weights.NextDouble();
        for (int i = 0; i < bits; i++)
        {
            var row = w.AsSpan(i * classes, classes);
            double norm = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares<double>(row));
            for (int j = 0; j < classes; j++) row[j] /= norm;
        }

        int patterns = 1 << bits;
        var q = new double[patterns * classes];
        var logits = new double[classes];
        for (int v = 0; v < patterns; v++)
        {
            for (int j = 0; j < classes; j++)
            {
                double s = 0;
                for (int k = 0; k < bits; k++) if ((v >> k & 1) != 0) s += w[k * classes + j];
                logits[j] = s / temperature;
            }
            SoftmaxInto(logits, q.AsSpan(v * classes, classes));
        }

        var p = MarginalOf(q, patterns, classes);
        int steps = 0;
        double target = 1.0 / classes;
        while (steps < maxSteps && p.Max(x => Math.Abs(x - target)) > tolerance)
        {
            for (int v = 0; v < patterns; v++)
            {
                var row = q.AsSpan(v * classes, classes);
                double z = 0;
                for (int j = 0; j < classes; j++) { row[j] *= target / p[j]; z += row[j]; }
                for (int j = 0; j < classes; j++) row[j] /= z;
            }
            p = MarginalOf(q, patterns, classes);
            steps++;
        }
        return new RedundancyLabelRule(bits, classes, temperature, w, q, p, steps);
    }

    /// <summary>q(·|v) for the bit pattern index v.</summary>
    public ReadOnlySpan<double> Given(int v) => Conditional.AsSpan(v * Classes, Classes);

    /// <summary>Draws y ~ q(·|v) with one uniform deviate.</summary>
    public int SampleLabel(int v, Rng rng)
    {
        double u = rng.NextDouble(), c = 0;
        var row = Given(v);
        for (int j = 0; j < Classes - 1; j++)
        {
            c += row[j];
            if (u < c) return j;
        }
        return Classes - 1;
    }

    private static double[] MarginalOf(double[] q, int patterns, int classes)
    {
        var p = new double[classes];
        for (int v = 0; v < patterns; v++)
            for (int j = 0; j < classes; j++) p[j] += q[v * classes + j];
        for (int j = 0; j < classes; j++) p[j] /= patterns;
        return p;
    }

    private static void SoftmaxInto(ReadOnlySpan<double> logits, Span<double> dst)
    {
        double max = double.NegativeInfinity;
        foreach (var l in logits) max = Math.Max(max, l);
        double z = 0;
        for (int j = 0; j < logits.Length; j++) { dst[j] = Math.Exp(logits[j] - max); z += dst[j]; }
        for (int j = 0; j < logits.Length; j++) dst[j] /= z;
    }
}
