using System.Globalization;

namespace Noether.Training;

/// <summary>A named list of typed values (all doubles, all ints or all strings).</summary>
public sealed record ConditionField(string Name, IReadOnlyList<object> Values);

/// <summary>
/// One condition axis of a population: its values, all numbers or all strings, and optionally more
/// named fields that vary with it (an "arm" axis whose every value also fixes a gamma and a sigma0).
/// </summary>
public sealed record ConditionAxis
{
    private ConditionAxis(IReadOnlyList<ConditionField> fields)
    {
        foreach (var f in fields)
            if (f.Name.Length == 0 || f.Name is PopulationLayout.SeedAxis or "phase" or "member")
                throw new ArgumentException($"condition '{f.Name}': expected a non-empty name other than seed, phase or member");
        if (fields[0].Values.Count == 0) throw new ArgumentException($"condition axis '{fields[0].Name}' has no values");
        var wrong = fields.FirstOrDefault(f => f.Values.Count != fields[0].Values.Count);
        if (wrong is not null) throw new ArgumentException($"field '{wrong.Name}' has {wrong.Values.Count} values, axis '{fields[0].Name}' has {fields[0].Values.Count}");
        Fields = fields;
    }

    /// <summary>An axis of numbers (kept as numbers in run.json).</summary>
    public static ConditionAxis Of(string name, IEnumerable<double> values) => new([Field(name, values)]);

    /// <summary>An axis of integers (kept as integers in run.json).</summary>
    public static ConditionAxis Of(string name, IEnumerable<int> values) => new([Field(name, values)]);

    /// <summary>An axis of names (kept as strings in run.json).</summary>
    public static ConditionAxis Of(string name, IEnumerable<string> values) => new([Field(name, values)]);

    /// <summary>This axis with one more field: one value per value of the axis.</summary>
    public ConditionAxis And(string field, IEnumerable<double> values) => new([.. Fields, Field(field, values)]);

    /// <inheritdoc cref="And(string, IEnumerable{double})"/>
    public ConditionAxis And(string field, IEnumerable<int> values) => new([.. Fields, Field(field, values)]);

    /// <inheritdoc cref="And(string, IEnumerable{double})"/>
    public ConditionAxis And(string field, IEnumerable<string> values) => new([.. Fields, Field(field, values)]);

    private static ConditionField Field<T>(string name, IEnumerable<T> values) where T : notnull => new(name, values.Select(v => (object)v).ToArray());

    /// <summary>The axis name (its first field's).</summary>
    public string Name => Fields[0].Name;
    /// <summary>The axis values (its first field's), each a double, an int or a string.</summary>
    public IReadOnlyList<object> Values => Fields[0].Values;
    /// <summary>The axis itself first, then the fields that vary with it.</summary>
    public IReadOnlyList<ConditionField> Fields { get; }
    public int Count => Values.Count;
}

/// <summary>
/// The members of a population: named condition axes × K seeds. Member order is conditions major, in
/// declaration order (the first axis varies slowest), with the seed innermost — the order sweeps use.
/// The member with seed index s uses seed (run seed + s) whatever its condition, so every condition is
/// paired on the same draws and a member equals a P = 1 run with that seed and that condition.
/// </summary>
public sealed class PopulationLayout
{
    /// <summary>The name of the seed axis in run.json.</summary>
    public const string SeedAxis = "seed";

    private readonly ConditionAxis[] _axes;

    /// <summary>A layout of <paramref name="seeds"/> seeds and the given condition axes (none: one member per seed).</summary>
    public PopulationLayout(int seeds, params ConditionAxis[] axes)
    {
        if (seeds < 1) throw new ArgumentOutOfRangeException(nameof(seeds), seeds, "a population needs at least one seed");
        var dup = axes.SelectMany(a => a.Fields).GroupBy(f => f.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"condition '{dup.Key}' is declared twice");
        Seeds = seeds;
        _axes = axes;
        Conditions = axes.Aggregate(1, (n, a) => checked(n * a.Count));
        Count = checked(Conditions * seeds);
    }

    /// <summary>This layout with one more condition axis (and its fields), varying faster than the ones already declared.</summary>
    public PopulationLayout With(ConditionAxis axis) => new(Seeds, [.. _axes, axis]);

    /// <summary>K seeds and no condition axis.</summary>
    public static PopulationLayout OfSeeds(int seeds) => new(seeds);

    /// <summary>This layout with one more condition axis, varying faster than the ones already declared.</summary>
    public PopulationLayout With(string axis, IEnumerable<double> values) => new(Seeds, [.. _axes, ConditionAxis.Of(axis, values)]);

    /// <inheritdoc cref="With(string, IEnumerable{double})"/>
    public PopulationLayout With(string axis, IEnumerable<int> values) => new(Seeds, [.. _axes, ConditionAxis.Of(axis, values)]);

    /// <inheritdoc cref="With(string, IEnumerable{double})"/>
    public PopulationLayout With(string axis, IEnumerable<string> values) => new(Seeds, [.. _axes, ConditionAxis.Of(axis, values)]);

    /// <summary>Number of seeds K.</summary>
    public int Seeds { get; }
    /// <summary>Number of conditions (product of the axis lengths; 1 without axes).</summary>
    public int Conditions { get; }
    /// <summary>Number of members P = conditions × seeds.</summary>
    public int Count { get; }
    /// <summary>The condition axes in declaration order.</summary>
    public IReadOnlyList<ConditionAxis> Axes => _axes;

    /// <summary>The member with seed index <paramref name="seed"/> under the condition whose per-axis indices are given (declaration order).</summary>
    public int Member(int seed, params int[] condition)
    {
        if (condition.Length != _axes.Length)
            throw new ArgumentException($"expected {_axes.Length} condition indices ({string.Join(", ", _axes.Select(a => a.Name))}), got {condition.Length}");
        int c = 0;
        for (int a = 0; a < _axes.Length; a++)
        {
            if ((uint)condition[a] >= (uint)_axes[a].Count) throw new ArgumentOutOfRangeException(nameof(condition), $"axis {_axes[a].Name}: index {condition[a]} of {_axes[a].Count}");
            c = c * _axes[a].Count + condition[a];
        }
        return MemberOfCondition(c, seed);
    }

    /// <summary>The member of flattened condition <paramref name="condition"/> (0 … Conditions−1) and seed index <paramref name="seed"/>.</summary>
    public int MemberOfCondition(int condition, int seed)
    {
        if ((uint)seed >= (uint)Seeds) throw new ArgumentOutOfRangeException(nameof(seed), $"seed index {seed} of {Seeds}");
        if ((uint)condition >= (uint)Conditions) throw new ArgumentOutOfRangeException(nameof(condition), $"condition {condition} of {Conditions}");
        return condition * Seeds + seed;
    }

    /// <summary>The seed index s of a member (its seed is run seed + s).</summary>
    public int SeedIndex(int member) => Check(member) % Seeds;

    /// <summary>The flattened condition index of a member.</summary>
    public int ConditionOf(int member) => Check(member) / Seeds;

    /// <summary>The index along <paramref name="axis"/> of a member's condition.</summary>
    public int Index(int member, string axis)
    {
        int a = AxisIndex(axis), c = ConditionOf(member);
        for (int b = _axes.Length - 1; b > a; b--) c /= _axes[b].Count;
        return c % _axes[a].Count;
    }

    /// <summary>The value of condition <paramref name="field"/> (an axis or a field of one) for a member: a double, an int or a string.</summary>
    public object Value(int member, string field)
    {
        var (a, f) = FieldIndex(field);
        return _axes[a].Fields[f].Values[Index(member, _axes[a].Name)];
    }

    /// <summary>A numeric condition as one value per member: a per-member hyper-parameter vector.</summary>
    public double[] Values(string field)
    {
        var (a, f) = FieldIndex(field);
        if (_axes[a].Fields[f].Values[0] is string) throw new InvalidOperationException($"condition '{field}' holds names, not numbers");
        return Enumerable.Range(0, Count).Select(m => Convert.ToDouble(Value(m, field), CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>A condition as one value per member, whatever its type.</summary>
    public object[] Column(string field) => Enumerable.Range(0, Count).Select(m => Value(m, field)).ToArray();

    /// <summary>The members that share a condition, in seed order (K members).</summary>
    public int[] MembersOfCondition(int condition) => Enumerable.Range(0, Seeds).Select(s => MemberOfCondition(condition, s)).ToArray();

    /// <summary>The seed with index <paramref name="seedIndex"/> of a run seeded with <paramref name="runSeed"/>: the one seed convention.</summary>
    public static long SeedOf(long runSeed, int seedIndex) => runSeed + seedIndex;

    private (int Axis, int Field) FieldIndex(string field)
    {
        for (int a = 0; a < _axes.Length; a++)
            for (int f = 0; f < _axes[a].Fields.Count; f++)
                if (_axes[a].Fields[f].Name == field) return (a, f);
        throw new ArgumentException($"no condition '{field}'; this layout has {(_axes.Length == 0 ? "none" : string.Join(", ", _axes.SelectMany(x => x.Fields).Select(x => x.Name)))}");
    }

    private int AxisIndex(string axis)
    {
        for (int a = 0; a < _axes.Length; a++) if (_axes[a].Name == axis) return a;
        throw new ArgumentException($"no condition axis '{axis}'; this layout has {(_axes.Length == 0 ? "none" : string.Join(", ", _axes.Select(x => x.Name)))}");
    }

    private int Check(int member) =>
        (uint)member < (uint)Count ? member : throw new ArgumentOutOfRangeException(nameof(member), $"member {member} of {Count}");
}
