using System.Text.Json;
using System.Text.Json.Nodes;

namespace Noether.Runs;

/// <summary>
/// Names population members by their condition and seed ("gamma=0.01/seed=3") from run.json's
/// <c>members</c>: the one labelling used by report figures and TensorBoard runs.
/// </summary>
public sealed class MemberLabels
{
    private static readonly HashSet<string> Identity = ["phase", "member", "seed"];
    private readonly Dictionary<(string Phase, int Member), string> _labels = new();

    /// <summary>Labels of the members a run.json lists (none for a run written before members existed).</summary>
    public MemberLabels(IEnumerable<JsonObject> members)
    {
        foreach (var m in members)
            if (m["phase"] is JsonValue p && p.TryGetValue<string>(out var phase) && m["member"] is JsonValue i && i.TryGetValue<int>(out var member))
                _labels[(phase, member)] = Label(m);
    }

    /// <summary>One member entry as "axis=value/…/seed=s", condition axes in their run.json order.</summary>
    public static string Label(JsonObject member) => string.Join("/",
        member.Where(kv => !Identity.Contains(kv.Key)).Append(new("seed", member["seed"]?.DeepClone()))
            .Select(kv => $"{kv.Key}={Text(kv.Value)}"));

    /// <summary>The label of (phase, member), or "member-N" when run.json does not list it.</summary>
    public string this[string phase, int member] => _labels.TryGetValue((phase, member), out var l) ? l : $"member-{member}";

    private static string Text(JsonNode? v) =>
        v is JsonValue s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : v?.ToJsonString() ?? "null";
}
