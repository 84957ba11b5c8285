using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Noether.Runs;

/// <summary>Run status as written in run.json.</summary>
public static class RunStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Interrupted = "interrupted";
}

/// <summary>A claim as stored in run.json (the verdict is recomputed when read back).</summary>
public sealed record ClaimRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("statement")] string Statement,
    [property: JsonPropertyName("measured")] double? Measured,
    [property: JsonPropertyName("comparison")] string Comparison,
    [property: JsonPropertyName("threshold")] JsonNode Threshold,
    [property: JsonPropertyName("passed")] bool Passed,
    [property: JsonPropertyName("details")] string? Details)
{
    /// <summary>The threshold as numbers: (t, NaN) for a one-sided claim, (low, high) for a range; a checked record's threshold always fits.</summary>
    public (double Low, double High) Bounds() => Threshold is JsonArray a
        ? (ToDouble(a[0]!), ToDouble(a[1]!))
        : (ToDouble(Threshold), double.NaN);

    private static double ToDouble(JsonNode n) => n.GetValueKind() == JsonValueKind.String
        ? double.Parse(n.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
        : n.GetValue<double>();
}

/// <summary>The contents of run.json: what ran, with which config and seed, how it ended, and its claims.</summary>
public sealed class RunRecord
{
    [JsonPropertyName("experiment")] public string Experiment { get; set; } = "";
    [JsonPropertyName("title")] public string Title { get; set; } = "";
    [JsonPropertyName("paper")] public PaperRecord? Paper { get; set; }
    [JsonPropertyName("profile")] public string Profile { get; set; } = "quick";
    [JsonPropertyName("seed")] public long Seed { get; set; }
    [JsonPropertyName("config")] public JsonObject Config { get; set; } = new();
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    [JsonPropertyName("threads")] public int Threads { get; set; } = 1;
    [JsonPropertyName("machine")] public string Machine { get; set; } = "";
    [JsonPropertyName("started")] public DateTimeOffset Started { get; set; }
    [JsonPropertyName("finished")] public DateTimeOffset? Finished { get; set; }
    [JsonPropertyName("seconds")] public double? Seconds { get; set; }
    [JsonPropertyName("status")] public string Status { get; set; } = RunStatus.Running;
    [JsonPropertyName("error")] public string? Error { get; set; }
    [JsonPropertyName("timings")] public Dictionary<string, double> Timings { get; set; } = new();
    [JsonPropertyName("claims")] public List<ClaimRecord> Claims { get; set; } = [];
    [JsonPropertyName("figures")] public List<string> Figures { get; set; } = [];
    /// <summary>Checkpoints ("phase@step") this run was resumed from, one per resume.</summary>
    [JsonPropertyName("resumed_from")] public List<string> ResumedFrom { get; set; } = [];

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Writes run.json atomically (temp file, then rename).</summary>
    public void Save(string runDirectory) => AtomicFile.WriteAllText(Path.Combine(runDirectory, "run.json"), ToJson());

    /// <summary>
    /// Reads and checks run.json: a corrupt or incomplete record is one line naming the file and field
    /// (<see cref="UnreadableFileException"/>), never a record with nulls where the readers expect values.
    /// </summary>
    public static RunRecord Load(string runDirectory)
    {
        string path = Path.Combine(runDirectory, "run.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist; expected a Noether run folder containing run.json");
        var r = JsonFile.Read<RunRecord>(path, "run record", Json);
        string? Bad(string field, string expected) => throw new UnreadableFileException($"{path}: field {field} {expected}");
        if (r.Status is not (RunStatus.Running or RunStatus.Completed or RunStatus.Failed or RunStatus.Interrupted))
            Bad("status", $"is {(r.Status is null ? "null" : "'" + r.Status + "'")}; expected running, completed, failed or interrupted");
        if (r.Experiment is null) Bad("experiment", "is null; expected an experiment id");
        if (r.Config is null) Bad("config", "is null; expected the resolved config object");
        if (r.Claims is null) Bad("claims", "is null; expected a list of claims");
        r.Timings ??= new();
        r.Figures ??= [];
        r.ResumedFrom ??= [];
        for (int i = 0; i < r.Claims!.Count; i++)
        {
            var c = r.Claims[i];
            if (c is null) Bad($"claims[{i}]", "is null; expected a claim object");
            else if (c.Id is null || c.Comparison is null) Bad($"claims[{i}]", "lacks id or comparison");
            else if (!IsThreshold(c.Threshold))
                Bad($"claims[{i}].threshold", $"is {c.Threshold?.ToJsonString() ?? "null"}; expected a number or a [low, high] pair of numbers");
        }
        return r;
    }

    private static bool IsThreshold(JsonNode? t) => t switch
    {
        JsonValue v => IsNumber(v),
        JsonArray { Count: 2 } a => a[0] is JsonValue lo && IsNumber(lo) && a[1] is JsonValue hi && IsNumber(hi),
        _ => false,
    };

    private static bool IsNumber(JsonValue v) =>
        v.GetValueKind() == JsonValueKind.Number
        || (v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is "NaN" or "Infinity" or "-Infinity");
}

public sealed record PaperRecord(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("authors")] string Authors,
    [property: JsonPropertyName("arxiv")] string Arxiv);
