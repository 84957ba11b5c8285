namespace Noether.Runs;

/// <summary>
/// Writes a run's metrics as TensorBoard scalars after the fact (runs recorded before the live export,
/// see <see cref="TensorBoardLive"/>, and the rows a resumed run keeps): one event file per population member under
/// tensorboard/&lt;phase&gt;/&lt;condition&gt;/seed=&lt;s&gt;/ (TensorBoard shows each as a run, so seeds overlay), tag
/// "layer/name" (or "name" for run-level metrics). `tensorboard --logdir runs/` then shows every run.
/// </summary>
public static class TensorBoardExport
{
    public const string Folder = "tensorboard";

    /// <summary>Replaces the run folder's tensorboard/ with the given rows; returns the event files written.</summary>
    public static IReadOnlyList<string> Write(string runDirectory, IEnumerable<MetricRow> rows, MemberLabels labels, DateTimeOffset wallTime)
    {
        string root = Path.Combine(runDirectory, Folder);
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        var files = new List<string>();
        // Metrics carry steps, not times: every scalar gets the run's start time.
        double wall = wallTime.ToUnixTimeMilliseconds() / 1000.0;
        foreach (var member in rows.GroupBy(r => (r.Phase, r.Member)).OrderBy(g => g.Key.Phase, StringComparer.Ordinal).ThenBy(g => g.Key.Member))
        {
            using var events = TensorBoardEvents.Create(Path.Combine(root, RunName(member.Key.Phase, labels[member.Key.Phase, member.Key.Member])), wallTime);
            foreach (var r in member.OrderBy(r => r.Step))
                events.Scalar(Tag(r), r.Step, r.Value, wall);
            files.Add(events.Path);
        }
        return files;
    }

    /// <summary>
    /// The TensorBoard run (sub-folder of tensorboard/) of a member: its phase, then its condition and seed from
    /// run.json's members ("balance.sgd/seed=3"); the one place that names it, live or after the fact.
    /// </summary>
    public static string RunName(string phase, string memberLabel) => Path.Combine(phase, memberLabel);

    public static string Tag(MetricRow r) => string.IsNullOrEmpty(r.Layer) ? r.Name : $"{r.Layer}/{r.Name}";
}
