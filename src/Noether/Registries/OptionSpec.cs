using System.Globalization;
using Noether.Experiments;

namespace Noether;

/// <summary>
/// One option a registered block declares once (a training probe's, e.g. the CRH probe's <c>layer</c>): its name (the last
/// part of its config key, snake_case), type, range, default and one line. Config validation (<c>--set
/// probes.crh.layer=1</c>), <c>noether list …</c> and docs/reference.md all read this declaration.
/// </summary>
/// <param name="Name">the option's key under its block (snake_case).</param>
/// <param name="Type">int, double or int[] (a comma-separated list of integers).</param>
/// <param name="Default">the value when the option is not set; an unset option leaves the block's behaviour as it was.</param>
/// <param name="Description">one line: what it changes.</param>
/// <param name="Min">smallest allowed value (of every item of a list).</param>
/// <param name="Max">largest allowed value (of every item of a list).</param>
/// <param name="DenseLayers">whether the values are dense layers, 1-based (checked against the network when the block is attached).</param>
public sealed record OptionSpec(string Name, Type Type, object Default, string Description,
    double Min = double.NegativeInfinity, double Max = double.PositiveInfinity, bool DenseLayers = false)
{
    /// <summary>An integer option in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static OptionSpec Integer(string name, int @default, string description, int min, int max) =>
        new(name, typeof(int), @default, description, min, max);

    /// <summary>A number option in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static OptionSpec Number(string name, double @default, string description, double min, double max) =>
        new(name, typeof(double), @default, description, min, max);

    /// <summary>A list of dense layers (1-based); empty by default, meaning every layer.</summary>
    public static OptionSpec Layers(string name, string description) =>
        new(name, typeof(int[]), Array.Empty<int>(), description, 1, 1000, DenseLayers: true);

    /// <summary>The range and description as the config binder checks them.</summary>
    public ParamAttribute Param => new(Description) { Min = Min, Max = Max };

    /// <summary>"name: integer in [1, 1000], default 16 — description", for listings.</summary>
    public string Summary
    {
        get
        {
            string type = Type == typeof(int) ? "integer" : Type == typeof(double) ? "number" : "list of integers";
            string range = (double.IsFinite(Min), double.IsFinite(Max)) switch
            {
                (true, true) => $" in [{Format(Min)}, {Format(Max)}]",
                (true, false) => $" ≥ {Format(Min)}",
                (false, true) => $" ≤ {Format(Max)}",
                _ => "",
            };
            return $"{Name}: {type}{range}, default {Show(Default)} — {Description}";
        }
    }

    /// <summary>A value as a user writes it (lists comma-separated; an empty list as "(empty)").</summary>
    public static string Show(object? value) => value switch
    {
        null => "",
        Array { Length: 0 } => "(empty)",
        Array a => string.Join(",", a.Cast<object>().Select(v => Show(v))),
        double d => Format(d),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static string Format(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}
