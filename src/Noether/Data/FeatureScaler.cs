using Noether.Tensors;

namespace Noether.Data;

/// <summary>
/// A per-feature affine map x' = (x − shift) / scale, fitted on a training set and then applied
/// unchanged to validation and test sets, so no statistic ever comes from held-out data.
/// Build one with <see cref="UnitRange"/> (scale to [0, 1]) or <see cref="Standardize"/> (zero mean, unit variance).
/// </summary>
public sealed class FeatureScaler
{
    /// <summary>Value subtracted from each feature.</summary>
    public double[] Shift { get; }

    /// <summary>Divisor of each feature after the shift (never zero).</summary>
    public double[] Scale { get; }

    /// <summary>What the scaler does, e.g. "standardise (fit on fashion-mnist/train)"; recorded in run configs.</summary>
    public string Description { get; }

    private readonly ValueRange? _outputRange;

    public FeatureScaler(double[] shift, double[] scale, string description, ValueRange? outputRange = null)
    {
        if (shift.Length != scale.Length)
            throw new ArgumentException($"FeatureScaler: {shift.Length} shifts but {scale.Length} scales");
        for (int j = 0; j < scale.Length; j++)
            if (!(scale[j] != 0 && double.IsFinite(scale[j])) || !double.IsFinite(shift[j]))
                throw new ArgumentException($"FeatureScaler: feature {j} has shift {shift[j]} and scale {scale[j]}, expected finite values and a non-zero scale");
        Shift = shift; Scale = scale; Description = description; _outputRange = outputRange;
    }

    /// <summary>
    /// Maps the value range to [0, 1]. Uses the range the source format declares (<see cref="Dataset.RawRange"/>:
    /// pixels 0..255 → /255) when there is one, otherwise the minimum and maximum over all features of
    /// <paramref name="train"/> (one range for all features, so images keep their relative contrast).
    /// </summary>
    public static FeatureScaler UnitRange(Dataset train)
    {
        double lo, hi;
        string how;
        if (train.RawRange is { } r) { lo = r.Min; hi = r.Max; how = $"format range {r}"; }
        else
        {
            var s = train.Features.ReadOnlySpan;
            if (s.Length == 0)
                throw new DataException($"{train.Name}: no values to fit a [0, 1] scaling on, expected a non-empty training set");
            lo = double.PositiveInfinity; hi = double.NegativeInfinity;
            foreach (double v in s) { if (v < lo) lo = v; if (v > hi) hi = v; }
            how = $"min/max of {train.Name}";
        }
        double scale = hi > lo ? hi - lo : 1.0;
        int d = train.FeatureCount;
        // Only a format range guarantees [0, 1] for held-out sets too; a fitted range may be exceeded there.
        ValueRange? output = train.RawRange is null ? null : new ValueRange(0, 1);
        return new FeatureScaler(Filled(d, lo), Filled(d, scale), $"scale to [0, 1] by {how}", output);
    }

    /// <summary>
    /// Standardises each feature to zero mean and unit (population) variance over <paramref name="train"/>.
    /// A feature whose standard deviation is below <paramref name="minStd"/> (e.g. an always-black border
    /// pixel) is only centred, not divided, so it stays finite.
    /// </summary>
    public static FeatureScaler Standardize(Dataset train, double minStd = 1e-8)
    {
        int n = train.Count, d = train.FeatureCount;
        if (n == 0)
            throw new DataException($"{train.Name}: no examples to fit standardisation on, expected a non-empty training set");
        var mean = new double[d];
        var m2 = new double[d];
        // Welford's update per feature, row by row: stable for 60 000 rows of values up to 255.
        for (int i = 0; i < n; i++)
        {
            var row = train.Features.SliceSpan(i);
            for (int j = 0; j < d; j++)
            {
                double delta = row[j] - mean[j];
                mean[j] += delta / (i + 1);
                m2[j] += delta * (row[j] - mean[j]);
            }
        }
        var std = new double[d];
        for (int j = 0; j < d; j++)
        {
            double s = Math.Sqrt(m2[j] / n);
            std[j] = s >= minStd ? s : 1.0;
        }
        return new FeatureScaler(mean, std, $"standardise (mean and std of {train.Name})");
    }

    /// <summary>The scaled copy of <paramref name="data"/>; its feature count must match the fitted one.</summary>
    public Dataset Apply(Dataset data)
    {
        int d = Shift.Length;
        if (data.FeatureCount != d)
            throw new DataException($"{data.Name}: {data.FeatureCount} features, expected {d} as in the set the scaler was fitted on ({Description})");
        var f = new Tensor<double>(data.Count, d);
        for (int i = 0; i < data.Count; i++)
        {
            var src = data.Features.SliceSpan(i);
            var dst = f.SliceSpan(i);
            for (int j = 0; j < d; j++) dst[j] = (src[j] - Shift[j]) / Scale[j];
        }
        return data.WithFeatures(f, _outputRange);
    }

    private static double[] Filled(int n, double v)
    {
        var a = new double[n];
        Array.Fill(a, v);
        return a;
    }
}
