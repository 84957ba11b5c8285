using System.Text.Json.Nodes;

namespace Noether.Experiments;

/// <summary>One key a section declares at run time rather than as a property (e.g. <c>crh.layer</c> under <c>probes</c>).</summary>
/// <param name="Key">the key under its section, dotted ("crh.layer").</param>
/// <param name="Type">int, double or int[].</param>
/// <param name="Value">the value in force: the one set, else the declared default.</param>
/// <param name="Param">its description and range.</param>
/// <param name="IsSet">whether a user set it (only those are saved in config.json).</param>
public sealed record DynamicKey(string Key, Type Type, object Value, ParamAttribute Param, bool IsSet);

/// <summary>
/// A config section whose keys are partly declared elsewhere (the training probes' options, declared by each probe:
/// <c>probes.&lt;probe&gt;.&lt;option&gt;</c>). The binder parses, range-checks, lists, saves and reloads them exactly like
/// property keys; the section stores the values and words the error for a key it does not declare.
/// </summary>
public interface IDynamicKeys
{
    /// <summary>Every declared key with its value in force.</summary>
    IEnumerable<DynamicKey> DynamicKeys { get; }
    /// <summary>Stores a value already parsed and range-checked for the declared key <paramref name="key"/>.</summary>
    void Assign(string key, object value);
    /// <summary>
    /// The one-line message for <paramref name="fullKey"/>=<paramref name="text"/> whose part under the section,
    /// <paramref name="relative"/>, is neither a property nor a declared key; <paramref name="sectionKeys"/> are the section's property keys.
    /// </summary>
    string Unknown(string fullKey, string relative, string text, IEnumerable<string> sectionKeys);
}

public static partial class ConfigBinder
{
    /// <summary>The section that holds <paramref name="key"/> as a dynamic key (its path and the rest of the key), or null.</summary>
    private static (IDynamicKeys Section, string Prefix, string Remainder)? DynamicTarget(object config, string key)
    {
        var parts = key.Split('.');
        object? owner = config;
        for (int i = 0; i < parts.Length && owner is not null; i++)
        {
            var prop = Properties(owner.GetType()).FirstOrDefault(p => KeyOf(p) == parts[i]);
            if (prop is null)
                return owner is IDynamicKeys dynamic && i > 0 ? (dynamic, string.Join('.', parts[..i]), string.Join('.', parts[i..])) : null;
            if (IsLeaf(prop.PropertyType)) return null;
            owner = prop.GetValue(owner);
        }
        return null;
    }

    /// <summary>The declared dynamic key <paramref name="key"/> names (full key), null when it is no dynamic key; an undeclared one under a dynamic section throws.</summary>
    private static DynamicKey? DynamicKeyOf(object config, string key, string text = "")
    {
        if (DynamicTarget(config, key) is not { } target) return null;
        var declared = target.Section.DynamicKeys.FirstOrDefault(k => k.Key == target.Remainder);
        if (declared is null)
        {
            var here = Properties(target.Section.GetType()).Select(p => target.Prefix + "." + KeyOf(p));
            throw new ConfigException(target.Section.Unknown(key, target.Remainder, text, here));
        }
        return declared with { Key = key };
    }

    /// <summary>Sets a dynamic key (parsed and range-checked as a property would be); false when <paramref name="key"/> is no dynamic key.</summary>
    private static bool TrySetDynamic(object config, string key, string text)
    {
        if (DynamicKeyOf(config, key, text) is not { } declared) return false;
        var value = Parse(key, text, declared.Type) ?? throw new ConfigException($"{key}={text}: expected a value");
        CheckRange(key, value, declared.Param);
        DynamicTarget(config, key)!.Value.Section.Assign(DynamicTarget(config, key)!.Value.Remainder, value);
        return true;
    }

    /// <summary>The dynamic keys a user set, nested as objects under their section (so config.json reloads them).</summary>
    private static void AddDynamic(JsonObject obj, IDynamicKeys section)
    {
        foreach (var k in section.DynamicKeys.Where(k => k.IsSet))
        {
            var parts = k.Key.Split('.');
            var at = obj;
            foreach (var part in parts[..^1])
                at = at[part] as JsonObject ?? (JsonObject)(at[part] = new JsonObject());
            at[parts[^1]] = k.Value is Array a ? new JsonArray(a.Cast<object>().Select(ToNode).ToArray()) : ToNode(k.Value);
        }
    }
}
