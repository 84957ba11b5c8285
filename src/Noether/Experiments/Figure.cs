namespace Noether.Experiments;

/// <summary>
/// A figure an experiment declares as data (experiments never draw): the report layer renders it.
/// Kinds: "line" and "scatter" (series of x/y), "bar" (one value per category per series),
/// "heatmap" (Z[row, column] with axis values), "images" (a grid of small grayscale images).
/// </summary>
public sealed record Figure(string Id, string Title, string Kind, string XLabel, string YLabel)
{
    public List<Series> Series { get; init; } = [];
    public bool LogX { get; init; }
    public bool LogY { get; init; }
    /// <summary>Category names for bar charts; on a line or scatter figure, the labels of X = 0, 1, ….</summary>
    public string[]? Categories { get; init; }
    /// <summary>Heat-map values, rows × columns, and the axis values of rows (Y) and columns (X).</summary>
    public double[][]? Z { get; init; }
    public double[]? RowValues { get; init; }
    public double[]? ColumnValues { get; init; }
    /// <summary>Heat maps: the colour scale's [low, high] (share it between maps shown side by side; a fraction uses [0, 1]); null fits the data.</summary>
    public double[]? ZRange { get; init; }
    /// <summary>Heat maps: what the colour means (the colour-bar label), with units.</summary>
    public string? ZLabel { get; init; }
    /// <summary>Images: each row-major height × width in [0,1]-ish range, with a caption.</summary>
    public List<ImagePanel>? Images { get; init; }
    /// <summary>One sentence on what to look for.</summary>
    public string? Caption { get; init; }

    /// <summary>
    /// Gives every heat map in <paramref name="figures"/> whose id starts with <paramref name="idPrefix"/> one colour
    /// scale, the range of all their finite values, so maps shown side by side compare by colour.
    /// </summary>
    public static void ShareScale(List<Figure> figures, string idPrefix)
    {
        var values = figures.Where(f => f.Kind == "heatmap" && f.Id.StartsWith(idPrefix, StringComparison.Ordinal) && f.Z is not null)
            .SelectMany(f => f.Z!.SelectMany(row => row)).Where(double.IsFinite).ToList();
        if (values.Count == 0) return;
        double[] range = [values.Min(), Math.Max(values.Max(), values.Min() + 1e-12)];
        for (int i = 0; i < figures.Count; i++)
            if (figures[i].Kind == "heatmap" && figures[i].Id.StartsWith(idPrefix, StringComparison.Ordinal))
                figures[i] = figures[i] with { ZRange = range };
    }
}

/// <summary>
/// One series of a line or scatter figure. <see cref="Style"/> overrides the figure's kind for this
/// series (a measured curve beside a y = x reference); <see cref="Spread"/> is a ± half-width at each
/// point (a standard deviation over seeds), drawn as error bars or a band.
/// </summary>
public sealed record Series(string Name, double[] X, double[] Y)
{
    /// <summary>null: the figure's kind; "line", "markers" (points only) or "reference" (a thin dashed grey line, e.g. y = x or a threshold).</summary>
    public string? Style { get; init; }
    /// <summary>± half-width around Y at each point (same length as Y), or null.</summary>
    public double[]? Spread { get; init; }

    /// <summary>Sample standard deviation (n − 1) of the values a mean was taken over; 0 for fewer than two.</summary>
    public static double StandardDeviation(IEnumerable<double> values)
    {
        var v = values as IReadOnlyList<double> ?? values.ToList();
        if (v.Count < 2) return 0;
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1));
    }
}

public sealed record ImagePanel(string Caption, int Height, int Width, double[] Pixels);
