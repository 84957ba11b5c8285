using System.Text.Json;
using Noether.Experiments;
using Noether.Runs;

namespace Noether.Reports;

/// <summary>
/// Everything a report shows, read from a run folder alone (run.json, figures.json, extra.json,
/// metrics.csv, tensors/*.npy, error.txt), so a report can be rebuilt without rerunning anything.
/// </summary>
public sealed class RunFolder
{
    private RunFolder(string directory, RunRecord record, IReadOnlyList<Figure> figures, IReadOnlyDictionary<string, double> extra)
    {
        Directory = directory; Record = record; Figures = figures; Extra = extra;
    }

    public string Directory { get; }
    public RunRecord Record { get; }
    public IReadOnlyList<Figure> Figures { get; }
    /// <summary>Free-form numbers the experiment saved besides its claims (extra.json).</summary>
    public IReadOnlyDictionary<string, double> Extra { get; }

    public string MetricsPath => Path.Combine(Directory, "metrics.csv");

    /// <summary>The claims with verdicts recomputed from the stored measurements and thresholds.</summary>
    public IReadOnlyList<Claim> Claims => Record.Claims.Select(ExperimentRunner.FromRecord).ToList();

    /// <summary>The full exception text of a failed run (error.txt), if any.</summary>
    public string? ErrorDetails => File.Exists(Path.Combine(Directory, "error.txt")) ? File.ReadAllText(Path.Combine(Directory, "error.txt")) : null;

    /// <summary>Tensors the experiment exported (tensors/*.npy), with their shapes.</summary>
    public IReadOnlyList<(string Name, int[] Shape)> Tensors
    {
        get
        {
            string dir = Path.Combine(Directory, RunContext.TensorFolder);
            if (!System.IO.Directory.Exists(dir)) return [];
            return System.IO.Directory.GetFiles(dir, "*.npy").Order(StringComparer.Ordinal)
                .Select(p => (Path.GetFileName(p), Npy.ParseHeader(p, ReadHead(p)).Shape)).ToList();
        }
    }

    /// <summary>Reads a run folder; a missing folder, a missing or malformed run.json or figures.json raises a one-line error naming the file.</summary>
    public static RunFolder Load(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory} does not exist; expected a Noether run folder containing run.json");
        var record = RunRecord.Load(directory);
        var figures = ReadJson<List<Figure>>(directory, "figures.json", "a list of figures") ?? [];
        foreach (var f in figures)
            if (f.Id is null || f.Kind is null || f.Series is null)
                throw new FormatException($"{Path.Combine(directory, "figures.json")}: a figure lacks Id, Kind or Series");
        var extra = ReadJson<Dictionary<string, double>>(directory, "extra.json", "an object of named numbers") ?? [];
        return new RunFolder(directory, record, figures, extra);
    }

    private static T? ReadJson<T>(string directory, string file, string expected) where T : class
    {
        string path = Path.Combine(directory, file);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(BoundedFile.ReadAllText(path, BoundedFile.JsonLimit, file), RunRecord.Json)
                ?? throw new FormatException($"{path} is empty; expected {expected}");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new FormatException($"{path} is not valid: expected {expected}: {e.Message.Split('\n')[0]}");
        }
    }

    private static byte[] ReadHead(string path)
    {
        // The header of a .npy file is at most a few kilobytes; the data is not needed for the shape.
        using var s = BoundedFile.OpenRead(path, "NPY file");
        var buffer = new byte[(int)Math.Min(s.Length, Npy.MaxHeaderLength + 12)];
        s.ReadExactly(buffer);
        return buffer;
    }
}
