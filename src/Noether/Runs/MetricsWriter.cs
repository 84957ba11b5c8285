using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Noether.Runs;

/// <summary>
/// Tidy metrics, one row per value: step,phase,member,layer,name,value. <c>phase</c> names the part of
/// the experiment whose population logged the row, <c>member</c> indexes that population (run.json's
/// <c>members</c> says which seed and condition it is), <c>layer</c> is a layer index or name (empty when
/// the value is not per layer). Fields are quoted as RFC 4180 asks. Rows are appended and flushed as
/// they are produced, so a crash loses nothing written before it. A writer without a file keeps rows
/// only in memory (tests, dry runs).
/// </summary>
public sealed class MetricsWriter : IDisposable
{
    public const string Header = "step,phase,member,layer,name,value";
    private static readonly string[] Columns = Header.Split(',');
    private static readonly CsvConfiguration Csv = new(CultureInfo.InvariantCulture) { NewLine = "\n" };
    private readonly StreamWriter? _stream;
    private readonly CsvWriter? _csv;
    private readonly List<MetricRow> _rows = [];
    private readonly object _lock = new();

    private MetricsWriter(StreamWriter? stream)
    {
        _stream = stream;
        if (stream is not null) _csv = new CsvWriter(stream, Csv, leaveOpen: true);
    }

    public static MetricsWriter InMemory() => new(null);

    /// <summary>Opens (appending) or creates a metrics.csv; a new file gets the header.</summary>
    public static MetricsWriter Open(string path)
    {
        bool exists = File.Exists(path) && new FileInfo(path).Length > 0;
        var s = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = false };
        var w = new MetricsWriter(s);
        if (!exists)
        {
            foreach (var c in Columns) w._csv!.WriteField(c);
            w._csv!.NextRecord();
            w.Flush();
        }
        return w;
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
                if (_stream is null) return 0;
                _csv!.Flush();
                _stream.Flush();
                return _stream.BaseStream.Position;
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

    /// <summary>Logs one value of member <paramref name="member"/> of phase <paramref name="phase"/>; <paramref name="layer"/> is empty when not per layer.</summary>
    public void Log(long step, string phase, int member, string layer, string name, double value)
    {
        lock (_lock)
        {
            var row = new MetricRow(step, phase, member, layer, name, value);
            _rows.Add(row);
            RowLogged?.Invoke(row);
            if (_csv is null) return;
            _csv.WriteField(step.ToString(CultureInfo.InvariantCulture));
            _csv.WriteField(phase);
            _csv.WriteField(member.ToString(CultureInfo.InvariantCulture));
            _csv.WriteField(layer);
            _csv.WriteField(name);
            _csv.WriteField(value.ToString("R", CultureInfo.InvariantCulture));
            _csv.NextRecord();
        }
    }

    /// <summary>Flushes rows to disk (called at the end of every probe event).</summary>
    public void Flush()
    {
        lock (_lock)
        {
            _csv?.Flush();
            _stream?.Flush();
            Flushed?.Invoke();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _csv?.Dispose();
            _stream?.Dispose();
        }
    }

    /// <summary>Reads a metrics.csv back.</summary>
    public static List<MetricRow> Read(string path)
    {
        var rows = new List<MetricRow>();
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, Csv);
        if (!csv.Read() || csv.Parser.Record is not { } header || !header.SequenceEqual(Columns))
            throw new FormatException($"{path}: first line is '{csv.Parser.RawRecord.TrimEnd()}', expected '{Header}'");
        while (csv.Read())
        {
            var f = csv.Parser.Record!;
            if (f.Length == 1 && f[0].Length == 0) continue;
            if (f.Length != Columns.Length || !long.TryParse(f[0], CultureInfo.InvariantCulture, out var step) || !int.TryParse(f[2], CultureInfo.InvariantCulture, out var member)
                || !double.TryParse(f[5], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw new FormatException($"{path}:{csv.Parser.RawRow}: expected {Header}, found '{csv.Parser.RawRecord.TrimEnd()}'");
            rows.Add(new MetricRow(step, f[1], member, f[3], f[4], value));
        }
        return rows;
    }
}

/// <summary>One metrics.csv row.</summary>
public sealed record MetricRow(long Step, string Phase, int Member, string Layer, string Name, double Value);
