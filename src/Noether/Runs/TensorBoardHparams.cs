using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Noether.Runs.TensorBoardProto;

namespace Noether.Runs;

/// <summary>
/// TensorBoard's hparams plugin data, encoded with Google.Protobuf from the messages in
/// <c>Runs/Protos/tensorboard_hparams.proto</c>. A run is a session: its event file
/// <c>&lt;run&gt;/tensorboard/events.out.tfevents.*</c> holds the session start (the resolved config,
/// flattened to dotted keys, and the seed) when the run starts, and at its end one scalar
/// <c>claim/&lt;id&gt;</c> per claim (the measured value) and the session end (status). A sweep adds the
/// experiment (its axes, seed and claims) at <c>DIR/trials/</c>, so
/// <c>tensorboard --logdir DIR/trials</c> shows one table row per trial.
/// </summary>
public static class TensorBoardHparams
{
    public const string PluginName = "hparams";
    public const string ExperimentTag = "_hparams_/experiment";
    public const string SessionStartTag = "_hparams_/session_start_info";
    public const string SessionEndTag = "_hparams_/session_end_info";
    /// <summary>The tag prefix of the per-claim scalars the hparams table shows as metrics.</summary>
    public const string ClaimPrefix = "claim/";

    /// <summary>An open session: the start is written at once, the end by <see cref="End"/>.</summary>
    public sealed class Session : IDisposable
    {
        private readonly TensorBoardEvents _events;

        internal Session(TensorBoardEvents events) => _events = events;

        public string Path => _events.Path;

        /// <summary>Writes each claim's measured value as a scalar and the session's end status, and closes the file.</summary>
        public void End(IEnumerable<(string Id, double Measured)> claims, bool success, DateTimeOffset at)
        {
            double wall = Seconds(at);
            foreach (var (id, measured) in claims)
                if (double.IsFinite(measured)) _events.Raw(ScalarEvent(ClaimPrefix + id, measured, wall));
            _events.Raw(SessionEndEvent(success, wall));
            _events.Flush();
        }

        public void Dispose() => _events.Dispose();
    }

    /// <summary>Opens the session of the run in <paramref name="runDirectory"/> and writes its hyper-parameters.</summary>
    public static Session Start(string runDirectory, JsonObject config, long seed, DateTimeOffset at)
    {
        var events = TensorBoardEvents.Create(System.IO.Path.Combine(runDirectory, TensorBoardExport.Folder), at);
        events.Raw(SessionStartEvent(Hparams(config, seed), Seconds(at)));
        events.Flush();
        return new Session(events);
    }

    /// <summary>
    /// Writes the experiment summary of a sweep into <paramref name="logDirectory"/> (its trials folder):
    /// one hparam per axis and the seed, with the values the sweep takes, and one metric per claim.
    /// Replaces the summary an earlier report wrote.
    /// </summary>
    public static string WriteExperiment(string logDirectory, string name, IReadOnlyList<(string Key, IReadOnlyList<JsonNode?> Values)> axes,
        IEnumerable<string> claimIds, DateTimeOffset at)
    {
        foreach (var old in Directory.Exists(logDirectory) ? Directory.GetFiles(logDirectory, "events.out.tfevents.*") : []) File.Delete(old);
        using var events = TensorBoardEvents.Create(logDirectory, at);
        events.Raw(ExperimentEvent(name, axes, claimIds, Seconds(at)));
        return events.Path;
    }

    /// <summary>The config flattened to dotted keys (numbers, booleans and text; lists as text), plus <c>seed</c>.</summary>
    public static SortedDictionary<string, Value> Hparams(JsonObject config, long seed)
    {
        var result = new SortedDictionary<string, Value>(StringComparer.Ordinal);
        void Walk(string prefix, JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (k, v) in o) Walk(prefix.Length == 0 ? k : prefix + "." + k, v);
                    break;
                case null:
                    break;
                default:
                    result[prefix] = ToValue(node);
                    break;
            }
        }
        Walk("", config);
        result["seed"] = Value.ForNumber(seed);
        return result;
    }

    /// <summary>A JSON value as a protobuf Value: number, bool or string (arrays joined with commas).</summary>
    public static Value ToValue(JsonNode? node) => node?.GetValueKind() switch
    {
        null or System.Text.Json.JsonValueKind.Null => Value.ForNull(),
        System.Text.Json.JsonValueKind.Number => Value.ForNumber(double.Parse(node.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)),
        System.Text.Json.JsonValueKind.True => Value.ForBool(true),
        System.Text.Json.JsonValueKind.False => Value.ForBool(false),
        System.Text.Json.JsonValueKind.String => Value.ForString(node.GetValue<string>()),
        System.Text.Json.JsonValueKind.Array => Value.ForString(string.Join(",", node.AsArray().Select(x => x?.ToJsonString().Trim('"') ?? ""))),
        _ => Value.ForString(node.ToJsonString()),
    };

    public static byte[] SessionStartEvent(IReadOnlyDictionary<string, Value> hparams, double wallTime)
    {
        var start = new SessionStartInfo { StartTimeSecs = wallTime };
        foreach (var (k, v) in hparams) start.Hparams[k] = v;
        return PluginEvent(SessionStartTag, new HParamsPluginData { Version = 0, SessionStartInfo = start }, wallTime);
    }

    public static byte[] SessionEndEvent(bool success, double wallTime) =>
        PluginEvent(SessionEndTag, new HParamsPluginData
        {
            Version = 0,
            SessionEndInfo = new SessionEndInfo { Status = success ? Status.Success : Status.Failure, EndTimeSecs = wallTime },
        }, wallTime);

    public static byte[] ExperimentEvent(string name, IReadOnlyList<(string Key, IReadOnlyList<JsonNode?> Values)> axes, IEnumerable<string> claimIds, double wallTime)
    {
        var experiment = new Experiment { Name = name, TimeCreatedSecs = wallTime };
        foreach (var (key, values) in axes)
        {
            var converted = values.Select(ToValue).ToList();
            var info = new HParamInfo
            {
                Name = key,
                Type = converted.All(v => v.KindCase == Value.KindOneofCase.NumberValue) ? DataType.Float64
                    : converted.All(v => v.KindCase == Value.KindOneofCase.BoolValue) ? DataType.Bool : DataType.String,
                DomainDiscrete = new ListValue(),
            };
            info.DomainDiscrete.Values.AddRange(converted.DistinctBy(v => v.ToString()));
            experiment.HparamInfos.Add(info);
        }
        foreach (var id in claimIds)
            experiment.MetricInfos.Add(new MetricInfo { Name = new MetricName { Group = "", Tag = ClaimPrefix + id }, DisplayName = id });
        return PluginEvent(ExperimentTag, new HParamsPluginData { Version = 0, Experiment = experiment }, wallTime);
    }

    private static byte[] PluginEvent(string tag, HParamsPluginData data, double wallTime) => new Event
    {
        WallTime = wallTime,
        Summary = new Summary
        {
            Value =
            {
                new SummaryValue
                {
                    Tag = tag,
                    Metadata = new SummaryMetadata { PluginData = new PluginData { PluginName = PluginName, Content = data.ToByteString() } },
                    // The hparams plugin stores its metadata beside a scalar placeholder tensor (DT_FLOAT 0).
                    Tensor = new TensorProto { Dtype = 1, TensorShape = new TensorShape(), FloatVal = { 0f } },
                },
            },
        },
    }.ToByteArray();

    private static byte[] ScalarEvent(string tag, double value, double wallTime) => new Event
    {
        WallTime = wallTime,
        Summary = new Summary { Value = { new SummaryValue { Tag = tag, SimpleValue = (float)value } } },
    }.ToByteArray();

    private static double Seconds(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>Reads the hparams plugin data back from a summary value's metadata (for tests and tools).</summary>
    public static HParamsPluginData Decode(Event e) => HParamsPluginData.Parser.ParseFrom(e.Summary.Value[0].Metadata.PluginData.Content);
}
