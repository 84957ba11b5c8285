using System.Diagnostics;
using Noether.Cli;
using Noether.Runs;
using Noether.Sweeps;

namespace Noether.Tests.Sweeps;

/// <summary>Real processes: two pools on one sweep folder; out of memory inside a run (SIGUSR1 to a plain run: Framework/SuggestionTests).</summary>
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

    [Fact]
    public async Task Out_of_memory_inside_a_run_is_recorded_as_failed_with_exit_1()
    {
        // A heap capped at 192 MB and a config whose data set needs ≈ 540 MB: the allocation fails inside the run.
        // The memory limit is raised so that Noether's own size check does not refuse the config first.
        string dir = Path.Combine(SweepFixture.NewRoot(), "oom");
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { typeof(Commands).Assembly.Location, "run", "crh", "--set", "samples=700000", "--out", dir }) info.ArgumentList.Add(a);
        info.Environment["DOTNET_GCHeapHardLimit"] = "0xC000000";
        info.Environment[Noether.Runs.MemoryLimit.Variable] = "100G";
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == Commands.ClaimsFailed, $"exit {p.ExitCode}: {await stderr}");
        var record = Noether.Runs.RunRecord.Load(dir);
        Assert.Equal(Noether.Runs.RunStatus.Failed, record.Status);
        Assert.StartsWith("out of memory", record.Error);
        Assert.Contains("out of memory", await stdout);
        Directory.Delete(Path.GetDirectoryName(dir)!, true);
    }
}
