using System.Globalization;
using System.Text;
using System.Text.Json;
using Noether.Runs;
using Noether.Tensors;

namespace Noether.Probes;

/// <summary>A user error in probe input (file, shape, option); the message is one line naming the file or option and the problem.</summary>
public sealed class ProbeInputException(string message, Exception? inner = null) : ArgumentException(message, inner);

/// <summary>Options of <see cref="MetricCommand.Run"/> (the flags of `noether metric`).</summary>
/// <param name="K">neighbours for mknn and cknna.</param>
/// <param name="Clip">PRH outlier-clipping quantile for mknn (e.g. 0.95), or null for none.</param>
/// <param name="NullPermutations">row permutations for the null (0 = no null).</param>
/// <param name="Seed">seed of the permutation stream.</param>
/// <param name="SvccaDims">singular directions kept per side by svcca.</param>
/// <param name="RbfThreshold">θ of cka-rbf (bandwidth relative to the median distance).</param>
public sealed record MetricOptions(int K = 10, double? Clip = null, int NullPermutations = 0, ulong Seed = 0,
    int SvccaDims = 10, double RbfThreshold = 1.0);

/// <summary>The result of one metric on two feature files.</summary>
public sealed record MetricResult(string Metric, double Value, int N, int DA, int DB, MetricOptions Options, NullStats? Null)
{
    /// <summary>One JSON object: {"metric": ..., "value": ..., "n": ..., "d_a": ..., "d_b": ..., [k, clip], [null_*]}.</summary>
    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("metric", Metric);
            Number(w, "value", Value);
            w.WriteNumber("n", N);
            w.WriteNumber("d_a", DA);
            w.WriteNumber("d_b", DB);
            if (Metric is "mknn" or "cknna") w.WriteNumber("k", Options.K);
            if (Metric == "mknn")
            {
                if (Options.Clip is double c) w.WriteNumber("clip", c); else w.WriteNull("clip");
                Number(w, "chance", MutualKnn.Chance(N, Options.K));
            }
            if (Metric == "svcca") w.WriteNumber("dims", Options.SvccaDims);
            if (Metric == "cka-rbf") w.WriteNumber("threshold", Options.RbfThreshold);
            if (Null is { } s)
            {
                w.WriteNumber("permutations", s.Permutations);
                w.WriteNumber("seed", Options.Seed);
                Number(w, "null_mean", s.NullMean);
                Number(w, "null_sd", s.NullSd);
                Number(w, "z", s.Z);
                Number(w, "p", s.P);
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>JSON has no NaN/∞: those are written as null.</summary>
    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v); else w.WriteNull(name);
    }

    public override string ToString() => Null is { } s
        ? string.Create(CultureInfo.InvariantCulture, $"{Metric} = {Value:G6}  (null {s.NullMean:G4} ± {s.NullSd:G4}, z = {s.Z:G4}, p = {s.P:G4}, {s.Permutations} permutations)")
        : string.Create(CultureInfo.InvariantCulture, $"{Metric} = {Value:G6}");
}

/// <summary>
/// Library entry point of `noether metric &lt;name&gt; A.npy B.npy`: reads two n×d feature matrices
/// (float32/float64 .npy, same n, one row per input) and computes one representation metric.
/// </summary>
public static class MetricCommand
{
    /// <summary>The metric names accepted by <see cref="Run"/>.</summary>
    public static readonly IReadOnlyList<string> Names = ["cka", "cka-unbiased", "cka-rbf", "mknn", "cknna", "svcca", "cca"];

    /// <summary>
    /// Computes metric <paramref name="name"/> on the features in <paramref name="pathA"/> and <paramref name="pathB"/>.
    /// Defaults: cka = biased linear CKA of the column-centred raw features; cka-unbiased = Song's unbiased
    /// HSIC on the linear kernels of the raw features; cka-rbf = RBF CKA, bandwidth θ·median distance;
    /// mknn = mutual k-NN on cosine similarity (rows L2-normalised), self excluded, no clipping unless
    /// <see cref="MetricOptions.Clip"/>; cknna on L2-normalised rows; svcca = PRH variant (top-10 directions
    /// after z-scoring); cca = mean canonical correlation of the full column spaces.
    /// </summary>
    /// <exception cref="ProbeInputException">unknown name, unreadable or malformed file, non-2-D array, mismatched n, invalid option.</exception>
    public static MetricResult Run(string name, string pathA, string pathB, MetricOptions options)
    {
        var metric = Resolve(name, options);
        var a = Load(pathA);
        var b = Load(pathB);
        if (a.Shape[0] != b.Shape[0])
            throw new ProbeInputException($"{pathB}: has {b.Shape[0]} rows but {pathA} has {a.Shape[0]}; A and B must hold the same n inputs in the same order");
        int n = a.Shape[0];
        Validate(name, options, n, pathA);
        try
        {
            double value = metric(a, b);
            NullStats? nul = options.NullPermutations > 0
                ? PermutationNull.RowPermutationNull(a, b, metric, options.NullPermutations, new Rng(options.Seed).Child("metric-null"))
                : null;
            return new MetricResult(name, value, n, a.Shape[1], b.Shape[1], options, nul);
        }
        catch (ArgumentException e) when (e is not ProbeInputException)
        {
            throw new ProbeInputException($"{pathA}, {pathB}: {e.Message.Split('\n')[0]}", e);
        }
    }

    /// <summary>The metric function for a name, with the command's defaults bound.</summary>
    public static Func<Tensor<double>, Tensor<double>, double> Resolve(string name, MetricOptions options) => name switch
    {
        "cka" => Cka.LinearCka,
        "cka-unbiased" => (x, y) => UnbiasedCka.UnbiasedLinearCka(x, y),
        "cka-rbf" => (x, y) => RbfCka.RbfCkaMedian(x, y, options.RbfThreshold),
        "mknn" => (x, y) => MutualKnn.MutualKnnAlignment(x, y, options.K, normalizeRows: true, clipQuantile: options.Clip),
        "cknna" => (x, y) => Cknna.CknnaAlignment(x, y, options.K),
        "svcca" => (x, y) => Cca.SvccaTopK(x, y, options.SvccaDims),
        "cca" => Cca.CcaMeanCorrelation,
        _ => throw new ProbeInputException($"unknown metric '{name}'; expected one of {string.Join(", ", Names)}"),
    };

    private static void Validate(string name, MetricOptions o, int n, string pathA)
    {
        if (name is "mknn" or "cknna" && (o.K < (name == "cknna" ? 2 : 1) || o.K > n - 1))
            throw new ProbeInputException($"--k {o.K} is out of range for n = {n} inputs in {pathA}; expected {(name == "cknna" ? 2 : 1)} ≤ k ≤ {n - 1}");
        if (o.Clip is double c && !(c > 0 && c <= 1))
            throw new ProbeInputException($"--clip {c.ToString(CultureInfo.InvariantCulture)} is out of range; expected a quantile in (0, 1], e.g. 0.95");
        if (o.NullPermutations < 0)
            throw new ProbeInputException($"--null {o.NullPermutations} is negative; expected a number of permutations ≥ 0");
        if (name is "cka-unbiased" or "cknna" && n < 4)
            throw new ProbeInputException($"{pathA}: {name} needs at least 4 inputs (rows), found {n}");
        if (name == "svcca" && o.SvccaDims < 1)
            throw new ProbeInputException($"svcca dims {o.SvccaDims} must be at least 1");
        if (name == "cka-rbf" && !(o.RbfThreshold > 0))
            throw new ProbeInputException($"RBF threshold {o.RbfThreshold.ToString(CultureInfo.InvariantCulture)} must be positive");
    }

    /// <summary>An .npy file, an .npz archive with one array, or "archive.npz:NAME" for a named array of an archive.</summary>
    private static Tensor<double> ReadArray(string path)
    {
        int colon = path.LastIndexOf(':');
        if (!File.Exists(path) && colon > 0 && path[..colon].EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
            return Npz.Read<double>(path[..colon], path[(colon + 1)..]);
        var head = new byte[4];
        if (File.Exists(path))
            using (var s = File.OpenRead(path)) head = head[..s.ReadAtLeast(head, 4, throwOnEndOfStream: false)];
        return Npz.IsZip(head) ? Npz.Read<double>(path, null) : Npy.ReadDouble(path);
    }

    private static Tensor<double> Load(string path)
    {
        Tensor<double> t;
        try { t = ReadArray(path); }
        catch (NpyFormatException e) { throw new ProbeInputException(e.Message, e); }
        catch (IOException e) { throw new ProbeInputException($"{path}: cannot read: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new ProbeInputException($"{path}: cannot read: {e.Message}", e); }
        if (t.Rank != 2)
            throw new ProbeInputException($"{path}: array of shape {Tensor<double>.ShapeText(t.Shape)}, expected a 2-D n×d matrix (one row per input)");
        if (t.Shape[0] < 2 || t.Shape[1] < 1)
            throw new ProbeInputException($"{path}: array of shape {Tensor<double>.ShapeText(t.Shape)}, expected at least 2 rows and 1 column");
        foreach (var v in t.ReadOnlySpan)
            if (!double.IsFinite(v)) throw new ProbeInputException($"{path}: contains NaN or infinite values, expected finite features");
        return t;
    }
}
