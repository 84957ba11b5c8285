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
    [property: JsonPropertyName("details")] string? Details)
{
    /// <summary>Why this stored claim cannot be read back (null when it can): names the field and what it needs.</summary>
    public string? Problem() => (Kind, Comparison, Threshold) switch
    {
        (not (null or "claim" or "check"), _, _) => $"kind is '{Kind}'; expected claim or check",
        (_, _, null) => "threshold is null; expected {\"low\": number|null, \"high\": number|null}",
        (_, "<=", { High: null }) => "threshold.high is null; comparison <= needs it",
        (_, ">=", { Low: null }) => "threshold.low is null; comparison >= needs it",
        (_, "in", { Low: null } or { High: null }) => "threshold needs both low and high for comparison in",
        (_, "<=" or ">=" or "in", _) => null,
        _ => $"comparison is '{Comparison}'; expected <=, >= or in",
    };
}

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
            else if (c.Problem() is { } problem) Bad($"claims[{i}]", problem);
        }
        return r;
    }
}

public sealed record PaperRecord(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("authors")] string Authors,
    [property: JsonPropertyName("arxiv")] string Arxiv);
