using System.Diagnostics;
using Noether.Runs;
using Noether.Sweeps;

namespace Noether.Tests.Sweeps;

/// <summary>Real processes: two pools on one sweep folder (SIGUSR1 to a plain run: Framework/SuggestionTests).</summary>
[Collection("console")]
[Trait("Category", "Integration")]
public class ReliabilityProcessTests
{
    [Fact]
    public async Task Two_pools_on_one_folder_complete_every_trial_once_with_intact_logs()
    {
        string root = SweepFixture.NewRoot();
        var m = SweepFixture.Plan(root, "two", $$"""{ "experiment": "noise-equilibrium", "set": {{SweepFixture.TinySet}}, "seeds": [1, 2, 3, 4] }""");
        var pools = Enumerable.Range(0, 2).Select(_ => Task.Run(() => LocalPool.Run(m, SweepFixture.Cli(), 2, TextWriter.Null))).ToArray();
        await Task.WhenAll(pools);
        Assert.All(TrialStatus.Of(m), s => Assert.Equal(TrialState.Completed, s.State));
        // Every line a trial process prints is whole: it starts the way the CLI's lines start, none is cut by the other pool's writes.
        string[] starts = ["running ", "noise-equilibrium: ", "trial ", "run folder", "report", "┌", "│", "├", "└", "claims"];
        foreach (var log in Directory.GetFiles(Path.Combine(m.Directory, "logs")))
            foreach (var line in File.ReadAllLines(log).Where(l => l.Length > 0))
                Assert.True(starts.Any(s => line.StartsWith(s, StringComparison.Ordinal)), $"{Path.GetFileName(log)}: '{line}'");
        Assert.Contains(File.ReadAllLines(Path.Combine(m.Directory, "logs", "trial-0.log")), l => l.StartsWith("trial 0 ", StringComparison.Ordinal));
        Directory.Delete(root, true);
    }
}
