using System.Diagnostics;
using System.Globalization;
using Noether.Experiments;

namespace Noether.Cli;

/// <summary>
/// Progress for logs (Slurm, CI, a pipe): one plain line when a phase starts, then at most one every
/// <see cref="Interval"/> per phase, and one when it ends; no terminal control codes.
/// </summary>
public sealed class PlainProgress(TextWriter output, string experiment) : IRunProgress
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private readonly Dictionary<string, (TimeSpan Printed, bool Ended)> _phases = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _lock = new();

    public void Report(string phase, long done, long total)
    {
        lock (_lock)
        {
            var now = _clock.Elapsed;
            bool known = _phases.TryGetValue(phase, out var state);
            if (known && (state.Ended || (done < total && now - state.Printed < Interval))) return;
            _phases[phase] = (now, done >= total);
            double percent = total > 0 ? 100.0 * done / total : 100;
            // Phases are usually named "<experiment> <phase>" already.
            string name = phase.StartsWith(experiment, StringComparison.Ordinal) ? phase : $"{experiment} {phase}";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {done:N0}/{total:N0} ({percent:0}%) at {now:hh\\:mm\\:ss}"));
            output.Flush();
        }
    }
}
