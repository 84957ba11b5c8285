using System.Globalization;

namespace Noether.Runs;

/// <summary>
/// Long-format metrics, one row per value: step,member,layer,name,value. Rows are appended and
/// flushed as they are produced, so a crash loses nothing written before it. A writer without a
/// file keeps rows only in memory (tests, dry runs).
/// </summary>
public sealed class MetricsWriter : IDisposable
{
    public const string Header = "step,member,layer,name,value";
    private readonly StreamWriter? _writer;
    private readonly List<MetricRow> _rows = [];
    private readonly object _lock = new();

    private MetricsWriter(StreamWriter? writer) { _writer = writer; }

    public static MetricsWriter InMemory() => new(null);

    /// <summary>Opens (appending) or creates a metrics.csv; a new file gets the header.</summary>
    public static MetricsWriter Open(string path)
    {
        bool exists = File.Exists(path) && new FileInfo(path).Length > 0;
        var w = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = false };
        if (!exists) { w.WriteLine(Header); w.Flush(); }
        return new MetricsWriter(w);
    }

    /// <summary>
    /// Reopens the metrics of a run resumed from a checkpoint: cuts the file back to the
    /// <paramref name="length"/> bytes it had when the checkpoint was written (rows logged after it
    /// would otherwise be duplicated by the resumed run) and reloads the remaining rows.
    /// </summary>
    public static MetricsWriter Resume(string path, long length)
    {
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read))
        {
            if (fs.Length < length) throw new InvalidDataException($"{path}: {fs.Length} bytes, the checkpoint expects at least {length}");
            fs.SetLength(length);
        }
        var rows = Read(path);
        var w = Open(path);
        w._rows.AddRange(rows);
        return w;
    }

    /// <summary>Flushes and returns the file's length in bytes (0 without a file): what a checkpoint records.</summary>
    public long FlushedLength
    {
        get
        {
            lock (_lock)
            {
                if (_writer is null) return 0;
                _writer.Flush();
                return _writer.BaseStream.Position;
            }
        }
    }

    /// <summary>
    /// Raised for every row as it is logged, in order, under the writer's lock (observers such as the
    /// live TensorBoard export must be quick and must not log).
    /// </summary>
    public event Action<MetricRow>? RowLogged;

    /// <summary>Raised after each <see cref="Flush"/>, under the writer's lock: observers flush their own files with the metrics.</summary>
    public event Action? Flushed;

    /// <summary>Rows logged through this writer (kept so experiments and tests can read them back).</summary>
    public IReadOnlyList<MetricRow> Rows { get { lock (_lock) return _rows.ToArray(); } }

    public void Log(long step, int member, string layer, string name, double value)
    {
        lock (_lock)
        {
            var row = new MetricRow(step, member, layer, name, value);
            _rows.Add(row);
            RowLogged?.Invoke(row);
            _writer?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step},{member},{Escape(layer)},{Escape(name)},{value:R}"));
        }
    }

    /// <summary>Flushes rows to disk (called at the end of every probe event).</summary>
    public void Flush()
    {
        lock (_lock)
        {
            _writer?.Flush();
            Flushed?.Invoke();
        }
    }

    public void Dispose()
    {
        lock (_lock) _writer?.Dispose();
    }

    private static string Escape(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    /// <summary>Reads a metrics.csv back.</summary>
    public static List<MetricRow> Read(string path)
    {
        var rows = new List<MetricRow>();
        using var r = new StreamReader(path);
        string? line = r.ReadLine();
        if (line != Header) throw new FormatException($"{path}: first line is '{line}', expected '{Header}'");
        int n = 1;
        while ((line = r.ReadLine()) is not null)
        {
            n++;
            if (line.Length == 0) continue;
            var f = SplitCsv(line);
            if (f.Count != 5 || !long.TryParse(f[0], CultureInfo.InvariantCulture, out var step) || !int.TryParse(f[1], CultureInfo.InvariantCulture, out var member)
                || !double.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw new FormatException($"{path}:{n}: expected step,member,layer,name,value, found '{line}'");
            rows.Add(new MetricRow(step, member, f[2], f[3], value));
        }
        return rows;
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var sb = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else sb.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(c);
        }
        fields.Add(sb.ToString());
        return fields;
    }
}

public sealed record MetricRow(long Step, int Member, string Layer, string Name, double Value);
