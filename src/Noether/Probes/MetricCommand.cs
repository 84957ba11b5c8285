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
/// <param name="Normalize">row preprocessing before the metric: "default" (each metric's own, see <see cref="MetricCommand.Defaults"/>), "none", "l2" (rows to unit norm) or "prh" (platonic-rep's pipeline: clip at the 0.95 quantile of |value|, then rows to unit norm).</param>
public sealed record MetricOptions(int K = 10, double? Clip = null, int NullPermutations = 0, ulong Seed = 0,
    int SvccaDims = 10, double RbfThreshold = 1.0, string Normalize = "default");

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
            w.WriteString("normalize", Options.Normalize == "default" ? MetricCommand.DefaultNormalization(Metric) : Options.Normalize);
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

/// <summary>Scores of every layer pair of two N×L×D stacks (rows: layers of A, columns: layers of B) and the best pair.</summary>
public sealed record LayerScores(string Metric, double[][] Scores, int N, MetricOptions Options)
{
    /// <summary>The highest score and its (layer of A, layer of B), as platonic-rep's compute_score reports it.</summary>
    public (double Score, int LayerA, int LayerB) Best =>
        Scores.SelectMany((row, i) => row.Select((v, j) => (v, i, j))).Where(x => double.IsFinite(x.v)).DefaultIfEmpty((double.NaN, -1, -1)).MaxBy(x => x.Item1);

    /// <summary>{"metric", "n", "normalize", "scores": [[…]], "best": {"score", "layer_a", "layer_b"}}.</summary>
    public string ToJson()
    {
        var (score, i, j) = Best;
        var o = new System.Text.Json.Nodes.JsonObject
        {
            ["metric"] = Metric, ["n"] = N,
            ["normalize"] = Options.Normalize == "default" ? MetricCommand.DefaultNormalization(Metric) : Options.Normalize,
            ["scores"] = new System.Text.Json.Nodes.JsonArray(Scores.Select(r => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonArray(r.Select(v => (System.Text.Json.Nodes.JsonNode?)(double.IsFinite(v) ? v : null)).ToArray())).ToArray()),
            ["best"] = new System.Text.Json.Nodes.JsonObject { ["score"] = double.IsFinite(score) ? score : null, ["layer_a"] = i, ["layer_b"] = j },
        };
        return o.ToJsonString();
    }
}

/// <summary>
/// Library entry point of `noether metric &lt;name&gt; A.npy B.npy`: reads two n×d feature matrices
/// (float32/float64 .npy, same n, one row per input) and computes one representation metric.
/// </summary>
public static class MetricCommand
{
    /// <summary>The metric names accepted by <see cref="Run"/>.</summary>
    public static readonly IReadOnlyList<string> Names = ["cka", "cka-unbiased", "cka-rbf", "mknn", "cknna", "svcca", "cca"];

    /// <summary>platonic-rep's metric names (AlignmentMetrics.SUPPORTED_METRICS spelling) for the same metrics.</summary>
    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>
    {
        ["mutual_knn"] = "mknn", ["unbiased_cka"] = "cka-unbiased",
    };

    /// <summary>Row preprocessing choices of <see cref="MetricOptions.Normalize"/>.</summary>
    public static readonly IReadOnlyList<string> Normalizations = ["default", "none", "l2", "prh"];

    /// <summary>What each metric does to the rows when --normalize is "default" (and its platonic-rep alias, if any).</summary>
    public static string DefaultNormalization(string metric) => Canonical(metric) switch
    {
        "mknn" or "cknna" => "l2",
        "svcca" => "none (z-scores columns itself)",
        _ => "none",
    };

    /// <summary>One line per metric for `noether list metrics`: name, platonic-rep alias, default normalisation, meaning.</summary>
    public static IReadOnlyList<(string Name, string Alias, string Normalize, string Meaning)> Defaults => Names.Select(n => (n,
        string.Join(", ", Aliases.Where(a => a.Value == n).Select(a => a.Key).Concat(n is "cka" or "cknna" or "svcca" ? [n] : [])),
        DefaultNormalization(n), n switch
        {
            "cka" => "biased linear CKA of the column-centred features",
            "cka-unbiased" => "linear CKA from Song's unbiased HSIC",
            "cka-rbf" => "RBF-kernel CKA, bandwidth θ × median distance",
            "mknn" => "mutual k-NN: mean overlap of the k nearest neighbours (cosine), self excluded",
            "cknna" => "CKA restricted to mutual k-NN pairs (unbiased HSIC)",
            "svcca" => "mean canonical correlation of the top singular directions (z-scored columns)",
            _ => "mean canonical correlation of the full column spaces",
        })).ToList();

    /// <summary>A metric name or platonic-rep alias as the canonical name; unknown names raise a one-line error.</summary>
    public static string Canonical(string name) =>
        Names.Contains(name) ? name : Aliases.TryGetValue(name, out var c) ? c
        : throw new ProbeInputException($"unknown metric '{name}'; expected one of {string.Join(", ", Names)} (or platonic-rep's {string.Join(", ", Aliases.Keys)})");

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
        name = Canonical(name);
        var metric = Resolve(name, options);
        var a = Prepare(Load(pathA, rank: 2), options);
        var b = Prepare(Load(pathB, rank: 2), options);
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

    /// <summary>
    /// platonic-rep's layer search: A and B are N×L×D stacks (one D-vector per input and layer); the
    /// metric of every layer pair (i of A, j of B) after the chosen normalisation, and the best pair.
    /// </summary>
    public static LayerScores RunLayers(string name, string pathA, string pathB, MetricOptions options)
    {
        name = Canonical(name);
        var metric = Resolve(name, options);
        var a = Load(pathA, rank: 3);
        var b = Load(pathB, rank: 3);
        if (a.Shape[0] != b.Shape[0])
            throw new ProbeInputException($"{pathB}: has {b.Shape[0]} inputs but {pathA} has {a.Shape[0]}; A and B must hold the same N inputs in the same order");
        var layersA = Enumerable.Range(0, a.Shape[1]).Select(l => Prepare(Layer(a, l), options)).ToList();
        var layersB = Enumerable.Range(0, b.Shape[1]).Select(l => Prepare(Layer(b, l), options)).ToList();
        Validate(name, options, a.Shape[0], pathA);
        var scores = new double[layersA.Count][];
        for (int i = 0; i < layersA.Count; i++)
        {
            scores[i] = new double[layersB.Count];
            for (int j = 0; j < layersB.Count; j++) scores[i][j] = metric(layersA[i], layersB[j]);
        }
        return new LayerScores(name, scores, a.Shape[0], options);
    }

    /// <summary>Layer <paramref name="l"/> of an N×L×D stack as an N×D matrix.</summary>
    private static Tensor<double> Layer(Tensor<double> stack, int l)
    {
        int n = stack.Shape[0], layers = stack.Shape[1], d = stack.Shape[2];
        var m = new Tensor<double>(n, d);
        for (int i = 0; i < n; i++) stack.ReadOnlySpan.Slice((i * layers + l) * d, d).CopyTo(m.Span.Slice(i * d, d));
        return m;
    }

    /// <summary>Applies --normalize to a copy of the features ("default" leaves them to the metric).</summary>
    public static Tensor<double> Prepare(Tensor<double> x, MetricOptions options)
    {
        if (options.Normalize is "default" or "none") return x;
        var y = new Tensor<double>(x.Shape);
        x.ReadOnlySpan.CopyTo(y.Span);
        int n = x.Shape[0], d = x.Shape[1];
        if (options.Normalize == "prh") FeatureMatrix.ClipOutliersRowQuantile(y.Span, n, d, 0.95);
        FeatureMatrix.NormalizeRows(y.Span, n, d);
        return y;
    }

    /// <summary>The metric function for a name, with the command's defaults bound.</summary>
    public static Func<Tensor<double>, Tensor<double>, double> Resolve(string name, MetricOptions options)
    {
        if (!Normalizations.Contains(options.Normalize))
            throw new ProbeInputException($"--normalize {options.Normalize}: expected one of {string.Join(", ", Normalizations)}");
        // With an explicit --normalize the rows are already prepared; the k-NN metrics must not normalise again behind it.
        bool own = options.Normalize == "default";
        return Canonical(name) switch
        {
            "mknn" => (x, y) => MutualKnn.MutualKnnAlignment(x, y, options.K, normalizeRows: own, clipQuantile: options.Clip),
            "cknna" => (x, y) => Cknna.CknnaAlignment(x, y, options.K, normalizeRows: own),
            var other => ResolvePlain(other, options),
        };
    }

    private static Func<Tensor<double>, Tensor<double>, double> ResolvePlain(string name, MetricOptions options) => name switch
    {
        "cka" => Cka.LinearCka,
        "cka-unbiased" => (x, y) => UnbiasedCka.UnbiasedLinearCka(x, y),
        "cka-rbf" => (x, y) => RbfCka.RbfCkaMedian(x, y, options.RbfThreshold),
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

    private static Tensor<double> Load(string path, int rank)
    {
        Tensor<double> t;
        try { t = ReadArray(path); }
        catch (NpyFormatException e) { throw new ProbeInputException(e.Message, e); }
        catch (IOException e) { throw new ProbeInputException($"{path}: cannot read: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new ProbeInputException($"{path}: cannot read: {e.Message}", e); }
        if (t.Rank != rank)
            throw new ProbeInputException(rank == 2
                ? $"{path}: array of shape {Tensor<double>.ShapeText(t.Shape)}, expected a 2-D n×d matrix (one row per input){(t.Rank == 3 ? "; for an N×L×D stack of layers use --layers" : "")}"
                : $"{path}: array of shape {Tensor<double>.ShapeText(t.Shape)}, expected an N×L×D stack (inputs × layers × features) with --layers");
        if (t.Shape[0] < 2 || t.Shape[^1] < 1 || (rank == 3 && t.Shape[1] < 1))
            throw new ProbeInputException($"{path}: array of shape {Tensor<double>.ShapeText(t.Shape)}, expected at least 2 rows and 1 column");
        foreach (var v in t.ReadOnlySpan)
            if (!double.IsFinite(v)) throw new ProbeInputException($"{path}: contains NaN or infinite values, expected finite features");
        return t;
    }
}
