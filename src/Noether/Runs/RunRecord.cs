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

/// <summary>
/// A claim as stored in run.json (the verdict is recomputed when read back). <c>comparison</c> is "&lt;=",
/// "&gt;=" or "in"; <c>threshold</c> holds its bounds with the unused side null; <c>kind</c> is "claim" (a
/// paper's statement) or "check" (a sanity check of the setting).
/// </summary>
public sealed record ClaimRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("statement")] string Statement,
    [property: JsonPropertyName("measured")] double? Measured,
    [property: JsonPropertyName("comparison")] string Comparison,
    [property: JsonPropertyName("threshold")] ThresholdRecord Threshold,
    [property: JsonPropertyName("passed")] bool Passed,
    [property: JsonPropertyName("details")] string? Details);

/// <summary>A claim's bounds: <c>low</c> for "&gt;=", <c>high</c> for "&lt;=", both for "in".</summary>
public sealed record ThresholdRecord(
    [property: JsonPropertyName("low")] double? Low,
    [property: JsonPropertyName("high")] double? High);

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
    /// <summary>The git commit the code was built from ("unknown" without git).</summary>
    [JsonPropertyName("commit")] public string Commit { get; set; } = "unknown";
    /// <summary>"true" when the build's tree had uncommitted changes, "false" when clean, "unknown" without git.</summary>
    [JsonPropertyName("dirty")] public string Dirty { get; set; } = "unknown";
    [JsonPropertyName("threads")] public int Threads { get; set; } = 1;
    [JsonPropertyName("machine")] public string Machine { get; set; } = "";
    [JsonPropertyName("started")] public DateTimeOffset Started { get; set; }
    [JsonPropertyName("finished")] public DateTimeOffset? Finished { get; set; }
    [JsonPropertyName("seconds")] public double? Seconds { get; set; }
    [JsonPropertyName("status")] public string Status { get; set; } = RunStatus.Running;
    [JsonPropertyName("error")] public string? Error { get; set; }
    [JsonPropertyName("timings")] public Dictionary<string, double> Timings { get; set; } = new();
    /// <summary>One entry per (phase, member): phase, member, seed and one typed key per condition axis.</summary>
    [JsonPropertyName("members")] public List<JsonObject> Members { get; set; } = [];
    [JsonPropertyName("claims")] public List<ClaimRecord> Claims { get; set; } = [];
    [JsonPropertyName("figures")] public List<string> Figures { get; set; } = [];
    /// <summary>Checkpoints ("phase@step") this run was resumed from, one per resume.</summary>
    [JsonPropertyName("resumed_from")] public List<string> ResumedFrom { get; set; } = [];

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        // snake_case for every file this writes (figures.json, extra.json); run.json names its keys explicitly.
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Writes run.json atomically (temp file, then rename).</summary>
    public void Save(string runDirectory) => AtomicFile.WriteAllText(Path.Combine(runDirectory, "run.json"), ToJson());

    public static RunRecord Load(string runDirectory)
    {
        string path = Path.Combine(runDirectory, "run.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist; expected a Noether run folder containing run.json");
        try
        {
            return JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(path), Json)
                ?? throw new FormatException($"{path} is empty; expected a run record");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path} is not a valid run record: {e.Message.Split('\n')[0]}");
        }
    }
}

public sealed record PaperRecord(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("authors")] string Authors,
    [property: JsonPropertyName("arxiv")] string Arxiv);
