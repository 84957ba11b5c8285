namespace Noether.Runs;

/// <summary>
/// TensorBoard scalars written while a run trains: every row logged to a <see cref="MetricsWriter"/>
/// goes to tensorboard/&lt;phase&gt;/&lt;member label&gt;/ at once, with the wall time it was logged, and the
/// event files are flushed whenever the metrics are. `tensorboard --logdir runs/` shows curves growing.
/// </summary>
public sealed class TensorBoardLive : IDisposable
{
    private readonly string _root;
    private readonly MetricsWriter _metrics;
    private readonly Func<DateTimeOffset> _clock;
    private readonly Func<string, int, string> _label;
    private readonly Dictionary<(string Phase, int Member), TensorBoardEvents> _files = new();

    private TensorBoardLive(string runDirectory, MetricsWriter metrics, Func<string, int, string> label, Func<DateTimeOffset> clock)
    {
        _root = Path.Combine(runDirectory, TensorBoardExport.Folder);
        _metrics = metrics;
        _label = label;
        _clock = clock;
        metrics.RowLogged += OnRow;
        metrics.Flushed += OnFlush;
    }

    /// <summary>
    /// Starts writing the rows <paramref name="metrics"/> logs from now on. <paramref name="label"/> names a
    /// (phase, member) by its condition and seed (null: "member-N"); <paramref name="clock"/> gives wall times (tests fix it).
    /// </summary>
    public static TensorBoardLive Attach(string runDirectory, MetricsWriter metrics, Func<string, int, string>? label = null, Func<DateTimeOffset>? clock = null) =>
        new(runDirectory, metrics, label ?? ((_, member) => $"member-{member}"), clock ?? (() => DateTimeOffset.UtcNow));

    // Called under the metrics writer's lock, so files are created and written one row at a time.
    private void OnRow(MetricRow row)
    {
        var now = _clock();
        if (!_files.TryGetValue((row.Phase, row.Member), out var events))
            _files[(row.Phase, row.Member)] = events = TensorBoardEvents.Create(Path.Combine(_root, TensorBoardExport.RunName(row.Phase, _label(row.Phase, row.Member))), now);
        events.Scalar(TensorBoardExport.Tag(row), row.Step, row.Value, now.ToUnixTimeMilliseconds() / 1000.0);
    }

    private void OnFlush()
    {
        foreach (var events in _files.Values) events.Flush();
    }

    public void Dispose()
    {
        _metrics.RowLogged -= OnRow;
        _metrics.Flushed -= OnFlush;
        foreach (var events in _files.Values) events.Dispose();
        _files.Clear();
    }
}
