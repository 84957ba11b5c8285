using System.Text;
using Noether.Probes;

namespace Noether.Experiments;

/// <summary>
/// docs/reference.md, written from the registries and nothing else: the experiments, the learning rules, the training
/// probes, the training sections' keys, and the metrics of `noether metric`. A test regenerates it and fails when the
/// file in the repository differs (NOETHER_UPDATE_DOCS=1 rewrites it), so a name is declared once and documented
/// everywhere it is listed.
/// </summary>
public static class ReferencePage
{
    public static string Markdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Reference");
        sb.AppendLine();
        sb.AppendLine("Generated from Noether's registries (`Registry`, `RuleRegistry`, `ProbeRegistry`, `Definitions<…>` of initialisers,");
        sb.AppendLine("optimisers, schedules and activations, `TrainedConfig`, `MetricCommand`); a test keeps it current. `noether list …`");
        sb.AppendLine("prints the same lists.");
        sb.AppendLine();
        sb.AppendLine("## Experiments (`noether list`)");
        sb.AppendLine();
        sb.AppendLine("| id | paper | arXiv | page |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var e in Registry.All)
            sb.AppendLine($"| `{e.Id}` | {Cell(e.Paper.Title)} | {e.Paper.ArxivId} | [experiments/{e.Id}.md](experiments/{e.Id}.md) |");
        sb.AppendLine();
        sb.AppendLine("Studies (`noether run study --config FILE`; not run by a default `reproduce`):");
        sb.AppendLine();
        foreach (var e in Registry.Studies)
            sb.AppendLine($"- `{e.Id}`: {Cell(e.Summary)} — [studies.md](studies.md)");
        sb.AppendLine();
        sb.AppendLine("## Learning rules (`--set rule=NAME`, `noether list rules`)");
        sb.AppendLine();
        sb.AppendLine("| rule | what it does | feedback matrix |");
        sb.AppendLine("|---|---|---|");
        foreach (var rule in Learning.Rules.RuleRegistry.All)
            sb.AppendLine($"| `{rule.Name}` | {Cell(rule.Description)} | {(rule.Feedback ? "yes" : "no")} |");
        sb.AppendLine();
        sb.AppendLine("## Training probes (`--set probes=NAME[,NAME…]`, `noether list probes`)");
        sb.AppendLine();
        sb.AppendLine("| probe | what it measures | source | options (`--set probes.<probe>.<option>=V`) |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var p in ProbeRegistry.All)
            sb.AppendLine($"| `{p.Name}` | {Cell(p.Description)} | {Cell(p.Source)} | {Cell(string.Join("; ", p.Options.Select(o => "`" + o.Name + "` " + o.Summary[(o.Name.Length + 2)..])))} |");
        sb.AppendLine();
        sb.AppendLine("An option not set keeps its default, and the probe measures exactly as it did before options existed. Setting an option");
        sb.AppendLine("of a probe that is not attached, an option the probe does not declare, a wrong type or a value out of range is refused");
        sb.AppendLine("before the run starts (one line, exit 2).");
        sb.AppendLine();
        Building(sb, "Initialisers (`model.init`, `noether list initializers`)", Definitions<Nn.InitializerDefinition>.All);
        Building(sb, "Optimisers (`noether list optimizers`)", Definitions<Learning.OptimizerDefinition>.All);
        Building(sb, "Learning-rate schedules (`optimizer.schedule`, `noether list schedules`)", Definitions<Learning.ScheduleDefinition>.All);
        Building(sb, "Activations (`model.activation`, `noether list activations`)", Definitions<Nn.ActivationDefinition>.All);
        sb.AppendLine("## Training sections (every experiment; docs/training.md)");
        sb.AppendLine();
        sb.AppendLine("| key | type | default | allowed | meaning |");
        sb.AppendLine("|---|---|---|---|---|");
        var defaults = new SectionsOnly();
        foreach (var (key, type, value, param) in ConfigBinder.Describe(defaults))
            sb.AppendLine($"| `{key}` | {TypeName(type)} | {Cell(Format(value))} | {Cell(param?.Allowed is { } a ? string.Join(", ", a) : Range(param))} | {Cell(param?.Description ?? "")} |");
        sb.AppendLine();
        sb.AppendLine("An experiment may set other defaults for these keys (e.g. hebbian's rule is `random-teacher`); `noether list --keys <id>`");
        sb.AppendLine("shows them, and a key an experiment cannot honour is refused with the reason.");
        sb.AppendLine();
        sb.AppendLine("## Metrics of `noether metric` (`noether list metrics`)");
        sb.AppendLine();
        sb.AppendLine("| metric | platonic-rep name | rows by default | what it measures |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var (name, alias, normalize, meaning) in MetricCommand.Defaults)
            sb.AppendLine($"| `{name}` | {Cell(alias)} | {Cell(normalize)} | {Cell(meaning)} |");
        return sb.ToString();
    }

    /// <summary>One table of a <see cref="Definitions{TDefinition}"/> registry: name (and aliases), what it is, options.</summary>
    private static void Building<TDefinition>(StringBuilder sb, string title, IReadOnlyList<TDefinition> all) where TDefinition : Definition
    {
        sb.AppendLine("## " + title);
        sb.AppendLine();
        sb.AppendLine("| name | also accepted | what it is | options |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var d in all)
            sb.AppendLine($"| `{(d is Learning.ScheduleDefinition s ? s.Syntax : d.Name)}` | {Cell(string.Join(", ", d.Aliases))} | {Cell(d.Description)} | {Cell(d.Options)} |");
        sb.AppendLine();
    }

    /// <summary>The shared training sections alone, with their library defaults.</summary>
    private sealed class SectionsOnly : TrainedConfig;

    private static string Cell(string s) => s.Replace("|", "\\|").Replace("\n", " ");

    private static string Format(object? v) => v switch
    {
        null => "",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        Array a => a.Length == 0 ? "(empty)" : string.Join(",", a.Cast<object>().Select(Format)),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    private static string TypeName(Type t) =>
        t.IsArray ? "list of " + TypeName(t.GetElementType()!) + "s" :
        t == typeof(int) || t == typeof(long) ? "integer" : t == typeof(double) ? "number" : t == typeof(bool) ? "true/false" : "text";

    private static string Range(ParamAttribute? p) =>
        p is null ? "" :
        (double.IsNegativeInfinity(p.Min), double.IsPositiveInfinity(p.Max)) switch
        {
            (false, false) => $"[{Format(p.Min)}, {Format(p.Max)}]",
            (false, true) => $"≥ {Format(p.Min)}",
            (true, false) => $"≤ {Format(p.Max)}",
            _ => "any",
        };
}
