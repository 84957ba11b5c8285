using System.Globalization;

namespace Noether.Experiments;

/// <summary>What a claim is: one of the paper's statements, or a check that the setting is sound.</summary>
public static class ClaimKind
{
    public const string Claim = "claim";
    public const string Check = "check";
}

/// <summary>How a measured value is compared with its threshold.</summary>
public enum Comparison { AtMost, AtLeast, Within }

/// <summary>
/// One of a paper's headline claims as a number with a threshold. The verdict is computed here from
/// the measured value, never passed in; a non-finite measurement fails.
/// </summary>
public sealed record Claim
{
    private Claim(string id, string statement, double measured, Comparison comparison, double threshold, double upper, string? details)
    {
        Id = id; Statement = statement; Measured = measured; Comparison = comparison; Threshold = threshold; Upper = upper; Details = details;
        Passed = double.IsFinite(measured) && comparison switch
        {
            Comparison.AtMost => measured <= threshold,
            Comparison.AtLeast => measured >= threshold,
            _ => measured >= threshold && measured <= upper,
        };
    }

    public string Id { get; }
    /// <summary>"claim" for a paper's statement, "check" for a sanity check of the setting.</summary>
    public string Kind { get; init; } = ClaimKind.Claim;
    /// <summary>The paper's statement in words, with the setting it is measured in.</summary>
    public string Statement { get; }
    public double Measured { get; }
    public Comparison Comparison { get; }
    /// <summary>The threshold (the lower bound for <see cref="Comparison.Within"/>).</summary>
    public double Threshold { get; }
    /// <summary>Upper bound for <see cref="Comparison.Within"/>; NaN otherwise.</summary>
    public double Upper { get; }
    /// <summary>Other measured numbers behind the verdict (per seed, per condition), for the reader.</summary>
    public string? Details { get; }
    public bool Passed { get; }

    public static Claim AtMost(string id, string statement, double measured, double threshold, string? details = null) =>
        new(id, statement, measured, Comparison.AtMost, threshold, double.NaN, details);

    public static Claim AtLeast(string id, string statement, double measured, double threshold, string? details = null) =>
        new(id, statement, measured, Comparison.AtLeast, threshold, double.NaN, details);

    public static Claim Within(string id, string statement, double measured, double low, double high, string? details = null) =>
        new(id, statement, measured, Comparison.Within, low, high, details);

    /// <summary>
    /// Marks this as a check: an identity or invariant of the implementation, or a sanity condition of the
    /// setting (the network learns, the trap is non-trivial). It guards correctness; it is not evidence for
    /// the paper, and reports count it apart from the paper's claims.
    /// </summary>
    public Claim AsCheck() => this with { Kind = ClaimKind.Check };

    public string ComparisonText => Comparison switch
    {
        Comparison.AtMost => "<=",
        Comparison.AtLeast => ">=",
        _ => "in",
    };

    public string ThresholdText => Comparison == Comparison.Within
        ? $"[{Format(Threshold)}, {Format(Upper)}]"
        : Format(Threshold);

    public static string Format(double v) =>
        double.IsNaN(v) ? "NaN" :
        v == 0 ? "0" :
        Math.Abs(v) >= 1e5 || Math.Abs(v) < 1e-3 ? v.ToString("0.###e+0", CultureInfo.InvariantCulture) :
        v.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>Rebuilds a claim read from disk; the verdict is recomputed from the stored numbers.</summary>
    public static Claim FromStored(string id, string kind, string statement, double measured, string comparison, double? low, double? high, string? details)
    {
        double Bound(double? v, string side) => v ?? throw new FormatException($"claim {id}: comparison '{comparison}' needs threshold.{side}, found null");
        var claim = comparison switch
        {
            "<=" => AtMost(id, statement, measured, Bound(high, "high"), details),
            ">=" => AtLeast(id, statement, measured, Bound(low, "low"), details),
            "in" => Within(id, statement, measured, Bound(low, "low"), Bound(high, "high"), details),
            _ => throw new FormatException($"claim {id}: unknown comparison '{comparison}', expected <=, >= or in"),
        };
        return kind is ClaimKind.Claim or ClaimKind.Check
            ? claim with { Kind = kind }
            : throw new FormatException($"claim {id}: unknown kind '{kind}', expected claim or check");
    }

    /// <summary>The lower bound (for "&gt;=" and "in"), null otherwise.</summary>
    public double? Low => Comparison == Comparison.AtMost ? null : Threshold;

    /// <summary>The upper bound (for "&lt;=" and "in"), null otherwise.</summary>
    public double? High => Comparison switch { Comparison.AtMost => Threshold, Comparison.Within => Upper, _ => null };
}
