using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Noether.Learning;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;

namespace Noether.Experiments;

/// <summary>One population member of a study: its phase and number, its seed (run seed + seed index), and the value of every axis (read back).</summary>
public sealed record StudyMember(string Phase, int Member, long Seed, IReadOnlyDictionary<string, object> Axes)
{
    /// <summary>"weight_decay=0.03/rule.name=fa": the member's condition, without the seed.</summary>
    public string Condition => string.Join("/", Axes.Select(kv => $"{kv.Key}={StudyAxes.Text(kv.Value)}"));
}

/// <summary>
/// A claim written as data (docs/studies.md#claims): a metric at a layer, reduced over each member's measurements
/// (<see cref="Steps"/>), optionally restricted to some conditions (<see cref="Where"/>) or taken as the difference
/// between two values of one axis paired by seed and every other axis (<see cref="Difference"/>), then reduced over
/// members (<see cref="Members"/>) and compared with a threshold.
/// </summary>
public sealed record StudyClaim(string Id, string Kind, string? Statement, string Metric, string Layer, string Steps, int LastK, string Members,
    IReadOnlyList<(string Key, object Value)> Where, (string Key, object A, object B)? Difference, Comparison Comparison, double Low, double High)
{
    /// <summary>
    /// The claim measured on <paramref name="members"/>, whose series of a metric (values in step order) <paramref name="series"/>
    /// gives: a <see cref="Claim"/> whose verdict is computed as every built-in claim's is.
    /// </summary>
    public Claim Evaluate(IReadOnlyList<StudyMember> members, Func<StudyMember, string, string, IReadOnlyList<double>> series)
    {
        var chosen = members.Where(m => Where.All(w => StudyAxes.Same(m.Axes[w.Key], w.Value))).ToList();
        double Of(StudyMember m) => Reduce(series(m, Metric, Layer));
        var values = new List<(string Label, double Value)>();
        if (Difference is (var key, var a, var b))
        {
            string Pairing(StudyMember m) => string.Join("/", m.Axes.Where(kv => kv.Key != key).Select(kv => $"{kv.Key}={StudyAxes.Text(kv.Value)}").Append($"seed={m.Seed}"));
            foreach (var first in chosen.Where(m => StudyAxes.Same(m.Axes[key], a)))
            {
                var second = chosen.First(m => StudyAxes.Same(m.Axes[key], b) && Pairing(m) == Pairing(first));
                values.Add((Pairing(first), Of(first) - Of(second)));
            }
        }
        else values.AddRange(chosen.Select(m => ($"{m.Condition}{(m.Condition.Length > 0 ? "/" : "")}seed={m.Seed}", Of(m))));
        double measured = values.Count == 0 ? double.NaN : Members switch
        {
            "min" => values.Any(v => double.IsNaN(v.Value)) ? double.NaN : values.Min(v => v.Value),
            "max" => values.Any(v => double.IsNaN(v.Value)) ? double.NaN : values.Max(v => v.Value),
            "median" => Median(values.Select(v => v.Value).ToList()),
            "max_abs" => values.Any(v => double.IsNaN(v.Value)) ? double.NaN : values.Max(v => Math.Abs(v.Value)),
            _ => values.Average(v => v.Value),
        };
        string details = string.Join("; ", values.Select(v => $"{v.Label}: {Claim.Format(v.Value)}"));
        string statement = Statement ?? Describe(values.Count);
        var claim = Comparison switch
        {
            Comparison.AtLeast => Claim.AtLeast(Id, statement, measured, Low, details),
            Comparison.AtMost => Claim.AtMost(Id, statement, measured, High, details),
            _ => Claim.Within(Id, statement, measured, Low, High, details),
        };
        return Kind == ClaimKind.Check ? claim.AsCheck() : claim;
    }

    /// <summary>One member's measurements (in step order) reduced as <see cref="Steps"/> says; NaN when there are none.</summary>
    public double Reduce(IReadOnlyList<double> v)
    {
        if (v.Count == 0) return double.NaN;
        return Steps switch
        {
            "end" => v[^1],
            "max" => v.Any(double.IsNaN) ? double.NaN : v.Max(),
            "min" => v.Any(double.IsNaN) ? double.NaN : v.Min(),
            "mean" => v.Average(),
            _ => v.Skip(Math.Max(0, v.Count - LastK)).Average(),
        };
    }

    private static double Median(List<double> v)
    {
        if (v.Any(double.IsNaN)) return double.NaN;
        v.Sort();
        return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    /// <summary>The statement a claim without one gets: what is measured, in words.</summary>
    private string Describe(int count)
    {
        string steps = Steps switch
        {
            "end" => "at the last measurement",
            "max" => "its largest measurement",
            "min" => "its smallest measurement",
            "mean" => "mean over all measurements",
            _ => $"mean of the last {LastK} measurements",
        };
        string where = Where.Count == 0 ? "" : " at " + string.Join(", ", Where.Select(w => $"{w.Key}={StudyAxes.Text(w.Value)}"));
        string diff = Difference is (var k, var a, var b) ? $", {k}={StudyAxes.Text(a)} minus {k}={StudyAxes.Text(b)} (paired by seed)" : "";
        string over = Members switch { "min" => "smallest", "max" => "largest", "median" => "median", "max_abs" => "largest |value|", _ => "mean" };
        return $"{Metric}{(Layer.Length > 0 ? " of layer " + Layer : "")}, {steps}{where}{diff}; {over} over {count} {(Difference is null ? "members" : "pairs")}";
    }
}

/// <summary>Reads a study's <c>claims</c> against its config and axes; any mistake is one <see cref="ConfigException"/> naming the field.</summary>
public static class StudyClaims
{
    private static readonly string[] Fields = ["id", "kind", "statement", "metric", "layer", "steps", "members", "where", "difference", "at_least", "at_most", "within"];

    /// <summary>The metrics every study logs (accuracy only on classification data).</summary>
    public static string[] BuiltIn(Study.Config config) => config.Data.IsReal ? ["loss", "test_loss", "accuracy"] : ["loss", "test_loss"];

    public static IReadOnlyList<StudyClaim> Parse(Study.Config config, StudyAxes axes)
    {
        var claims = new List<StudyClaim>();
        var probeMetrics = config.Probes.Names.SelectMany(n => MetricsOf(ProbeRegistry.Find(n)!)).Select(m => ProbesConfig.Prefix + m).ToList();
        int layers = config.Model.Hidden.Length + 1;
        for (int i = 0; i < config.Claims.Count; i++)
        {
            string at = $"claims[{i}]";
            if (config.Claims[i] is not JsonObject c) throw new ConfigException($"{at}={config.Claims[i]?.ToJsonString() ?? "null"}: expected an object such as {{\"metric\": \"loss\", \"at_most\": 0.1}}");
            foreach (var (name, _) in c)
                if (!Fields.Contains(name)) throw new ConfigException($"{at}.{name}: unknown field; expected {string.Join(", ", Fields)}");
            string id = Text(c, "id", at) ?? $"claim-{i + 1}";
            if (id.Length == 0 || id.Any(ch => char.IsWhiteSpace(ch) || ch == '/')) throw new ConfigException($"{at}.id={id}: expected a non-empty name without spaces or '/'");
            if (claims.Any(x => x.Id == id)) throw new ConfigException($"{at}.id={id}: another claim has this id; expected distinct ids");
            string kind = Text(c, "kind", at) ?? ClaimKind.Claim;
            if (kind is not (ClaimKind.Claim or ClaimKind.Check)) throw new ConfigException($"{at}.kind={kind}: expected claim or check");

            string metric = Text(c, "metric", at) ?? throw new ConfigException($"{at}: no metric; expected \"metric\": one of {string.Join(", ", BuiltIn(config).Concat(probeMetrics))}");
            bool probe = metric.StartsWith(ProbesConfig.Prefix, StringComparison.Ordinal);
            if (!BuiltIn(config).Contains(metric) && !probeMetrics.Contains(metric))
                throw new ConfigException($"{at}.metric={metric}: expected one of {string.Join(", ", BuiltIn(config).Concat(probeMetrics))}"
                    + (metric == "accuracy" ? " (accuracy needs classification data: data=fashion-mnist, mnist, digits or iris)" : "")
                    + (probe ? $" (a probe's metric needs the probe attached: probes={string.Join(",", config.Probes.Names.Append("NAME"))}; noether list probes)" : ""));
            string layer = Layer(c["layer"], at, layers);
            if (probe && layer.Length == 0) throw new ConfigException($"{at}: {metric} is measured per layer; expected \"layer\": one of {string.Join(", ", Enumerable.Range(1, layers).Select(l => "l" + l))}");
            if (!probe && layer.Length > 0) throw new ConfigException($"{at}.layer={layer}: {metric} is not per layer; remove \"layer\"");
            if (layer.Length > 0 && config.Probes.Layers.Length > 0 && !config.Probes.Layers.Contains(int.Parse(layer[1..], CultureInfo.InvariantCulture)))
                throw new ConfigException($"{at}.layer={layer}: probes.layers={string.Join(",", config.Probes.Layers)} does not measure it");
            // A probe's own layer option (probes.crh.layer=…) restricts the layers it measures too.
            foreach (var name in config.Probes.Names.Where(n => layer.Length > 0 && MetricsOf(ProbeRegistry.Find(n)!).Any(m => ProbesConfig.Prefix + m == metric)))
                foreach (var option in ProbeRegistry.Find(name)!.Options.Where(o => o.DenseLayers))
                    if (config.Probes.OptionsOf(name).GetValueOrDefault(option.Name) is int[] { Length: > 0 } only && !only.Contains(int.Parse(layer[1..], CultureInfo.InvariantCulture)))
                        throw new ConfigException($"{at}.layer={layer}: probes.{name}.{option.Name}={OptionSpec.Show(only)} does not measure it");

            string steps = Text(c, "steps", at) ?? "end";
            int lastK = 0;
            if (steps.StartsWith("mean_last:", StringComparison.Ordinal))
            {
                if (!int.TryParse(steps["mean_last:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out lastK) || lastK < 1)
                    throw new ConfigException($"{at}.steps={steps}: expected mean_last:K with an integer K ≥ 1");
                steps = "mean_last";
            }
            else if (steps is not ("end" or "max" or "min" or "mean"))
                throw new ConfigException($"{at}.steps={steps}: expected end, mean_last:K, max, min or mean");

            var (comparison, low, high) = Threshold(c, at);
            string members = Text(c, "members", at) ?? comparison switch
            {
                Comparison.AtLeast => "min",
                Comparison.AtMost => "max",
                _ => throw new ConfigException($"{at}: \"within\" needs \"members\": min, max, mean, median or max_abs"),
            };
            if (members is not ("min" or "max" or "mean" or "median" or "max_abs")) throw new ConfigException($"{at}.members={members}: expected min, max, mean, median or max_abs");

            var where = new List<(string, object)>();
            if (c["where"] is { } w)
            {
                if (w is not JsonObject wo || wo.Count == 0) throw new ConfigException($"{at}.where={w.ToJsonString()}: expected an object of axis → value, e.g. {{\"weight_decay\": 0}}");
                foreach (var (key, value) in wo)
                {
                    var (axis, read) = AxisValue(config, axes, key, value, $"{at}.where.{key}");
                    if (where.Any(x => x.Item1 == axis.Key)) throw new ConfigException($"{at}.where.{key}: the axis {axis.Key} is named twice");
                    where.Add((axis.Key, read));
                }
            }
            (string, object, object)? difference = null;
            if (c["difference"] is { } d)
            {
                if (d is not JsonObject dobj || dobj.Count != 1 || dobj.First().Value is not JsonArray pair || pair.Count != 2)
                    throw new ConfigException($"{at}.difference={d.ToJsonString()}: expected one axis and two of its values, e.g. {{\"weight_decay\": [0.03, 0]}} (value at 0.03 minus value at 0)");
                string key = dobj.First().Key;
                var (axis, a) = AxisValue(config, axes, key, pair[0], $"{at}.difference.{key}");
                var (_, b) = AxisValue(config, axes, key, pair[1], $"{at}.difference.{key}");
                if (StudyAxes.Same(a, b)) throw new ConfigException($"{at}.difference.{key}: the two values are equal; expected two different values of the axis");
                if (where.Any(x => x.Item1 == axis.Key)) throw new ConfigException($"{at}.difference.{key}: the axis {axis.Key} is also in \"where\"");
                difference = (axis.Key, a, b);
            }
            claims.Add(new StudyClaim(id, kind, Text(c, "statement", at), metric, layer, steps, lastK, members, where, difference, comparison, low, high));
        }
        return claims;
    }

    private static string? Text(JsonObject c, string field, string at) => c[field] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var n => throw new ConfigException($"{at}.{field}={n.ToJsonString()}: expected a string"),
    };

    private static double Number(JsonNode? n, string field) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && double.IsFinite(v.GetValue<double>()) ? v.GetValue<double>()
        : throw new ConfigException($"{field}={n?.ToJsonString() ?? "null"}: expected a number");

    private static (Comparison, double, double) Threshold(JsonObject c, string at)
    {
        var given = new[] { "at_least", "at_most", "within" }.Where(f => c.ContainsKey(f)).ToList();
        if (given.Count != 1)
            throw new ConfigException($"{at}: {(given.Count == 0 ? "no threshold" : "both " + string.Join(" and ", given))}; expected exactly one of \"at_least\": x, \"at_most\": x or \"within\": [low, high]");
        switch (given[0])
        {
            case "at_least": return (Comparison.AtLeast, Number(c["at_least"], $"{at}.at_least"), double.NaN);
            case "at_most": double h = Number(c["at_most"], $"{at}.at_most"); return (Comparison.AtMost, h, h);
            default:
                if (c["within"] is not JsonArray r || r.Count != 2) throw new ConfigException($"{at}.within={c["within"]?.ToJsonString() ?? "null"}: expected [low, high]");
                double lo = Number(r[0], $"{at}.within[0]"), hi = Number(r[1], $"{at}.within[1]");
                if (lo > hi) throw new ConfigException($"{at}.within=[{Claim.Format(lo)}, {Claim.Format(hi)}]: expected low ≤ high");
                return (Comparison.Within, lo, hi);
        }
    }

    private static string Layer(JsonNode? n, string at, int layers)
    {
        if (n is null) return "";
        int l = n is JsonValue v && v.TryGetValue<int>(out int i) ? i
            : n is JsonValue s && s.TryGetValue<string>(out var t) && t.Length > 1 && t[0] == 'l' && int.TryParse(t.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int j) ? j : -1;
        if (l < 1 || l > layers) throw new ConfigException($"{at}.layer={n.ToJsonString()}: expected one of {string.Join(", ", Enumerable.Range(1, layers).Select(k => "l" + k))} (dense layers from the input, as in metrics.csv)");
        return "l" + l.ToString(CultureInfo.InvariantCulture);
    }

    private static (StudyAxis Axis, object Value) AxisValue(Study.Config config, StudyAxes axes, string key, JsonNode? value, string field)
    {
        string canonical;
        try { canonical = ConfigBinder.CanonicalKey(config, key); }
        catch (ConfigException) { canonical = key; }
        var axis = axes.Find(canonical) ?? throw new ConfigException($"{field}: {key} is not an axis; expected one of {(axes.Axes.Count == 0 ? "(none: the study has no axes)" : string.Join(", ", axes.Axes.Select(a => a.Key)))}");
        object read = axis.Named
            ? value is JsonValue v && v.TryGetValue<string>(out var name) ? name : throw new ConfigException($"{field}={value?.ToJsonString() ?? "null"}: expected the name of a setting: {string.Join(", ", axis.Values)}")
            : StudyAxes.Canonical(config, canonical, value, field);
        if (axis.IndexOf(read) < 0)
            throw new ConfigException($"{field}={value?.ToJsonString() ?? "null"}: not a value of the axis; expected one of {string.Join(", ", axis.Values.Select(StudyAxes.Text))}");
        return (axis, read);
    }

    private static readonly Dictionary<string, string[]> Known = new();

    /// <summary>The metric names a probe logs, found by measuring a tiny traced network with feedback matrices.</summary>
    public static string[] MetricsOf(TrainingProbe probe)
    {
        lock (Known)
        {
            if (Known.TryGetValue(probe.Name, out var names)) return names;
            var net = Mlp.Build<double>(2, [3, 4, 4, 2], "tanh", bias: false);
            net.Initialize(InitScheme.LeCun, [new Rng(1), new Rng(3)]);
            foreach (var l in net.Linears) l.Feedback = l.Weight.Value.Clone();
            var x = new Tensor<double>(2, 8, 3);
            new Rng(2).FillNormal(x.Span, 0, 1);
            var targets = new Tensor<double>(2, 8, 2);
            new Rng(4).FillNormal(targets.Span, 0, 1);
            var loss = new MseLoss<double>(half: true);
            var y = net.Forward(x);
            var dy = net.OutputGradientBuffer(8);
            loss.Evaluate(y, targets, new double[2], dy);
            net.Backward(dy);
            var found = new List<string>();
            probe.MeasureMembers([ProbeView.Of(net, 0, 0, loss, targets), ProbeView.Of(net, 1, 0, loss, targets)],
                (_, _, name, _) => { if (!found.Contains(name)) found.Add(name); });
            return Known[probe.Name] = [.. found];
        }
    }
}
