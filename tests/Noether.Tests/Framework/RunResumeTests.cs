using System.Diagnostics;
using Noether.Cli;
using Noether.Experiments;
using Noether.Runs;
using Noether.Sweeps;
using Noether.Tests.Experiments;
using Xunit.Abstractions;

namespace Noether.Tests.Framework;

/// <summary>
/// `noether run --resume DIR` with real processes: SIGKILL twice at random points then resume, and
/// SIGTERM (exit 143, status interrupted, checkpoint) then resume, each ending byte-identical to an
/// uninterrupted run; one experiment from each cluster (symmetry: crh, plasticity: hebbian,
/// representation: multimodal-alignment).
/// </summary>
[Collection("console")]
public class RunResumeProcessTests(ITestOutputHelper output)
{
    [Theory, Trait("Category", "Integration")]
    [InlineData("crh")]
    [InlineData("hebbian")]
    [InlineData("multimodal-alignment")]
    public void Killed_twice_at_random_points_then_resumed_it_ends_byte_identical(string id)
    {
        string root = Directory.CreateTempSubdirectory("noether-kill-").FullName;
        try
        {
            var reference = Reference(id, root);
            int finalRows = LineCount(Path.Combine(reference, "metrics.csv"));
            string dir = Path.Combine(root, "killed"), metrics = Path.Combine(dir, "metrics.csv");
            int seed = Environment.TickCount;
            output.WriteLine($"{id}: kill points drawn with seed {seed}; {finalRows} rows in the uninterrupted run");
            var rng = new Random(seed);
            int kills = 0;
            for (int attempt = 0; attempt < 10 && kills < 2; attempt++)
            {
                string[] args = ["run", id, .. Sets(id), "--out", dir, "--checkpoint-every", "0.05", "--no-fail"];
                // A random point in the first half of what is left (metric rows, or a fraction of a second before the first).
                int from = LineCount(metrics);
                // At least one row beyond the header: the first checkpoint is written before it.
                int target = Math.Max(2, from + 1 + rng.Next(Math.Max(1, (finalRows - from) / 2)));
                using var p = Start(kills == 0 ? args : ["run", "--resume", dir, "--checkpoint-every", "0.05", "--no-fail"]);
                while (!p.HasExited && LineCount(metrics) < target) Thread.Sleep(5);
                if (!p.HasExited) p.Kill();
                p.WaitForExit();
                if (p.ExitCode == 0)
                {
                    // Finished before the kill landed (a faster machine or engine makes it likelier): start again in a new folder.
                    output.WriteLine($"finished before the kill at {target} of {finalRows} rows; starting again");
                    dir = Path.Combine(root, $"killed-{attempt}"); metrics = Path.Combine(dir, "metrics.csv");
                    kills = 0;
                    continue;
                }
                kills++;
                output.WriteLine($"SIGKILL at {LineCount(metrics)} of {finalRows} rows (target {target})");
            }
            Assert.True(kills == 2, $"only {kills} kills landed before the end");
            using (var last = Start(["run", "--resume", dir, "--no-fail"]))
            {
                last.WaitForExit();
                Assert.Equal(0, last.ExitCode);
            }
            AssertSame(reference, dir);
            Assert.Equal(RunStatus.Completed, RunRecord.Load(dir).Status);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact, Trait("Category", "Integration")]
    public void Sigterm_checkpoints_exits_143_with_status_interrupted_and_the_resume_completes_it()
    {
        const string id = "crh";
        string root = Directory.CreateTempSubdirectory("noether-term-").FullName;
        try
        {
            var reference = Reference(id, root);
            string dir = Path.Combine(root, "stopped"), metrics = Path.Combine(dir, "metrics.csv");
            int rows = LineCount(Path.Combine(reference, "metrics.csv"));
            using (var p = Start(["run", id, .. Sets(id), "--out", dir, "--no-fail"]))
            {
                while (!p.HasExited && LineCount(metrics) < rows / 3) Thread.Sleep(5);
                Assert.False(p.HasExited, "the run ended before the signal");
                ProcessSignals.Terminate(p);
                p.WaitForExit();
                Assert.Equal(143, p.ExitCode);
            }
            var rec = RunRecord.Load(dir);
            Assert.Equal(RunStatus.Interrupted, rec.Status);
            Assert.Contains("checkpoint at train@", rec.Error); // crh stops at its next probe, with a checkpoint there
            Assert.True(File.Exists(Path.Combine(dir, RunCheckpoints.FileName)));
            using (var r = Start(["run", "--resume", dir, "--no-fail"]))
            {
                r.WaitForExit();
                Assert.Equal(0, r.ExitCode);
            }
            AssertSame(reference, dir);
            Assert.Single(RunRecord.Load(dir).ResumedFrom);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    private static string[] Sets(string id) => ResumeEveryExperimentTests.Small[id].SelectMany(s => new[] { "--set", s }).ToArray();

    /// <summary>The uninterrupted run, in this process (the same bits as the CLI's at one thread).</summary>
    private static string Reference(string id, string root)
    {
        string dir = Path.Combine(root, "reference");
        var r = ExperimentRunner.Run(new RunRequest(id) { Sets = ResumeEveryExperimentTests.Small[id], OutputDirectory = dir });
        Assert.Equal(RunStatus.Completed, r.Record.Status);
        return dir;
    }

    internal static void AssertSame(string reference, string dir)
    {
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "metrics.csv")), File.ReadAllBytes(Path.Combine(dir, "metrics.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "figures.json")), File.ReadAllBytes(Path.Combine(dir, "figures.json")));
        var (a, b) = (RunRecord.Load(reference), RunRecord.Load(dir));
        Assert.Equal(a.Claims.Select(c => (c.Id, c.Measured, c.Passed, c.Details)), b.Claims.Select(c => (c.Id, c.Measured, c.Passed, c.Details)));
        Assert.Equal(a.Members.Select(m => m.ToJsonString()), b.Members.Select(m => m.ToJsonString()));
        var rows = MetricsWriter.Read(Path.Combine(dir, "metrics.csv"));
        Assert.Equal(rows.Count, rows.Select(r => (r.Step, r.Phase, r.Member, r.Layer, r.Name)).Distinct().Count());
    }

    private static Process Start(string[] args)
    {
        var cmd = TrialCommand.ForCurrentProcess(typeof(Commands).Assembly.Location, 1, 60);
        var info = new ProcessStartInfo(cmd.Program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in cmd.PrefixArguments.Concat(args)) info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static int LineCount(string path)
    {
        if (!File.Exists(path)) return 0;
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var r = new StreamReader(fs);
        int n = 0;
        while (r.ReadLine() is not null) n++;
        return n;
    }
}

/// <summary>`run --resume` user mistakes: one line on stderr, exit 2, the run folder untouched; a completed run is "already completed", exit 0.</summary>
[Collection("console")]
public class RunResumeMistakeTests
{
    private static readonly string[] Small = ResumeEveryExperimentTests.Small["symmetry-hierarchy"];

    /// <summary>An interrupted run of symmetry-hierarchy (stopped at the start of its second phase).</summary>
    private static string Interrupted()
    {
        string dir = Path.Combine(Directory.CreateTempSubdirectory("noether-mistake-").FullName, "run");
        var r = ExperimentRunner.Run(new RunRequest("symmetry-hierarchy")
        {
            Sets = Small, OutputDirectory = dir,
            Checkpoints = new CheckpointSettings { StopAt = l => l == "ladder@start" },
        });
        Assert.Equal(RunStatus.Interrupted, r.Record.Status);
        return dir;
    }

    private static (int Code, string Error) Cli(params string[] args)
    {
        var error = new StringWriter();
        var (oldOut, oldError) = (Console.Out, Console.Error);
        Console.SetError(error);
        Console.SetOut(TextWriter.Null);
        try { return (Commands.Main(args), error.ToString()); }
        finally { Console.SetError(oldError); Console.SetOut(oldOut); }
    }

    private static void AssertMistake((int Code, string Error) r, string mentions)
    {
        Assert.Equal(Commands.UserError, r.Code);
        var lines = r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(mentions, lines[0]);
        Assert.DoesNotContain("   at ", r.Error);
    }

    [Fact]
    public void Options_that_would_make_another_run_are_refused()
    {
        string dir = Interrupted();
        AssertMistake(Cli("run", "--resume", dir, "--set", "seeds=2"), "--set");
        AssertMistake(Cli("run", "--resume", dir, "--config", "x.json"), "--config");
        AssertMistake(Cli("run", "--resume", dir, "--force"), "--force");
        AssertMistake(Cli("run", "--resume", dir, "--out", dir + "-other"), "--out");
        AssertMistake(Cli("run", "crh", "--resume", dir), "symmetry-hierarchy");
        AssertMistake(Cli("run", "--resume", dir, "--profile", "full"), "--profile quick");
        AssertMistake(Cli("run", "--resume", dir, "--seed", "2"), "--seed 1");
        Assert.Equal(RunStatus.Interrupted, RunRecord.Load(dir).Status);
        // What restates the run is accepted: the same id, profile and seed.
        Assert.Equal(Commands.Ok, Cli("run", "symmetry-hierarchy", "--resume", dir, "--profile", "quick", "--seed", "1", "--no-fail").Code);
        Assert.Equal(RunStatus.Completed, RunRecord.Load(dir).Status);
        var done = Cli("run", "--resume", dir);
        Assert.Equal(Commands.Ok, done.Code);
        Directory.Delete(Path.GetDirectoryName(dir)!, true);
    }

    [Fact]
    public void A_missing_or_corrupt_checkpoint_or_run_json_is_named()
    {
        string dir = Interrupted();
        string checkpoint = Path.Combine(dir, RunCheckpoints.FileName), runJson = Path.Combine(dir, "run.json");
        var bytes = File.ReadAllBytes(checkpoint);
        File.WriteAllBytes(checkpoint, bytes[..(bytes.Length / 2)]);
        AssertMistake(Cli("run", "--resume", dir), RunCheckpoints.FileName);
        File.Delete(checkpoint);
        AssertMistake(Cli("run", "--resume", dir), RunCheckpoints.FileName);
        File.WriteAllBytes(checkpoint, bytes);
        string record = File.ReadAllText(runJson);
        File.WriteAllText(runJson, "{ not json");
        AssertMistake(Cli("run", "--resume", dir), "run.json");
        File.Delete(runJson);
        AssertMistake(Cli("run", "--resume", dir), "run.json");
        File.WriteAllText(runJson, record);
        AssertMistake(Cli("run", "--resume", Path.Combine(dir, "nowhere")), "nowhere");
        // Put back whole, it resumes.
        Assert.Equal(Commands.Ok, Cli("run", "--resume", dir, "--no-fail").Code);
        Directory.Delete(Path.GetDirectoryName(dir)!, true);
    }
}
