using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Noether.Experiments;

/// <summary>Documents a config property and its allowed range; the binder enforces it before a run starts.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ParamAttribute(string description) : Attribute
{
    public string Description { get; } = description;
    public double Min { get; init; } = double.NegativeInfinity;
    public double Max { get; init; } = double.PositiveInfinity;
    /// <summary>For strings: the allowed values.</summary>
    public string[]? OneOf { get; init; }
    /// <summary>For strings: a registry type whose public static <c>Names</c> lists the allowed values (declared once, there).</summary>
    public Type? OneOfNames { get; init; }

    /// <summary>The allowed values, from <see cref="OneOf"/> or the registry <see cref="OneOfNames"/>; null when any value is allowed.</summary>
    public IReadOnlyList<string>? Allowed => OneOf ?? (OneOfNames?.GetProperty("Names", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as IEnumerable<string>
        ?? (OneOfNames is null ? null : throw new InvalidOperationException($"{OneOfNames.Name} has no public static Names")))?.ToArray();
}

/// <summary>Marks the property of a config section that `--set section=value` assigns (e.g. data=fashion-mnist).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SectionValueAttribute(string property) : Attribute
{
    public string Property { get; } = property;
}

/// <summary>Cross-field checks of a config section; throw <see cref="ConfigException"/> naming the key.</summary>
public interface IValidatedConfig
{
    void Validate();
}

/// <summary>
/// A config that can estimate the memory of its largest tensors, so a config that cannot fit is refused
/// with the estimate before a run starts (see <see cref="Noether.Runs.MemoryLimit"/>).
/// </summary>
public interface IMemoryEstimate
{
    /// <summary>Bytes the run's data and per-sample buffers need at least, and the sizes that give them (for the message).</summary>
    (double Bytes, string Because) EstimateMemory();
}

/// <summary>A user's config mistake: the message names the key, the value and what is allowed.</summary>
public sealed class ConfigException(string message) : Exception(message);

/// <summary>
/// Reads and writes typed config objects by dotted snake_case keys (sgd.batch_size), from
/// `--set key=value` overrides and JSON files, validating names, types and ranges.
/// </summary>
public static partial class ConfigBinder
{
    public static string KeyOf(PropertyInfo p)
    {
        var sb = new StringBuilder();
        string n = p.Name;
        for (int i = 0; i < n.Length; i++)
        {
            char c = n[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(n[i - 1]) || (i + 1 < n.Length && char.IsLower(n[i + 1])))) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    private static IEnumerable<PropertyInfo> Properties(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0);

    private static bool IsLeaf(Type t) =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t.IsArray || Nullable.GetUnderlyingType(t) is not null || IsJson(t);

    /// <summary>A key whose value is a JSON tree (a study's axes and claims): set whole, or by a sub-key inside an object.</summary>
    private static bool IsJson(Type t) => typeof(JsonNode).IsAssignableFrom(t);

    /// <summary>Every settable key with its type, current value and description.</summary>
    public static List<(string Key, Type Type, object? Value, ParamAttribute? Param)> Describe(object config, string prefix = "")
    {
        var list = new List<(string, Type, object?, ParamAttribute?)>();
        foreach (var p in Properties(config.GetType()))
        {
            string key = prefix + KeyOf(p);
            var value = p.GetValue(config);
            if (IsLeaf(p.PropertyType)) list.Add((key, p.PropertyType, value, p.GetCustomAttribute<ParamAttribute>()));
            else if (value is not null) list.AddRange(Describe(value, key + "."));
        }
        if (config is IDynamicKeys dynamic)
            list.AddRange(dynamic.DynamicKeys.Select(k => (prefix + k.Key, k.Type, (object?)k.Value, (ParamAttribute?)k.Param)));
        return list;
    }

    /// <summary>Applies one `key=value` override.</summary>
    public static void Set(object config, string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new ConfigException($"--set '{assignment}': expected key=value");
        Set(config, assignment[..eq].Trim(), assignment[(eq + 1)..].Trim());
    }

    public static void Set(object config, string key, string text)
    {
        if (JsonTarget(config, key) is not null) { SetNode(config, key, ParseLoose(text)); return; }
        if (TrySetDynamic(config, key, text)) return;
        var (owner, prop) = Resolve(config, key);
        if (!IsLeaf(prop.PropertyType))
        {
            var section = prop.GetValue(owner) ?? throw new ConfigException($"key '{key}' is a section with no value");
            var sv = section.GetType().GetCustomAttribute<SectionValueAttribute>();
            if (sv is null)
                throw new ConfigException($"key '{key}' is a section; set one of its keys: {string.Join(", ", Describe(section, key + ".").Select(d => d.Key))}");
            owner = section;
            prop = section.GetType().GetProperty(sv.Property)!;
        }
        prop.SetValue(owner, Parse(key, text, prop.PropertyType));
    }

    /// <summary>Applies a JSON file: nested objects or dotted keys; values may be JSON numbers, strings, booleans or arrays.</summary>
    public static void ApplyJsonFile(object config, string path)
    {
        JsonObject obj;
        try { obj = Noether.Runs.JsonFile.ReadObject(path, "config file"); }
        catch (Noether.Runs.UnreadableFileException e) { throw new ConfigException(e.Message); }
        ApplyJson(config, obj, "");
    }

    /// <summary>Applies a config object as <see cref="ApplyJsonFile"/> does (e.g. the resolved config stored in run.json).</summary>
    public static void ApplyJson(object config, JsonObject obj) => ApplyJson(config, obj, "");

    private static void ApplyJson(object config, JsonObject obj, string prefix)
    {
        foreach (var (name, node) in obj)
        {
            string key = prefix + name;
            if (JsonTarget(config, key) is not null) { SetNode(config, key, node); continue; }
            if (node is JsonObject child) { ApplyJson(config, child, key + "."); continue; }
            string text = node switch
            {
                null => "",
                JsonArray arr => string.Join(",", arr.Select(a => a is JsonValue v && v.TryGetValue<string>(out var s) ? s : a?.ToJsonString())),
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => node.ToJsonString(),
            };
            Set(config, key, text);
        }
    }

    /// <summary>
    /// The JSON-valued property <paramref name="key"/> names, or whose inside it names ("axes.weight_decay": key
    /// "weight_decay" of the object <c>axes</c>; the rest may itself hold dots, "axes.rule.name"); null for any other key.
    /// </summary>
    private static (object Owner, PropertyInfo Prop, string Inside)? JsonTarget(object config, string key)
    {
        var parts = key.Split('.');
        object? owner = config;
        for (int i = 0; i < parts.Length && owner is not null; i++)
        {
            var prop = Properties(owner.GetType()).FirstOrDefault(p => KeyOf(p) == parts[i]);
            if (prop is null) return null;
            if (IsJson(prop.PropertyType)) return (owner, prop, string.Join('.', parts[(i + 1)..]));
            if (IsLeaf(prop.PropertyType)) return null;
            owner = prop.GetValue(owner);
        }
        return null;
    }

    /// <summary>Whether <paramref name="key"/> names a JSON-valued key itself (its value is set whole, as JSON; e.g. a study's axes).</summary>
    public static bool IsJsonKey(object config, string key) => JsonTarget(config, key) is { Inside: "" };

    /// <summary>Sets a JSON-valued key (whole, or one key inside its object) to <paramref name="node"/>, checking the kind of JSON it holds.</summary>
    private static void SetNode(object config, string key, JsonNode? node)
    {
        var (owner, prop, rest) = JsonTarget(config, key)!.Value;
        string Want(Type t) => t == typeof(JsonObject) ? "a JSON object" : t == typeof(JsonArray) ? "a JSON list" : "JSON";
        if (rest.Length == 0)
        {
            if (node is null || !prop.PropertyType.IsInstanceOfType(node))
                throw new ConfigException($"{key}={node?.ToJsonString() ?? "null"}: expected {Want(prop.PropertyType)}");
            prop.SetValue(owner, node.DeepClone());
            return;
        }
        if (prop.GetValue(owner) is not JsonObject current)
            throw new ConfigException($"{key}: '{KeyOf(prop)}' holds {Want(prop.PropertyType)}, not an object with keys; set '{KeyOf(prop)}' whole");
        var copy = current.DeepClone().AsObject();
        copy[rest] = node?.DeepClone();
        prop.SetValue(owner, copy);
    }

    /// <summary>
    /// The JSON a `--set` text stands for: the text itself when it is JSON (0.01, true, [0, 1], {"a": 1}), else a list when it
    /// holds commas (0,0.01 or fa,backprop, each item read the same way), else a string (fa).
    /// </summary>
    public static JsonNode? ParseLoose(string text)
    {
        try { return JsonNode.Parse(text); }
        catch (JsonException) { }
        if (text.Contains(','))
            return new JsonArray(text.Split(',', StringSplitOptions.TrimEntries).Select(ParseLoose).ToArray());
        return JsonValue.Create(text);
    }

    /// <summary>
    /// The full key <paramref name="key"/> stands for: itself for a value, or the section's value key for a section that has one
    /// ("rule" is "rule.name"); an unknown key is a <see cref="ConfigException"/> naming the known ones.
    /// </summary>
    public static string CanonicalKey(object config, string key)
    {
        if (DynamicKeyOf(config, key) is { } dynamic) return dynamic.Key;
        var (owner, prop) = Resolve(config, key);
        if (IsLeaf(prop.PropertyType)) return key;
        var section = prop.GetValue(owner) ?? throw new ConfigException($"config key '{key}': section '{key}' is not set");
        var sv = section.GetType().GetCustomAttribute<SectionValueAttribute>()
            ?? throw new ConfigException($"key '{key}' is a section; name one of its keys: {string.Join(", ", Describe(section, key + ".").Select(d => d.Key))}");
        return key + "." + KeyOf(section.GetType().GetProperty(sv.Property)!);
    }

    /// <summary>Checks every range and allowed value, then each section's own cross-field checks.</summary>
    public static void Validate(object config, string prefix = "")
    {
        foreach (var p in Properties(config.GetType()))
        {
            string key = prefix + KeyOf(p);
            var value = p.GetValue(config);
            if (!IsLeaf(p.PropertyType)) { if (value is not null) Validate(value, key + "."); continue; }
            var attr = p.GetCustomAttribute<ParamAttribute>();
            if (attr is null || value is null || value is JsonNode) continue;
            CheckRange(key, value, attr);
        }
        if (config is IDynamicKeys dynamic)
            foreach (var k in dynamic.DynamicKeys.Where(k => k.IsSet)) CheckRange(prefix + k.Key, k.Value, k.Param);
        if (config is IValidatedConfig v) v.Validate();
    }

    private static void CheckRange(string key, object value, ParamAttribute attr)
    {
        IEnumerable<object> items = value is string || value is not IEnumerable e ? [value] : e.Cast<object>();
        foreach (var item in items)
        {
            if (item is string s && attr.Allowed is { } allowed && !allowed.Contains(s))
                throw new ConfigException($"{key}={s}: expected one of {string.Join(", ", allowed)}");
            if (item is IConvertible c && item is not string && item is not bool && !item.GetType().IsEnum)
            {
                double d = c.ToDouble(CultureInfo.InvariantCulture);
                if (double.IsNaN(d) || d < attr.Min || d > attr.Max)
                    throw new ConfigException($"{key}={Format(item)}: out of range, expected {RangeText(attr)}");
            }
        }
    }

    private static string RangeText(ParamAttribute a) =>
        (double.IsNegativeInfinity(a.Min), double.IsPositiveInfinity(a.Max)) switch
        {
            (false, false) => $"a value in [{Format(a.Min)}, {Format(a.Max)}]",
            (false, true) => $"a value ≥ {Format(a.Min)}",
            (true, false) => $"a value ≤ {Format(a.Max)}",
            _ => "a number",
        };

    private static (object Owner, PropertyInfo Prop) Resolve(object config, string key)
    {
        var parts = key.Split('.');
        object owner = config;
        for (int i = 0; i < parts.Length; i++)
        {
            var prop = Properties(owner.GetType()).FirstOrDefault(p => KeyOf(p) == parts[i]);
            if (prop is null)
            {
                var known = Describe(config).Select(d => d.Key).ToList();
                string prefix = string.Join('.', parts[..i]);
                var here = Properties(owner.GetType()).Select(p => (prefix.Length > 0 ? prefix + "." : "") + KeyOf(p));
                throw new ConfigException($"unknown config key '{key}'; known keys{(prefix.Length > 0 ? $" under '{prefix}'" : "")}: {string.Join(", ", here)}");
            }
            if (i == parts.Length - 1) return (owner, prop);
            owner = prop.GetValue(owner) ?? throw new ConfigException($"config key '{key}': section '{parts[i]}' is not set");
            if (IsLeaf(prop.PropertyType)) throw new ConfigException($"unknown config key '{key}': '{string.Join('.', parts[..(i + 1)])}' is a value, not a section");
        }
        throw new ConfigException($"empty config key");
    }

    private static object? Parse(string key, string text, Type t)
    {
        if (t.IsArray)
        {
            var et = t.GetElementType()!;
            var items = text.Trim('[', ']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var arr = Array.CreateInstance(et, items.Length);
            for (int i = 0; i < items.Length; i++)
            {
                try { arr.SetValue(ParseScalar(key, items[i], et, TypeName(et)), i); }
                catch (ConfigException) { throw new ConfigException($"{key}={text}: '{items[i]}' is not {TypeName(et)}; expected a list of them separated by commas"); }
            }
            return arr;
        }
        var under = Nullable.GetUnderlyingType(t);
        if (under is not null) return text is "" or "null" ? null : ParseScalar(key, text, under, TypeName(under));
        return ParseScalar(key, text, t, TypeName(t));
    }

    private static object ParseScalar(string key, string text, Type t, string expected)
    {
        var inv = CultureInfo.InvariantCulture;
        object? v = null;
        if (t == typeof(string)) v = text;
        else if (t == typeof(int) && int.TryParse(text, NumberStyles.Integer, inv, out var i)) v = i;
        else if (t == typeof(long) && long.TryParse(text, NumberStyles.Integer, inv, out var l)) v = l;
        else if (t == typeof(double) && double.TryParse(text, NumberStyles.Float, inv, out var d) && double.IsFinite(d)) v = d;
        else if (t == typeof(bool) && bool.TryParse(text, out var b)) v = b;
        else if (t.IsEnum && Enum.TryParse(t, text, true, out var e)) v = e;
        return v ?? throw new ConfigException($"{key}={text}: expected {expected}");
    }

    private static string TypeName(Type t) =>
        t == typeof(int) || t == typeof(long) ? "an integer" :
        t == typeof(double) ? "a number" :
        t == typeof(bool) ? "true or false" :
        t.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(t)) :
        "a string";

    private static string Format(object v) => v is double d ? d.ToString("R", CultureInfo.InvariantCulture) : Convert.ToString(v, CultureInfo.InvariantCulture) ?? "";

    /// <summary>The config as a JSON object with snake_case keys (saved with every run).</summary>
    public static JsonObject ToJson(object config)
    {
        var obj = new JsonObject();
        foreach (var p in Properties(config.GetType()))
        {
            var value = p.GetValue(config);
            string key = KeyOf(p);
            if (value is null) obj[key] = null;
            else if (value is JsonNode node) obj[key] = node.DeepClone();
            else if (!IsLeaf(p.PropertyType)) obj[key] = ToJson(value);
            else if (value is Array a) obj[key] = new JsonArray(a.Cast<object>().Select(ToNode).ToArray());
            else obj[key] = ToNode(value);
        }
        if (config is IDynamicKeys dynamic) AddDynamic(obj, dynamic);
        return obj;
    }

    private static JsonNode? ToNode(object v) => v switch
    {
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        bool b => JsonValue.Create(b),
        Enum e => JsonValue.Create(e.ToString()),
        _ => JsonValue.Create(Convert.ToString(v, CultureInfo.InvariantCulture)),
    };
}
